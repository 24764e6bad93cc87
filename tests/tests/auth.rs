//! Bearer tokens under attack: the real `scorehost serve` answering bad
//! tokens from one client address with 429 `too_many_failures` and a
//! doubling `Retry-After`, other addresses unaffected, the count reset by a
//! valid token; and the registry refusing a secret whose hash shares a
//! prefix with a real token's.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use scorehost_registry::{Actor, Registry};
use scorehost_tests::http::Server;
use scorehost_tests::{Backend, cli, fixture, ok};

/// An answer: status, `Retry-After` (if any), error code (if any).
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    code: Option<String>,
}

/// `GET path` from the client address `from` (any 127.0.0.0/8 address:
/// each is another client to the server), with `token` if given.
fn get_from(from: &str, s: &Server, path: &str, token: Option<&str>) -> Answer {
    let response = exchange(from, s, path, token);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let retry_after = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("retry-after:")
                .map(|v| v.trim().to_string())
        })
        .map(|v| v.parse().unwrap());
    let code = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string));
    Answer {
        status,
        retry_after,
        code,
    }
}

/// The whole answer (head and body) to `GET path` from the client address
/// `from`, with `token` if given.
fn exchange(from: &str, s: &Server, path: &str, token: Option<&str>) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket
            .bind(format!("{from}:0").parse().unwrap())
            .expect("bind a loopback client address");
        socket.connect(s.addr()).await.expect("connect")
    });
    let mut stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n",
        s.addr()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn unauthorized() -> Answer {
    Answer {
        status: 401,
        retry_after: None,
        code: Some("unauthorized".into()),
    }
}

fn throttled(secs: u64) -> Answer {
    Answer {
        status: 429,
        retry_after: Some(secs),
        code: Some("too_many_failures".into()),
    }
}

const A: &str = "127.0.0.1";
const B: &str = "127.0.0.2";
const BAD: &str = "sht_0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn bad_tokens_from_one_client_are_slowed_down_and_no_other_client_is() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "auth-throttle"));
    let good = ok(cli(&f, &["token", "create", "--role", "auditor"]))
        .trim()
        .to_string();
    let s = Server::start(&f);
    let pins = "/v1/pins";
    assert_eq!(get_from(A, &s, pins, Some(&good)).status, 200);

    // Five free failures: plain 401s.
    for _ in 0..scorehost_server::auth::FREE_FAILURES {
        assert_eq!(get_from(A, &s, pins, Some(BAD)), unauthorized());
    }
    // The sixth: 429, wait 1 s.
    assert_eq!(get_from(A, &s, pins, Some(BAD)), throttled(1));
    // While the delay runs, even the valid token is refused from there
    // (otherwise guessing would go on at full speed)…
    let during = get_from(A, &s, pins, Some(&good));
    assert_eq!(
        (during.status, during.code.as_deref()),
        (429, Some("too_many_failures"))
    );
    assert_eq!(during.retry_after, Some(1));
    // …a request without a token is an ordinary 401, not counted, and the
    // public routes answer…
    assert_eq!(get_from(A, &s, pins, None), unauthorized());
    assert_eq!(get_from(A, &s, "/healthz", None).status, 200);
    // …and another client is not affected at all: its valid token works,
    // its bad ones have their own five free failures.
    assert_eq!(get_from(B, &s, pins, Some(&good)).status, 200);
    assert_eq!(get_from(B, &s, pins, Some(BAD)), unauthorized());

    // After the delay, the next bad token doubles it.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(get_from(A, &s, pins, Some(BAD)), throttled(2));
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(get_from(A, &s, pins, Some(BAD)), throttled(4));
    std::thread::sleep(Duration::from_millis(4100));

    // Once the delay has passed, the valid token works — but does not reset
    // the count (a guesser holding one would interleave it with its
    // guesses): the next bad token doubles the delay again.
    assert_eq!(get_from(A, &s, pins, Some(&good)).status, 200);
    assert_eq!(get_from(A, &s, pins, Some(BAD)), throttled(8));

    // Counted in /metrics (read from another address: this one is being
    // slowed down, for every token it sends).
    let metrics = exchange(B, &s, "/metrics", Some(&good));
    assert!(
        metrics.contains("scorehost_auth_refused_total{outcome=\"unauthorized\"} 6"),
        "{metrics}"
    );
    assert!(
        metrics.contains("scorehost_auth_refused_total{outcome=\"throttled\"} 5"),
        "{metrics}"
    );
}

#[test]
fn the_openapi_document_lists_401_and_429_with_retry_after_for_every_route_with_a_token() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "auth-openapi"));
    let s = Server::start(&f);
    let doc: serde_json::Value = ureq::get(&format!("http://{}/openapi.json", s.addr()))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let mut secured = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            assert!(responses.get("503").is_some(), "{method} {path}: no 503");
            if op.get("security").is_none() {
                continue;
            }
            secured += 1;
            for status in ["401", "403", "429"] {
                assert_eq!(
                    responses[status]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path}: {status}"
                );
            }
            assert!(
                responses["429"]["headers"].get("Retry-After").is_some(),
                "{method} {path}"
            );
        }
    }
    assert!(secured >= 20, "{secured} routes with a token");
    // Query parameters are documented as such (they were once listed as
    // path parameters).
    let consistency = &doc["paths"]["/v1/log/consistency"]["get"]["parameters"];
    for p in consistency.as_array().unwrap() {
        assert_eq!(p["in"], "query", "{p}");
    }
    let batches = &doc["paths"]["/v1/batches"]["post"]["parameters"];
    assert_eq!(batches[0]["name"], "model");
    assert_eq!(batches[0]["in"], "query");
}

#[test]
fn a_wrong_secret_whose_hash_shares_a_prefix_with_a_real_one_is_refused() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "auth-prefix"));
    rt.block_on(async {
        let registry = Registry::open(&f.data_dir, f.db.as_deref()).await.unwrap();
        let created = registry
            .create_token(&Actor::province(), &"auditor".parse().unwrap(), &[], "t")
            .await
            .unwrap();
        let real = scorehost_registry::secret_hash(&created.secret);
        // A guess whose SHA-256 agrees with the real one's in its first 16
        // bits (about 65,000 tries).
        let near = (0u64..)
            .map(|n| format!("sht_guess{n}"))
            .find(|g| scorehost_registry::secret_hash(g)[..4] == real[..4])
            .unwrap();
        assert_ne!(scorehost_registry::secret_hash(&near), real);
        let refused = registry.authenticate(&near).await.unwrap_err();
        assert!(
            matches!(refused, scorehost_registry::Error::Unauthorized(_)),
            "{refused}"
        );
        // A secret differing from the real one in its last character only.
        let mut last = created.secret.clone();
        let c = last.pop().unwrap();
        last.push(if c == '0' { '1' } else { '0' });
        assert!(registry.authenticate(&last).await.is_err());
        // The real one still works.
        let token = registry.authenticate(&created.secret).await.unwrap();
        assert_eq!(token.id, created.token.id);
        // The constant-time comparison itself: all but the last digit equal.
        let mut almost = real.clone();
        almost.replace_range(63.., if real.ends_with('0') { "1" } else { "0" });
        assert!(!scorehost_registry::hashes_match(&real, &almost));
        assert!(scorehost_registry::hashes_match(&real, &real.clone()));
    });
}
