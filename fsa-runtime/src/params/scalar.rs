//! Scalar conversions, FlaskSimpleAuth 36.0's rules: HTTP strings are
//! converted, JSON values must already have the JSON type.

use super::json::json_kind;
use serde_json::Value;

/// A value read from one HTTP string or one JSON value.
///
/// ```
/// use fsa_runtime::params::Scalar;
///
/// assert_eq!(i64::from_http("0x11"), Ok(17));
/// assert_eq!(i64::from_http("0b10001"), Ok(17));
/// assert!(i64::from_json(&serde_json::json!("17")).is_err());
/// assert_eq!(bool::from_http("TRUE"), Ok(true));
/// assert!(bool::from_http("1").is_err());
/// ```
pub trait Scalar: Sized {
    /// Converts a query or form value.
    fn from_http(text: &str) -> Result<Self, String>;

    /// Converts a JSON value, which must have the right JSON type.
    fn from_json(value: &Value) -> Result<Self, String>;

    /// Converts a path segment (by default as an HTTP value).
    fn from_path(text: &str) -> Result<Self, String> {
        Self::from_http(text)
    }
}

impl Scalar for String {
    fn from_http(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
    fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::String(s) => Ok(s.clone()),
            other => Err(format!("expected a JSON string, got {}", json_kind(other))),
        }
    }
}

impl Scalar for bool {
    /// `true` or `false`, in any case.
    fn from_http(text: &str) -> Result<Self, String> {
        if text.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if text.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(format!("expected true or false, got {}", quoted(text)))
        }
    }
    fn from_json(value: &Value) -> Result<Self, String> {
        value
            .as_bool()
            .ok_or_else(|| format!("expected a JSON boolean, got {}", json_kind(value)))
    }
}

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            fn from_http(text: &str) -> Result<Self, String> {
                text.trim()
                    .parse::<$t>()
                    .map_err(|_| format!("expected a number, got {}", quoted(text)))
            }
            /// A JSON number written as a float (`1.0`, `1e3`): `1` is refused,
            /// as FlaskSimpleAuth 36.0 does.
            fn from_json(value: &Value) -> Result<Self, String> {
                match value {
                    Value::Number(n) if n.is_f64() => Ok(n.as_f64().unwrap_or_default() as $t),
                    other => Err(format!("expected a JSON float, got {}", json_kind(other))),
                }
            }
        }
    )*};
}
floats!(f32, f64);

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            /// A Python integer literal: sign, `0x`/`0o`/`0b` prefix, `_`
            /// between digits, surrounding spaces; no leading zero.
            fn from_http(text: &str) -> Result<Self, String> {
                let value = parse_integer(text)
                    .ok_or_else(|| format!("expected an integer, got {}", quoted(text)))?;
                <$t>::try_from(value).map_err(|_| {
                    format!("integer {value} out of range for {}", stringify!($t))
                })
            }
            fn from_json(value: &Value) -> Result<Self, String> {
                let Value::Number(n) = value else {
                    return Err(format!("expected a JSON integer, got {}", json_kind(value)));
                };
                // JSON has numbers only: `3.0` is the integer 3 (as JSON
                // Schema says), `3.5` is not an integer.
                let integral = |f: f64| {
                    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1e38).then(|| f as i128)
                };
                let wide = n
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| n.as_u64().map(i128::from))
                    .or_else(|| n.as_f64().and_then(integral))
                    .ok_or_else(|| format!("expected a JSON integer, got {n}"))?;
                <$t>::try_from(wide).map_err(|_| {
                    format!("integer {wide} out of range for {}", stringify!($t))
                })
            }
            /// Digits only, leading zeros allowed (Flask's `int` converter).
            fn from_path(text: &str) -> Result<Self, String> {
                if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                    let value: i128 = text
                        .parse()
                        .map_err(|_| format!("integer {} out of range", quoted(text)))?;
                    <$t>::try_from(value).map_err(|_| {
                        format!("integer {value} out of range for {}", stringify!($t))
                    })
                } else {
                    Self::from_http(text)
                }
            }
        }
    )*};
}
integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

/// A JSON string's contents, for types written as strings in JSON.
#[cfg(any(feature = "uuid", feature = "chrono"))]
fn json_string(value: &Value) -> Result<&str, String> {
    match value {
        Value::String(text) => Ok(text),
        other => Err(format!("expected a JSON string, got {}", json_kind(other))),
    }
}

