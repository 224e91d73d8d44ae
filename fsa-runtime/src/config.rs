//! Configuration: FlaskSimpleAuth's `FSA_*` directives, read from a TOML
//! file and overridden by environment variables of the same names.
//!
//! ```toml
//! FSA_MODE = "dev"
//! FSA_AUTH = ["token", "basic"]
//! FSA_TOKEN_TYPE = "jwt"
//! FSA_TOKEN_SECRET = { env = "ACME_SECRET" }   # taken from the environment
//! ```
//!
//! Every value is checked when read: an unknown `FSA_*` name or a bad value
//! is a [`ConfigError`] naming it, before the server listens.

use crate::errors::{ConfigError, ErrorFormat};
use std::collections::BTreeMap;
use toml::Value;

/// Verbosity (`FSA_MODE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Mode {
    /// `prod`: no debugging headers.
    #[default]
    Prod,
    /// `dev`: `FSA-Request`, `FSA-User` and `FSA-Delay` headers.
    Dev,
    /// `debug` (= `debug1`) to `debug4`: dev, with more logs.
    Debug(u8),
}

/// Token format (`FSA_TOKEN_TYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenType {
    /// `realm:user:limit:signature`.
    Fsa,
    /// JSON Web Tokens.
    Jwt,
}

/// Where tokens travel (`FSA_TOKEN_CARRIER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenCarrier {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A cookie.
    Cookie,
    /// A custom header.
    Header,
    /// A request parameter.
    Param,
}

/// Every setting, typed, with FlaskSimpleAuth's defaults.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// `FSA_MODE`, default `prod`.
    pub mode: Mode,
    /// `FSA_LOGGING_LEVEL`, default `info`.
    pub logging_level: String,
    /// `FSA_SECURE`: refuse plain HTTP from non-loopback peers (true).
    pub secure: bool,
    /// `FSA_SERVER_ERROR`: status of fsa's internal errors (500).
    pub server_error: u16,
    /// `FSA_NOT_FOUND_ERROR`: status when an object is unknown (404).
    pub not_found_error: u16,
    /// `FSA_ERROR_RESPONSE`: `plain`, `json` or `json:KEY`.
    pub error_response: ErrorFormat,
    /// `FSA_AUTH`, expanded: the schemes tried, in order.
    pub auth: Vec<String>,
    /// `FSA_AUTH_DEFAULT`: schemes of routes without `authn`.
    pub auth_default: Option<Vec<String>>,
    /// `FSA_REALM`, default the application's name.
    pub realm: Option<String>,
    /// `FSA_FAKE_LOGIN` (`LOGIN`).
    pub fake_login: String,
    /// `FSA_PARAM_USER` (`USER`).
    pub param_user: String,
    /// `FSA_PARAM_PASS` (`PASS`).
    pub param_pass: String,
    /// `FSA_HTTPD_HEADER` (fsa's own): the trusted header set by a fronting
    /// web server for `httpd` authentication; unset by default.
    pub httpd_header: Option<String>,
    /// `FSA_TOKEN_TYPE`: `fsa` (default), `jwt`, or none.
    pub token_type: Option<TokenType>,
    /// `FSA_TOKEN_ALGO`: `blake2s` (fsa) or `HS256` (jwt) by default.
    pub token_algo: Option<String>,
    /// `FSA_TOKEN_CARRIER` (`bearer`).
    pub token_carrier: TokenCarrier,
    /// `FSA_TOKEN_NAME`, default per carrier.
    pub token_name: Option<String>,
    /// `FSA_TOKEN_DELAY` in minutes (60).
    pub token_delay: f64,
    /// `FSA_TOKEN_GRACE` in minutes (0).
    pub token_grace: f64,
    /// `FSA_TOKEN_LENGTH`: fsa signature bytes kept (16).
    pub token_length: usize,
    /// `FSA_TOKEN_SECRET`: random per process when unset.
    pub token_secret: Option<String>,
    /// `FSA_TOKEN_SIGN`: private key of public-key JWT algorithms.
    pub token_sign: Option<String>,
    /// `FSA_TOKEN_RENEWAL`: cookie renewal fraction (0).
    pub token_renewal: f64,
    /// `FSA_TOKEN_ISSUER`.
    pub token_issuer: Option<String>,
    /// `FSA_PASSWORD_SCHEME`: `bcrypt` (default), `argon2`, `plaintext`, or none.
    pub password_scheme: Option<String>,
    /// `FSA_PASSWORD_OPTS`: scheme options (`rounds` for bcrypt...).
    pub password_opts: BTreeMap<String, Value>,
    /// `FSA_PASSWORD_LENGTH`: minimal length for `hash_password` (0).
    pub password_length: usize,
    /// `FSA_PASSWORD_RE`: regexes a new password must match.
    pub password_re: Vec<String>,
    /// `FSA_AUTHZ_GROUPS`: declared groups.
    pub authz_groups: Vec<String>,
    /// `FSA_AUTHZ_SCOPES`: declared OAuth scopes.
    pub authz_scopes: Vec<String>,
    /// `FSA_REJECT_UNEXPECTED_PARAM` (true).
    pub reject_unexpected_param: bool,
    /// `FSA_CACHE`: `ttl` (default) or `none`.
    pub cache: String,
    /// `FSA_CACHE_SIZE` (262144).
    pub cache_size: usize,
    /// `FSA_CACHE_OPTS`: `ttl` in seconds (600).
    pub cache_ttl: u64,
    /// `FSA_CACHE_PREFIX`.
    pub cache_prefix: Option<String>,
    /// `FSA_MAX_BODY` (fsa's own): largest request body read, in bytes
    /// (2 MiB); larger bodies get 413.
    pub max_body: usize,
    /// `FSA_MAX_HEADER_SIZE` (fsa's own): largest total size of request
    /// headers, in bytes (16 KiB); larger get 431.
    pub max_header_size: usize,
    /// `FSA_MAX_PARAMS` (fsa's own, Werkzeug's `max_form_parts`): most
    /// request parameters read, query, form, multipart parts and JSON
    /// members together (1000); more get 413.
    pub max_params: usize,
    /// `FSA_BODY_TIMEOUT` (fsa's own): seconds a request body may take to
    /// arrive whole (30); a slower one gets 408.
    pub body_timeout: f64,
    /// `FSA_MAX_LOGIN` (fsa's own): longest login, in bytes, that the
    /// password schemes look up (256); a longer one gets the 401 of a
    /// wrong password.
    pub max_login: usize,
    /// `FSA_CACHE_MEMORY` (fsa's own): bytes the cache may hold, keys and
    /// answers (64 MiB); the least used entries go first.
    pub cache_memory: usize,
    /// `FSA_HANDLE_ALL_ERRORS` (true): actix's own errors (404, 405, ...)
    /// also go through the error format.
    pub handle_all_errors: bool,
    /// `FSA_DEFAULT_CONTENT_TYPE`: content type of text answers.
    pub default_content_type: Option<String>,
    /// `FSA_JSON_STREAMING` (true): [`JsonStream`](crate::web::JsonStream)
    /// answers are streamed rather than built whole.
    pub json_streaming: bool,
    /// `FSA_401_REDIRECT`: a 401 becomes a 307 to this URL.
    pub redirect_401: Option<String>,
    /// `FSA_URL_NAME`: the parameter carrying the original URL (`URL`).
    pub url_name: Option<String>,
    /// `FSA_CORS` (false): answer CORS requests, preflights unauthenticated.
    pub cors: bool,
    /// `FSA_CORS_OPTS`: `origins`, `methods`, `headers`, `expose_headers`,
    /// `max_age`, `supports_credentials`.
    pub cors_opts: BTreeMap<String, Value>,
    /// `FSA_ADD_HEADERS`: fixed headers added to every answer.
    pub add_headers: Vec<(String, String)>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            mode: Mode::Prod,
            logging_level: "info".into(),
            secure: true,
            server_error: 500,
            not_found_error: 404,
            error_response: ErrorFormat::Plain,
            auth: Vec::new(),
            auth_default: None,
            realm: None,
            fake_login: "LOGIN".into(),
            param_user: "USER".into(),
            param_pass: "PASS".into(),
            httpd_header: None,
            token_type: Some(TokenType::Fsa),
            token_algo: None,
            token_carrier: TokenCarrier::Bearer,
            token_name: None,
            token_delay: 60.0,
            token_grace: 0.0,
            token_length: 16,
            token_secret: None,
            token_sign: None,
            token_renewal: 0.0,
            token_issuer: None,
            password_scheme: Some("bcrypt".into()),
            password_opts: BTreeMap::new(),
            password_length: 0,
            password_re: Vec::new(),
            authz_groups: Vec::new(),
            authz_scopes: Vec::new(),
            reject_unexpected_param: true,
            cache: "ttl".into(),
            cache_size: 262_144,
            cache_ttl: 600,
            cache_prefix: None,
            max_body: 2 * 1024 * 1024,
            max_header_size: 16 * 1024,
            max_params: 1000,
            body_timeout: 30.0,
            max_login: 256,
            cache_memory: 64 * 1024 * 1024,
            handle_all_errors: true,
            default_content_type: None,
            json_streaming: true,
            redirect_401: None,
            url_name: None,
            cors: false,
            cors_opts: BTreeMap::new(),
            add_headers: Vec::new(),
        }
    }
}

