//! A real Redis for the shared-cache tests: the server CI starts (its URL in
//! `REDIS_URL`), or a `redis-server` of the test's own (from `PATH`,
//! stopped when the test ends). Without either, a Redis test is skipped
//! with a message, unless `REDIS_REQUIRED=1` (CI) makes it fail.
//!
//! [`Relay`] stands between an application and Redis, to cut or stall the
//! link in the middle of a test.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A Redis to use: a URL, and the server when this test started it.
pub struct Redis {
    /// `redis://127.0.0.1:PORT/0`.
    pub url: String,
    /// The port.
    pub port: u16,
    server: Option<Child>,
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(server) = &mut self.server {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// Whether a Redis test without Redis must fail rather than be skipped.
fn required() -> bool {
    std::env::var("REDIS_REQUIRED").is_ok_and(|v| v == "1")
}

/// Skips (or fails, under `REDIS_REQUIRED=1`) a test that has no Redis.
fn missing(why: &str) -> Option<Redis> {
    if required() {
        panic!("REDIS_REQUIRED=1 but {why}");
    }
    eprintln!("skipped: {why} (install redis-server, or set REDIS_URL)");
    None
}

/// The Redis of the tests: CI's (`REDIS_URL`), else one of this test's own.
pub fn redis() -> Option<Redis> {
    match std::env::var("REDIS_URL") {
        Ok(url) => {
            // CI's server, on a loopback port: redis://127.0.0.1:PORT/0.
            let port = url
                .strip_prefix("redis://127.0.0.1:")
                .and_then(|rest| rest.split('/').next())
                .and_then(|port| port.parse().ok())
                .unwrap_or_else(|| panic!("REDIS_URL names a loopback port: {url}"));
            if !ping(port) {
                return missing(&format!("nothing answers PING at REDIS_URL={url}"));
            }
            Some(Redis {
                url,
                port,
                server: None,
            })
        }
        Err(_) => own_redis(),
    }
}

/// A `redis-server` of this test's own, on a free loopback port, without
/// persistence: the test may stop it ([`Redis::stop`]) and start it again.
pub fn own_redis() -> Option<Redis> {
    for _ in 0..5 {
        let port = free_port();
        match start_server(port) {
            Ok(server) => {
                return Some(Redis {
                    url: format!("redis://127.0.0.1:{port}/0"),
                    port,
                    server: Some(server),
                })
            }
            Err(Start::Missing) => return missing("no redis-server on PATH"),
            Err(Start::Failed) => continue,
        }
    }
    missing("redis-server did not start")
}

enum Start {
    Missing,
    Failed,
}

fn start_server(port: u16) -> Result<Child, Start> {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Start::Missing),
        Err(_) => return Err(Start::Failed),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if ping(port) {
            return Ok(child);
        }
        if child.try_wait().ok().flatten().is_some() {
            return Err(Start::Failed);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    Err(Start::Failed)
}

/// Whether a Redis answers `PING` on this port.
fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut answer = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

impl Redis {
    /// Stops this test's own server (a panic for CI's shared one).
    pub fn stop(&mut self) {
        let server = self
            .server
            .as_mut()
            .expect("only a test's own Redis is stopped");
        let _ = server.kill();
        let _ = server.wait();
    }

    /// Starts this test's own server again, on the same port, empty.
    pub fn restart(&mut self) {
        assert!(
            self.server.is_some(),
            "only a test's own Redis is restarted"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match start_server(self.port) {
                Ok(server) => {
                    self.server = Some(server);
                    return;
                }
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(_) => panic!("redis-server did not start again on port {}", self.port),
            }
        }
    }

    /// A command's answer, every string of it in order (an array's items,
    /// a bulk string, an integer or a status as text; nothing for nil).
    pub fn command(&self, words: &[&str]) -> Vec<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("Redis answers");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut request = format!("*{}\r\n", words.len());
        for word in words {
            request.push_str(&format!("${}\r\n{word}\r\n", word.len()));
        }
        stream.write_all(request.as_bytes()).unwrap();
        let mut reader = std::io::BufReader::new(stream);
        let mut answer = Vec::new();
        read_reply(&mut reader, &mut answer);
        answer
    }

    /// The keys matching a pattern.
    pub fn keys(&self, pattern: &str) -> Vec<String> {
        self.command(&["KEYS", pattern])
    }
}

/// Reads one RESP reply, its strings appended to `out`.
fn read_reply(reader: &mut impl std::io::BufRead, out: &mut Vec<String>) {
    let mut line = String::new();
    reader.read_line(&mut line).expect("a reply");
    let line = line.trim_end();
    let (kind, rest) = line.split_at(1);
    match kind {
        "+" | ":" => out.push(rest.to_string()),
        "-" => panic!("Redis error: {rest}"),
        "$" => {
            let length: i64 = rest.parse().unwrap();
            if length >= 0 {
                let mut bytes = vec![0u8; length as usize + 2];
                reader.read_exact(&mut bytes).unwrap();
                bytes.truncate(length as usize);
                out.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        "*" => {
            let count: i64 = rest.parse().unwrap();
            for _ in 0..count.max(0) {
                read_reply(reader, out);
            }
        }
        other => panic!("unexpected reply {other}{rest}"),
    }
}

/// A port nobody listens on, at the time of asking.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// What a [`Relay`] does with the bytes it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Link {
    /// Passes them on.
    Up = 0,
    /// Closes every connection: Redis refuses.
    Cut = 1,
    /// Holds them, answering nothing: Redis is too slow.
    Stalled = 2,
}

/// A TCP relay on a loopback port in front of a Redis, whose link a test
/// cuts, stalls and restores.
pub struct Relay {
    /// `redis://127.0.0.1:PORT/0`, through the relay.
    pub url: String,
    link: Arc<AtomicU8>,
}

impl Relay {
    /// A relay to `port`.
    pub fn to(port: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a relay port");
        let url = format!(
            "redis://127.0.0.1:{}/0",
            listener.local_addr().unwrap().port()
        );
        let link = Arc::new(AtomicU8::new(Link::Up as u8));
        let shared = link.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let link = shared.clone();
                std::thread::spawn(move || relay(client, port, link));
            }
        });
        Relay { url, link }
    }

    /// Changes what the relay does, for every connection.
    pub fn set(&self, link: Link) {
        self.link.store(link as u8, Ordering::SeqCst);
    }
}

fn current(link: &AtomicU8) -> Link {
    match link.load(Ordering::SeqCst) {
        0 => Link::Up,
        1 => Link::Cut,
        _ => Link::Stalled,
    }
}

/// Copies bytes both ways while the link is up.
fn relay(client: TcpStream, port: u16, link: Arc<AtomicU8>) {
    if current(&link) == Link::Cut {
        return;
    }
    let Ok(server) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let pump = |mut from: TcpStream, mut to: TcpStream, link: Arc<AtomicU8>| {
        let _ = from.set_read_timeout(Some(Duration::from_millis(50)));
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match current(&link) {
                Link::Cut => break,
                Link::Stalled => {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                Link::Up => {}
            }
            match from.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    // Read while the link changed: held until it is up again.
                    while current(&link) == Link::Stalled {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    if current(&link) == Link::Cut || to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
    };
    let (client2, server2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let link2 = link.clone();
    let up = std::thread::spawn(move || pump(client, server, link));
    pump(server2, client2, link2);
    let _ = up.join();
}