/// Types whose HTTP and JSON forms are the same string.
#[cfg(any(feature = "uuid", feature = "chrono"))]
macro_rules! textual {
    ($($t:ty => $what:literal, $parse:expr;)*) => {$(
        impl Scalar for $t {
            fn from_http(text: &str) -> Result<Self, String> {
                let parse: fn(&str) -> Option<$t> = $parse;
                parse(text.trim()).ok_or_else(|| format!(concat!("expected ", $what, ", got {}"), quoted(text)))
            }
            fn from_json(value: &Value) -> Result<Self, String> {
                Self::from_http(json_string(value)?)
            }
        }
    )*};
}

#[cfg(feature = "uuid")]
textual! {
    uuid::Uuid => "a UUID", |t| uuid::Uuid::try_parse(t).ok();
}

#[cfg(feature = "chrono")]
textual! {
    chrono::NaiveDate => "an ISO 8601 date (1970-03-20)", |t| t.parse().ok();
    chrono::NaiveTime => "an ISO 8601 time (23:34:45)", |t| t.parse().ok();
    chrono::NaiveDateTime => "an ISO 8601 date and time (1970-03-20T23:34:45)", parse_datetime;
    chrono::DateTime<chrono::FixedOffset> => "an ISO 8601 date and time with an offset (1970-03-20T23:34:45+01:00)", |t| t.parse().ok();
    chrono::DateTime<chrono::Utc> => "an ISO 8601 date and time with an offset (1970-03-20T23:34:45Z)", |t| t.parse().ok();
}

/// `date time` or `dateTtime`, or a date alone (midnight), as Python's
/// `datetime.fromisoformat`.
#[cfg(feature = "chrono")]
fn parse_datetime(text: &str) -> Option<chrono::NaiveDateTime> {
    let normalized = match text.as_bytes().get(10) {
        Some(b' ' | b't') => format!("{}T{}", &text[..10], &text[11..]),
        _ => text.to_string(),
    };
    normalized.parse().ok().or_else(|| {
        text.parse::<chrono::NaiveDate>()
            .ok()
            .map(|d| d.and_time(chrono::NaiveTime::MIN))
    })
}

/// `12.50`, `1e3`; in JSON a number or a string (a string keeps every
/// digit: JSON numbers go through `f64`).
#[cfg(feature = "decimal")]
impl Scalar for rust_decimal::Decimal {
    fn from_http(text: &str) -> Result<Self, String> {
        let text = text.trim();
        text.parse()
            .or_else(|_| rust_decimal::Decimal::from_scientific(text))
            .map_err(|_| format!("expected a decimal number, got {}", quoted(text)))
    }
    fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::Number(n) => Self::from_http(&n.to_string()),
            Value::String(text) => Self::from_http(text),
            other => Err(format!(
                "expected a JSON number or string, got {}",
                json_kind(other)
            )),
        }
    }
}

/// Parses a Python integer literal as `int(text, 0)` does, into an `i128`.
fn parse_integer(text: &str) -> Option<i128> {
    // The usual case, plain decimal digits with an optional sign, without
    // the allocations of the general syntax below.
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if (1..=30).contains(&unsigned.len())
        && unsigned.bytes().all(|b| b.is_ascii_digit())
        && (unsigned.len() == 1 || !unsigned.starts_with('0'))
    {
        return text.parse().ok();
    }
    let text = text.trim();
    let (negative, text) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = text.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &text[2..]),
        Some("0o") => (8, &text[2..]),
        Some("0b") => (2, &text[2..]),
        _ => (10, text),
    };
    let digits = digits
        .strip_prefix('_')
        .filter(|_| radix != 10)
        .unwrap_or(digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if radix == 10
        && digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().any(|b| b != b'0')
    {
        return None;
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// A value for an error message: quoted, and cut when long (a message never
/// echoes a whole request value).
pub(crate) fn quoted(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut:?}...")
    }
}

#[cfg(test)]
mod should {
    use super::*;
    use serde_json::json;

    #[test]
    fn read_python_integer_literals() {
        for (text, value) in [
            ("17", 17),
            ("0x11", 17),
            ("0o21", 17),
            ("0b10001", 17),
            ("-0X11", -17),
            (" 1_000 ", 1000),
            ("0", 0),
            ("00", 0),
        ] {
            assert_eq!(i64::from_http(text), Ok(value), "{text}");
        }
        for text in ["012", "", "x", "1__0", "_1", "0x", "1.0", "0b2", "--1"] {
            assert!(i64::from_http(text).is_err(), "{text}");
        }
    }

