//! The benchmarks' premise, over real HTTP: the `fsa-bench` servers that
//! `load.sh` starts (fsa's routes and the bare actix-web handlers) give the
//! expected answer to each benchmarked request (`apps::requests`, which the
//! criterion benchmark sends too and load.sh's wrk scripts write out), again
//! on the same connection as wrk sends them, and refuse forged tokens.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

// the servers' routes, and the requests the benchmarks send
#[path = "../src/apps.rs"]
mod apps;

const BENCH: &str = env!("CARGO_BIN_EXE_fsa-bench");
/// How long a server may take to start, or to answer one request.
const PATIENCE: Duration = Duration::from_secs(10);

/// A process of this test, killed when dropped (a failed test included).
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One `fsa-bench` server on a free loopback port.
struct Server {
    _process: Process,
    address: String,
}

impl Server {
    fn start(which: &str) -> Server {
        let mut process = Process(
            Command::new(BENCH)
                .args([which, "127.0.0.1:0"])
                .stdout(Stdio::piped())
                .spawn()
                .expect("fsa-bench starts"),
        );
        // its first line, on a thread that then reads the rest (so that a
        // later line never meets a closed pipe), within PATIENCE
        let stdout = process.0.stdout.take().expect("stdout");
        let (first, line) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = first.send(lines.next());
            lines.for_each(drop);
        });
        let line = match line.recv_timeout(PATIENCE) {
            Ok(Some(Ok(line))) => line,
            other => panic!("{which} did not start: {other:?}"),
        };
        let address = line
            .strip_prefix(&format!("{which} listens on http://"))
            .unwrap_or_else(|| panic!("{which} did not start: {line:?}"))
            .to_string();
        Server {
            _process: process,
            address,
        }
    }

    fn connect(&self) -> Connection {
        Connection {
            reader: None,
            host: self.address.clone(),
        }
    }
}

/// A keep-alive HTTP/1.1 connection, as wrk's: open again after an answer
/// that closes it (fsa closes the connection of a request whose body it
/// refused unread, rather than read it: see `close_unread`).
struct Connection {
    reader: Option<BufReader<TcpStream>>,
    host: String,
}

impl Connection {
    /// Sends one request, reads its answer: the status and the body.
    fn send(&mut self, request: &apps::Request) -> (u16, String) {
        let answer = self.exchange(request);
        if answer.2 {
            self.reader = None;
        }
        (answer.0, answer.1)
    }

    /// The status, the body, whether the server closes the connection.
    fn exchange(&mut self, request: &apps::Request) -> (u16, String, bool) {
        if self.reader.is_none() {
            let stream = TcpStream::connect(&self.host).expect("connects");
            stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
            self.reader = Some(BufReader::new(stream));
        }
        let body = request.form.unwrap_or("");
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            request.method,
            request.path,
            self.host,
            body.len()
        );
        if let Some(authorization) = &request.authorization {
            head += &format!("Authorization: {authorization}\r\n");
        }
        if request.form.is_some() {
            head += "Content-Type: application/x-www-form-urlencoded\r\n";
        }
        self.reader()
            .get_mut()
            .write_all(format!("{head}\r\n{body}").as_bytes())
            .expect("sends");

        let status_line = self.line();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|status| status.parse().ok())
            .unwrap_or_else(|| panic!("a status line: {status_line:?}"));
        let (mut length, mut chunked, mut close) = (0, false, false);
        loop {
            let header = self.line().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("content-length:") {
                length = value.trim().parse().expect("a length");
            }
            chunked |= header == "transfer-encoding: chunked";
            close |= header == "connection: close";
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let size = usize::from_str_radix(self.line().trim(), 16).expect("a chunk size");
                body.extend(self.bytes(size));
                self.line();
                if size == 0 {
                    break;
                }
            }
        } else {
            body = self.bytes(length);
        }
        (status, String::from_utf8_lossy(&body).into_owned(), close)
    }

    fn reader(&mut self) -> &mut BufReader<TcpStream> {
        self.reader.as_mut().expect("connected")
    }

    /// One line of the answer's head, without its CRLF.
    fn line(&mut self) -> String {
        let mut line = Vec::new();
        self.reader().read_until(b'\n', &mut line).expect("a line");
        assert!(line.ends_with(b"\r\n"), "a whole line: {line:?}");
        line.truncate(line.len() - 2);
        String::from_utf8_lossy(&line).into_owned()
    }

    fn bytes(&mut self, count: usize) -> Vec<u8> {
        let mut bytes = vec![0; count];
        self.reader().read_exact(&mut bytes).expect("the body");
        bytes
    }
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
        let server = Server::start(which);
        let mut connection = server.connect();
        let requests = apps::requests(&token);
        assert_eq!(requests.len(), 5, "hello, open, group, basic, perm");
        for (name, request) in requests {
            for time in ["first", "second"] {
                let (status, body) = connection.send(&request);
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
        let server = Server::start(which);
        let mut connection = server.connect();
        let mut checked = 0;
        for (name, real) in apps::requests(&token) {
            if !matches!(name, "group" | "perm") {
                continue;
            }
            checked += 1;
            // the real token first: its answer may be cached
            let (status, body) = connection.send(&real);
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
                let (status, _) = connection.send(&forged);
                assert_eq!(status, 401, "{which} {name} with {what}");
            }
        }
        assert_eq!(checked, 2, "the group and perm requests");
    }
}

#[test]
fn refuse_to_listen_beyond_loopback() {
    let mut process = Process(
        Command::new(BENCH)
            .args(["fsa", "0.0.0.0:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs"),
    );
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = process.0.try_wait().expect("a status") {
            break status;
        }
        assert!(Instant::now() < deadline, "fsa-bench serves on 0.0.0.0");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    let _ = process
        .0
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    assert!(stderr.contains("127.0.0.1 only"), "{stderr}");
}
