//! `--server URL` with a token (`SCOREHOST_TOKEN`, `--token-file FILE` or `--token T`): the same commands through the HTTP API of a
//! running service instead of the local data dir.

use std::path::Path;

use scorehost_runtime::report;
use scorehost_runtime::wire::EvaluationResponse;
use serde_json::{Value, json};

use crate::Global;

/// An error answer from the service, with its stable code (exit codes
/// follow the code, as for a local run).
#[derive(Debug)]
pub(crate) struct RemoteError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
}

impl std::fmt::Display for RemoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {}, {})", self.message, self.status, self.code)
    }
}

impl std::error::Error for RemoteError {}

impl RemoteError {
    /// The exit code a local run would have given.
    pub(crate) fn exit_code(&self) -> u8 {
        scorehost_engine::error::exit_code_of(&self.code)
    }
}

/// The host of a plain `http://` URL.
fn plain_http_host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("http://")?;
    let authority = rest.split('/').next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    Some(match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    })
}

/// Whether `host` names this machine (a token sent there never crosses a
/// network).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The service a command goes to.
pub(crate) struct Remote {
    base: String,
    token: String,
}

/// The token without surrounding white space; refused, without being
/// echoed (an error message goes to logs and terminals), if empty or if it
/// holds a control character or a space — a stray `\r` from a file saved
/// on Windows, say.
fn checked_token(token: &str) -> anyhow::Result<String> {
    let token = token.trim();
    if token.is_empty() {
        anyhow::bail!("the bearer token is empty");
    }
    if let Some(c) = token.chars().find(|c| c.is_control() || c.is_whitespace()) {
        anyhow::bail!(
            "the bearer token holds a character no token has ({:?}): check how it was copied (the token is not shown here)",
            c
        );
    }
    Ok(token.to_string())
}

impl Remote {
    pub(crate) fn new(g: &Global) -> anyhow::Result<Option<Remote>> {
        let Some(server) = &g.server else {
            return Ok(None);
        };
        let token = match (&g.token, &g.token_file) {
            (Some(t), _) => t.clone(),
            (None, Some(file)) => std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read the token file {}: {e}", file.display()))?
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
            (None, None) => anyhow::bail!(
                "--server needs a bearer token: SCOREHOST_TOKEN, --token-file FILE, or --token T"
            ),
        };
        let token = checked_token(&token)?;
        if let Some(host) = plain_http_host(server)
            && !is_loopback(host)
        {
            eprintln!(
                "warning: {server} is plain HTTP, so the token travels in clear; use https:// (the platform's certificate roots are trusted, and SSL_CERT_FILE)"
            );
        }
        Ok(Some(Remote {
            base: server.trim_end_matches('/').to_string(),
            token,
        }))
    }

    fn send(&self, method: &str, path: &str, body: Option<(&str, &[u8])>) -> anyhow::Result<Value> {
        self.send_with(method, path, body, &[])
    }

    /// [`Remote::send`] with extra `headers`.
    fn send_with(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
        headers: &[(&str, String)],
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut req =
            ureq::request(method, &url).set("Authorization", &format!("Bearer {}", self.token));
        for (name, value) in headers {
            req = req.set(name, value);
        }
        let result = match body {
            Some((ct, bytes)) => req.set("Content-Type", ct).send_bytes(bytes),
            None => req.call(),
        };
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(status, r)) => {
                let text = r.into_string().unwrap_or_default();
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                return Err(RemoteError {
                    status,
                    code: v["error"]["code"]
                        .as_str()
                        .unwrap_or("internal")
                        .to_string(),
                    message: v["error"]["message"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or(text),
                }
                .into());
            }
            Err(e) => anyhow::bail!("cannot reach {url}: {e}"),
        };
        let text = response.into_string()?;
        Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    fn json(&self, method: &str, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(
            method,
            path,
            Some(("application/json", body.to_string().as_bytes())),
        )
    }

    /// POST `body` as JSON; the answer, for a command that reads it.
    pub(crate) fn post_json(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.json("POST", path, body)
    }

    /// PUT `body` as JSON; the answer.
    pub(crate) fn put_json(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.json("PUT", path, body)
    }

