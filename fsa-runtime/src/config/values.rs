//! The parsers of directive values: each takes the directive's name (for
//! its errors) and its TOML value, and answers the field's value or a
//! problem saying what to write instead.

use super::{
    CacheKind, CacheOptions, Mode, Network, OpenApiOptions, PasswordScheme, ProxyHeader,
    ThrottleOptions, TokenCarrier, TokenType,
};
use crate::errors::ErrorFormat;
use actix_web::http::header::{HeaderName, HeaderValue};
use std::collections::BTreeMap;
use toml::Value;

/// A parser's answer: the value, or the problem.
type Parsed<T> = Result<T, String>;

pub(super) fn mode(name: &str, value: &Value) -> Parsed<Mode> {
    Ok(match string(name, value)?.as_str() {
        "prod" => Mode::Prod,
        "dev" => Mode::Dev,
        "debug" | "debug1" => Mode::Debug(1),
        "debug2" => Mode::Debug(2),
        "debug3" => Mode::Debug(3),
        "debug4" => Mode::Debug(4),
        other => {
            return Err(format!(
                "{name}: unexpected mode \"{other}\": expected prod, dev, debug or debug1 to debug4"
            ))
        }
    })
}

/// A level name (`critical` is `error`), or Python's number (10 debug, 20
/// info, 30 warn, 40 error).
pub(super) fn logging_level(name: &str, value: &Value) -> Parsed<tracing::Level> {
    use tracing::Level;
    if let Value::Integer(number) = value {
        return Ok(match number {
            ..0 => return Err(format!("{name}: expected a level name or a number from 0")),
            0..=10 => Level::DEBUG,
            11..=20 => Level::INFO,
            21..=30 => Level::WARN,
            _ => Level::ERROR,
        });
    }
    match string(name, value)?.to_ascii_lowercase().as_str() {
        "trace" => Ok(Level::TRACE),
        "debug" => Ok(Level::DEBUG),
        "info" => Ok(Level::INFO),
        "warn" | "warning" => Ok(Level::WARN),
        "error" | "critical" => Ok(Level::ERROR),
        other => Err(format!(
            "{name}: unexpected level \"{other}\": expected debug, info, warn or error"
        )),
    }
}

pub(super) fn error_format(name: &str, value: &Value) -> Parsed<ErrorFormat> {
    ErrorFormat::parse(&string(name, value)?)
}

pub(super) fn auth_default(name: &str, value: &Value) -> Parsed<Option<Vec<String>>> {
    let schemes = match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(_) => strings(name, value)?,
        _ => return Err(format!("{name}: expected a scheme name or a list of them")),
    };
    Ok(Some(expand_password(schemes)))
}

pub(super) fn token_type(name: &str, value: &Value) -> Parsed<Option<TokenType>> {
    match value {
        Value::String(s) => match s.as_str() {
            "fsa" => Ok(Some(TokenType::Fsa)),
            "jwt" => Ok(Some(TokenType::Jwt)),
            "none" | "" => Ok(None),
            other => Err(format!(
                "{name}: unexpected token type \"{other}\": expected fsa, jwt or none"
            )),
        },
        _ => Err(format!("{name}: expected \"fsa\", \"jwt\" or \"none\"")),
    }
}

pub(super) fn token_carrier(name: &str, value: &Value) -> Parsed<TokenCarrier> {
    match string(name, value)?.as_str() {
        "bearer" => Ok(TokenCarrier::Bearer),
        "cookie" => Ok(TokenCarrier::Cookie),
        "header" => Ok(TokenCarrier::Header),
        "param" => Ok(TokenCarrier::Param),
        other => Err(format!(
            "{name}: unexpected carrier \"{other}\": expected bearer, cookie, header or param"
        )),
    }
}

pub(super) fn token_name(name: &str, value: &Value) -> Parsed<Option<String>> {
    nonempty(name, value)
        .map(Some)
        .map_err(|_| format!("{name}: the token carrier requires a name"))
}

/// `bcrypt`, `argon2`, `plaintext` (with or without FlaskSimpleAuth's
/// `fsa:` provider), or `none`.
pub(super) fn password_scheme(name: &str, value: &Value) -> Parsed<Option<PasswordScheme>> {
    let scheme = string(name, value)?;
    match scheme.strip_prefix("fsa:").unwrap_or(&scheme) {
        "none" | "" => Ok(None),
        "bcrypt" => Ok(Some(PasswordScheme::Bcrypt)),
        "argon2" => Ok(Some(PasswordScheme::Argon2)),
        "plaintext" => Ok(Some(PasswordScheme::Plaintext)),
        other => Err(format!(
            "{name}: unexpected password scheme \"{other}\": expected bcrypt, argon2, plaintext or none"
        )),
    }
}

