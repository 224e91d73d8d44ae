//! How one value converts ([`Item`]: a [`Scalar`], a `FromStr` type, a
//! serde type, a `#[cast]` function), and the three shapes a parameter
//! takes of it: one value, `Option`, `Vec`.

use super::{
    json::{self, bounded, json_kind},
    scalar::quoted,
    Entry, ParamError, Raw, Scalar,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::{fmt::Display, marker::PhantomData, str::FromStr};

/// Converts one request value into a `T`.
pub trait Item<T> {
    /// A query or form value.
    fn http(&self, text: &str) -> Result<T, String>;
    /// A JSON value.
    fn json(&self, value: &Value) -> Result<T, String>;
    /// A path segment.
    fn path(&self, text: &str) -> Result<T, String> {
        self.http(text)
    }
    /// Whether a JSON list's string or number items may be cast from their
    /// text (scalars, `FromStr` and cast types; not serde types, whose
    /// HTTP text is JSON: a string item is no JSON document).
    fn casts_list_items(&self) -> bool {
        true
    }
}

/// A [`Scalar`]: its own rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScalarItem;

impl<T: Scalar> Item<T> for ScalarItem {
    fn http(&self, text: &str) -> Result<T, String> {
        T::from_http(text)
    }
    fn json(&self, value: &Value) -> Result<T, String> {
        T::from_json(value)
    }
    fn path(&self, text: &str) -> Result<T, String> {
        T::from_path(text)
    }
}

/// A `FromStr` type: parsed from the HTTP text, or from a JSON string.
#[derive(Clone, Copy, Debug, Default)]
pub struct FromStrItem;

impl<T: FromStr> Item<T> for FromStrItem
where
    T::Err: Display,
{
    fn http(&self, text: &str) -> Result<T, String> {
        text.parse()
            .map_err(|e| bounded(format!("cast error on {}: {e}", quoted(text))))
    }
    fn json(&self, value: &Value) -> Result<T, String> {
        match value {
            Value::String(text) => self.http(text),
            other => Err(format!("expected a JSON string, got {}", json_kind(other))),
        }
    }
}

/// A serde type: deserialized from a JSON value, or from the JSON text of
/// an HTTP value (FlaskSimpleAuth's `JsonData` and models).
#[derive(Clone, Copy, Debug, Default)]
pub struct SerdeItem;

impl<T: DeserializeOwned> Item<T> for SerdeItem {
    fn casts_list_items(&self) -> bool {
        false
    }
    fn http(&self, text: &str) -> Result<T, String> {
        let value = json::parse(text.as_bytes()).map_err(|e| match e {
            json::JsonError::TooMany => too_many(text),
            json::JsonError::Invalid(e) => bounded(format!("invalid JSON {}: {e}", quoted(text))),
        })?;
        T::deserialize(&value).map_err(|e| bounded(format!("cast error on {}: {e}", quoted(text))))
    }
    fn json(&self, value: &Value) -> Result<T, String> {
        T::deserialize(value).map_err(|e| bounded(format!("cast error: {e}")))
    }
}

/// A `FromStr` and serde type: HTTP text parsed by `FromStr`, JSON values
/// deserialized (`serde_json::Value`: FlaskSimpleAuth's `JsonData`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TextSerdeItem;

impl<T: FromStr + DeserializeOwned> Item<T> for TextSerdeItem
where
    T::Err: Display,
{
    fn http(&self, text: &str) -> Result<T, String> {
        // Such a type's `FromStr` may parse JSON (`serde_json::Value`'s
        // does): bounded as any JSON from a client.
        json::check_size(text.as_bytes()).map_err(|()| too_many(text))?;
        FromStrItem.http(text)
    }
    fn json(&self, value: &Value) -> Result<T, String> {
        SerdeItem.json(value)
    }
}

/// The problem of a text holding too many JSON values.
fn too_many(text: &str) -> String {
    format!(
        "too many JSON values in {}: at most {}",
        quoted(text),
        json::MAX_JSON_VALUES
    )
}

/// A `#[cast(f)]` function of the text: HTTP values and path segments as
/// they are, JSON strings' contents, other JSON scalars' JSON text.
pub struct CastItem<F, T, E>(F, PhantomData<fn() -> (T, E)>);

impl<F, T, E> CastItem<F, T, E>
where
    F: Fn(&str) -> Result<T, E>,
    E: Display,
{
    /// The item of a cast function.
    pub fn new(f: F) -> Self {
        CastItem(f, PhantomData)
    }
}

impl<F, T, E> Item<T> for CastItem<F, T, E>
where
    F: Fn(&str) -> Result<T, E>,
    E: Display,
{
    fn http(&self, text: &str) -> Result<T, String> {
        (self.0)(text).map_err(|e| bounded(format!("cast error on {}: {e}", quoted(text))))
    }
    fn json(&self, value: &Value) -> Result<T, String> {
        match value {
            Value::String(text) => self.http(text),
            Value::Number(_) | Value::Bool(_) => self.http(&value.to_string()),
            other => Err(format!(
                "expected a JSON string, number or boolean, got {}",
                json_kind(other)
            )),
        }
    }
}

/// Whether a value is JSON `null` or the HTTP string `null`: `None` for an
/// `Option` (FlaskSimpleAuth 36.0).
pub(crate) fn is_null(raw: Option<Raw<'_>>) -> bool {
    match raw {
        Some(Raw::Json(Value::Null)) => true,
        Some(Raw::Http(values)) => values.first().is_some_and(|v| v == "null"),
        _ => false,
    }
}

/// One value: the first of repeated HTTP values.
pub(crate) fn one<T>(item: &impl Item<T>, raw: Option<Raw<'_>>) -> Result<T, ParamError> {
    match raw {
        None => Err(ParamError::Missing),
        Some(Raw::Http(values)) => match values.first() {
            Some(first) => item.http(first).map_err(ParamError::Invalid),
            None => Err(ParamError::Missing),
        },
        Some(Raw::Path(text)) => item.path(text).map_err(ParamError::Invalid),
        Some(Raw::Json(value)) => item.json(value).map_err(ParamError::Invalid),
        Some(Raw::Files(_)) => Err(not_a_file()),
    }
}

/// An optional value: `None` when missing or null.
pub(crate) fn optional<T>(
    item: &impl Item<T>,
    raw: Option<Raw<'_>>,
) -> Result<Option<T>, ParamError> {
    if raw.is_none() || is_null(raw) {
        return Ok(None);
    }
    one(item, raw).map(Some)
}

/// Every value of a repeated HTTP parameter, or the items of a JSON array.
pub(crate) fn many<T>(item: &impl Item<T>, raw: Option<Raw<'_>>) -> Result<Vec<T>, ParamError> {
    match raw {
        None => Err(ParamError::Missing),
        Some(Raw::Http(values)) => values
            .iter()
            .map(|v| item.http(v))
            .collect::<Result<_, _>>()
            .map_err(ParamError::Invalid),
        Some(Raw::Path(text)) => item
            .path(text)
            .map(|v| vec![v])
            .map_err(ParamError::Invalid),
        Some(Raw::Json(Value::Array(items))) => items
            .iter()
            .enumerate()
            .map(|(i, v)| cast_item(item, v).map_err(|e| format!("item {i}: {e}")))
            .collect::<Result<_, _>>()
            .map_err(ParamError::Invalid),
        Some(Raw::Json(other)) => Err(ParamError::Invalid(format!(
            "expected a JSON array, got {}",
            json_kind(other)
        ))),
        Some(Raw::Files(_)) => Err(not_a_file()),
    }
}

/// An item of a JSON array, as FlaskSimpleAuth 36.0 reads a list: an
/// item of the JSON type as is, else a string or a number cast from its
/// text (`"0x11"` for an integer, `2` for a string); a boolean or a null
/// is never cast (`[true, 2]` is no list of integers).
fn cast_item<T>(item: &impl Item<T>, value: &Value) -> Result<T, String> {
    item.json(value).or_else(|error| match value {
        _ if !item.casts_list_items() => Err(error),
        Value::String(text) => item.http(text).map_err(|_| error),
        Value::Number(number) => item.http(&number.to_string()).map_err(|_| error),
        _ => Err(error),
    })
}

/// The error of a file given for a value.
pub(crate) fn not_a_file() -> ParamError {
    ParamError::Invalid("type error: expected a value, got a file".into())
}

/// The raw form of a gathered entry.
pub(crate) fn raw_of(entry: &Entry) -> Raw<'_> {
    match entry {
        Entry::Http(values) => Raw::Http(values),
        Entry::Json(value) => Raw::Json(value),
        Entry::Files(files) => Raw::Files(files),
    }
}

