//! Cached answers as the text stored in Redis: a letter for the kind, then
//! the answer. What is stored is what FlaskSimpleAuth stores: hook answers
//! (a password hash, a boolean), token checks (login, expiry, scopes), the
//! digest of a user's last token; never a token or a password.

use super::{Cached, TokenInfo};
use std::sync::Arc;

/// The stored text of an answer.
pub(super) fn encode(value: &Cached) -> String {
    match value {
        Cached::Pass(None) => "u".into(),
        Cached::Pass(Some(hash)) => format!("u={hash}"),
        Cached::Bool(answer) => if *answer { "b1" } else { "b0" }.into(),
        Cached::Perm(None) => "p-".into(),
        Cached::Perm(Some(answer)) => if *answer { "p1" } else { "p0" }.into(),
        Cached::Token(info) => {
            let json = serde_json::json!([info.login, info.expires, info.scopes]);
            format!("t{json}")
        }
        Cached::LastToken(digest) => format!("d{digest}"),
    }
}

/// The answer of a stored text; `None` for anything else (an entry
/// written by another version is a miss, never an error).
pub(super) fn decode(text: &str) -> Option<Cached> {
    let (kind, rest) = text.split_at_checked(1)?;
    match (kind, rest) {
        ("u", "") => Some(Cached::Pass(None)),
        ("u", hash) => Some(Cached::Pass(Some(Arc::from(hash.strip_prefix('=')?)))),
        ("b", "1") => Some(Cached::Bool(true)),
        ("b", "0") => Some(Cached::Bool(false)),
        ("p", "-") => Some(Cached::Perm(None)),
        ("p", "1") => Some(Cached::Perm(Some(true))),
        ("p", "0") => Some(Cached::Perm(Some(false))),
        ("t", json) => {
            let (login, expires, scopes): (String, f64, Vec<String>) =
                serde_json::from_str(json).ok()?;
            Some(Cached::Token(Arc::new(TokenInfo {
                login,
                expires,
                scopes,
            })))
        }
        ("d", digest) if !digest.is_empty() => Some(Cached::LastToken(Arc::from(digest))),
        _ => None,
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn read_back_what_they_write() {
        let token = TokenInfo {
            login: "cal\"vin".into(),
            expires: 1.5e9,
            scopes: vec!["read".into()],
        };
        let values = [
            Cached::Pass(None),
            Cached::Pass(Some(Arc::from("$2b$04$x"))),
            Cached::Pass(Some(Arc::from(""))),
            Cached::Bool(true),
            Cached::Bool(false),
            Cached::Perm(None),
            Cached::Perm(Some(true)),
            Cached::Perm(Some(false)),
            Cached::Token(Arc::new(token)),
            Cached::LastToken(Arc::from("abc")),
        ];
        for value in values {
            let text = encode(&value);
            assert_eq!(
                format!("{:?}", decode(&text).unwrap()),
                format!("{value:?}"),
                "{text}"
            );
        }
    }

    #[test]
    fn miss_on_anything_else() {
        for text in ["", "x", "b2", "p", "t[1]", "t{", "d", "u-hash", "é"] {
            assert!(decode(text).is_none(), "{text}");
        }
    }
}