    /// GET `path`; the answer.
    pub(crate) fn get_json(&self, path: &str) -> anyhow::Result<Value> {
        self.send("GET", path, None)
    }

    /// DELETE `path`; the answer.
    pub(crate) fn delete(&self, path: &str) -> anyhow::Result<Value> {
        self.send("DELETE", path, None)
    }
}

fn print(g: &Global, v: &Value) -> anyhow::Result<()> {
    let _ = g;
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn split_ref(reference: &str) -> anyhow::Result<(String, String)> {
    let (model, version) = reference
        .split_once('@')
        .ok_or_else(|| anyhow::anyhow!("'{reference}' is not NAMESPACE/NAME@VERSION"))?;
    Ok((model.to_string(), version.to_string()))
}

/// `score --model … --input …` through the service.
pub(crate) fn score(g: &Global, r: &Remote, model: Option<&str>, text: &str) -> anyhow::Result<()> {
    let mut request: Value = serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("the request is not valid JSON: {e}"))?;
    if let Some(m) = model {
        request["model"] = json!(m);
    }
    let answer = r.json("POST", "/v1/scores", &request)?;
    if g.json {
        return print(g, &answer);
    }
    let response: EvaluationResponse = serde_json::from_value(answer)?;
    print!("{}", report::white_box(&response));
    Ok(())
}

/// `plugin publish` through the service; a signature travels base64-encoded
/// in the `Scorehost-Signature` header.
pub(crate) fn publish(
    g: &Global,
    r: &Remote,
    file: &Path,
    signing: &super::signing::SignArgs,
) -> anyhow::Result<()> {
    use base64::Engine as _;
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    // The path names the module as it describes itself.
    let runtime =
        scorehost_runtime::sandbox::Runtime::new(scorehost_runtime::sandbox::Limits::default())?;
    let model = runtime.load(&bytes)?;
    let info = model.info();
    let path = format!("/v1/plugins/{}/versions/{}", info.name, info.version);
    let headers: Vec<(&str, String)> = signing
        .signature_for(&runtime, &bytes)?
        .map(|sig| {
            (
                "Scorehost-Signature",
                base64::engine::general_purpose::STANDARD.encode(sig),
            )
        })
        .into_iter()
        .collect();
    print(
        g,
        &r.send_with("POST", &path, Some(("application/wasm", &bytes)), &headers)?,
    )
}

pub(crate) fn approve(g: &Global, r: &Remote, reference: &str, sha256: &str) -> anyhow::Result<()> {
    let (model, version) = split_ref(reference)?;
    let path = format!("/v1/plugins/{model}/versions/{version}/approve");
    print(g, &r.json("POST", &path, &json!({ "sha256": sha256 }))?)
}

pub(crate) fn pin(g: &Global, r: &Remote, reference: &str, sha256: &str) -> anyhow::Result<()> {
    let (model, version) = split_ref(reference)?;
    let path = format!("/v1/pins/{model}");
    print(
        g,
        &r.json(
            "PUT",
            &path,
            &json!({ "version": version, "sha256": sha256 }),
        )?,
    )
}

pub(crate) fn revoke(g: &Global, r: &Remote, reference: &str, reason: &str) -> anyhow::Result<()> {
    let (model, version) = split_ref(reference)?;
    let path = format!("/v1/plugins/{model}/versions/{version}/revoke");
    print(g, &r.json("POST", &path, &json!({ "reason": reason }))?)
}

pub(crate) fn get(g: &Global, r: &Remote, path: &str) -> anyhow::Result<()> {
    print(g, &r.send("GET", path, None)?)
}

pub(crate) fn post_empty(g: &Global, r: &Remote, path: &str) -> anyhow::Result<()> {
    print(g, &r.json("POST", path, &json!({}))?)
}

pub(crate) fn show(g: &Global, r: &Remote, reference: &str) -> anyhow::Result<()> {
    let path = match reference.split_once('@') {
        Some((model, version)) => format!("/v1/plugins/{model}/versions/{version}"),
        None => format!("/v1/plugins/{reference}"),
    };
    get(g, r, &path)
}

