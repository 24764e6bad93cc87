//! Trust without trusting one person (issue 23), end to end with the real
//! binary over HTTP and the CLI, on SQLite and (when
//! `SCOREHOST_TEST_POSTGRES_URL` is set) PostgreSQL:
//!
//! - tokens name persons, and the records of their actions name them;
//! - one reviewer cannot bring a version into force; two distinct persons
//!   can; one person with two tokens cannot; the publisher never counts;
//!   the CLI acts only as a named person;
//! - a module in a namespace with registered keys must carry a good SSH
//!   signature (made by `ssh-keygen -Y sign`, OpenSSH's own tool, or by
//!   `scorehost plugin sign`): unsigned, wrongly signed, replayed and
//!   unregistered-key signatures are refused with nothing stored;
//!   `plugin verify` checks a module offline;
//! - a revoked key blocks new approvals of what it signed and flags the
//!   versions in force it signed, which stay pinned;
//! - benefit scenarios and composites come into force by the same quorum:
//!   proposed by one person, approved by others, never by their author.

use std::path::{Path, PathBuf};
use std::process::Command;

use scorehost_tests::http::{Server, get, post_json};
use scorehost_tests::{
    Fixture, backends, cli, component, fixture, ok, pin_cli, sha256_file, token_with, write_file,
};
use serde_json::{Value, json};

/// Publish `package`'s component over HTTP as `token`, with `signature`
/// (armored) in the `Scorehost-Signature` header when given.
fn publish(
    s: &Server,
    token: &str,
    reference: &str,
    package: &str,
    signature: Option<&str>,
) -> (u16, Value) {
    use base64::Engine as _;
    let (model, version) = reference.split_once('@').unwrap();
    let url = format!("{}/v1/plugins/{model}/versions/{version}", s.url);
    let bytes = std::fs::read(component(package)).unwrap();
    let mut req = ureq::post(&url)
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/wasm");
    if let Some(sig) = signature {
        req = req.set(
            "Scorehost-Signature",
            &base64::engine::general_purpose::STANDARD.encode(sig),
        );
    }
    let resp = match req.send_bytes(&bytes) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("POST {url}: {e}"),
    };
    let status = resp.status();
    let text = resp.into_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn approve(s: &Server, token: &str, reference: &str, sha: &str) -> (u16, Value) {
    let (model, version) = reference.split_once('@').unwrap();
    post_json(
        s,
        &format!("/v1/plugins/{model}/versions/{version}/approve"),
        Some(token),
        &json!({ "sha256": sha }),
    )
}

fn pin(s: &Server, token: &str, reference: &str, sha: &str) -> (u16, Value) {
    let (model, version) = reference.split_once('@').unwrap();
    scorehost_tests::http::put_json(
        s,
        &format!("/v1/pins/{model}"),
        token,
        &json!({ "version": version, "sha256": sha }),
    )
}

fn version(s: &Server, token: &str, reference: &str) -> (u16, Value) {
    let (model, version) = reference.split_once('@').unwrap();
    get(
        s,
        &format!("/v1/plugins/{model}/versions/{version}"),
        Some(token),
    )
}

fn province(f: &Fixture, person: &str) -> String {
    token_with(f, &["--role", "province", "--person", person])
}

