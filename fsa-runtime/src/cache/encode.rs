//! Cached answers as the text stored in Redis: a letter for the kind, then
//! the answer. What is stored is what FlaskSimpleAuth stores: hook answers
//! (a password hash, a boolean), token checks (login, expiry, scopes), the
//! digest of a user's last token; never a token or a password.

use super::{Cached, TokenInfo};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Signs what is stored, so that an entry nobody with the secret wrote is
/// a miss: HMAC-SHA-256 (RFC 2104) of the key and the text, the first 16
/// bytes, in hexadecimal, before the text.
pub(super) struct Signer {
    /// The HMAC key: a digest of the shared secret, for this use only.
    key: [u8; 32],
}

/// Hexadecimal digits of the signature stored before a text.
const SIGNATURE: usize = 32;

impl Signer {
    pub(super) fn new(secret: &str) -> Self {
        let key = Sha256::new()
            .chain_update(b"fsa shared cache\0")
            .chain_update(secret.as_bytes())
            .finalize();
        Self { key: key.into() }
    }

    /// HMAC-SHA-256 of `key`, a NUL, `text`, as hexadecimal, truncated.
    fn signature(&self, key: &str, text: &str) -> String {
        let mut inner_pad = [0x36u8; 64];
        let mut outer_pad = [0x5cu8; 64];
        for (i, byte) in self.key.iter().enumerate() {
            inner_pad[i] ^= byte;
            outer_pad[i] ^= byte;
        }
        let inner = Sha256::new()
            .chain_update(inner_pad)
            .chain_update(key.as_bytes())
            .chain_update([0])
            .chain_update(text.as_bytes())
            .finalize();
        let mac = Sha256::new()
            .chain_update(outer_pad)
            .chain_update(inner)
            .finalize();
        mac[..SIGNATURE / 2]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The stored form of `text` under `key`.
    pub(super) fn seal(&self, key: &str, text: &str) -> String {
        format!("{}{text}", self.signature(key, text))
    }

    /// The text of a stored form whose signature holds for `key`.
    pub(super) fn open<'a>(&self, key: &str, stored: &'a str) -> Option<&'a str> {
        let (signature, text) = stored.split_at_checked(SIGNATURE)?;
        let expected = self.signature(key, text);
        crate::passwords::constant_time_eq(signature.as_bytes(), expected.as_bytes())
            .then_some(text)
    }
}

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
    fn open_only_what_the_same_secret_sealed_under_the_same_key() {
        let signer = Signer::new("a shared secret");
        let sealed = signer.seal("app:u.6:calvin", "u=$2b$04$x");
        assert_eq!(signer.open("app:u.6:calvin", &sealed), Some("u=$2b$04$x"));
        assert_eq!(signer.open("app:u.5:susie", &sealed), None, "another key");
        assert_eq!(Signer::new("another").open("app:u.6:calvin", &sealed), None);
        let forged = format!("{}u=$2b$04$y", &sealed[..32]);
        assert_eq!(signer.open("app:u.6:calvin", &forged), None);
        assert_eq!(signer.open("app:u.6:calvin", "short"), None);
    }

    #[test]
    fn miss_on_anything_else() {
        for text in ["", "x", "b2", "p", "t[1]", "t{", "d", "u-hash", "é"] {
            assert!(decode(text).is_none(), "{text}");
        }
    }
}
