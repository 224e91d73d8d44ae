//! The JSON Schema of a Rust type, read from its name
//! (`std::any::type_name`): integers with their widths and bounds, floats,
//! booleans, strings and their formats (uuid, date, time, date-time,
//! decimal), `Option`, `Vec`, maps; any other type is any value.

use crate::spec::base_name as base;
use utoipa::openapi::{
    schema::{
        AdditionalProperties, ArrayBuilder, ArrayItems, KnownFormat, ObjectBuilder, SchemaFormat,
        SchemaType, Type,
    },
    RefOr, Schema,
};

/// What a type name says of a value.
#[derive(Debug, PartialEq)]
pub(crate) enum Shape<'a> {
    /// `Option<T>`: the value may be missing (or null).
    Optional(&'a str),
    /// `Vec<T>` and friends: repeated values, a JSON array.
    List(&'a str),
    /// A map of names to values (`HashMap<String, V>`).
    Map(&'a str),
    /// One value.
    One(&'a str),
}

/// The generic arguments of `name` when its path ends with `outer`:
/// `generics("alloc::vec::Vec<i64>", "Vec") == Some(["i64"])`.
pub(crate) fn generics<'a>(name: &'a str, outer: &str) -> Option<Vec<&'a str>> {
    let open = name.find('<')?;
    let path = &name[..open];
    if path.rsplit("::").next() != Some(outer) || !name.ends_with('>') {
        return None;
    }
    let inner = &name[open + 1..name.len() - 1];
    let (mut args, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                args.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    args.push(inner[start..].trim());
    Some(args)
}

/// The shape of a parameter's type.
pub(crate) fn shape(name: &str) -> Shape<'_> {
    if let Some([item]) = generics(name, "Option").as_deref() {
        return Shape::Optional(item);
    }
    for list in ["Vec", "VecDeque", "SmallVec", "HashSet", "BTreeSet"] {
        if let Some([item]) = generics(name, list).as_deref() {
            return Shape::List(item);
        }
    }
    for map in ["HashMap", "BTreeMap", "IndexMap"] {
        if let Some([_, value, ..]) = generics(name, map).as_deref() {
            return Shape::Map(value);
        }
    }
    Shape::One(name)
}

/// An integer schema with its bounds.
fn integer(format: &str, min: Option<i128>, max: Option<i128>) -> Schema {
    let number = |n: i128| -> Option<utoipa::Number> {
        if n < 0 {
            isize::try_from(n).ok().map(utoipa::Number::Int)
        } else {
            usize::try_from(n).ok().map(utoipa::Number::UInt)
        }
    };
    let format = match format {
        "int32" => SchemaFormat::KnownFormat(KnownFormat::Int32),
        "int64" => SchemaFormat::KnownFormat(KnownFormat::Int64),
        other => SchemaFormat::Custom(other.to_string()),
    };
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(format))
        .minimum(min.and_then(number))
        .maximum(max.and_then(number))
        .into()
}

/// A string schema with a format.
fn string(format: Option<SchemaFormat>) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(format)
        .into()
}

/// Any value: `{}`.
pub(crate) fn any() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .into()
}

/// The schema of one value of a type named `name`.
pub(crate) fn schema(name: &str) -> Schema {
    macro_rules! int {
        ($format:literal, $t:ty) => {
            integer($format, Some(<$t>::MIN as i128), Some(<$t>::MAX as i128))
        };
    }
    match shape(name) {
        Shape::Optional(item) => return schema(item),
        Shape::List(item) => {
            let items = ArrayItems::RefOrSchema(Box::new(RefOr::T(schema(item))));
            return ArrayBuilder::new().items(items).into();
        }
        Shape::Map(value) => {
            return ObjectBuilder::new()
                .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(schema(value)))))
                .into()
        }
        Shape::One(_) => {}
    }
    for wrapper in [
        "Json", "Result", "Data", "Box", "Arc", "Rc", "Header", "Cookie",
    ] {
        if let Some(args) = generics(name, wrapper) {
            return schema(args[0]);
        }
    }
    let known = |format| Some(SchemaFormat::KnownFormat(format));
    let custom = |format: &str| Some(SchemaFormat::Custom(format.into()));
    match base(name) {
        "i8" => int!("int8", i8),
        "i16" => int!("int16", i16),
        "i32" => int!("int32", i32),
        "i64" | "isize" => int!("int64", i64),
        "u8" => int!("uint8", u8),
        "u16" => int!("uint16", u16),
        "u32" => int!("uint32", u32),
        "u64" | "usize" => int!("uint64", u64),
        "i128" => integer("int128", None, None),
        "u128" => integer("uint128", Some(0), None),
        "f32" | "f64" => ObjectBuilder::new()
            .schema_type(Type::Number)
            .format(known(if base(name) == "f32" {
                KnownFormat::Float
            } else {
                KnownFormat::Double
            }))
            .description(Some(FLOAT))
            .into(),
        "Number" => ObjectBuilder::new().schema_type(Type::Number).into(),
        "bool" => ObjectBuilder::new().schema_type(Type::Boolean).into(),
        "String" | "str" | "&str" | "Cow" | "char" => string(None),
        "Uuid" => string(custom("uuid")),
        "NaiveDate" => string(known(KnownFormat::Date)),
        // RFC 3339's time and date-time have an offset; naive ones do not.
        "NaiveTime" => string(custom("partial-time")),
        "NaiveDateTime" => string(custom("local-date-time")),
        "DateTime" => string(known(KnownFormat::DateTime)),
        "Decimal" => string(custom("decimal")),
        "IpAddr" => string(custom("ip")),
        "Ipv4Addr" => string(custom("ipv4")),
        "Ipv6Addr" => string(custom("ipv6")),
        "Upload" => string(known(KnownFormat::Binary)),
        _ => any(),
    }
}

