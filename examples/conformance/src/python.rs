//! Values as FlaskSimpleAuth's Python application prints them: floats as
//! `repr`, `complex` (parsed and printed), whole-day `timedelta`s, and
//! `json.dumps` with its type names.

use serde_json::Value;
use std::fmt;

/// A float as Python's `repr`: the shortest digits that read back the
/// same, `.0` when integral, exponent form below 1e-4 and from 1e16 up
/// (`1e+16`, `1e-05`).
pub fn float(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    // Rust's `{:?}` has the same digits and thresholds; only the exponent
    // is written differently (`1e16` for Python's `1e+16`).
    let text = format!("{value:?}");
    match text.split_once('e') {
        None => text,
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => ('-', digits),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
    }
}

/// A float as Python prints a complex's part: `repr` without a trailing
/// `.0`.
fn part(value: f64) -> String {
    let text = float(value);
    match text.strip_suffix(".0") {
        Some(short) => short.to_string(),
        None => text,
    }
}

/// Python's `complex`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Complex {
    pub re: f64,
    pub im: f64,
}

impl Complex {
    pub const fn new(re: f64, im: f64) -> Self {
        Self { re, im }
    }
}

impl std::ops::Add for Complex {
    type Output = Complex;
    fn add(self, other: Complex) -> Complex {
        Complex::new(self.re + other.re, self.im + other.im)
    }
}

/// Python's `str(complex)`: `0j`, `-1j`, `(1+1j)`, `(1.5-2j)`.
impl fmt::Display for Complex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.re == 0.0 && self.re.is_sign_positive() {
            return write!(f, "{}j", part(self.im));
        }
        let sign = if self.im.is_sign_negative() && !self.im.is_nan() {
            ""
        } else {
            "+"
        };
        write!(f, "({}{sign}{}j)", part(self.re), part(self.im))
    }
}

/// Python's `complex(text)`: `a`, `bj`, `a+bj`, `a-bj` (`j` or `J`),
/// optionally in parentheses, spaces around.
impl std::str::FromStr for Complex {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let invalid = || format!("complex() arg is a malformed string: {text:?}");
        let mut s = text.trim();
        if let Some(inner) = s.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
            s = inner.trim();
        }
        if s.is_empty() || s.len() > 200 {
            return Err(invalid());
        }
        let number = |t: &str| -> Result<f64, String> {
            match t {
                "" | "+" => Ok(1.0),
                "-" => Ok(-1.0),
                _ if t
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.eE_".contains(&b))
                    || t.trim_start_matches(['+', '-']).eq_ignore_ascii_case("inf")
                    || t.trim_start_matches(['+', '-'])
                        .eq_ignore_ascii_case("infinity")
                    || t.trim_start_matches(['+', '-']).eq_ignore_ascii_case("nan") =>
                {
                    t.parse::<f64>().map_err(|_| invalid())
                }
                _ => Err(invalid()),
            }
        };
        let Some(imaginary) = s.strip_suffix(['j', 'J']) else {
            return Ok(Complex::new(number(s).and_then(|n| real(n, s))?, 0.0));
        };
        // The sign that starts the imaginary part: the last + or - that is
        // not the first character nor after an exponent's e.
        let bytes = imaginary.as_bytes();
        let split = (1..bytes.len())
            .rev()
            .find(|&i| matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E'));
        match split {
            None => Ok(Complex::new(0.0, number(imaginary)?)),
            Some(at) => {
                let re = &imaginary[..at];
                Ok(Complex::new(
                    number(re).and_then(|n| real(n, re))?,
                    number(&imaginary[at..])?,
                ))
            }
        }
    }
}

/// A real part must be written (`+` alone is no number).
fn real(value: f64, text: &str) -> Result<f64, String> {
    if matches!(text, "" | "+" | "-") {
        return Err(format!("complex() arg is a malformed string: {text:?}"));
    }
    Ok(value)
}

/// A whole number of days as Python's `timedelta` prints it.
pub fn days(days: i64) -> String {
    match days {
        0 => "0:00:00".into(),
        1 | -1 => format!("{days} day, 0:00:00"),
        _ => format!("{days} days, 0:00:00"),
    }
}

/// A JSON value's Python type name.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python's `json.dumps`: `, ` and `: `, non-ASCII as `\uXXXX`, floats
/// as Python's.
pub fn dumps(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.is_f64(), n.as_f64()) {
            (true, Some(f)) => out.push_str(&json_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(key, out);
                out.push_str(": ");
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

/// A float in `json.dumps`: `repr`, and `Infinity`, `NaN` for the others.
fn json_float(value: f64) -> String {
    match value {
        v if v.is_nan() => "NaN".into(),
        v if v.is_infinite() && v > 0.0 => "Infinity".into(),
        v if v.is_infinite() => "-Infinity".into(),
        v => float(v),
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod should {
    use super::*;
    use serde_json::json;

    #[test]
    fn print_floats_as_python_repr() {
        for (value, text) in [
            (1.0, "1.0"),
            (12.0, "12.0"),
            (54.32, "54.32"),
            (0.1 + 0.5, "0.6"),
            (0.2 + 0.4, "0.6000000000000001"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(float(value), text, "{value}");
        }
    }

    #[test]
    fn read_and_print_complex_numbers_as_python() {
        let c = |text: &str| text.parse::<Complex>();
        assert_eq!(
            c("-1-1j").unwrap() + Complex::new(1.0, 1.0),
            Complex::new(0.0, 0.0)
        );
        for (text, shown) in [
            ("0j", "0j"),
            ("-1j", "-1j"),
            ("(1+2j)", "(1+2j)"),
            ("1.5-2j", "(1.5-2j)"),
            ("1.5", "(1.5+0j)"),
            ("j", "1j"),
            ("-j", "-1j"),
            (" 1e3+1e-3J ", "(1000+0.001j)"),
            ("1e+2j", "100j"),
        ] {
            assert_eq!(c(text).unwrap().to_string(), shown, "{text}");
        }
        for text in ["zero", "", "1+", "+j+", "1j2", "()", "1 + 2j", "--1"] {
            assert!(c(text).is_err(), "{text}");
        }
    }

    #[test]
    fn print_days_as_python_timedelta() {
        assert_eq!(days(0), "0:00:00");
        assert_eq!(days(1), "1 day, 0:00:00");
        assert_eq!(days(-1), "-1 day, 0:00:00");
        assert_eq!(days(-20709), "-20709 days, 0:00:00");
    }

    #[test]
    fn dump_json_as_python() {
        let value = json!([false, true, [3, 14.0], {"q": 4}]);
        assert_eq!(dumps(&value), "[false, true, [3, 14.0], {\"q\": 4}]");
        assert_eq!(dumps(&json!("{\"m\": 2}")), "\"{\\\"m\\\": 2}\"");
        assert_eq!(
            dumps(&json!("été 😀")),
            "\"\\u00e9t\\u00e9 \\ud83d\\ude00\""
        );
        assert_eq!(type_name(&json!(1.0)), "float");
        assert_eq!(type_name(&json!(1234)), "int");
        assert_eq!(type_name(&json!(null)), "NoneType");
    }
}