/// FlaskSimpleAuth directives that have no meaning in fsa, and why.
const NOT_APPLICABLE: &[(&str, &str)] = &[
    (
        "FSA_LOCAL",
        "Rust has no thread-local request proxies: each request has its own context",
    ),
    (
        "FSA_HTTP_AUTH_OPTS",
        "Flask-HTTPAuth schemes do not exist in fsa",
    ),
    (
        "FSA_KEEP_USER_ERRORS",
        "a panic or error in user code is always a 500 for that request only",
    ),
    (
        "FSA_CACHED_OPTS",
        "the cache is configured with FSA_CACHE, FSA_CACHE_SIZE and FSA_CACHE_OPTS",
    ),
    (
        "FSA_ALLOW_DEPRECATION",
        "deprecated forms are compile errors that say what to write instead",
    ),
    (
        "FSA_GET_USER_PASS",
        "hooks are registered in code: `.get_user_pass(f)`",
    ),
    (
        "FSA_AUTHENTICATION",
        "hooks are registered in code: `.authentication(\"name\", f)`",
    ),
    (
        "FSA_GROUP_CHECK",
        "hooks are registered in code: `.group_check(\"group\", f)`",
    ),
    (
        "FSA_USER_IN_GROUP",
        "hooks are registered in code: `.user_in_group(f)`",
    ),
    (
        "FSA_OBJECT_PERMS",
        "hooks are registered in code: `.object_perms(\"domain\", f)`",
    ),
    (
        "FSA_PASSWORD_QUALITY",
        "hooks are registered in code: `.password_quality(f)`",
    ),
    (
        "FSA_PASSWORD_CHECK",
        "hooks are registered in code: `.password_check(f)`",
    ),
    ("FSA_CAST", "parameter types implement a trait: see `Param`"),
    (
        "FSA_SPECIAL_PARAMETER",
        "parameter types implement a trait: see `Param`",
    ),
    ("FSA_BEFORE_REQUEST", "hooks are registered in code"),
    ("FSA_BEFORE_EXEC", "hooks are registered in code"),
    ("FSA_AFTER_REQUEST", "hooks are registered in code"),
    ("FSA_PATH_CHECK", "hooks are registered in code"),
    (
        "FSA_JSON_CONVERTER",
        "JSON goes through serde: implement `Serialize`",
    ),
    (
        "FSA_JSON_ALLSTR",
        "JSON goes through serde: implement `Serialize`",
    ),
];

