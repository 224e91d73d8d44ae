//! The benchmarks' premise, over real HTTP: the `fsa-bench` servers that
//! `load.sh` starts (fsa's routes and the bare actix-web handlers) give the
//! expected answer to each benchmarked request (`apps::requests`, which the
//! criterion benchmark sends too and load.sh's wrk scripts write out), again
//! on the same connection as wrk sends them, and refuse forged tokens.

use fsa_tests::program::Program;
use fsa_tests::raw::{self, Connection};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// the servers' routes, and the requests the benchmarks send
#[path = "../src/apps.rs"]
mod apps;

const BENCH: &str = env!("CARGO_BIN_EXE_fsa-bench");

/// One `fsa-bench` server (`fsa` or `bare`) on a free loopback port.
fn start(which: &str) -> Program {
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fsa-bench-{which}.log"));
    Program::start(
        Path::new(BENCH),
        &[which, "127.0.0.1:0"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[],
        &[],
        &log,
        &format!("{which} listens on "),
    )
}

/// Sends a benchmarked request on `connection`: its status and body.
fn send(connection: &mut Connection, request: &apps::Request) -> (u16, String) {
    let mut headers = Vec::new();
    if let Some(authorization) = &request.authorization {
        headers.push(("Authorization", authorization.as_str()));
    }
    let body = request
        .form
        .map(|form| ("application/x-www-form-urlencoded", form.as_bytes()));
    let bytes = raw::request_bytes(
        connection.addr(),
        request.method,
        &request.path,
        &headers,
        body,
    );
    let answer = connection.exchange(&bytes);
    (answer.status, answer.text())
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
fn fsa_and_bare_give_each_benchmarked_answer_twice_on_one_connection() {
    let token = token();
    for which in ["fsa", "bare"] {
        let server = start(which);
        let mut connection = Connection::new(&server.addr);
        let requests = apps::requests(&token);
        assert_eq!(requests.len(), 5, "hello, open, group, basic, perm");
        for (name, request) in requests {
            for time in ["first", "second"] {
                let (status, body) = send(&mut connection, &request);
                assert_eq!(
                    (status, body.as_str()),
                    apps::expected(name),
                    "{which} {name}, {time} time"
                );
            }
        }
    }
}

#[test]
fn fsa_and_bare_refuse_forged_and_missing_tokens_after_the_real_one() {
    let token = token();
    // realm:login:limit:signature
    let (signed, signature) = token.rsplit_once(':').expect("a signature");
    let last = signature.chars().last().expect("hex");
    let flipped = format!(
        "{signed}:{}{}",
        &signature[..signature.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let other_login = token.replacen(":calvin:", ":hobbes:", 1);
    assert_ne!(other_login, token, "calvin's token names calvin");
    for which in ["fsa", "bare"] {
        let server = start(which);
        let mut connection = Connection::new(&server.addr);
        let mut checked = 0;
        for (name, real) in apps::requests(&token) {
            if !matches!(name, "group" | "perm") {
                continue;
            }
            checked += 1;
            // the real token first: its answer may be cached
            let (status, body) = send(&mut connection, &real);
            assert_eq!(
                (status, body.as_str()),
                apps::expected(name),
                "{which} {name}"
            );
            for (what, authorization) in [
                ("a flipped signature", Some(format!("Bearer {flipped}"))),
                ("another login", Some(format!("Bearer {other_login}"))),
                ("no token", None),
            ] {
                let forged = apps::Request {
                    authorization,
                    ..real.clone()
                };
                let (status, _) = send(&mut connection, &forged);
                assert_eq!(status, 401, "{which} {name} with {what}");
            }
        }
        assert_eq!(checked, 2, "the group and perm requests");
    }
}

#[test]
fn refuse_to_listen_beyond_loopback() {
    let mut child = Command::new(BENCH)
        .args(["fsa", "0.0.0.0:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("a status") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("fsa-bench serves on 0.0.0.0");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    assert!(stderr.contains("127.0.0.1 only"), "{stderr}");
}