pub(super) fn password_opts(name: &str, value: &Value) -> Parsed<BTreeMap<String, Value>> {
    match value {
        Value::Table(t) => Ok(t.clone().into_iter().collect()),
        _ => Err(format!("{name}: expected a table, e.g. {{ rounds = 12 }}")),
    }
}

pub(super) fn cache_kind(name: &str, value: &Value) -> Parsed<CacheKind> {
    match string(name, value)?.as_str() {
        "ttl" => Ok(CacheKind::Ttl),
        "redis" => Ok(CacheKind::Redis),
        "none" => Ok(CacheKind::None),
        other => Err(format!(
            "{name}: unexpected cache \"{other}\": expected ttl, redis or none"
        )),
    }
}

/// The options given; the others keep their defaults.
pub(super) fn cache_opts(name: &str, value: &Value) -> Parsed<CacheOptions> {
    let Value::Table(table) = value else {
        return Err(format!(
            "{name}: expected a table, e.g. {{ ttl = 600, url = \"redis://127.0.0.1:6379/0\" }}"
        ));
    };
    let mut options = CacheOptions::default();
    for (key, value) in table {
        let option = format!("{name}.{key}");
        match key.as_str() {
            "ttl" => match count(&option, value)? {
                ttl @ 0..=MAX_TTL => options.ttl = ttl as u64,
                _ => return Err(format!("{option}: at most {MAX_TTL} seconds (30 days)")),
            },
            "url" => options.url = Some(nonempty(&option, value)?),
            "host" => options.host = Some(nonempty(&option, value)?),
            "port" => {
                let port = count(&option, value)?;
                options.port = Some(u16::try_from(port).map_err(|_| format!("{option}: expected a port, 0 to 65535"))?);
            }
            "db" => {
                let db = count(&option, value)?;
                options.db = Some(u32::try_from(db).map_err(|_| format!("{option}: expected a database number"))?);
            }
            "timeout" => options.timeout = bounded_seconds(&option, value, 60.0)?,
            "retry" => options.retry = bounded_seconds(&option, value, 3600.0)?,
            "secret" => options.secret = Some(nonempty(&option, value)?),
            other => {
                return Err(format!(
                    "{name}: unexpected option \"{other}\": expected ttl, url, host, port, db, timeout, retry or secret"
                ))
            }
        }
    }
    if options.url.is_some()
        && (options.host.is_some() || options.port.is_some() || options.db.is_some())
    {
        return Err(format!("{name}: give either url or host, port and db"));
    }
    Ok(options)
}

/// The longest TTL of cached entries: 30 days.
const MAX_TTL: usize = 30 * 24 * 3600;

/// Seconds, more than 0 and at most `max`.
fn bounded_seconds(name: &str, value: &Value, max: f64) -> Parsed<f64> {
    match positive_seconds(name, value)? {
        seconds if seconds <= max => Ok(seconds),
        _ => Err(format!("{name}: at most {max} seconds")),
    }
}

pub(super) fn some_string(name: &str, value: &Value) -> Parsed<Option<String>> {
    string(name, value).map(Some)
}

pub(super) fn some_nonempty(name: &str, value: &Value) -> Parsed<Option<String>> {
    nonempty(name, value).map(Some)
}

pub(super) fn positive_seconds(name: &str, value: &Value) -> Parsed<f64> {
    match number(name, value)? {
        seconds if seconds > 0.0 => Ok(seconds),
        _ => Err(format!("{name}: expected a positive number of seconds")),
    }
}

pub(super) fn content_type(name: &str, value: &Value) -> Parsed<Option<String>> {
    let text = nonempty(name, value)?;
    HeaderValue::try_from(text.as_str())
        .map_err(|_| format!("{name}: invalid content type \"{text}\""))?;
    Ok(Some(text))
}

/// The options of `FSA_CORS_OPTS`.
const CORS_OPTIONS: [&str; 6] = [
    "origins",
    "methods",
    "headers",
    "expose_headers",
    "max_age",
    "supports_credentials",
];