type Setter = fn(&mut Config, &str, &Value) -> Result<(), String>;

/// Each directive fsa reads, with its parser.
const DIRECTIVES: &[(&str, Setter)] = &[
    ("FSA_MODE", |c, n, v| {
        c.mode = match string(n, v)?.as_str() {
            "prod" => Mode::Prod,
            "dev" => Mode::Dev,
            "debug" | "debug1" => Mode::Debug(1),
            "debug2" => Mode::Debug(2),
            "debug3" => Mode::Debug(3),
            "debug4" => Mode::Debug(4),
            other => {
                return Err(format!(
                "{n}: unexpected mode \"{other}\": expected prod, dev, debug or debug1 to debug4"
            ))
            }
        };
        Ok(())
    }),
    ("FSA_LOGGING_LEVEL", |c, n, v| {
        let level = match v {
            Value::Integer(i) => match i {
                0..=10 => "debug",
                11..=20 => "info",
                21..=30 => "warn",
                _ => "error",
            }
            .to_string(),
            _ => string(n, v)?.to_ascii_lowercase(),
        };
        match level.as_str() {
            "trace" | "debug" | "info" | "warn" | "warning" | "error" | "critical" => {
                c.logging_level = level;
                Ok(())
            }
            other => Err(format!(
                "{n}: unexpected level \"{other}\": expected debug, info, warn or error"
            )),
        }
    }),
    ("FSA_SECURE", |c, n, v| set(&mut c.secure, boolean(n, v)?)),
    ("FSA_SERVER_ERROR", |c, n, v| {
        set(&mut c.server_error, status(n, v)?)
    }),
    ("FSA_NOT_FOUND_ERROR", |c, n, v| {
        set(&mut c.not_found_error, status(n, v)?)
    }),
    ("FSA_ERROR_RESPONSE", |c, n, v| {
        c.error_response = ErrorFormat::parse(&string(n, v)?)?;
        Ok(())
    }),
    ("FSA_AUTH", |c, n, v| {
        c.auth = expand_auth(n, v)?;
        Ok(())
    }),
    ("FSA_AUTH_DEFAULT", |c, n, v| {
        let schemes = match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(_) => strings(n, v)?,
            _ => return Err(format!("{n}: expected a scheme name or a list of them")),
        };
        c.auth_default = Some(expand_password(schemes));
        Ok(())
    }),
    ("FSA_REALM", |c, n, v| {
        set(&mut c.realm, Some(nonempty(n, v)?))
    }),
    ("FSA_FAKE_LOGIN", |c, n, v| {
        set(&mut c.fake_login, nonempty(n, v)?)
    }),
    ("FSA_PARAM_USER", |c, n, v| {
        set(&mut c.param_user, nonempty(n, v)?)
    }),
    ("FSA_PARAM_PASS", |c, n, v| {
        set(&mut c.param_pass, nonempty(n, v)?)
    }),
    ("FSA_HTTPD_HEADER", |c, n, v| {
        set(&mut c.httpd_header, Some(nonempty(n, v)?))
    }),
    ("FSA_TOKEN_TYPE", |c, n, v| {
        c.token_type = match v {
            Value::String(s) => match s.as_str() {
                "fsa" => Some(TokenType::Fsa),
                "jwt" => Some(TokenType::Jwt),
                "none" | "" => None,
                other => {
                    return Err(format!(
                        "{n}: unexpected token type \"{other}\": expected fsa, jwt or none"
                    ))
                }
            },
            _ => return Err(format!("{n}: expected \"fsa\", \"jwt\" or \"none\"")),
        };
        Ok(())
    }),
    ("FSA_TOKEN_ALGO", |c, n, v| {
        set(&mut c.token_algo, Some(nonempty(n, v)?))
    }),
    ("FSA_TOKEN_CARRIER", |c, n, v| {
        c.token_carrier = match string(n, v)?.as_str() {
            "bearer" => TokenCarrier::Bearer,
            "cookie" => TokenCarrier::Cookie,
            "header" => TokenCarrier::Header,
            "param" => TokenCarrier::Param,
            other => {
                return Err(format!(
                    "{n}: unexpected carrier \"{other}\": expected bearer, cookie, header or param"
                ))
            }
        };
        Ok(())
    }),
    ("FSA_TOKEN_NAME", |c, n, v| {
        c.token_name =
            Some(nonempty(n, v).map_err(|_| format!("{n}: the token carrier requires a name"))?);
        Ok(())
    }),
    ("FSA_TOKEN_DELAY", |c, n, v| {
        set(&mut c.token_delay, number(n, v)?)
    }),
    ("FSA_TOKEN_GRACE", |c, n, v| {
        set(&mut c.token_grace, number(n, v)?)
    }),
    ("FSA_TOKEN_LENGTH", |c, n, v| {
        set(&mut c.token_length, count(n, v)?)
    }),
    ("FSA_TOKEN_SECRET", |c, n, v| {
        set(&mut c.token_secret, Some(nonempty(n, v)?))
    }),
    ("FSA_TOKEN_SIGN", |c, n, v| {
        set(&mut c.token_sign, Some(nonempty(n, v)?))
    }),
    ("FSA_TOKEN_RENEWAL", |c, n, v| {
        set(&mut c.token_renewal, number(n, v)?)
    }),
    ("FSA_TOKEN_ISSUER", |c, n, v| {
        set(&mut c.token_issuer, Some(nonempty(n, v)?))
    }),
    ("FSA_PASSWORD_SCHEME", |c, n, v| {
        let scheme = string(n, v)?;
        let bare = scheme.strip_prefix("fsa:").unwrap_or(&scheme);
        c.password_scheme = match bare {
            "none" | "" => None,
            "bcrypt" | "argon2" | "plaintext" => Some(bare.to_string()),
            other => return Err(format!("{n}: unexpected password scheme \"{other}\": expected bcrypt, argon2, plaintext or none")),
        };
        Ok(())
    }),
    ("FSA_PASSWORD_OPTS", |c, n, v| match v {
        Value::Table(t) => {
            c.password_opts = t.clone().into_iter().collect();
            Ok(())
        }
        _ => Err(format!("{n}: expected a table, e.g. {{ rounds = 12 }}")),
    }),
    ("FSA_PASSWORD_LENGTH", |c, n, v| {
        set(&mut c.password_length, count(n, v)?)
    }),
    ("FSA_PASSWORD_RE", |c, n, v| {
        set(&mut c.password_re, strings(n, v)?)
    }),
    ("FSA_AUTHZ_GROUPS", |c, n, v| {
        set(&mut c.authz_groups, groups(n, v)?)
    }),
    ("FSA_AUTHZ_SCOPES", |c, n, v| {
        set(&mut c.authz_scopes, strings(n, v)?)
    }),
    ("FSA_REJECT_UNEXPECTED_PARAM", |c, n, v| {
        set(&mut c.reject_unexpected_param, boolean(n, v)?)
    }),
    ("FSA_CACHE", |c, n, v| {
        let kind = string(n, v)?;
        match kind.as_str() {
            "ttl" | "none" => set(&mut c.cache, kind),
            other => Err(format!(
                "{n}: unexpected cache \"{other}\": expected ttl or none"
            )),
        }
    }),
    ("FSA_CACHE_SIZE", |c, n, v| {
        set(&mut c.cache_size, count(n, v)?)
    }),
    ("FSA_CACHE_OPTS", |c, n, v| match v {
        Value::Table(t) => {
            for (key, value) in t {
                match key.as_str() {
                    "ttl" => c.cache_ttl = count(&format!("{n}.ttl"), value)? as u64,
                    other => {
                        return Err(format!("{n}: unexpected option \"{other}\": expected ttl"))
                    }
                }
            }
            Ok(())
        }
        _ => Err(format!("{n}: expected a table, e.g. {{ ttl = 600 }}")),
    }),
    ("FSA_CACHE_PREFIX", |c, n, v| {
        set(&mut c.cache_prefix, Some(string(n, v)?))
    }),
    ("FSA_MAX_BODY", |c, n, v| set(&mut c.max_body, count(n, v)?)),
    ("FSA_MAX_HEADER_SIZE", |c, n, v| {
        set(&mut c.max_header_size, count(n, v)?)
    }),
    ("FSA_MAX_PARAMS", |c, n, v| {
        set(&mut c.max_params, count(n, v)?)
    }),
    ("FSA_BODY_TIMEOUT", |c, n, v| {
        let seconds = number(n, v)?;
        if seconds <= 0.0 {
            return Err(format!("{n}: expected a positive number of seconds"));
        }
        set(&mut c.body_timeout, seconds)
    }),
    ("FSA_MAX_LOGIN", |c, n, v| {
        set(&mut c.max_login, count(n, v)?)
    }),
    ("FSA_CACHE_MEMORY", |c, n, v| {
        set(&mut c.cache_memory, count(n, v)?)
    }),
    ("FSA_HANDLE_ALL_ERRORS", |c, n, v| {
        set(&mut c.handle_all_errors, boolean(n, v)?)
    }),
    ("FSA_DEFAULT_CONTENT_TYPE", |c, n, v| {
        let value = nonempty(n, v)?;
        actix_web::http::header::HeaderValue::try_from(value.as_str())
            .map_err(|_| format!("{n}: invalid content type \"{value}\""))?;
        set(&mut c.default_content_type, Some(value))
    }),
    ("FSA_JSON_STREAMING", |c, n, v| {
        set(&mut c.json_streaming, boolean(n, v)?)
    }),
    ("FSA_401_REDIRECT", |c, n, v| {
        set(&mut c.redirect_401, Some(nonempty(n, v)?))
    }),
    ("FSA_URL_NAME", |c, n, v| {
        set(&mut c.url_name, Some(nonempty(n, v)?))
    }),
    ("FSA_CORS", |c, n, v| set(&mut c.cors, boolean(n, v)?)),
    ("FSA_CORS_OPTS", |c, n, v| match v {
        Value::Table(t) => {
            for key in t.keys() {
                if ![
                    "origins",
                    "methods",
                    "headers",
                    "expose_headers",
                    "max_age",
                    "supports_credentials",
                ]
                .contains(&key.as_str())
                {
                    return Err(format!("{n}: unexpected option \"{key}\": expected origins, methods, headers, expose_headers, max_age or supports_credentials"));
                }
            }
            set(&mut c.cors_opts, t.clone().into_iter().collect())
        }
        _ => Err(format!(
            "{n}: expected a table, e.g. {{ origins = [\"https://example.com\"] }}"
        )),
    }),
    ("FSA_ADD_HEADERS", |c, n, v| {
        match v {
        Value::Table(t) => {
            let mut headers = Vec::new();
            for (name, value) in t {
                let Value::String(value) = value else {
                    return Err(format!("{n}: header value must be a string: {name} = {value}"));
                };
                actix_web::http::header::HeaderName::try_from(name.as_str())
                    .map_err(|_| format!("{n}: invalid header name \"{name}\""))?;
                actix_web::http::header::HeaderValue::try_from(value.as_str())
                    .map_err(|_| format!("{n}: invalid value for header {name}"))?;
                headers.push((name.clone(), value.clone()));
            }
            set(&mut c.add_headers, headers)
        }
        _ => Err(format!("{n}: expected a table of header names to values, e.g. {{ X-Frame-Options = \"DENY\" }}")),
    }
    }),
];

