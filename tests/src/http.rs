//! The real `scorehost serve` over real HTTP: start it on a fixture, call it
//! with a token, stop or kill it. Shared by the service's end-to-end tests.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::{Fixture, binary, root};

/// A running `scorehost serve`, stopped (SIGTERM, then waited for) on drop.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Server {
    /// Serve `f`'s data dir (and database) on a free port.
    pub fn start(f: &Fixture) -> Server {
        Server::start_on(f, "127.0.0.1:0")
    }

    /// Serve `f`'s data dir (and database) on `listen`; returns once the
    /// server says it is listening.
    pub fn start_on(f: &Fixture, listen: &str) -> Server {
        Server::launch(&f.data_dir, f.db.as_deref(), listen, &[])
    }

    /// Serve `data_dir` (and `db`, if given) on `listen` with `env` set;
    /// returns once the server says it is listening.
    pub fn launch(data_dir: &Path, db: Option<&str>, listen: &str, env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(binary());
        cmd.current_dir(root())
            .envs(env.iter().copied())
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--listen", listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(db) = db {
            cmd.args(["--db", db]);
        }
        Server::listening(cmd.spawn().expect("scorehost serve starts"))
    }

    /// The server `child` started, once it prints where it listens.
    fn listening(mut child: Child) -> Server {
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("scorehost listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        Server { child, url }
    }

    /// `scorehost serve` on data dir `dir` (SQLite) pinned to CPU `core`
    /// (`taskset -c`), its log discarded: a benchmark's server, leaving the
    /// other core to the load generator.
    pub fn on_core(dir: &Path, core: u32) -> Server {
        let child = Command::new("taskset")
            .args(["-c", &core.to_string()])
            .arg(binary())
            .current_dir(root())
            .arg("--data-dir")
            .arg(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("taskset and scorehost serve start");
        Server::listening(child)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("a socket address")
    }

    /// SIGTERM, and the exit status once it has finished.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }

    /// SIGKILL: the process ends at once, whatever it was doing.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.stop();
        }
    }
}

/// A call's status and JSON body (or text, as a JSON string). Panics if no
/// HTTP answer arrives at all; see [`try_call`].
pub fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Option<&[u8]>,
) -> (u16, Value) {
    try_call(method, url, token, content_type, body)
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

/// A call's status and JSON body, or the transport error (connection
/// refused or reset) if no HTTP answer arrived.
pub fn try_call(
    method: &str,
    url: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Option<&[u8]>,
) -> Result<(u16, Value), String> {
    let mut req = ureq::request(method, url).timeout(std::time::Duration::from_secs(60));
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        req = req.set("Content-Type", ct);
    }
    let result = match body {
        Some(b) => req.send_bytes(b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(e.to_string()),
    };
    let status = resp.status();
    let text = resp.into_string().map_err(|e| e.to_string())?;
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok((status, value))
}

/// A GET of `path` on `s`.
pub fn get(s: &Server, path: &str, token: Option<&str>) -> (u16, Value) {
    call("GET", &format!("{}{path}", s.url), token, None, None)
}

/// A POST of `body`, sent as `content_type`, to `path` on `s`.
pub fn post_to(
    s: &Server,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> (u16, Value) {
    call(
        "POST",
        &format!("{}{path}", s.url),
        token,
        Some(content_type),
        Some(body),
    )
}

/// A PUT of JSON `body` to `path` on `s`, with `token`.
pub fn put_json(s: &Server, path: &str, token: &str, body: &Value) -> (u16, Value) {
    call(
        "PUT",
        &format!("{}{path}", s.url),
        Some(token),
        Some("application/json"),
        Some(body.to_string().as_bytes()),
    )
}

/// A POST of JSON `body` to `path` on `s`.
pub fn post_json(s: &Server, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    post_to(
        s,
        path,
        token,
        "application/json",
        body.to_string().as_bytes(),
    )
}

/// The inclusion proof of evaluation `id`, asked again (after the
/// `Retry-After` second) while the log answers 503 `not_checkpointed`: the
/// writer signs a checkpoint within a second of a record. Gives the last
/// answer and how many `not_checkpointed` answers came before it.
pub fn proof(s: &Server, id: &str, token: &str) -> ((u16, Value), u32) {
    let mut waited = 0;
    loop {
        let answer = get(s, &format!("/v1/evaluations/{id}/proof"), Some(token));
        if answer.0 != 503 || answer.1["error"]["code"] != "not_checkpointed" || waited == 10 {
            return (answer, waited);
        }
        waited += 1;
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

/// `scorehost demo` from nothing, on a free port: the server, everything it
/// printed before it started listening, and its data dir (removed when the
/// demo is dropped, after the server is stopped).
pub struct Demo {
    /// The server.
    pub server: Server,
    /// What the demo printed: tokens, the console's address, curl commands.
    pub printed: String,
    /// Its data dir.
    pub data_dir: std::path::PathBuf,
}

impl Demo {
    /// Start the demo with `subjects` subjects in a data dir named after
    /// `name` and this process; returns once it listens.
    pub fn start(name: &str, subjects: usize) -> Demo {
        let data_dir =
            std::env::temp_dir().join(format!("scorehost-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        // A free port (the printed commands name it).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(binary())
            .current_dir(root())
            .arg("--data-dir")
            .arg(&data_dir)
            .args([
                "demo",
                "--subjects",
                &subjects.to_string(),
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut printed = String::new();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        while !printed.contains("scorehost listening on") {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "the demo stopped: {printed}"
            );
            printed.push_str(&line);
        }
        Demo {
            server: Server {
                child,
                url: format!("http://127.0.0.1:{port}"),
            },
            printed,
            data_dir,
        }
    }

    /// The secret the demo printed as `NAME=…` (`APP`, `AUDITOR`,
    /// `PROVINCE`).
    pub fn secret(&self, name: &str) -> String {
        self.printed
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}=")))
            .map(|v| v.split_whitespace().next().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {name} in {}", self.printed))
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if self.server.child.try_wait().ok().flatten().is_none() {
            self.server.stop();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