pub(super) fn cors_opts(name: &str, value: &Value) -> Parsed<BTreeMap<String, Value>> {
    let Value::Table(table) = value else {
        return Err(format!(
            "{name}: expected a table, e.g. {{ origins = [\"https://example.com\"] }}"
        ));
    };
    if let Some(key) = table
        .keys()
        .find(|key| !CORS_OPTIONS.contains(&key.as_str()))
    {
        return Err(format!(
            "{name}: unexpected option \"{key}\": expected origins, methods, headers, expose_headers, max_age or supports_credentials"
        ));
    }
    Ok(table.clone().into_iter().collect())
}

/// `false`, or the budgets given (the others keep their defaults).
pub(super) fn throttle(name: &str, value: &Value) -> Parsed<Option<ThrottleOptions>> {
    let table = match value {
        Value::Boolean(false) => return Ok(None),
        Value::Boolean(true) => return Ok(Some(ThrottleOptions::default())),
        Value::Table(table) => table,
        _ => {
            return Err(format!(
            "{name}: expected false or a table, e.g. {{ login = 10, address = 100, window = 60 }}"
        ))
        }
    };
    let mut options = ThrottleOptions::default();
    for (key, value) in table {
        let option = format!("{name}.{key}");
        match key.as_str() {
            "login" => options.login = count(&option, value)? as u64,
            "address" => options.address = count(&option, value)? as u64,
            "window" => match count(&option, value)? {
                0 => return Err(format!("{option}: expected a number of seconds from 1")),
                seconds => options.window = seconds as u64,
            },
            other => {
                return Err(format!(
                    "{name}: unexpected option \"{other}\": expected login, address or window"
                ))
            }
        }
    }
    Ok(Some(options))
}

/// `FSA_OPENAPI`: `false`, `true`, or a table of options.
pub(super) fn openapi(name: &str, value: &Value) -> Parsed<Option<OpenApiOptions>> {
    let table = match value {
        Value::Boolean(false) => return Ok(None),
        Value::Boolean(true) => return Ok(Some(OpenApiOptions::default())),
        Value::Table(table) => table,
        _ => {
            return Err(format!(
                "{name}: expected a boolean or a table, e.g. {{ path = \"/openapi.json\", authz = \"OPEN\" }}"
            ))
        }
    };
    let mut options = OpenApiOptions::default();
    for (key, value) in table {
        let option = format!("{name}.{key}");
        match key.as_str() {
            "path" => {
                let path = nonempty(&option, value)?;
                if !path.starts_with('/')
                    || path.contains(['<', '>', '{', '}', '?', '#'])
                    || path.ends_with('*')
                {
                    return Err(format!(
                        "{option}: expected a plain path such as \"/openapi.json\", got {path:?}"
                    ));
                }
                options.path = path;
            }
            "authz" => options.authz = nonempty(&option, value)?,
            "title" => options.title = Some(nonempty(&option, value)?),
            "version" => options.version = nonempty(&option, value)?,
            "token_url" => options.token_url = Some(nonempty(&option, value)?),
            other => {
                return Err(format!(
                    "{name}: unexpected option \"{other}\": expected path, authz, title, version or token_url"
                ))
            }
        }
    }
    Ok(Some(options))
}

/// Header names, of one family: X-Forwarded-*, or Forwarded.
pub(super) fn proxy_headers(name: &str, value: &Value) -> Parsed<Vec<ProxyHeader>> {
    let mut headers = Vec::new();
    for text in strings(name, value)? {
        let header = match text.to_ascii_lowercase().as_str() {
            "x-forwarded-for" => ProxyHeader::XForwardedFor,
            "x-forwarded-proto" => ProxyHeader::XForwardedProto,
            "x-forwarded-host" => ProxyHeader::XForwardedHost,
            "forwarded" => ProxyHeader::Forwarded,
            other => {
                return Err(format!(
                    "{name}: unexpected header \"{other}\": expected x-forwarded-for, x-forwarded-proto, x-forwarded-host or forwarded"
                ))
            }
        };
        if !headers.contains(&header) {
            headers.push(header);
        }
    }
    if headers.contains(&ProxyHeader::Forwarded) && headers.len() > 1 {
        return Err(format!(
            "{name}: \"forwarded\" or the x-forwarded-* headers, not both: a proxy passes the family it does not write from the client untouched"
        ));
    }
    Ok(headers)
}

/// A list of networks (a single one may be given alone).
pub(super) fn networks(name: &str, value: &Value) -> Parsed<Vec<Network>> {
    strings(name, value)?
        .iter()
        .map(|text| text.parse().map_err(|why| format!("{name}: {why}")))
        .collect()
}