/// `ssh-keygen` with `args`; its stdout. OpenSSH's own tool, so that the
/// format is the one people's keys and git already use.
fn ssh_keygen(args: &[&str]) -> String {
    let out = Command::new("ssh-keygen")
        .args(args)
        .output()
        .expect("ssh-keygen runs (openssh-client; scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "ssh-keygen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh Ed25519 key pair in `dir` named `name`; the private key's path.
fn key_pair(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    let _ = std::fs::remove_file(&key);
    let _ = std::fs::remove_file(key.with_extension("pub"));
    ssh_keygen(&[
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        name,
        "-f",
        key.to_str().unwrap(),
    ]);
    key
}

fn public_line(key: &Path) -> String {
    std::fs::read_to_string(format!("{}.pub", key.display()))
        .unwrap()
        .trim()
        .to_string()
}

fn fingerprint(key: &Path) -> String {
    // `ssh-keygen -l` prints "256 SHA256:… comment (ED25519)".
    ssh_keygen(&["-l", "-f", &format!("{}.pub", key.display())])
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string()
}

/// Sign `message` with `key` by `ssh-keygen -Y sign`; the armored signature.
fn ssh_sign(dir: &Path, key: &Path, message: &str) -> String {
    let msg = dir.join("message");
    std::fs::write(&msg, message).unwrap();
    let sig = dir.join("message.sig");
    let _ = std::fs::remove_file(&sig);
    ssh_keygen(&[
        "-Y",
        "sign",
        "-n",
        "scorehost-module",
        "-f",
        key.to_str().unwrap(),
        msg.to_str().unwrap(),
    ]);
    std::fs::read_to_string(sig).unwrap()
}

/// What `scorehost plugin sign FILE --message` prints for `package`.
fn message(f: &Fixture, package: &str) -> String {
    let file = component(package);
    ok(cli(
        f,
        &["plugin", "sign", file.to_str().unwrap(), "--message"],
    ))
}

fn err(out: std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "expected a refusal, got: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn one_person_cannot_bring_a_model_into_force_and_only_well_signed_modules_are_taken() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let f = rt.block_on(fixture(backend, "governance"));
        let keys_dir = f.data_dir.with_extension("keys");
        std::fs::create_dir_all(&keys_dir).unwrap();
        // The province's reviewers: Alice with two tokens, Bob, and Dave,
        // who publishes a model himself (the province may publish anywhere).
        let (alice, alice_again) = (province(&f, "Alice Wang"), province(&f, "alice  WANG"));
        let (bob, dave) = (province(&f, "Bob Li"), province(&f, "Dave Chen"));
        let ningbo = token_with(&f, &["--role", "publisher:ningbo", "--person", "Carol Xu"]);
        let hangzhou = token_with(&f, &["--role", "publisher:hangzhou"]);
        // A province token must name its person.
        let out = cli(&f, &["token", "create", "--role", "province"]);
        assert!(err(out).contains("named person"), "{backend:?}");
        let mut s = Server::start(&f);

        // /v1/me names the person.
        let (_, me) = get(&s, "/v1/me", Some(&alice));
        assert_eq!(me["person"], "Alice Wang", "{backend:?}");

        // --- Four eyes over HTTP -------------------------------------
        let v1 = "ningbo/port@1.0.0";
        let sha1 = sha256_file(&component("ningbo-port-v1"));
        let (status, body) = publish(&s, &ningbo, v1, "ningbo-port-v1", None);
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["published_person"], "Carol Xu");
        assert_eq!(body["review"]["quorum"], 2);
        assert_eq!(body["review"]["needed"], 2);
        // One reviewer: one approval of two, and no pin.
        let (status, body) = approve(&s, &alice, v1, &sha1);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "submitted", "{body}");
        assert_eq!(body["review"]["needed"], 1, "{body}");
        assert_eq!(body["review"]["approvals"][0]["person"], "Alice Wang");
        let (status, body) = pin(&s, &alice, v1, &sha1);
        assert_eq!(status, 409, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("1 more of 2"),
            "{body}"
        );
        // The same person through her second token counts once.
        let (status, body) = approve(&s, &alice_again, v1, &sha1);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "submitted", "{body}");
        assert_eq!(body["review"]["approvals"].as_array().unwrap().len(), 1);
        assert_eq!(pin(&s, &alice_again, v1, &sha1).0, 409);
        // A second, distinct person: approved; then one reviewer pins.
        let (status, body) = approve(&s, &bob, v1, &sha1);
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some("approved")),
            "{body}"
        );
        assert_eq!(body["review"]["needed"], 0);
        assert_eq!(body["approved_by"], "Alice Wang, Bob Li");
        let (status, body) = pin(&s, &alice, v1, &sha1);
        assert_eq!(status, 200, "{body}");
        // Only the province approves.
        assert_eq!(approve(&s, &ningbo, v1, &sha1).0, 403);

        // The publisher never counts, even as a province person.
        let dave_ref = "zhejiang/environment@1.0.0";
        let dave_sha = sha256_file(&component("environment-v1"));
        let (status, body) = publish(&s, &dave, dave_ref, "environment-v1", None);
        assert_eq!(status, 201, "{body}");
        let (status, body) = approve(&s, &dave, dave_ref, &dave_sha);
        assert_eq!(status, 403, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("never counts"),
            "{body}"
        );
        assert_eq!(
            approve(&s, &alice, dave_ref, &dave_sha).1["review"]["needed"],
            1
        );
        let (_, body) = approve(&s, &bob, dave_ref, &dave_sha);
        assert_eq!(body["status"], "approved", "{body}");

        // Every approval is its own record naming the person and the
        // hash; the quorum reached is one more.
        let (_, model) = get(&s, "/v1/plugins/ningbo/port", Some(&alice));
        let out = ok(cli(&f, &["plugin", "show", "ningbo/port", "--json"]));
        let shown: Value = serde_json::from_str(&out).unwrap();
        let approvals: Vec<(&str, &str, &str)> = shown["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with("approve"))
            .map(|e| {
                (
                    e["action"].as_str().unwrap(),
                    e["person"].as_str().unwrap(),
                    e["sha256"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            approvals,
            [
                ("approve", "Alice Wang", sha1.as_str()),
                ("approve", "Bob Li", sha1.as_str()),
                ("approved", "Bob Li", sha1.as_str()),
            ],
            "{backend:?} {model}"
        );

        // --- Four eyes on the CLI --------------------------------------
        let t = "tourism/travel-agency@1.0.0";
        let t_sha = sha256_file(&component("travel-agency-v1"));
        let file = component("travel-agency-v1");
        ok(cli(
            &f,
            &[
                "plugin",
                "publish",
                file.to_str().unwrap(),
                "--as",
                "publisher:tourism",
            ],
        ));
        // Never as an anonymous province.
        assert!(
            err(cli(
                &f,
                &[
                    "plugin", "approve", t, "--sha256", &t_sha, "--as", "province"
                ]
            ))
            .contains("named person")
        );
        ok(cli(
            &f,
            &[
                "plugin",
                "approve",
                t,
                "--sha256",
                &t_sha,
                "--as",
                "province:Erin Zhou",
            ],
        ));
        assert!(
            err(cli(
                &f,
                &[
                    "plugin",
                    "pin",
                    t,
                    "--sha256",
                    &t_sha,
                    "--as",
                    "province:Erin Zhou"
                ]
            ))
            .contains("not approved")
        );
        // The same person, spelled otherwise, counts once.
        ok(cli(
            &f,
            &[
                "plugin",
                "approve",
                t,
                "--sha256",
                &t_sha,
                "--as",
                "province:erin zhou",
            ],
        ));
        assert!(err(cli(&f, &["plugin", "pin", t, "--sha256", &t_sha])).contains("not approved"));
        ok(cli(
            &f,
            &[
                "plugin",
                "approve",
                t,
                "--sha256",
                &t_sha,
                "--as",
                "province:Frank Wu",
            ],
        ));
        ok(cli(
            &f,
            &[
                "plugin",
                "pin",
                t,
                "--sha256",
                &t_sha,
                "--as",
                "province:Frank Wu",
            ],
        ));

        // --- Signed modules ---------------------------------------------
        let k1 = key_pair(&keys_dir, "hangzhou-dev");
        let k2 = key_pair(&keys_dir, "stranger");
        // ningbo/port@2.0.0 is published unsigned while the namespace has
        // no keys; once keys are registered it can no longer be approved.
        let n2 = "ningbo/port@2.0.0";
        let n2_sha = sha256_file(&component("ningbo-port"));
        assert_eq!(publish(&s, &ningbo, n2, "ningbo-port", None).0, 201);
        // Only the province registers keys.
        let add = |token: &str, ns: &str, key: &Path| {
            post_json(
                &s,
                &format!("/v1/namespaces/{ns}/keys"),
                Some(token),
                &json!({ "public_key": public_line(key), "label": "Hangzhou developers" }),
            )
        };
        assert_eq!(add(&hangzhou, "hangzhou", &k1).0, 403);
        let (status, key) = add(&alice, "hangzhou", &k1);
        assert_eq!(status, 201, "{key}");
        assert_eq!(
            key["fingerprint"],
            fingerprint(&k1),
            "the fingerprint ssh-keygen -l prints"
        );
        assert_eq!(add(&alice, "ningbo", &k1).0, 201);
        let (status, body) = approve(&s, &alice, n2, &n2_sha);
        assert_eq!(status, 409, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("unsigned"),
            "{body}"
        );

        // Qianjiang 2.0.0 signed with ssh-keygen over the message the CLI
        // prints: taken, approved by two, pinned.
        let q2 = "hangzhou/qianjiang@2.0.0";
        let q2_sha = sha256_file(&component("hangzhou-qianjiang-v2"));
        let q2_msg = message(&f, "hangzhou-qianjiang-v2");
        assert_eq!(
            q2_msg,
            format!("scorehost-module-v1\nref {q2}\nsha256 {q2_sha}\n")
        );
        let q2_sig = ssh_sign(&keys_dir, &k1, &q2_msg);
        let (status, body) = publish(&s, &hangzhou, q2, "hangzhou-qianjiang-v2", Some(&q2_sig));
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["signed_by_key"], fingerprint(&k1));
        approve(&s, &alice, q2, &q2_sha);
        approve(&s, &bob, q2, &q2_sha);
        assert_eq!(pin(&s, &bob, q2, &q2_sha).0, 200);
        // Everyone reads who approved; only the province and auditors read
        // through which token.
        let (_, seen) = version(&s, &hangzhou, q2);
        let approvals = seen["review"]["approvals"].as_array().unwrap();
        assert_eq!(approvals.len(), 2, "{seen}");
        assert!(approvals.iter().all(|a| a.get("token").is_none()), "{seen}");
        let (_, seen) = version(&s, &alice, q2);
        assert!(
            seen["review"]["approvals"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["token"].is_string()),
            "{seen}"
        );

        // Qianjiang 3.0.0: every bad upload is refused with nothing stored.
        let q3 = "hangzhou/qianjiang@3.0.0";
        let q3_file = component("hangzhou-qianjiang");
        let q3_sha = sha256_file(&q3_file);
        let q3_msg = message(&f, "hangzhou-qianjiang");
        let records_before = scorehost_tests::log_records(&f);
        for (why, sig) in [
            ("requires signed modules", None),
            ("not registered", Some(ssh_sign(&keys_dir, &k2, &q3_msg))),
            ("does not verify", Some(q2_sig.clone())),
            (
                "not an SSH signature",
                Some(
                    "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"
                        .to_string(),
                ),
            ),
        ] {
            let (status, body) = publish(&s, &hangzhou, q3, "hangzhou-qianjiang", sig.as_deref());
            assert_eq!(status, 422, "{why}: {body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains(why), "{why}: {message}");
            assert_eq!(version(&s, &alice, q3).0, 404, "{why}: nothing stored");
            assert!(
                !std::fs::read_dir(f.data_dir.join("modules"))
                    .unwrap()
                    .any(|e| e.unwrap().file_name().to_string_lossy().contains(&q3_sha)),
                "{why}: no module bytes stored"
            );
        }
        assert_eq!(
            scorehost_tests::log_records(&f),
            records_before,
            "no record of a refusal"
        );
        // Signed by the CLI itself (`--sign-key`), through the service.
        let publisher_token = write_file(&f, "hangzhou.token", &hangzhou);
        let out = ok(scorehost_tests::command()
            .current_dir(scorehost_tests::root())
            .args(["--server", &s.url, "--token-file", &publisher_token])
            .args(["plugin", "publish", q3_file.to_str().unwrap(), "--sign-key"])
            .arg(&k1)
            .output()
            .unwrap());
        let published: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(published["signed_by_key"], fingerprint(&k1), "{out}");
        // OpenSSH verifies the signature the CLI made.
        let allowed = keys_dir.join("allowed_signers");
        std::fs::write(&allowed, format!("hangzhou {}\n", public_line(&k1))).unwrap();
        let sig_file = keys_dir.join("q3.sig");
        std::fs::write(&sig_file, published["signature"].as_str().unwrap()).unwrap();
        let verified = Command::new("ssh-keygen")
            .args([
                "-Y",
                "verify",
                "-n",
                "scorehost-module",
                "-I",
                "hangzhou",
                "-f",
            ])
            .arg(&allowed)
            .arg("-s")
            .arg(&sig_file)
            .stdin(
                std::fs::File::open({
                    let m = keys_dir.join("q3.message");
                    std::fs::write(&m, &q3_msg).unwrap();
                    m
                })
                .unwrap(),
            )
            .output()
            .unwrap();
        assert!(
            verified.status.success(),
            "{}",
            String::from_utf8_lossy(&verified.stderr)
        );
        // `plugin verify` offline: the stored signature and registered
        // keys; a keys file; another key's file refuses.
        let out = ok(cli(&f, &["plugin", "verify", q3_file.to_str().unwrap()]));
        assert!(
            out.contains("good signature") && out.contains(&fingerprint(&k1)),
            "{out}"
        );
        ok(cli(
            &f,
            &[
                "plugin",
                "verify",
                q3_file.to_str().unwrap(),
                "--keys",
                allowed.to_str().unwrap(),
                "--signature",
                sig_file.to_str().unwrap(),
            ],
        ));
        let stranger = keys_dir.join("stranger_signers");
        std::fs::write(&stranger, format!("x {}\n", public_line(&k2))).unwrap();
        assert!(
            err(cli(
                &f,
                &[
                    "plugin",
                    "verify",
                    q3_file.to_str().unwrap(),
                    "--keys",
                    stranger.to_str().unwrap()
                ]
            ))
            .contains("not registered")
        );
        let (_, body) = approve(&s, &alice, q3, &q3_sha);
        assert_eq!(body["review"]["needed"], 1, "{body}");

        // --- Attacks on the keys: only the province adds or revokes ------
        // An app, an auditor and the namespace's own publisher each try to
        // revoke its key and to register one of their own: 403 each time,
        // no key changed, nothing written to the log.
        let fp = fingerprint(&k1);
        let bank = token_with(
            &f,
            &["--role", "app:bank", "--models", "hangzhou/qianjiang"],
        );
        let auditor = token_with(&f, &["--role", "auditor"]);
        let keys_of = || get(&s, "/v1/namespaces/hangzhou/keys", Some(&alice)).1;
        let keys_before = keys_of();
        let records = scorehost_tests::log_records(&f);
        for attacker in [&bank, &auditor, &hangzhou, &ningbo] {
            let (status, body) = post_json(
                &s,
                "/v1/namespaces/hangzhou/keys/revoke",
                Some(attacker),
                &json!({ "fingerprint": fp, "reason": "mine now" }),
            );
            assert_eq!(status, 403, "{body}");
            assert_eq!(add(attacker, "hangzhou", &k2).0, 403);
        }
        assert_eq!(keys_of(), keys_before, "no key added or revoked");
        assert_eq!(scorehost_tests::log_records(&f), records, "nothing logged");

        // --- A revoked key ----------------------------------------------
        let out = ok(cli(
            &f,
            &[
                "keys",
                "revoke",
                "hangzhou",
                &fp,
                "--reason",
                "laptop lost",
                "--as",
                "province:Alice Wang",
                "--json",
            ],
        ));
        let revoked: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(revoked["flagged"], json!([q2]), "{out}");
        // The pending version signed by it cannot be approved.
        let (status, body) = approve(&s, &bob, q3, &q3_sha);
        assert_eq!(status, 409, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("revoked"),
            "{body}"
        );
        assert_eq!(version(&s, &bob, q3).1["status"], "submitted");
        // The version in force stays in force, flagged for review.
        let (_, pins) = get(&s, "/v1/pins", Some(&bob));
        assert!(
            pins.as_array()
                .unwrap()
                .iter()
                .any(|p| p["model"] == "hangzhou/qianjiang" && p["version"] == "2.0.0"),
            "{pins}"
        );
        let (_, v) = version(&s, &bob, q2);
        assert!(v["signing_key_revoked_at"].is_string(), "{v}");
        // A new module signed with the revoked key is refused too; the key
        // cannot come back.
        assert_eq!(add(&alice, "hangzhou", &k1).0, 409);

        // The log holds it all and verifies (`log_records` runs `audit
        // verify`).
        assert!(scorehost_tests::log_records(&f) > records_before);
        s.stop();
        let _ = std::fs::remove_dir_all(&keys_dir);
    }
}

/// `PUT` `body` to `path` as `token`.
fn put(s: &Server, token: &str, path: &str, body: &Value) -> (u16, Value) {
    scorehost_tests::http::put_json(s, path, token, body)
}

/// Benefit scenarios and composites are governed as versions are: one
/// person proposes, and the definition is in force only once the quorum
/// of other persons approved its exact text. The author never counts;
/// one person's two tokens count once; a reviewer approves only the text
/// they read (by its SHA-256); apps see no draft, and no role but the
/// province's proposes or approves.
#[test]
fn scenarios_and_composites_come_into_force_by_the_same_quorum() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let f = rt.block_on(fixture(backend, "governance-definitions"));
        pin_cli(
            &f,
            "hangzhou-qianjiang-v2",
            "hangzhou/qianjiang@2.0.0",
            "publisher:hangzhou",
        );
        let alice = province(&f, "Alice Wang");
        let bob = province(&f, "Bob Li");
        let bob_again = province(&f, "bob  li");
        let carol = province(&f, "Carol Xu");
        let app = token_with(
            &f,
            &["--role", "app:transit", "--models", "hangzhou/qianjiang"],
        );
        let auditor = token_with(&f, &["--role", "auditor"]);
        let publisher = token_with(&f, &["--role", "publisher:hangzhou"]);
        let mut s = Server::start(&f);
        let path = "/v1/scenarios/transit";
        let rule = json!({ "title": "transit credit-pay", "model": "hangzhou/qianjiang", "min_score": 573 });

        // Only the province proposes.
        for other in [&app, &auditor, &publisher] {
            assert_eq!(put(&s, other, path, &rule).0, 403);
        }
        let (status, proposed) = put(&s, &alice, path, &rule);
        assert_eq!(status, 202, "{proposed}");
        assert_eq!(
            (
                &proposed["status"],
                &proposed["person"],
                &proposed["review"]["needed"]
            ),
            (&json!("pending"), &json!("Alice Wang"), &json!(2)),
            "{proposed}"
        );
        let sha = proposed["sha256"].as_str().unwrap().to_string();
        // Proposing the same text again changes nothing.
        assert_eq!(put(&s, &alice, path, &rule).1["id"], proposed["id"]);

        // A draft is no policy: apps do not see it, the province and
        // auditors do.
        assert_eq!(get(&s, path, Some(&app)).0, 404);
        assert_eq!(get(&s, "/v1/proposals", Some(&app)).0, 403);
        let (status, queue) = get(&s, "/v1/proposals", Some(&auditor));
        assert_eq!(
            (status, queue[0]["sha256"].as_str()),
            (200, Some(sha.as_str()))
        );

        let approve = |token: &str, sha: &str| {
            post_json(
                &s,
                &format!("{path}/approve"),
                Some(token),
                &json!({ "sha256": sha }),
            )
        };
        let records = scorehost_tests::log_records(&f);
        // Nobody but a province person approves; the author never counts;
        // other text than what waits is refused. None of it is recorded.
        for other in [&app, &auditor, &publisher] {
            assert_eq!(approve(other, &sha).0, 403);
        }
        let (status, body) = approve(&alice, &sha);
        assert_eq!(status, 403, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("never counts")
        );
        let (status, body) = approve(&bob, &"ab".repeat(32));
        assert_eq!(status, 409, "{body}");
        assert_eq!(
            scorehost_tests::log_records(&f),
            records,
            "nothing recorded"
        );

        // One reviewer: not in force. The same person through a second
        // token: still one.
        let (status, body) = approve(&bob, &sha);
        assert_eq!(
            (status, &body["review"]["needed"]),
            (200, &json!(1)),
            "{body}"
        );
        assert!(body["in_force"].is_null(), "{body}");
        let (status, body) = approve(&bob_again, &sha);
        assert_eq!(
            (status, &body["review"]["needed"]),
            (200, &json!(1)),
            "{body}"
        );
        assert_eq!(get(&s, path, Some(&app)).0, 404, "one person cannot");
        // A second, distinct person: in force.
        let (status, body) = approve(&carol, &sha);
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["in_force"]["rule"],
            json!({ "min_score": 573.0 }),
            "{body}"
        );
        let (status, shown) = get(&s, path, Some(&app));
        assert_eq!(status, 200, "{shown}");
        assert!(shown.get("pending").is_none(), "{shown}");
        assert_eq!(
            scorehost_tests::log_records(&f),
            records + 3,
            "two approvals (the second token's counted once, unrecorded) and the definition in force"
        );

        // A new text replaces the one waiting: approvals named the old
        // text and do not carry over.
        let stricter = json!({ "title": "transit credit-pay", "model": "hangzhou/qianjiang", "min_score": 600 });
        let (_, first) = put(&s, &alice, path, &stricter);
        approve(&bob, first["sha256"].as_str().unwrap());
        let strictest = json!({ "title": "transit credit-pay", "model": "hangzhou/qianjiang", "min_score": 650 });
        let (_, second) = put(&s, &alice, path, &strictest);
        assert_eq!(second["review"]["needed"], 2, "{second}");
        assert_eq!(approve(&carol, first["sha256"].as_str().unwrap()).0, 409);
        // Retiring (one reviewer's act) withdraws what waits.
        assert_eq!(
            scorehost_tests::http::call(
                "DELETE",
                &format!("{}{path}", s.url),
                Some(&bob),
                None,
                None
            )
            .0,
            200
        );
        assert_eq!(get(&s, "/v1/proposals", Some(&auditor)).1, json!([]));
        assert_eq!(approve(&carol, second["sha256"].as_str().unwrap()).0, 404);

        // A composite: the same rule.
        let graph = json!({ "title": "city", "steps": [{ "id": "city", "model": "hangzhou/qianjiang" }], "result": "city" });
        let (status, c) = put(&s, &alice, "/v1/composites/city", &graph);
        assert_eq!(status, 202, "{c}");
        let csha = c["sha256"].as_str().unwrap();
        let capprove = |token: &str| {
            post_json(
                &s,
                "/v1/composites/city/approve",
                Some(token),
                &json!({ "sha256": csha }),
            )
        };
        assert_eq!(capprove(&alice).0, 403, "its author never counts");
        assert_eq!(capprove(&app).0, 403);
        assert!(capprove(&bob).1["in_force"].is_null());
        assert_eq!(get(&s, "/v1/composites/city", Some(&app)).0, 404);
        let (status, body) = capprove(&carol);
        assert_eq!(
            (status, &body["in_force"]["version"]),
            (200, &json!(1)),
            "{body}"
        );
        assert_eq!(get(&s, "/v1/composites/city", Some(&app)).0, 200);
        s.stop();
    }
}