/// What a float parameter takes in JSON (FlaskSimpleAuth 36's rule).
const FLOAT: &str = "in JSON, a number written as a float (2.0 or 2e0): an integer (2) is refused";

/// Strings fsa refuses in the query string, forms and JSON (a NUL).
pub(crate) const NO_NUL: &str = "^[^\\u0000]*$";
/// Strings fsa refuses in a path (control characters, C0 and C1).
pub(crate) const NO_CONTROL: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// A path segment: no control character, no `/` (even encoded).
pub(crate) const SEGMENT: &str = "^[^/\\u0000-\\u001f\\u007f-\\u009f]+$";

/// `schema`, its strings (array items included) matching `pattern`.
pub(crate) fn refusing(mut schema: Schema, pattern: &str) -> Schema {
    match &mut schema {
        Schema::Object(object)
            if object.schema_type == SchemaType::new(Type::String) && object.pattern.is_none() =>
        {
            object.pattern = Some(pattern.to_string());
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(item) = &mut array.items {
                if let RefOr::T(item) = item.as_mut() {
                    *item = refusing(item.clone(), pattern);
                }
            }
        }
        _ => {}
    }
    schema
}

#[cfg(test)]
mod should {
    use super::*;

    fn json(schema: Schema) -> serde_json::Value {
        serde_json::to_value(schema).unwrap()
    }

    #[test]
    fn read_generic_arguments_at_the_top_level_only() {
        let map = "std::collections::hash::map::HashMap<alloc::string::String, alloc::vec::Vec<(i64, u8)>>";
        assert_eq!(
            generics(map, "HashMap"),
            Some(vec!["alloc::string::String", "alloc::vec::Vec<(i64, u8)>"])
        );
        assert_eq!(generics("alloc::vec::Vec<i64>", "Option"), None);
        assert_eq!(shape("core::option::Option<i64>"), Shape::Optional("i64"));
        assert_eq!(shape("alloc::vec::Vec<u8>"), Shape::List("u8"));
        assert_eq!(shape("i64"), Shape::One("i64"));
    }

    #[test]
    fn write_widths_bounds_and_formats() {
        assert_eq!(
            json(schema("u8")),
            serde_json::json!({"type": "integer", "format": "uint8", "minimum": 0, "maximum": 255})
        );
        assert_eq!(json(schema("i64"))["minimum"], i64::MIN);
        assert_eq!(json(schema("uuid::Uuid"))["format"], "uuid");
        assert_eq!(
            json(schema(
                "chrono::datetime::DateTime<chrono::offset::fixed::FixedOffset>"
            ))["format"],
            "date-time"
        );
        assert_eq!(
            json(schema("alloc::vec::Vec<core::option::Option<bool>>")),
            serde_json::json!({"type": "array", "items": {"type": "boolean"}})
        );
        assert_eq!(
            json(schema(
                "alloc::collections::btree::map::BTreeMap<alloc::string::String, i64>"
            ))["additionalProperties"]["type"],
            "integer"
        );
        assert_eq!(
            json(schema(
                "actix_web::types::json::Json<alloc::string::String>"
            )),
            serde_json::json!({"type": "string"})
        );
        assert_eq!(json(schema("acme::db::Store")), serde_json::json!({}));
    }
}