impl Config {
    /// Whether fsa logs at `level` (`FSA_LOGGING_LEVEL`).
    pub fn logs(&self, level: tracing::Level) -> bool {
        let minimum = match self.logging_level.as_str() {
            "trace" => tracing::Level::TRACE,
            "debug" => tracing::Level::DEBUG,
            "info" => tracing::Level::INFO,
            "warn" | "warning" => tracing::Level::WARN,
            _ => tracing::Level::ERROR,
        };
        // tracing orders levels by verbosity: ERROR < WARN < ... < TRACE.
        level <= minimum
    }

    /// Reads directives from TOML text; keys not starting with `FSA_` are
    /// left to the application.
    ///
    /// ```
    /// let config = fsa_runtime::config::Config::from_toml_str(r#"FSA_AUTH = "basic""#).unwrap();
    /// assert_eq!(config.auth, ["token", "basic", "none"]);
    /// assert!(fsa_runtime::config::Config::from_toml_str("FSA_AUHT = 1").is_err());
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_in(text, &ProcessEnvironment)
    }

    /// [`from_toml_str`](Self::from_toml_str), `{ env = ... }` read from `env`.
    fn from_toml_in(text: &str, env: &dyn Environment) -> Result<Self, ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e| ConfigError::new(format!("invalid TOML: {e}")))?;
        let mut config = Self::default();
        let directives = table.iter().map(|(k, v)| (k.clone(), v.clone(), None));
        config.apply(directives, env)?;
        Ok(config)
    }

    /// Reads the TOML file at `path`, then applies every `FSA_*`
    /// environment variable over it.
    ///
    /// ```no_run
    /// let config = fsa_runtime::config::Config::from_file("acme.toml")?;
    /// # Ok::<(), fsa_runtime::ConfigError>(())
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        Self::load(
            Some((path, path.display().to_string())),
            &ProcessEnvironment,
        )
    }

    /// Reads the file named by environment variable `var` (if set), then
    /// applies every `FSA_*` environment variable over it.
    pub fn from_env(var: &str) -> Result<Self, ConfigError> {
        let path = std::env::var_os(var);
        let file = path.as_ref().map(|path| {
            let what = format!("{var}={}", path.to_string_lossy());
            (std::path::Path::new(path), what)
        });
        Self::load(file, &ProcessEnvironment)
    }

    /// Reads the file named by environment variable `var`, or `default`
    /// when `var` is unset, then applies every `FSA_*` environment variable
    /// over it.
    ///
    /// ```no_run
    /// let config = fsa_runtime::config::Config::from_env_or("ACME_CONFIG", "acme.toml")?;
    /// # Ok::<(), fsa_runtime::ConfigError>(())
    /// ```
    pub fn from_env_or(
        var: &str,
        default: impl AsRef<std::path::Path>,
    ) -> Result<Self, ConfigError> {
        let default = default.as_ref();
        let file = match std::env::var_os(var) {
            Some(path) => {
                let what = format!("{var}={}", path.to_string_lossy());
                (std::path::PathBuf::from(path), what)
            }
            None => {
                let what = format!(
                    "{} (the default of {var}, which is unset)",
                    default.display()
                );
                (default.to_path_buf(), what)
            }
        };
        Self::load(Some((&file.0, file.1)), &ProcessEnvironment)
    }

    /// The directives of a TOML file if any (`what` names it in errors),
    /// then every `FSA_*` variable of `env`; every problem at once.
    fn load(
        file: Option<(&std::path::Path, String)>,
        env: &dyn Environment,
    ) -> Result<Self, ConfigError> {
        let mut config = match file {
            None => Self::default(),
            Some((path, what)) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    let cwd = std::env::current_dir().unwrap_or_default();
                    ConfigError::new(format!(
                        "cannot read {what}: {e} (relative paths start at {})",
                        cwd.display()
                    ))
                })?;
                Self::from_toml_in(&text, env).map_err(|e| e.within(&path.display().to_string()))?
            }
        };
        let (overrides, mut problems) = environment_directives(env.vars().into_iter());
        if let Err(more) = config.apply(overrides.into_iter(), env) {
            problems.extend(more.problems().iter().cloned());
        }
        ConfigError::from_problems(problems)?;
        Ok(config)
    }

    /// Applies directives, collecting every problem. An environment value
    /// (`raw`) is read as TOML first, then as the plain string when that
    /// does not fit: `FSA_TOKEN_SECRET=0x1F` stays the string `0x1F`.
    fn apply(
        &mut self,
        pairs: impl Iterator<Item = Directive>,
        env: &dyn Environment,
    ) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        for (name, value, raw) in pairs {
            if !name.starts_with("FSA_") {
                continue;
            }
            let resolved = match raw {
                // `{ env = "VAR" }` in a file: VAR's value, read as an
                // environment value.
                None => resolve_env(&name, value, env),
                // In the environment itself, a value is as given.
                Some(_) if is_env_table(&value) => Err(format!(
                    "{name}: {{ env = \"...\" }} names a variable in a configuration file only: in the environment, give the value itself"
                )),
                Some(raw) => Ok(Some((value, Some(raw)))),
            };
            let (value, raw) = match resolved {
                Ok(Some(resolved)) => resolved,
                Ok(None) => continue,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            if let Some((_, setter)) = DIRECTIVES.iter().find(|(n, _)| *n == name) {
                if let Err(problem) = setter(self, &name, &value) {
                    let as_text = raw.map(Value::String).filter(|text| *text != value);
                    if as_text.is_none_or(|text| setter(self, &name, &text).is_err()) {
                        problems.push(problem);
                    }
                }
            } else if let Some((_, why)) = NOT_APPLICABLE.iter().find(|(n, _)| *n == name) {
                problems.push(format!("{name} does not apply to fsa: {why}"));
            } else {
                problems.push(format!("unexpected directive {name}{}", suggest(&name)));
            }
        }
        ConfigError::from_problems(problems)
    }
}