pub(crate) fn proof(
    g: &Global,
    r: &Remote,
    id: &str,
    (out, force): (Option<&Path>, bool),
) -> anyhow::Result<()> {
    // The service signs a checkpoint within a second of a record; until
    // then it answers `not_checkpointed` (503, Retry-After: 1): ask again.
    let path = format!("/v1/evaluations/{id}/proof");
    let mut tries = 0;
    let proof = loop {
        match r.send("GET", &path, None) {
            Err(e)
                if tries < 5
                    && e.downcast_ref::<RemoteError>()
                        .is_some_and(|e| e.code == "not_checkpointed") =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            answer => break answer?,
        }
    };
    match out {
        Some(path) => {
            let file = super::output::create(path, force)?;
            serde_json::to_writer_pretty(file, &proof)?;
            println!("wrote {}", path.display());
            Ok(())
        }
        None => print(g, &proof),
    }
}

pub(crate) fn import(g: &Global, r: &Remote, what: &str, file: &Path) -> anyhow::Result<()> {
    let ct = match file.extension().and_then(|e| e.to_str()) {
        Some("ndjson" | "jsonl") => "application/x-ndjson",
        Some("csv") => "text/csv",
        _ => anyhow::bail!("{}: name the file .ndjson, .jsonl or .csv", file.display()),
    };
    let text = std::fs::read(file)?;
    print(
        g,
        &r.send("POST", &format!("/v1/data/{what}"), Some((ct, &text)))?,
    )
}

/// `data furnisher` through the service.
pub(crate) fn furnisher(
    g: &Global,
    r: &Remote,
    indicator: &str,
    namespace: &str,
    cardinality: &str,
) -> anyhow::Result<()> {
    let body = serde_json::json!({ "namespace": namespace, "cardinality": cardinality });
    print(
        g,
        &r.json("PUT", &format!("/v1/furnishers/{indicator}"), &body)?,
    )
}

/// `data furnishers` through the service.
pub(crate) fn furnishers(g: &Global, r: &Remote) -> anyhow::Result<()> {
    print(g, &r.send("GET", "/v1/furnishers", None)?)
}

/// Any call, with a JSON body or none; the answer's JSON.
pub(crate) fn call(
    r: &Remote,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> anyhow::Result<Value> {
    match body {
        Some(b) => r.json(method, path, b),
        None => r.send(method, path, None),
    }
}

pub(crate) fn consent(g: &Global, r: &Remote, path: &str, body: Value) -> anyhow::Result<()> {
    print(g, &r.json("POST", path, &body)?)
}

/// Run a `keys` command through the service (`--server`).
pub(crate) fn keys(
    g: &Global,
    r: &Remote,
    command: &super::signing::KeysCommand,
) -> anyhow::Result<()> {
    use super::signing::{KeysCommand, read_text};
    let answer = match command {
        KeysCommand::Add {
            namespace,
            key,
            label,
        } => {
            let line = if std::path::Path::new(key).is_file() {
                read_text(std::path::Path::new(key))?
            } else {
                key.clone()
            };
            r.post_json(
                &format!("/v1/namespaces/{namespace}/keys"),
                &serde_json::json!({ "public_key": line.trim(), "label": label }),
            )?
        }
        KeysCommand::List { namespace } => {
            r.get_json(&format!("/v1/namespaces/{namespace}/keys"))?
        }
        KeysCommand::Revoke {
            namespace,
            fingerprint,
            reason,
        } => r.post_json(
            &format!("/v1/namespaces/{namespace}/keys/revoke"),
            &serde_json::json!({ "fingerprint": fingerprint, "reason": reason }),
        )?,
    };
    print(g, &answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_to_another_machine_is_warned_of() {
        let warned = |url: &str| plain_http_host(url).is_some_and(|h| !is_loopback(h));
        assert!(warned("http://score.example.gov.cn"));
        assert!(warned("http://10.1.2.3:8080/"));
        assert!(warned("http://user@[2001:db8::1]:80"));
        assert!(!warned("http://127.0.0.1:8080"));
        assert!(!warned("http://localhost:8080/v1"));
        assert!(!warned("http://[::1]:8080"));
        assert!(!warned("https://score.example.gov.cn"));
    }
}