    #[test]
    fn refuse_integers_out_of_range() {
        assert!(u8::from_http("256").is_err());
        assert!(i8::from_http("-129").is_err());
        assert!(i64::from_http("99999999999999999999").is_err());
        assert!(u8::from_json(&json!(-1)).is_err());
        assert!(u8::from_json(&json!(256.0)).is_err());
    }

    #[test]
    fn read_integral_json_numbers_as_integers() {
        // JSON (and JSON Schema) has numbers: 3.0 is the integer 3.
        assert_eq!(i64::from_json(&json!(3.0)), Ok(3));
        assert_eq!(i64::from_json(&json!(-18090783.0)), Ok(-18090783));
        assert_eq!(u64::from_json(&json!(1e19)), Ok(10_000_000_000_000_000_000));
        for value in [json!(3.5), json!(1e300), json!(-0.25)] {
            assert!(i64::from_json(&value).is_err(), "{value}");
        }
    }

    #[test]
    fn accept_leading_zeros_in_path_integers() {
        assert_eq!(i64::from_path("012"), Ok(12));
    }

    #[test]
    fn require_the_json_type() {
        assert!(i64::from_json(&json!("17")).is_err());
        assert!(i64::from_json(&json!(true)).is_err());
        assert!(i64::from_json(&json!(1.5)).is_err());
        assert!(f64::from_json(&json!(1)).is_err());
        assert_eq!(f64::from_json(&json!(1.5)), Ok(1.5));
        assert!(String::from_json(&json!(3)).is_err());
        assert!(bool::from_json(&json!(1)).is_err());
    }

    #[cfg(feature = "uuid")]
    #[test]
    fn read_uuids_as_strings() {
        let text = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        assert_eq!(uuid::Uuid::from_http(text).unwrap().to_string(), text);
        assert!(uuid::Uuid::from_json(&json!(text)).is_ok());
        assert!(uuid::Uuid::from_http("67e55044").is_err());
        assert!(uuid::Uuid::from_json(&json!(12)).is_err());
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn read_iso_dates_and_times() {
        use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
        assert_eq!(
            NaiveDate::from_http("1970-03-20"),
            Ok(NaiveDate::from_ymd_opt(1970, 3, 20).unwrap())
        );
        assert!(NaiveDate::from_http("1970-13-20").is_err());
        assert!(NaiveTime::from_http("23:34:45").is_ok());
        assert!(NaiveTime::from_http("25:00:00").is_err());
        for text in ["1970-03-20T23:34:45", "1970-03-20 23:34:45", "1970-03-20"] {
            assert!(NaiveDateTime::from_http(text).is_ok(), "{text}");
        }
        assert!(DateTime::<FixedOffset>::from_http("1970-03-20T23:34:45+01:00").is_ok());
        assert!(DateTime::<FixedOffset>::from_http("1970-03-20T23:34:45").is_err());
        let utc = chrono::DateTime::<chrono::Utc>::from_http("1970-03-20T23:34:45+01:00").unwrap();
        assert_eq!(utc.to_rfc3339(), "1970-03-20T22:34:45+00:00");
        assert!(NaiveDate::from_json(&json!(19700320)).is_err());
    }

    #[cfg(feature = "decimal")]
    #[test]
    fn read_decimals_from_numbers_and_strings() {
        use rust_decimal::Decimal;
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(Decimal::from_http("12.50"), Ok(d("12.50")));
        assert_eq!(Decimal::from_http("1e3"), Ok(d("1000")));
        assert_eq!(Decimal::from_json(&json!(0.1)), Ok(d("0.1")));
        assert_eq!(Decimal::from_json(&json!(7)), Ok(d("7")));
        assert_eq!(
            Decimal::from_json(&json!("12.345678901234567890")),
            Ok(d("12.345678901234567890"))
        );
        assert!(Decimal::from_http("twelve").is_err());
        assert!(Decimal::from_json(&json!(true)).is_err());
    }

    #[test]
    fn cut_long_values_in_messages() {
        assert!(quoted(&"x".repeat(100)).ends_with("..."));
    }
}
