//! The province's signing-keys page: for each publisher namespace, the SSH
//! public keys that sign its modules — who registered each and when, which
//! are revoked and why — with forms to register a key and to revoke one.
//! The rules (province only, Ed25519 only, a revoked key never returns,
//! the versions in force it signed flagged) are the API's
//! (`/v1/namespaces/{ns}/keys`); this page only shows and asks.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::{Frame, Signed, render, text};
use crate::ConsoleError;
use crate::i18n::T;

/// One key, as the page lists it.
struct KeyRow {
    fingerprint: String,
    label: String,
    added: String,
    revoked: String,
}

/// One namespace and its keys.
struct Namespace {
    name: String,
    keys: Vec<KeyRow>,
}

#[derive(Template)]
#[template(path = "keys/home.html")]
struct Keys {
    f: Frame,
    csrf: String,
    namespaces: Vec<Namespace>,
}

/// A namespace as the API names them: `[a-z0-9-]`, else no such page.
fn namespace(s: &str) -> Result<&str, ConsoleError> {
    if !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(s)
    } else {
        Err(ConsoleError::NotFound(
            "没有这个命名空间 · no such namespace".into(),
        ))
    }
}

/// `GET /console/keys`: every namespace that published a version, with
/// its keys (an empty list: it takes unsigned modules).
pub async fn home(signed: Signed) -> Result<Response, ConsoleError> {
    signed.require_province()?;
    let versions = signed.get("/v1/plugins").await?;
    let names: BTreeSet<String> = versions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["ref"].as_str())
        .filter_map(|r| r.split_once('/').map(|(ns, _)| ns.to_string()))
        .collect();
    let mut namespaces = Vec::new();
    for name in names {
        let keys = signed
            .get(&format!("/v1/namespaces/{name}/keys"))
            .await?
            .as_array()
            .into_iter()
            .flatten()
            .map(|k| KeyRow {
                fingerprint: text(&k["fingerprint"]),
                label: text(&k["label"]),
                added: format!("{} · {}", text(&k["added_by"]), text(&k["added_at"])),
                revoked: if k["revoked_at"].is_string() {
                    format!(
                        "{} · {} · {}",
                        text(&k["revoked_by"]),
                        text(&k["revoked_at"]),
                        text(&k["revoked_reason"])
                    )
                } else {
                    String::new()
                },
            })
            .collect();
        namespaces.push(Namespace { name, keys });
    }
    let t = T(signed.lang);
    Ok(render(&Keys {
        f: signed.frame(t.t("signing_keys"), "/console/keys"),
        csrf: signed.session.csrf.clone(),
        namespaces,
    }))
}

/// `POST /console/keys/{ns}/{action}`: `add` (a public key line and a
/// label) or `revoke` (a fingerprint and a reason). The CSRF token first;
/// then the API call as the reviewer, which checks the role and the key
/// and records the action; then back to the page.
pub async fn act(
    signed: Signed,
    Path((ns, action)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    signed.check_csrf(&form)?;
    signed.require_province()?;
    let ns = namespace(&ns)?;
    let field = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let path = format!("/v1/namespaces/{ns}/keys");
    match action.as_str() {
        "add" => {
            signed
                .call(
                    Method::POST,
                    &path,
                    Some(&json!({"public_key": field("public_key"), "label": field("label")})),
                )
                .await?;
        }
        "revoke" => {
            let reason = field("reason");
            if reason.is_empty() {
                return Err(ConsoleError::BadRequest(
                    "撤销必须写明原因 · a revocation needs a reason".into(),
                ));
            }
            signed
                .call(
                    Method::POST,
                    &format!("{path}/revoke"),
                    Some(&json!({"fingerprint": field("fingerprint"), "reason": reason})),
                )
                .await?;
        }
        _ => return Err(ConsoleError::NotFound("no such action".into())),
    }
    Ok(Redirect::to(&format!("/console/keys#ns-{ns}")).into_response())
}
