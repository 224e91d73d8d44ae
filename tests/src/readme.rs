//! The README's claims, read from the README itself, so that it cannot
//! drift from the code: its code blocks, and the answers its `curl`
//! examples announce in their comments.
//!
//! A `curl` line's comment starts with the status. Then ` text` is the
//! whole body (`start...end`: its start and end); `, prose` or `: prose`
//! is prose, except `WWW-Authenticate: value`, the challenge the answer
//! carries.

use crate::raw::{request, Response};
use base64::{engine::general_purpose::STANDARD, Engine};

/// The README's text.
pub fn text() -> String {
    std::fs::read_to_string(crate::program::workspace().join("README.md"))
        .expect("the README beside the workspace's Cargo.toml")
}

/// The code blocks of the README: (info string, text), in order.
pub fn code_blocks() -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text().lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim().to_string(), String::new())),
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

/// The code blocks of the README's section `heading` (`## ...` text).
pub fn section_blocks(heading: &str) -> Vec<(String, String)> {
    let text = text();
    let start = text
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("README section \"{heading}\""));
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    let section = &rest[..end];
    code_blocks()
        .into_iter()
        .filter(|(_, body)| section.contains(body.as_str()))
        .collect()
}

/// One `curl` example and the answer it announces.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The command, as written.
    pub command: String,
    /// A variable the command's output is assigned to (`TOKEN=$(curl ...)`).
    pub assigns: Option<String>,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    form: Vec<String>,
    /// The announced status, if any.
    pub status: Option<u16>,
    /// The announced body, or its start and end (around `...`).
    body: Option<(String, Option<String>)>,
    /// The announced `WWW-Authenticate`.
    challenge: Option<String>,
}

/// The `curl` examples of a `sh` block.
pub fn claims(block: &str) -> Vec<Claim> {
    let joined = block.replace("\\\n", " ");
    joined
        .lines()
        .filter(|line| line.contains("curl "))
        .map(parse_claim)
        .collect()
}

fn parse_claim(line: &str) -> Claim {
    let (command, comment) = match line.find(" # ") {
        Some(at) => (&line[..at], Some(line[at + 3..].trim())),
        None => (line, None),
    };
    let (assigns, curl) = match command.split_once("=$(") {
        Some((name, rest)) => (
            Some(name.trim().to_string()),
            rest.split(" | ").next().unwrap(),
        ),
        None => (None, command),
    };
    let words = shell_words(curl.trim());
    let mut claim = Claim {
        command: command.trim().to_string(),
        assigns,
        method: "GET".into(),
        path: String::new(),
        headers: Vec::new(),
        form: Vec::new(),
        status: None,
        body: None,
        challenge: None,
    };
    let mut words = words.into_iter().skip(1);
    while let Some(word) = words.next() {
        match word.as_str() {
            "-i" | "-s" => {}
            "-u" => {
                let credentials = words.next().unwrap();
                let encoded = STANDARD.encode(credentials);
                claim
                    .headers
                    .push(("Authorization".into(), format!("Basic {encoded}")));
            }
            "-H" => {
                let header = words.next().unwrap();
                let (name, value) = header.split_once(':').unwrap();
                claim
                    .headers
                    .push((name.trim().into(), value.trim().into()));
            }
            "-d" => {
                claim.method = "POST".into();
                claim.form.push(words.next().unwrap());
            }
            "-X" => claim.method = words.next().unwrap(),
            url => {
                let rest = url
                    .strip_prefix("http://")
                    .unwrap_or_else(|| panic!("unexpected curl argument {url:?} in {line}"));
                claim.path = rest[rest.find('/').unwrap_or(rest.len())..].to_string();
            }
        }
    }
    if let Some(comment) = comment {
        let digits: String = comment.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(status) = digits.parse() {
            claim.status = Some(status);
            let rest = &comment[digits.len()..];
            if let Some(body) = rest.strip_prefix(' ') {
                claim.body = Some(match body.split_once("...") {
                    Some((start, end)) => (start.to_string(), Some(end.to_string())),
                    None => (body.to_string(), None),
                });
            } else if let Some(at) = rest.find("WWW-Authenticate: ") {
                claim.challenge = Some(rest[at + "WWW-Authenticate: ".len()..].to_string());
            }
        }
    }
    claim
}

impl Claim {
    /// Sends the example to `addr`, `$NAME` replaced by `vars`' values.
    pub fn send(&self, addr: &str, vars: &[(String, String)]) -> Response {
        let fill = |text: &str| {
            vars.iter().fold(text.to_string(), |text, (name, value)| {
                text.replace(&format!("${name}"), value)
            })
        };
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), fill(v)))
            .collect();
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let form = self.form.join("&");
        let body = (!self.form.is_empty())
            .then_some(("application/x-www-form-urlencoded", form.as_bytes()));
        request(addr, &self.method, &fill(&self.path), &headers, body)
    }

    /// Panics, naming the example, unless `answer` is what it announces.
    #[track_caller]
    pub fn check(&self, answer: &Response) {
        let shown = || format!("{}\n-> {} {}", self.command, answer.status, answer.text());
        assert!(
            self.status.is_some() || self.assigns.is_some(),
            "an example with no announced status: {}",
            self.command
        );
        if let Some(status) = self.status {
            assert_eq!(answer.status, status, "{}", shown());
        }
        let text = answer.text();
        match &self.body {
            Some((start, Some(end))) => assert!(
                text.starts_with(start) && text.trim_end().ends_with(end.as_str()),
                "{}",
                shown()
            ),
            Some((whole, None)) => assert_eq!(text.trim_end(), whole, "{}", shown()),
            None => {}
        }
        if let Some(challenge) = &self.challenge {
            assert_eq!(
                answer.header("www-authenticate"),
                Some(challenge.as_str()),
                "{}",
                shown()
            );
        }
    }
}

/// Runs every example of `block` against `addr` in order, checking each;
/// the number of examples run.
pub fn check_block(block: &str, addr: &str) -> usize {
    let mut vars: Vec<(String, String)> = Vec::new();
    let claims = claims(block);
    for claim in &claims {
        let answer = claim.send(addr, &vars);
        claim.check(&answer);
        if let Some(name) = &claim.assigns {
            vars.push((
                name.clone(),
                answer.text().trim().trim_matches('"').to_string(),
            ));
        }
    }
    claims.len()
}

/// Splits a command as a shell does, for the quoting the README uses.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn read_curl_examples_and_their_announced_answers() {
        let block =
            "curl -i -u a:b http://h:1/x?y=1   # 401, WWW-Authenticate: Basic realm=\"r\"\n\
                     curl -d q=3 \\\n  http://h:1/p   # 201 {\"q\":3}\n\
                     T=$(curl -s http://h:1/t | tr -d '\"')\n\
                     curl -H \"Authorization: Bearer $T\" http://h:1/s  # 200 [1,...\n";
        let claims = claims(block);
        assert_eq!(claims.len(), 4);
        assert_eq!(claims[0].status, Some(401));
        assert_eq!(claims[0].challenge.as_deref(), Some("Basic realm=\"r\""));
        assert_eq!(claims[0].headers[0].1, "Basic YTpi");
        assert_eq!(claims[0].path, "/x?y=1");
        assert_eq!(claims[1].method, "POST");
        assert_eq!(claims[1].body, Some(("{\"q\":3}".into(), None)));
        assert_eq!(claims[2].assigns.as_deref(), Some("T"));
        assert_eq!(claims[3].headers[0].1, "Bearer $T");
        assert_eq!(claims[3].body, Some(("[1,".into(), Some(String::new()))));
    }
}