/// The environment a configuration reads: the process's, or a test's.
trait Environment {
    /// The value of variable `name`, if set.
    fn var(&self, name: &str) -> Option<std::ffi::OsString>;
    /// Every variable.
    fn vars(&self) -> Vec<(std::ffi::OsString, std::ffi::OsString)>;
}

/// The process's environment.
struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<std::ffi::OsString> {
        std::env::var_os(name)
    }
    fn vars(&self) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
        std::env::vars_os().collect()
    }
}

/// Whether a value is `{ env = ... }`.
fn is_env_table(value: &Value) -> bool {
    matches!(value, Value::Table(table) if table.contains_key("env"))
}

/// `{ env = "ACME_SECRET" }` takes the value from the environment, read as
/// an `FSA_*` variable is (TOML, else the plain text); when the variable
/// is unset, the `default` key if any, else the directive's default. A
/// variable that is not UTF-8 is a problem, never taken as unset.
fn resolve_env(
    name: &str,
    value: Value,
    env: &dyn Environment,
) -> Result<Option<(Value, Option<String>)>, String> {
    if !is_env_table(&value) {
        return Ok(Some((value, None)));
    }
    let Value::Table(table) = value else {
        return Ok(None);
    };
    let Some(Value::String(var)) = table.get("env") else {
        return Err(format!(
            "{name}: `env` names an environment variable: {{ env = \"ACME_SECRET\" }}"
        ));
    };
    match env.var(var).map(std::ffi::OsString::into_string) {
        None => Ok(table.get("default").cloned().map(|value| (value, None))),
        Some(Ok(text)) => Ok(Some((parse_env_value(&text), Some(text)))),
        Some(Err(_)) => Err(format!(
            "{name}: environment variable {var} is not valid UTF-8"
        )),
    }
}