pub(super) fn add_headers(name: &str, value: &Value) -> Parsed<Vec<(String, String)>> {
    let Value::Table(table) = value else {
        return Err(format!(
            "{name}: expected a table of header names to values, e.g. {{ X-Frame-Options = \"DENY\" }}"
        ));
    };
    let mut headers = Vec::new();
    for (header, text) in table {
        let Value::String(text) = text else {
            return Err(format!(
                "{name}: header value must be a string: {header} = {text}"
            ));
        };
        HeaderName::try_from(header.as_str())
            .map_err(|_| format!("{name}: invalid header name \"{header}\""))?;
        HeaderValue::try_from(text.as_str())
            .map_err(|_| format!("{name}: invalid value for header {header}"))?;
        headers.push((header.clone(), text.clone()));
    }
    Ok(headers)
}

/// `FSA_AUTH` as FlaskSimpleAuth: a list is kept; a single scheme X means
/// `[token, X, none]`, except token, oauth and none; `password` is basic,
/// with param appended at the end.
pub(super) fn expand_auth(name: &str, value: &Value) -> Result<Vec<String>, String> {
    let schemes = match value {
        Value::String(s) if s.is_empty() => {
            return Err(format!("{name}: empty authentication configuration"))
        }
        Value::String(s) if matches!(s.as_str(), "token" | "oauth" | "none") => vec![s.clone()],
        Value::String(s) => vec!["token".into(), s.clone(), "none".into()],
        Value::Array(a) if a.is_empty() => {
            return Err(format!("{name}: empty authentication configuration"))
        }
        Value::Array(_) => strings(name, value)?,
        _ => {
            return Err(format!(
                "{name}: unexpected FSA_AUTH type: expected a scheme name or a list of them"
            ))
        }
    };
    Ok(expand_password(schemes))
}

/// `password` as FlaskSimpleAuth 36.0 expands it: removed from the list,
/// `basic` and `param` appended at its end (each once): `"password"`
/// gives `token, none, basic, param`; `["password", "token"]` gives
/// `token, basic, param`.
pub(crate) fn expand_password(schemes: Vec<String>) -> Vec<String> {
    if !schemes.iter().any(|s| s == "password") {
        return schemes;
    }
    let mut out: Vec<String> = Vec::new();
    let listed = schemes.into_iter().filter(|s| s != "password");
    for scheme in listed.chain(["basic".to_string(), "param".to_string()]) {
        if !out.contains(&scheme) {
            out.push(scheme);
        }
    }
    out
}

pub(super) fn string(name: &str, value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(format!(
            "{name}: expected a string, got {}",
            other.type_str()
        )),
    }
}

pub(super) fn nonempty(name: &str, value: &Value) -> Result<String, String> {
    let s = string(name, value)?;
    if s.is_empty() {
        return Err(format!("{name}: must not be empty"));
    }
    Ok(s)
}

pub(super) fn boolean(name: &str, value: &Value) -> Result<bool, String> {
    match value {
        Value::Boolean(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("{name}: expected true or false, got {other}")),
    }
}

pub(super) fn number(name: &str, value: &Value) -> Result<f64, String> {
    match value {
        Value::Float(f) if f.is_finite() => Ok(*f),
        Value::Integer(i) => Ok(*i as f64),
        other => Err(format!("{name}: expected a number, got {other}")),
    }
}

pub(super) fn count(name: &str, value: &Value) -> Result<usize, String> {
    match value {
        Value::Integer(i) if *i >= 0 => Ok(*i as usize),
        other => Err(format!(
            "{name}: expected a non-negative integer, got {other}"
        )),
    }
}

pub(super) fn status(name: &str, value: &Value) -> Result<u16, String> {
    match value {
        Value::Integer(i) if (100..=599).contains(i) => Ok(*i as u16),
        other => Err(format!(
            "{name}: expected an HTTP status (100 to 599), got {other}"
        )),
    }
}

pub(super) fn strings(name: &str, value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                other => Err(format!(
                    "{name}: unexpected item {other}: expected a non-empty string"
                )),
            })
            .collect(),
        other => Err(format!("{name}: expected a list of strings, got {other}")),
    }
}

pub(super) fn groups(name: &str, value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                Value::Integer(i) => Ok(i.to_string()),
                other => Err(format!(
                    "{name}: invalid group type {other}: expected a string or an integer"
                )),
            })
            .collect(),
        other => strings(name, other),
    }
}
