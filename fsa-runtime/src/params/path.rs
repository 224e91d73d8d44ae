//! Path variables decoded as Flask decodes them.
//!
//! actix matches routes on a path where every percent-escape is decoded
//! except `%25` (`%`), `%2B` (`+`) and `%2F` (`/`), and decodes invalid
//! UTF-8 lossily. Flask (Werkzeug) decodes the whole path before routing,
//! so a variable never holds an escape, and only `<path:p>` holds a `/`.
//! fsa checks the raw path once (400 for control characters or invalid
//! UTF-8) and finishes the decoding of each variable.

use crate::errors::ErrorResponse;
use std::borrow::Cow;

/// Why a request path cannot reach a handler: it decodes to invalid UTF-8
/// or to a control character (NUL, CR, LF...).
#[inline]
pub(crate) fn path_problem(raw: &str) -> Option<ErrorResponse> {
    // A request line holds no control character (the HTTP parser refuses
    // them): only an escape can make one. The usual path has none.
    if !raw.as_bytes().contains(&b'%') {
        return None;
    }
    escaped_path_problem(raw)
}

/// [`path_problem`] of a path with escapes.
fn escaped_path_problem(raw: &str) -> Option<ErrorResponse> {
    let decoded = decode_escapes(raw.as_bytes(), |_| true);
    let problem = match std::str::from_utf8(&decoded) {
        Err(_) => "invalid UTF-8 in path",
        Ok(text) if text.chars().any(char::is_control) => "control character in path",
        Ok(_) => return None,
    };
    Some(ErrorResponse::bad_request(problem))
}

/// A path variable as actix matched it, decoded whole: `None` when it
/// holds a `/` and its converter is not `path` (Flask would not have
/// matched it: a 404).
pub(crate) fn decoded(value: &str, slashes: bool) -> Option<Cow<'_, str>> {
    if !value.contains('%') {
        return Some(Cow::Borrowed(value));
    }
    // Only %25, %2B and %2F are left: decoding them, left to right, is
    // exact (a `%` they produce is never decoded again).
    let bytes = decode_escapes(value.as_bytes(), |byte| matches!(byte, b'%' | b'+' | b'/'));
    let text = String::from_utf8(bytes).ok()?;
    (slashes || !text.contains('/')).then_some(Cow::Owned(text))
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

/// The `%XX` escapes of the bytes that `decode` accepts, decoded; a `%`
/// without two hexadecimal digits kept as it is.
fn decode_escapes(bytes: &[u8], decode: impl Fn(u8) -> bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', h, l]) => hex(*h).zip(hex(*l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match escaped.filter(|byte| decode(*byte)) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn refuse_control_characters_and_invalid_utf8_in_paths() {
        assert!(path_problem("/store/1/product").is_none());
        assert!(path_problem("/shadow/%C3%A9t%C3%A9").is_none());
        assert!(path_problem("/shadow/100%").is_none());
        for bad in [
            "/shadow/a%00b",
            "/shadow/a%0D%0Ab",
            "/shadow/%FF",
            "/x%7f",
            "/%c3",
        ] {
            let error = path_problem(bad).unwrap_or_else(|| panic!("{bad}"));
            assert_eq!(error.status().as_u16(), 400, "{bad}");
        }
    }

    #[test]
    fn finish_decoding_what_actix_leaves() {
        assert_eq!(decoded("plain", false).unwrap(), "plain");
        assert_eq!(decoded("a%2Bb%25c", false).unwrap(), "a+b%c");
        // %2541 is "%41": the % made is not decoded again
        assert_eq!(decoded("%2541", false).unwrap(), "%41");
        assert_eq!(decoded("a%2fb", true).unwrap(), "a/b");
        assert_eq!(decoded("a%2Fb", false), None);
        assert_eq!(decoded("100%", false).unwrap(), "100%");
    }
}
