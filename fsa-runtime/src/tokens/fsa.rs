//! FlaskSimpleAuth's own token format, wire-compatible with it:
//! `realm[/issuer]:login:YYYYMMDDHHmmSS:signature`, where the signature is
//! the hex of the first `FSA_TOKEN_LENGTH` bytes of HASH(`data:secret`).

use crate::errors::ErrorResponse;
use blake2::{Blake2b512, Blake2s256};
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// A hash usable in fsa tokens (`FSA_TOKEN_ALGO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Algo {
    Blake2s,
    Blake2b,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Algo {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "blake2s" => Self::Blake2s,
            "blake2b" => Self::Blake2b,
            "sha224" => Self::Sha224,
            "sha256" => Self::Sha256,
            "sha384" => Self::Sha384,
            "sha512" => Self::Sha512,
            _ => return None,
        })
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Blake2s => Blake2s256::digest(data).to_vec(),
            Self::Blake2b => Blake2b512::digest(data).to_vec(),
            Self::Sha224 => Sha224::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// The signature of `data` (`realm:login:limit`).
pub(crate) fn sign(algo: Algo, length: usize, data: &str, secret: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = algo.digest(format!("{data}:{secret}").as_bytes());
    // Lower-case hex, without a string per byte.
    let mut signature = String::with_capacity(2 * length.min(digest.len()));
    for byte in digest.iter().take(length) {
        signature.push(char::from(HEX[usize::from(byte >> 4)]));
        signature.push(char::from(HEX[usize::from(byte & 15)]));
    }
    signature
}

/// FlaskSimpleAuth's realm simplification for fsa tokens: characters
/// outside `[A-Za-z0-9-]` become `-`, runs collapse, ends are trimmed,
/// case is kept (`my realm!` -> `my-realm`).
pub(crate) fn simplify_realm(realm: &str) -> String {
    let mut out = String::with_capacity(realm.len());
    for c in realm.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

/// `YYYYMMDDHHmmSS` of a Unix time, UTC.
pub(crate) fn format_limit(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The Unix time of a `YYYYMMDDHHmmSS` limit.
fn parse_limit(limit: &str) -> Result<i64, ErrorResponse> {
    if limit.len() != 14 || !limit.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorResponse::unauthorized("unexpected timestamp format"));
    }
    let n = |range: std::ops::Range<usize>| limit[range].parse::<u32>().unwrap_or(u32::MAX);
    let invalid = || ErrorResponse::unauthorized("unexpected fsa token limit");
    let month = Month::try_from(n(4..6) as u8).map_err(|_| invalid())?;
    let date =
        Date::from_calendar_date(n(0..4) as i32, month, n(6..8) as u8).map_err(|_| invalid())?;
    let time =
        Time::from_hms(n(8..10) as u8, n(10..12) as u8, n(12..14) as u8).map_err(|_| invalid())?;
    Ok(PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp())
}

/// Checks an fsa token for a realm field; the login and expiry on success.
pub(crate) fn check(
    token: &str,
    realm_field: &str,
    algo: Algo,
    length: usize,
    secret: &str,
    now: f64,
    grace_seconds: f64,
) -> Result<(String, f64), ErrorResponse> {
    let parts: Vec<&str> = token.split(':').collect();
    let [realm, login, limit, signature] = parts[..] else {
        return Err(ErrorResponse::unauthorized("invalid fsa token"));
    };
    let expires = parse_limit(limit)? as f64;
    if realm != realm_field {
        return Err(ErrorResponse::unauthorized("unexpected fsa token realm"));
    }
    let expected = sign(algo, length, &format!("{realm}:{login}:{limit}"), secret);
    if !crate::passwords::constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(ErrorResponse::unauthorized(
            "invalid fsa auth token signature",
        ));
    }
    if now - grace_seconds > expires {
        return Err(ErrorResponse::unauthorized("expired fsa auth token"));
    }
    Ok((login.to_string(), expires))
}

/// A new fsa token.
pub(crate) fn create(
    realm_field: &str,
    login: &str,
    expires: i64,
    algo: Algo,
    length: usize,
    secret: &str,
) -> String {
    let data = format!("{realm_field}:{login}:{}", format_limit(expires));
    let signature = sign(algo, length, &data, secret);
    format!("{data}:{signature}")
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn simplify_realms_as_flask_simple_auth() {
        assert_eq!(simplify_realm("my realm!"), "my-realm");
        assert_eq!(simplify_realm("My Cool_App!"), "My-Cool-App");
        assert_eq!(simplify_realm("Acme-Test"), "Acme-Test");
    }

    #[test]
    fn reproduce_the_documented_example() {
        // FlaskSimpleAuth's documentation: secret unknown, so check the shape.
        let token = create("comics", "calvin", 2147483647, Algo::Blake2s, 16, "s");
        assert!(token.starts_with("comics:calvin:20380119031407:"));
        assert_eq!(token.rsplit(':').next().unwrap().len(), 32);
    }

    #[test]
    fn round_trip_limits() {
        assert_eq!(parse_limit(&format_limit(2426617770)).unwrap(), 2426617770);
        assert_eq!(
            parse_limit("20261528201930").unwrap_err().message(),
            "unexpected fsa token limit"
        );
        assert_eq!(
            parse_limit("demain").unwrap_err().message(),
            "unexpected timestamp format"
        );
    }
}

/// FlaskSimpleAuth 36.0's own tokens (`tests/data`), reproduced byte for
/// byte and accepted.
#[cfg(test)]
mod vectors {
    use super::*;

    /// Made by FlaskSimpleAuth 36.0 itself: see `tests/data/README.md`.
    const VECTORS: &str = include_str!("../../tests/data/flask-simple-auth-36.0.json");

    #[test]
    fn reproduce_and_accept_flask_simple_auth_tokens() {
        let vectors: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
        let secret = vectors["secret"].as_str().unwrap();
        let mut checked = 0;
        for v in vectors["fsa_tokens"].as_array().unwrap() {
            let config = &v["config"];
            let token = v["token"].as_str().unwrap();
            let algo =
                Algo::from_name(config["FSA_TOKEN_ALGO"].as_str().unwrap_or("blake2s")).unwrap();
            let length = config["FSA_TOKEN_LENGTH"].as_u64().unwrap_or(16) as usize;
            let realm = simplify_realm(
                config["FSA_REALM"]
                    .as_str()
                    .unwrap_or(v["app_name"].as_str().unwrap()),
            );
            let field = match config["FSA_TOKEN_ISSUER"].as_str() {
                Some(issuer) => format!("{realm}/{issuer}"),
                None => realm,
            };
            let user = v["user"].as_str().unwrap();
            let limit = token.split(':').nth(2).unwrap();
            let expires = parse_limit(limit).unwrap();
            assert_eq!(create(&field, user, expires, algo, length, secret), token);
            let now = 1_795_897_770.0; // 2026-11-28, when the vectors were made
            let checked_token = check(token, &field, algo, length, secret, now + 3600.0, 0.0);
            assert_eq!(
                checked_token.is_ok(),
                v["expect_valid"].as_bool().unwrap(),
                "{token}"
            );
            checked += 1;
        }
        assert_eq!(checked, 15);
    }
}