#[cfg(test)]
mod should {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Point {
        x: i64,
        y: i64,
    }

    #[test]
    fn read_serde_types_from_json_values_and_json_text() {
        let p: Point = SerdeItem.json(&json!({"x": 1, "y": 2})).unwrap();
        assert_eq!(p, Point { x: 1, y: 2 });
        let p: Point = SerdeItem.http(r#"{"x": 1, "y": 2}"#).unwrap();
        assert_eq!(p, Point { x: 1, y: 2 });
        assert!(Item::<Point>::http(&SerdeItem, "1234").is_err());
        assert!(Item::<Point>::json(&SerdeItem, &json!({"x": 1})).is_err());
        let v: Value = SerdeItem.http("[1, 2]").unwrap();
        assert_eq!(v, json!([1, 2]));
        let v: Value = SerdeItem.json(&json!("null")).unwrap();
        assert_eq!(v, json!("null"));
    }

    #[test]
    fn read_text_and_serde_types_from_text_or_json() {
        let n: serde_json::Number = TextSerdeItem.http("12").unwrap();
        assert_eq!(n.as_i64(), Some(12));
        let n: serde_json::Number = TextSerdeItem.json(&json!(12)).unwrap();
        assert_eq!(n.as_i64(), Some(12));
        assert!(Item::<serde_json::Number>::json(&TextSerdeItem, &json!("12")).is_err());
        let v: Value = TextSerdeItem.http("[1, 2]").unwrap();
        assert_eq!(v, json!([1, 2]));
        let v: Value = TextSerdeItem.json(&json!(null)).unwrap();
        assert_eq!(v, json!(null));
    }

    #[test]
    fn read_from_str_types_from_text_only() {
        let ip: std::net::IpAddr = FromStrItem.http("127.0.0.1").unwrap();
        assert!(ip.is_loopback());
        assert!(Item::<std::net::IpAddr>::json(&FromStrItem, &json!(127)).is_err());
        let ip: std::net::IpAddr = FromStrItem.json(&json!("::1")).unwrap();
        assert!(ip.is_loopback());
    }

    #[test]
    fn give_casts_the_text_of_json_scalars() {
        let cast = CastItem::new(|s: &str| s.parse::<i64>().map(|n| n * 2));
        assert_eq!(cast.json(&json!(21)), Ok(42));
        assert_eq!(cast.json(&json!("21")), Ok(42));
        assert!(cast.json(&json!([21])).is_err());
        assert!(cast
            .http("x")
            .unwrap_err()
            .starts_with("cast error on \"x\""));
    }

    #[test]
    fn cast_json_list_items_as_flask_simple_auth_36() {
        let ints = json!(["0x11", "2", 3]);
        assert_eq!(
            many::<i64>(&ScalarItem, Some(Raw::Json(&ints))),
            Ok(vec![17, 2, 3])
        );
        let strings = json!([2, "two"]);
        assert_eq!(
            many::<String>(&ScalarItem, Some(Raw::Json(&strings))),
            Ok(vec!["2".to_string(), "two".to_string()])
        );
        let floats = json!([2, 2.5]);
        assert_eq!(
            many::<f64>(&ScalarItem, Some(Raw::Json(&floats))),
            Ok(vec![2.0, 2.5])
        );
        for strict in [json!([true, 2]), json!([null]), json!(["two"])] {
            assert!(
                many::<i64>(&ScalarItem, Some(Raw::Json(&strict))).is_err(),
                "{strict}"
            );
        }
        // A scalar is not cast: only list items are; nor a serde type's
        // items (a string is no JSON document).
        assert!(one::<i64>(&ScalarItem, Some(Raw::Json(&json!("2")))).is_err());
        let texts = json!([r#"{"x": 1, "y": 2}"#]);
        assert!(many::<Point>(&SerdeItem, Some(Raw::Json(&texts))).is_err());
        let objects = json!([{"x": 1, "y": 2}]);
        assert!(many::<Point>(&SerdeItem, Some(Raw::Json(&objects))).is_ok());
    }

    #[test]
    fn treat_null_as_none_for_options_only() {
        let null = json!(null);
        assert_eq!(
            optional::<i64>(&ScalarItem, Some(Raw::Json(&null))),
            Ok(None)
        );
        let text = ["null".to_string()];
        assert_eq!(
            optional::<i64>(&ScalarItem, Some(Raw::Http(&text))),
            Ok(None)
        );
        assert_eq!(optional::<i64>(&ScalarItem, None), Ok(None));
        assert!(one::<i64>(&ScalarItem, Some(Raw::Json(&null))).is_err());
    }
}
