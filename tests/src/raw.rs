//! HTTP/1.1 over a plain TCP socket: requests reach the server byte for
//! byte as written (hostile ones included), answers are parsed by hand.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// An HTTP answer.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names in lower case, with their values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// Parses an answer; `None` when the bytes hold no HTTP head.
    pub fn parse(bytes: &[u8]) -> Option<Response> {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&bytes[..end]);
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = bytes[end + 4..].to_vec();
        if headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Some(Response {
            status,
            headers,
            body,
        })
    }

    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, panicking with the answer otherwise.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.text()))
    }
}

/// The body of a `Transfer-Encoding: chunked` answer.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..eol]).trim(), 16);
        let Ok(size) = size else { break };
        if size == 0 || body.len() < eol + 2 + size {
            break;
        }
        out.extend(&body[eol + 2..eol + 2 + size]);
        body = &body[(eol + 4 + size).min(body.len())..];
    }
    out
}

/// Sends `request` as is to `addr` (it should say `Connection: close`)
/// and reads the answer while writing, so that an early answer (413) is
/// read even if the server closes before reading the whole request.
pub fn send(addr: &str, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let request = request.to_vec();
    let shown = String::from_utf8_lossy(&request[..request.len().min(200)]).into_owned();
    let writing = std::thread::spawn(move || {
        let _ = writer.write_all(&request);
    });
    let mut bytes = Vec::new();
    let mut chunk = [0; 65536];
    // a reset after the answer is fine: the answer was read
    while let Ok(n @ 1..) = stream.read(&mut chunk) {
        bytes.extend(&chunk[..n]);
    }
    writing.join().unwrap();
    Response::parse(&bytes).unwrap_or_else(|| panic!("no HTTP answer to {shown}"))
}

/// A request to `addr`: method, path (with its query), headers, and an
/// optional body with its content type; the connection closed after it.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &[u8])>,
) -> Response {
    let mut headers = headers.to_vec();
    headers.push(("Connection", "close"));
    send(addr, &request_bytes(addr, method, path, &headers, body))
}

/// The bytes of a request to `addr`, as [`request`] sends them, without
/// its `Connection: close` (for a [`Connection`]).
pub fn request_bytes(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &[u8])>,
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some((content_type, body)) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if let Some((_, body)) = body {
        bytes.extend(body);
    }
    bytes
}

/// A kept-alive HTTP/1.1 connection to `addr`, as a load tool's (wrk):
/// each [`Connection::exchange`] writes one request and reads exactly its
/// answer; after an answer that says `Connection: close` (fsa's to a
/// request whose body it refused unread), the next one connects again.
pub struct Connection {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Connection {
    /// A connection to `addr`, opened at the first exchange.
    pub fn new(addr: &str) -> Connection {
        Connection {
            addr: addr.to_string(),
            stream: None,
        }
    }

    /// The `host:port` it connects to.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Sends `request` (see [`request_bytes`]) and reads its answer.
    pub fn exchange(&mut self, request: &[u8]) -> Response {
        let addr = &self.addr;
        let stream = self.stream.get_or_insert_with(|| {
            let stream = TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            BufReader::new(stream)
        });
        stream.get_mut().write_all(request).unwrap();
        // the head, then as much body as it announces
        let mut bytes = Vec::new();
        let (mut length, mut chunked) = (0, false);
        loop {
            let line = read_line(stream, &mut bytes);
            let line = String::from_utf8_lossy(line).to_ascii_lowercase();
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            chunked |= line.starts_with("transfer-encoding:") && line.contains("chunked");
        }
        if chunked {
            loop {
                let size = String::from_utf8_lossy(read_line(stream, &mut bytes)).into_owned();
                let size = usize::from_str_radix(size.trim(), 16).unwrap();
                read_exact(stream, &mut bytes, size + 2);
                if size == 0 {
                    break;
                }
            }
        } else {
            read_exact(stream, &mut bytes, length);
        }
        let response = Response::parse(&bytes).expect("an HTTP answer");
        if response.header("connection") == Some("close") {
            self.stream = None;
        }
        response
    }
}

/// Reads one line (CRLF included) onto `bytes`; returns it.
fn read_line<'b>(stream: &mut BufReader<TcpStream>, bytes: &'b mut Vec<u8>) -> &'b [u8] {
    let start = bytes.len();
    stream.read_until(b'\n', bytes).unwrap();
    assert!(bytes[start..].ends_with(b"\r\n"), "a cut answer: {bytes:?}");
    &bytes[start..]
}

/// Reads `count` bytes onto `bytes`.
fn read_exact(stream: &mut BufReader<TcpStream>, bytes: &mut Vec<u8>, count: usize) {
    let start = bytes.len();
    bytes.resize(start + count, 0);
    stream.read_exact(&mut bytes[start..]).unwrap();
}
