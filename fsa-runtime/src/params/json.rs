//! JSON read from a client, bounded: a body or an HTTP value holding JSON
//! is parsed only when it holds at most [`MAX_JSON_VALUES`] values, so
//! that a 2 MiB `[0,0,0,...]` does not become a million `Value`s (about
//! 18 times its size in memory) before any credential is checked.

use serde_json::Value;

/// The most values a JSON text from a client may hold: about 3 MiB of
/// parsed values at most, whatever the text.
pub(crate) const MAX_JSON_VALUES: usize = 100_000;

/// Why a JSON text is refused: too many values, or not JSON.
pub(crate) enum JsonError {
    TooMany,
    Invalid(serde_json::Error),
}

/// Parses a JSON text of at most [`MAX_JSON_VALUES`] values.
pub(crate) fn parse(text: &[u8]) -> Result<Value, JsonError> {
    check_size(text).map_err(|()| JsonError::TooMany)?;
    serde_json::from_slice(text).map_err(JsonError::Invalid)
}

/// Whether a text holds at most [`MAX_JSON_VALUES`] JSON values.
pub(crate) fn check_size(text: &[u8]) -> Result<(), ()> {
    if values(text) > MAX_JSON_VALUES {
        return Err(());
    }
    Ok(())
}

/// How many values a JSON text holds, at most (exactly, when it is valid
/// JSON): one, plus one per `[`, `{` and `,` outside strings. One pass,
/// no allocation.
fn values(text: &[u8]) -> usize {
    let (mut count, mut in_string, mut escaped) = (1usize, false, false);
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' | b',' => count += 1,
            _ => {}
        }
    }
    count
}

/// A message that may quote a client's text, cut to a few hundred
/// characters: an error never echoes a whole request value.
pub(crate) fn bounded(message: String) -> String {
    const MAX: usize = 300;
    match message.char_indices().nth(MAX) {
        None => message,
        Some((at, _)) => format!("{}...", &message[..at]),
    }
}

/// `a string`, `an integer`..., for messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn count_values_outside_strings() {
        assert_eq!(values(b"0"), 1);
        assert_eq!(values(br#"{"a": 1, "b": [1, 2], "c": "x,[{"}"#), 6);
        assert_eq!(values(br#"["a\"b,", 1]"#), 3);
        assert_eq!(values(b"{}"), 2);
    }

    #[test]
    fn parse_up_to_the_maximum_and_no_more() {
        let array = |n: usize| format!("[{}]", vec!["0"; n].join(","));
        // the array and its items
        assert!(parse(array(MAX_JSON_VALUES - 1).as_bytes()).is_ok());
        assert!(matches!(
            parse(array(MAX_JSON_VALUES).as_bytes()),
            Err(JsonError::TooMany)
        ));
        assert!(matches!(parse(b"[1,"), Err(JsonError::Invalid(_))));
    }

    #[test]
    fn cut_long_messages() {
        assert_eq!(bounded("short".into()), "short");
        let long = bounded("é".repeat(1000));
        assert_eq!(long.chars().count(), 303);
        assert!(long.ends_with("..."));
    }
}
