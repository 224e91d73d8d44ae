//! The load test's premise, over real HTTP: the `fsa-bench` servers that
//! `load.sh` starts (fsa's routes and the bare actix-web handlers) give the
//! same answer to every request it sends, and refuse what they should.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

// the servers' routes, and the requests the load test sends
#[path = "../src/apps.rs"]
mod apps;

const BENCH: &str = env!("CARGO_BIN_EXE_fsa-bench");

/// One `fsa-bench` server on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(which: &str) -> Server {
        let mut child = Command::new(BENCH)
            .args([which, "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("fsa-bench starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("fsa-bench's first line");
        let address = line
            .trim()
            .strip_prefix(&format!("{which} listens on http://"))
            .unwrap_or_else(|| panic!("{which} did not start: {line:?}"))
            .to_string();
        Server { child, address }
    }

    /// Sends one request, returns the status and the body.
    fn send(&self, request: &apps::Request) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            request.method, request.path, self.address
        );
        if let Some(authorization) = &request.authorization {
            head += &format!("Authorization: {authorization}\r\n");
        }
        let body = request.form.unwrap_or("");
        if request.form.is_some() {
            head += "Content-Type: application/x-www-form-urlencoded\r\n";
        }
        head += &format!("Content-Length: {}\r\n\r\n{body}", body.len());
        stream.write_all(head.as_bytes()).expect("sends");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|status| status.parse().ok())
            .expect("a status");
        let chunked = head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        (status, if chunked { unchunk(body) } else { body.into() })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A chunked body's data.
fn unchunk(mut body: &str) -> String {
    let mut data = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        data += &rest[..size];
        body = &rest[size + 2..];
    }
    data
}

fn token() -> String {
    let output = Command::new(BENCH).arg("token").output().expect("token");
    assert!(output.status.success(), "fsa-bench token failed");
    String::from_utf8(output.stdout)
        .expect("a token is text")
        .trim()
        .to_string()
}

#[test]
fn fsa_and_bare_give_every_benchmarked_answer() {
    let token = token();
    for which in ["fsa", "bare"] {
        let server = Server::start(which);
        for (name, request) in apps::requests(&token) {
            let (status, body) = server.send(&request);
            assert_eq!(
                (status, body.as_str()),
                apps::expected(name),
                "{which} {name}"
            );
        }
    }
}

#[test]
fn fsa_and_bare_refuse_a_missing_or_forged_token() {
    let forged = format!("{}x", token());
    for which in ["fsa", "bare"] {
        let server = Server::start(which);
        for (name, request) in apps::requests(&forged) {
            if !matches!(name, "group" | "perm") {
                continue;
            }
            let (status, _) = server.send(&request);
            assert_eq!(status, 401, "{which} {name} with a forged token");
            let anonymous = apps::Request {
                authorization: None,
                ..request
            };
            let (status, _) = server.send(&anonymous);
            assert_eq!(status, 401, "{which} {name} without a token");
        }
    }
}

#[test]
fn refuse_to_listen_beyond_loopback() {
    let output = Command::new(BENCH)
        .args(["fsa", "0.0.0.0:0"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("127.0.0.1 only"));
}