/// A directive to apply: its name, its value, and the text it was read
/// from when it came from the environment.
type Directive = (String, Value, Option<String>);

/// The `FSA_*` variables of an environment as directives (name, value,
/// text), and a problem for each one that is not UTF-8; other variables
/// are the application's, whatever their bytes.
fn environment_directives(
    vars: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> (Vec<Directive>, Vec<String>) {
    let (mut directives, mut problems) = (Vec::new(), Vec::new());
    for (name, value) in vars {
        if !name.as_encoded_bytes().starts_with(b"FSA_") {
            continue;
        }
        match (name.into_string(), value.into_string()) {
            (Ok(name), Ok(value)) => {
                directives.push((name, parse_env_value(&value), Some(value)));
            }
            (Ok(name), Err(_)) => {
                problems.push(format!("environment variable {name} is not valid UTF-8"))
            }
            (Err(name), _) => problems.push(format!(
                "environment variable {} has a name that is not valid UTF-8",
                name.to_string_lossy()
            )),
        }
    }
    (directives, problems)
}

/// An environment value: TOML when it parses as a TOML value (`true`,
/// `42`, `["token", "basic"]`, `{ ttl = 60 }`), else the plain string.
fn parse_env_value(text: &str) -> Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(text.to_string()))
}

fn suggest(name: &str) -> String {
    let all = DIRECTIVES
        .iter()
        .map(|(n, _)| *n)
        .chain(NOT_APPLICABLE.iter().map(|(n, _)| *n));
    all.min_by_key(|known| distance(name, known))
        .filter(|known| distance(name, known) <= 3)
        .map(|known| format!(": did you mean {known}?"))
        .unwrap_or_default()
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// `FSA_AUTH` as FlaskSimpleAuth: a list is kept; a single scheme X means
/// `[token, X, none]`, except token, oauth and none; `password` is basic,
/// with param appended at the end.
fn expand_auth(name: &str, value: &Value) -> Result<Vec<String>, String> {
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

/// Replaces `password` by `basic`, with `param` appended at the end.
pub(crate) fn expand_password(schemes: Vec<String>) -> Vec<String> {
    if !schemes.iter().any(|s| s == "password") {
        return schemes;
    }
    let mut out: Vec<String> = Vec::new();
    for scheme in schemes {
        let scheme = if scheme == "password" {
            "basic".to_string()
        } else {
            scheme
        };
        if !out.contains(&scheme) {
            out.push(scheme);
        }
    }
    out.retain(|s| s != "param");
    out.push("param".into());
    out
}

/// Stores a parsed value.
fn set<T>(slot: &mut T, value: T) -> Result<(), String> {
    *slot = value;
    Ok(())
}

fn string(name: &str, value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(format!(
            "{name}: expected a string, got {}",
            other.type_str()
        )),
    }
}

fn nonempty(name: &str, value: &Value) -> Result<String, String> {
    let s = string(name, value)?;
    if s.is_empty() {
        return Err(format!("{name}: must not be empty"));
    }
    Ok(s)
}

fn boolean(name: &str, value: &Value) -> Result<bool, String> {
    match value {
        Value::Boolean(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("{name}: expected true or false, got {other}")),
    }
}

fn number(name: &str, value: &Value) -> Result<f64, String> {
    match value {
        Value::Float(f) if f.is_finite() => Ok(*f),
        Value::Integer(i) => Ok(*i as f64),
        other => Err(format!("{name}: expected a number, got {other}")),
    }
}

fn count(name: &str, value: &Value) -> Result<usize, String> {
    match value {
        Value::Integer(i) if *i >= 0 => Ok(*i as usize),
        other => Err(format!(
            "{name}: expected a non-negative integer, got {other}"
        )),
    }
}

fn status(name: &str, value: &Value) -> Result<u16, String> {
    match value {
        Value::Integer(i) if (100..=599).contains(i) => Ok(*i as u16),
        other => Err(format!(
            "{name}: expected an HTTP status (100 to 599), got {other}"
        )),
    }
}

fn strings(name: &str, value: &Value) -> Result<Vec<String>, String> {
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

fn groups(name: &str, value: &Value) -> Result<Vec<String>, String> {
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

#[cfg(test)]
mod should {
    use super::*;
    use std::ffi::OsString;

    /// A test's environment: these variables only.
    struct Vars(Vec<(OsString, OsString)>);

    impl Vars {
        fn of(pairs: &[(&str, &[u8])]) -> Self {
            let os = |bytes: &[u8]| -> OsString {
                #[cfg(unix)]
                {
                    std::os::unix::ffi::OsStringExt::from_vec(bytes.to_vec())
                }
                #[cfg(not(unix))]
                {
                    String::from_utf8_lossy(bytes).into_owned().into()
                }
            };
            Vars(pairs.iter().map(|(n, v)| (n.into(), os(v))).collect())
        }
    }

    impl Environment for Vars {
        fn var(&self, name: &str) -> Option<OsString> {
            self.0
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        }
        fn vars(&self) -> Vec<(OsString, OsString)> {
            self.0.clone()
        }
    }

    const NONE: Vars = Vars(Vec::new());

    #[test]
    fn expand_a_single_scheme_as_flask_simple_auth() {
        let auth = |text: &str| Config::from_toml_str(text).unwrap().auth;
        assert_eq!(auth("FSA_AUTH = \"basic\""), ["token", "basic", "none"]);
        assert_eq!(auth("FSA_AUTH = \"token\""), ["token"]);
        assert_eq!(
            auth("FSA_AUTH = [\"token\", \"basic\"]"),
            ["token", "basic"]
        );
        assert_eq!(
            auth("FSA_AUTH = \"password\""),
            ["token", "basic", "none", "param"]
        );
    }

    #[test]
    fn refuse_unknown_directives_and_bad_values_naming_them() {
        let problems = |text: &str| Config::from_toml_str(text).unwrap_err().problems().to_vec();
        assert!(problems("FSA_MODEE = \"dev\"")[0].contains("did you mean FSA_MODE"));
        assert!(problems("FSA_MODE = \"loud\"")[0].contains("FSA_MODE"));
        assert!(problems("FSA_SECURE = 3")[0].contains("FSA_SECURE"));
        assert!(problems("FSA_AUTH = []")[0].contains("empty"));
        assert!(problems("FSA_LOCAL = \"thread\"")[0].contains("does not apply"));
        assert_eq!(problems("FSA_MODE = 1\nFSA_AUTH = 2").len(), 2);
    }

    #[test]
    fn leave_non_fsa_keys_to_the_application() {
        assert!(Config::from_toml_str("ACME_DB = \"x.db\"").is_ok());
    }

    #[test]
    fn keep_environment_strings_that_look_like_numbers() {
        let env = |name: &str, text: &str| {
            (
                name.to_string(),
                parse_env_value(text),
                Some(text.to_string()),
            )
        };
        let mut config = Config::default();
        config
            .apply(
                [
                    env("FSA_TOKEN_SECRET", "0x1F"),
                    env("FSA_REALM", "1_000"),
                    env("FSA_SECURE", "false"),
                ]
                .into_iter(),
                &NONE,
            )
            .unwrap();
        assert_eq!(config.token_secret.as_deref(), Some("0x1F"));
        assert_eq!(config.realm.as_deref(), Some("1_000"));
        assert!(!config.secure);
        assert!(config
            .apply([env("FSA_SECURE", "maybe")].into_iter(), &NONE)
            .is_err());
    }

    #[test]
    fn read_environment_values_as_toml_when_they_parse() {
        assert_eq!(parse_env_value("true"), Value::Boolean(true));
        assert_eq!(
            parse_env_value("[\"a\"]"),
            Value::Array(vec![Value::String("a".into())])
        );
        assert_eq!(parse_env_value("dev"), Value::String("dev".into()));
        assert_eq!(parse_env_value("a = 1"), Value::String("a = 1".into()));
        let table = parse_env_value("{ origins = [\"https://a.example\"] }");
        assert_eq!(table["origins"][0].as_str(), Some("https://a.example"));
        let mut config = Config::default();
        let opts = "{ origins = [\"https://a.example\"], supports_credentials = true }";
        config
            .apply(
                [(
                    "FSA_CORS_OPTS".into(),
                    parse_env_value(opts),
                    Some(opts.into()),
                )]
                .into_iter(),
                &NONE,
            )
            .unwrap();
        assert_eq!(
            config.cors_opts["supports_credentials"],
            Value::Boolean(true)
        );
    }

    #[cfg(unix)]
    #[test]
    fn read_only_fsa_variables_and_name_those_that_are_not_utf8() {
        let vars = Vars::of(&[
            ("X", b"a\xffb"),
            ("FSA_MODE", b"dev"),
            ("FSA_REALM", b"r\xff"),
        ]);
        let (directives, problems) = environment_directives(vars.vars().into_iter());
        assert_eq!(directives.len(), 1);
        assert_eq!(directives[0].0, "FSA_MODE");
        assert_eq!(
            problems,
            ["environment variable FSA_REALM is not valid UTF-8"]
        );
        // with the other problems, all at once
        let vars = Vars::of(&[("FSA_REALM", b"r\xff"), ("FSA_MODE", b"loud")]);
        let error = Config::load(None, &vars).unwrap_err();
        assert_eq!(error.problems().len(), 2, "{error}");
    }

    #[test]
    fn read_files_then_the_environment_naming_each_in_errors() {
        let dir = std::env::temp_dir().join(format!("fsa-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let load = |path: &std::path::Path, vars: &Vars| {
            Config::load(Some((path, path.display().to_string())), vars)
        };
        let good = file(
            "good.toml",
            "FSA_AUTH = \"basic\"\nFSA_REALM = \"from-file\"",
        );
        let config = load(&good, &NONE).unwrap();
        assert_eq!(config.realm.as_deref(), Some("from-file"));
        assert_eq!(config.auth, ["token", "basic", "none"]);
        let config = load(&good, &Vars::of(&[("FSA_REALM", b"from-env")])).unwrap();
        assert_eq!(config.realm.as_deref(), Some("from-env"));
        let bad = file("bad.toml", "FSA_MODE = \"loud\"");
        let problem = load(&bad, &NONE).unwrap_err().problems()[0].clone();
        assert!(
            problem.starts_with(&format!("{}: FSA_MODE", bad.display())),
            "{problem}"
        );
        let missing = dir.join("missing.toml");
        let problem = load(&missing, &NONE).unwrap_err().problems()[0].clone();
        assert!(problem.contains("relative paths start at"), "{problem}");
        let unset = "FSA_TEST_SURELY_UNSET_CONFIG";
        let problem = Config::from_env_or(unset, &missing).unwrap_err().problems()[0].clone();
        assert!(
            problem.contains("the default of FSA_TEST_SURELY_UNSET_CONFIG, which is unset"),
            "{problem}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn take_values_from_the_environment_when_asked() {
        let text = "FSA_TOKEN_SECRET = { env = \"UNSET\" }\nFSA_REALM = { env = \"UNSET\", default = \"r\" }\nFSA_SECURE = { env = \"SECURE\" }\nFSA_MODE = { env = \"MODE\" }";
        let vars = Vars::of(&[("SECURE", b"false"), ("MODE", b"dev")]);
        let config = Config::from_toml_in(text, &vars).unwrap();
        assert_eq!(config.token_secret, None);
        assert_eq!(config.realm.as_deref(), Some("r"));
        assert!(!config.secure, "read as an environment value: a boolean");
        assert_eq!(config.mode, Mode::Dev);
    }

    #[cfg(unix)]
    #[test]
    fn refuse_a_named_variable_that_is_not_utf8_rather_than_take_the_default() {
        let text = "FSA_TOKEN_SECRET = { env = \"SECRET\", default = \"a dev secret\" }";
        let vars = Vars::of(&[("SECRET", b"s\xff")]);
        let error = Config::from_toml_in(text, &vars).unwrap_err();
        assert_eq!(
            error.problems(),
            ["FSA_TOKEN_SECRET: environment variable SECRET is not valid UTF-8"]
        );
    }

    #[test]
    fn refuse_env_tables_in_the_environment_itself() {
        let vars = Vars::of(&[("FSA_TOKEN_SECRET", b"{ env = \"ACME_SECRET\" }")]);
        let error = Config::load(None, &vars).unwrap_err();
        assert!(
            error.problems()[0].contains("in a configuration file only"),
            "{error}"
        );
    }
}
