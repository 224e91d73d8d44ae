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
//!
//! A new directive is one row of `directives!`: its field, type, default,
//! name and parser (in `values.rs`).

mod load;
mod network;
mod values;

use crate::errors::{ConfigError, ErrorFormat};
use load::ProcessEnvironment;
use std::collections::BTreeMap;
use toml::Value;
use values::*;

pub use network::Network;
pub(crate) use values::expand_password;

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

/// Password hashing (`FSA_PASSWORD_SCHEME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordScheme {
    /// bcrypt (`FSA_PASSWORD_OPTS`: `rounds`, 4 to 31).
    Bcrypt,
    /// Argon2id, with the `argon2` feature (`memory_cost`, `time_cost`,
    /// `parallelism`).
    Argon2,
    /// Passwords stored as they are: tests only.
    Plaintext,
}

/// The cache of hook answers and tokens (`FSA_CACHE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheKind {
    /// `ttl`: in this process, each entry kept `FSA_CACHE_OPTS.ttl` seconds.
    Ttl,
    /// `redis`: in Redis, shared by every instance (the `redis` feature).
    Redis,
    /// `none`: every check calls its hook.
    None,
}

/// The options of the cache (`FSA_CACHE_OPTS`).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct CacheOptions {
    /// Seconds an entry is kept (600).
    pub ttl: u64,
    /// Redis: `redis://[user:password@]host[:port][/db]` or
    /// `unix:///path/to/socket`; else `host`, `port` and `db`, as
    /// FlaskSimpleAuth's Redis options.
    pub url: Option<String>,
    /// Redis: the host (`127.0.0.1`).
    pub host: Option<String>,
    /// Redis: the port (6379).
    pub port: Option<u16>,
    /// Redis: the database number (0).
    pub db: Option<u32>,
    /// Redis: seconds a command may take (0.25); beyond, Redis is
    /// unavailable and the hooks answer.
    pub timeout: f64,
    /// Redis: seconds Redis is left alone after a failure (1.0), and
    /// between retries of the uncaches that did not reach it.
    pub retry: f64,
    /// Redis: the secret that signs what is stored, the same on every
    /// instance (default: `FSA_TOKEN_SECRET`).
    pub secret: Option<String>,
}

impl Default for CacheOptions {
    fn default() -> Self {
        Self {
            ttl: 600,
            url: None,
            host: None,
            port: None,
            db: None,
            timeout: 0.25,
            retry: 1.0,
            secret: None,
        }
    }
}

impl CacheOptions {
    /// The URL of the Redis server: `url`, or the one `host`, `port` and
    /// `db` name.
    pub fn redis_url(&self) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => {
                let host = self.host.as_deref().unwrap_or("127.0.0.1");
                // An IPv6 address is bracketed in a URL.
                let host = if host.contains(':') && !host.starts_with('[') {
                    format!("[{host}]")
                } else {
                    host.to_string()
                };
                format!(
                    "redis://{host}:{}/{}",
                    self.port.unwrap_or(6379),
                    self.db.unwrap_or(0)
                )
            }
        }
    }
}

/// The URL's password is not shown.
impl std::fmt::Debug for CacheOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheOptions")
            .field("ttl", &self.ttl)
            .field("url", &self.url.as_deref().map(redact_url))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("db", &self.db)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// A URL without its passwords: the user information's, and a `pass` or
/// `password` query parameter's (`redis+unix:///socket?pass=...`).
fn redact_url(url: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((url, query)) => (url, Some(query)),
        None => (url, None),
    };
    let mut redacted = match url.split_once("://") {
        // The last @ ends the user information, whatever the password holds.
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or("");
                format!("{scheme}://{user}:***@{host}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if matches!(name, "pass" | "password") => format!("{name}=***"),
                _ => pair.to_string(),
            })
            .collect();
        redacted.push('?');
        redacted.push_str(&pairs.join("&"));
    }
    redacted
}

/// Where the OpenAPI document is served (`FSA_OPENAPI`, fsa's own): a
/// route of the application, declared by the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenApiOptions {
    /// The path (`/openapi.json`).
    pub path: String,
    /// Who may read it: `"OPEN"`, `"AUTH"` (the default) or a group.
    pub authz: String,
    /// The document's `info.title` (default: the application's name).
    pub title: Option<String>,
    /// The document's `info.version` (`"0"`).
    pub version: String,
    /// The token URL of the `oauth` scheme (default: `FSA_TOKEN_ISSUER`).
    pub token_url: Option<String>,
}

impl Default for OpenApiOptions {
    fn default() -> Self {
        Self {
            path: "/openapi.json".into(),
            authz: "AUTH".into(),
            title: None,
            version: "0".into(),
            token_url: None,
        }
    }
}

/// Login throttling (`FSA_THROTTLE`, fsa's own): the failed
/// authentications allowed per login and per client address in each
/// window; 0 counts nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThrottleOptions {
    /// Failures per login (10).
    pub login: u64,
    /// Failures per client address (100).
    pub address: u64,
    /// The window, in seconds (60).
    pub window: u64,
}

impl Default for ThrottleOptions {
    fn default() -> Self {
        Self {
            login: 10,
            address: 100,
            window: 60,
        }
    }
}

/// A forwarding header believed from a trusted proxy (`FSA_PROXY_HEADERS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyHeader {
    /// `X-Forwarded-For`: the client's address.
    XForwardedFor,
    /// `X-Forwarded-Proto`: whether the client came over HTTPS.
    XForwardedProto,
    /// `X-Forwarded-Host`: the host the client asked for.
    XForwardedHost,
    /// RFC 7239's `Forwarded`, all three (not with the others).
    Forwarded,
}

/// Sets a field of [`Config`] from a directive's value.
type Setter = fn(&mut Config, &str, &Value) -> Result<(), String>;

/// Declares [`Config`], its [`Default`] and the table of directives, one
/// row per directive: `field: Type = default, "FSA_NAME" => parser;` where
/// `parser(name, value)` answers the field's value or a problem.
macro_rules! directives {
    ($( $(#[doc = $doc:literal])* $field:ident: $ty:ty = $default:expr, $name:literal => $parse:path $(, $secret:ident)?; )*) => {
        /// Every setting, typed, with FlaskSimpleAuth's defaults. Its
        /// `Debug` form hides the secrets.
        #[derive(Clone)]
        #[non_exhaustive]
        pub struct Config {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl std::fmt::Debug for Config {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut fields = f.debug_struct("Config");
                $( directives!(@debug fields, self.$field, stringify!($field) $(, $secret)?); )*
                fields.finish()
            }
        }

        impl Default for Config {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        /// Each directive fsa reads, with the setter of its field.
        const DIRECTIVES: &[(&str, Setter)] = &[
            $( ($name, |config, name, value| {
                config.$field = $parse(name, value)?;
                Ok(())
            }), )*
        ];
    };
    (@debug $fields:ident, $value:expr, $name:expr) => {
        $fields.field($name, &$value);
    };
    (@debug $fields:ident, $value:expr, $name:expr, secret) => {
        $fields.field($name, &$value.as_ref().map(|_| "***"));
    };
}

directives! {
    /// Verbosity (`prod`).
    mode: Mode = Mode::Prod, "FSA_MODE" => mode;
    /// The least severe level fsa logs (`info`); `critical` is `error`,
    /// and Python's numbers (10, 20, 30, 40) are read too.
    logging_level: tracing::Level = tracing::Level::INFO, "FSA_LOGGING_LEVEL" => logging_level;
    /// Refuse plain HTTP from non-loopback peers (true).
    secure: bool = true, "FSA_SECURE" => boolean;
    /// The status of fsa's internal errors (500).
    server_error: u16 = 500, "FSA_SERVER_ERROR" => status;
    /// The status when an object is unknown (404).
    not_found_error: u16 = 404, "FSA_NOT_FOUND_ERROR" => status;
    /// `plain` (default), `json` or `json:KEY`.
    error_response: ErrorFormat = ErrorFormat::Plain, "FSA_ERROR_RESPONSE" => error_format;
    /// The schemes tried, in order, expanded as FlaskSimpleAuth does: a
    /// single scheme X is `[token, X, none]`; `password` is `basic`, with
    /// `param` last.
    auth: Vec<String> = Vec::new(), "FSA_AUTH" => expand_auth;
    /// The schemes of routes without `authn` (all of `FSA_AUTH`).
    auth_default: Option<Vec<String>> = None, "FSA_AUTH_DEFAULT" => auth_default;
    /// The realm of challenges and tokens (the application's name).
    realm: Option<String> = None, "FSA_REALM" => some_nonempty;
    /// The parameter of `fake` authentication (`LOGIN`).
    fake_login: String = "LOGIN".into(), "FSA_FAKE_LOGIN" => nonempty;
    /// The login parameter of `param` authentication (`USER`).
    param_user: String = "USER".into(), "FSA_PARAM_USER" => nonempty;
    /// The password parameter of `param` authentication (`PASS`).
    param_pass: String = "PASS".into(), "FSA_PARAM_PASS" => nonempty;
    /// fsa's own: the trusted header a fronting web server sets for
    /// `httpd` authentication (unset).
    httpd_header: Option<String> = None, "FSA_HTTPD_HEADER" => some_nonempty;
    /// `fsa` (default), `jwt`, or `none`.
    token_type: Option<TokenType> = Some(TokenType::Fsa), "FSA_TOKEN_TYPE" => token_type;
    /// `blake2s` (fsa) or `HS256` (jwt) by default.
    token_algo: Option<String> = None, "FSA_TOKEN_ALGO" => some_nonempty;
    /// Where tokens travel (`bearer`).
    token_carrier: TokenCarrier = TokenCarrier::Bearer, "FSA_TOKEN_CARRIER" => token_carrier;
    /// The token's header, cookie or parameter name (per carrier).
    token_name: Option<String> = None, "FSA_TOKEN_NAME" => token_name;
    /// Token lifetime in minutes (60).
    token_delay: f64 = 60.0, "FSA_TOKEN_DELAY" => number;
    /// Minutes a token is still accepted after it expires (0).
    token_grace: f64 = 0.0, "FSA_TOKEN_GRACE" => number;
    /// fsa tokens: signature bytes kept (16).
    token_length: usize = 16, "FSA_TOKEN_LENGTH" => count;
    /// The signing secret (random per process when unset, refused in prod).
    token_secret: Option<String> = None, "FSA_TOKEN_SECRET" => some_nonempty, secret;
    /// The private key of public-key JWT algorithms.
    token_sign: Option<String> = None, "FSA_TOKEN_SIGN" => some_nonempty, secret;
    /// The fraction of a cookie token's life after which it is renewed (0).
    token_renewal: f64 = 0.0, "FSA_TOKEN_RENEWAL" => number;
    /// The JWT issuer.
    token_issuer: Option<String> = None, "FSA_TOKEN_ISSUER" => some_nonempty;
    /// `bcrypt` (default), `argon2`, `plaintext`, or `none`.
    password_scheme: Option<PasswordScheme> = Some(PasswordScheme::Bcrypt), "FSA_PASSWORD_SCHEME" => password_scheme;
    /// The scheme's options (`rounds` for bcrypt...).
    password_opts: BTreeMap<String, Value> = BTreeMap::new(), "FSA_PASSWORD_OPTS" => password_opts;
    /// The least length of a new password (0).
    password_length: usize = 0, "FSA_PASSWORD_LENGTH" => count;
    /// Regexes a new password must match.
    password_re: Vec<String> = Vec::new(), "FSA_PASSWORD_RE" => strings;
    /// The declared groups.
    authz_groups: Vec<String> = Vec::new(), "FSA_AUTHZ_GROUPS" => groups;
    /// The declared OAuth scopes.
    authz_scopes: Vec<String> = Vec::new(), "FSA_AUTHZ_SCOPES" => strings;
    /// A request parameter the route does not declare is a 400 (true).
    reject_unexpected_param: bool = true, "FSA_REJECT_UNEXPECTED_PARAM" => boolean;
    /// The cache of hook answers and tokens: `ttl` (default, in this
    /// process), `redis` (shared by every instance) or `none`.
    cache: CacheKind = CacheKind::Ttl, "FSA_CACHE" => cache_kind;
    /// The most entries the cache holds (262144).
    cache_size: usize = 262_144, "FSA_CACHE_SIZE" => count;
    /// The cache's options: `ttl` in seconds (600); for Redis, `url` (or
    /// `host`, `port`, `db`), `timeout` and `retry` in seconds.
    cache_opts: CacheOptions = CacheOptions::default(), "FSA_CACHE_OPTS" => cache_opts;
    /// A prefix of the cache's keys (with Redis, the application's name
    /// and `:` by default).
    cache_prefix: Option<String> = None, "FSA_CACHE_PREFIX" => some_string;
    /// fsa's own: the largest request body read, in bytes (2 MiB); a
    /// larger one gets 413.
    max_body: usize = 2 * 1024 * 1024, "FSA_MAX_BODY" => count;
    /// fsa's own: the largest total size of request headers, in bytes
    /// (16 KiB); larger get 431.
    max_header_size: usize = 16 * 1024, "FSA_MAX_HEADER_SIZE" => count;
    /// fsa's own (Werkzeug's `max_form_parts`): the most request
    /// parameters read, query, form, multipart parts and JSON members
    /// together (1000); more get 413.
    max_params: usize = 1000, "FSA_MAX_PARAMS" => count;
    /// fsa's own: the seconds a request body may take to arrive whole
    /// (30); a slower one gets 408.
    body_timeout: f64 = 30.0, "FSA_BODY_TIMEOUT" => positive_seconds;
    /// fsa's own: the longest login, in bytes, that the password schemes
    /// look up (256); a longer one gets the 401 of a wrong password.
    max_login: usize = 256, "FSA_MAX_LOGIN" => count;
    /// fsa's own: the bytes the cache may hold, keys and answers (64 MiB);
    /// the least used entries go first.
    cache_memory: usize = 64 * 1024 * 1024, "FSA_CACHE_MEMORY" => count;
    /// actix's own errors (404, 405...) also go through the error format
    /// (true).
    handle_all_errors: bool = true, "FSA_HANDLE_ALL_ERRORS" => boolean;
    /// The content type of text answers.
    default_content_type: Option<String> = None, "FSA_DEFAULT_CONTENT_TYPE" => content_type;
    /// [`JsonStream`](crate::web::JsonStream) answers are streamed rather
    /// than built whole (true).
    json_streaming: bool = true, "FSA_JSON_STREAMING" => boolean;
    /// A 401 becomes a 307 to this URL.
    redirect_401: Option<String> = None, "FSA_401_REDIRECT" => some_nonempty;
    /// The parameter carrying the original URL of a redirected 401 (`URL`).
    url_name: Option<String> = None, "FSA_URL_NAME" => some_nonempty;
    /// Answer CORS requests, preflights unauthenticated (false).
    cors: bool = false, "FSA_CORS" => boolean;
    /// `origins`, `methods`, `headers`, `expose_headers`, `max_age`,
    /// `supports_credentials`.
    cors_opts: BTreeMap<String, Value> = BTreeMap::new(), "FSA_CORS_OPTS" => cors_opts;
    /// Fixed headers added to every answer.
    add_headers: Vec<(String, String)> = Vec::new(), "FSA_ADD_HEADERS" => add_headers;
    /// fsa's own: failed authentications allowed per login and per client
    /// address in a window (`{ login = 10, address = 100, window = 60 }`);
    /// `false` counts nothing.
    throttle: Option<ThrottleOptions> = Some(ThrottleOptions::default()), "FSA_THROTTLE" => throttle;
    /// fsa's own: serve the OpenAPI document (feature `openapi`) on a
    /// route, `{ path = "/openapi.json", authz = "AUTH", title, version,
    /// token_url }`;
    /// `true` for these defaults; `false`: not served.
    openapi: Option<OpenApiOptions> = None, "FSA_OPENAPI" => openapi;
    /// fsa's own: password hashes computed at once (0: one per CPU);
    /// more wait their turn.
    password_concurrency: usize = 0, "FSA_PASSWORD_CONCURRENCY" => count;
    /// fsa's own: seconds a password check may wait for its turn (2.0);
    /// beyond, a 503 with `Retry-After`.
    password_queue: f64 = 2.0, "FSA_PASSWORD_QUEUE" => positive_seconds;
    /// fsa's own: the proxies (addresses or networks: `["10.0.0.0/8",
    /// "::1"]`) whose `Forwarded` or `X-Forwarded-*` headers are believed,
    /// for `FSA_SECURE`, the token cookie's `Secure` flag, the 401
    /// redirect's URL and the client's address; nobody by default.
    trusted_proxies: Vec<Network> = Vec::new(), "FSA_TRUSTED_PROXIES" => networks;
    /// fsa's own: the headers believed from the trusted proxies, which
    /// must write them (overwrite, or append to, what the client sent):
    /// `["x-forwarded-for", "x-forwarded-proto"]` by default, with
    /// `"x-forwarded-host"` when the proxy sets it, or `["forwarded"]`.
    proxy_headers: Vec<ProxyHeader> = vec![ProxyHeader::XForwardedFor, ProxyHeader::XForwardedProto], "FSA_PROXY_HEADERS" => proxy_headers;
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

impl Config {
    /// The name of every directive fsa reads, in the order of [`Config`]'s
    /// fields.
    ///
    /// ```
    /// use fsa_runtime::config::Config;
    ///
    /// assert!(Config::directive_names().any(|name| name == "FSA_AUTH"));
    /// ```
    pub fn directive_names() -> impl Iterator<Item = &'static str> {
        DIRECTIVES.iter().map(|(name, _)| *name)
    }

    /// Whether fsa logs at `level` (`FSA_LOGGING_LEVEL`).
    pub fn logs(&self, level: tracing::Level) -> bool {
        // tracing orders levels by verbosity: ERROR < WARN < ... < TRACE.
        level <= self.logging_level
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
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn expand_a_single_scheme_as_flask_simple_auth() {
        let auth = |text: &str| Config::from_toml_str(text).unwrap().auth;
        assert_eq!(auth("FSA_AUTH = \"basic\""), ["token", "basic", "none"]);
        assert_eq!(auth("FSA_AUTH = \"token\""), ["token"]);
        assert_eq!(
            auth("FSA_AUTH = [\"token\", \"basic\"]"),
            ["token", "basic"]
        );
        // `password`: removed, `basic` and `param` appended (36.0).
        assert_eq!(
            auth("FSA_AUTH = \"password\""),
            ["token", "none", "basic", "param"]
        );
        assert_eq!(
            auth("FSA_AUTH = [\"password\", \"token\"]"),
            ["token", "basic", "param"]
        );
        assert_eq!(
            auth("FSA_AUTH = [\"basic\", \"password\", \"none\"]"),
            ["basic", "none", "param"]
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
    fn read_names_into_their_enums() {
        let config = |text: &str| Config::from_toml_str(text).unwrap();
        let level = |text: &str| config(&format!("FSA_LOGGING_LEVEL = {text}")).logging_level;
        assert_eq!(level("\"CRITICAL\""), tracing::Level::ERROR);
        assert_eq!(level("\"warning\""), tracing::Level::WARN);
        assert_eq!(level("10"), tracing::Level::DEBUG);
        assert_eq!(level("30"), tracing::Level::WARN);
        assert!(config("FSA_LOGGING_LEVEL = \"debug\"").logs(tracing::Level::DEBUG));
        assert!(!Config::default().logs(tracing::Level::DEBUG));
        let scheme = |text: &str| config(&format!("FSA_PASSWORD_SCHEME = {text}")).password_scheme;
        assert_eq!(scheme("\"fsa:argon2\""), Some(PasswordScheme::Argon2));
        assert_eq!(scheme("\"none\""), None);
        assert_eq!(config("FSA_CACHE = \"none\"").cache, CacheKind::None);
        assert_eq!(config("FSA_CACHE_OPTS = { ttl = 5 }").cache_opts.ttl, 5);
        assert_eq!(
            config("FSA_CACHE_OPTS = {}").cache_opts,
            CacheOptions::default()
        );
        let problems = |text: &str| Config::from_toml_str(text).unwrap_err().problems().to_vec();
        assert!(problems("FSA_CACHE = \"lru\"")[0].contains("expected ttl, redis or none"));
        assert!(problems("FSA_PASSWORD_SCHEME = \"md5\"")[0].contains("expected bcrypt"));
        assert!(problems("FSA_CACHE_OPTS = { size = 5 }")[0].contains("expected ttl"));
    }

    #[test]
    fn hide_secrets_in_the_debug_form() {
        let config = Config::from_toml_str(
            "FSA_TOKEN_SECRET = \"token-secret-123\"\nFSA_TOKEN_SIGN = \"sign-key-456\"\nFSA_CACHE_OPTS = { url = \"redis://user:pa/ss@db:6379/0?pass=q1\", secret = \"cache-secret-789\" }",
        )
        .unwrap();
        let shown = format!("{config:?}");
        for secret in [
            "token-secret-123",
            "sign-key-456",
            "pa/ss",
            "q1",
            "cache-secret-789",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("redis://user:***@db:6379/0?pass=***"),
            "{shown}"
        );
        assert_eq!(
            redact_url("redis+unix:///run/r.sock?db=1&password=x"),
            "redis+unix:///run/r.sock?db=1&password=***"
        );
    }

    #[test]
    fn read_the_cache_options() {
        let options = |text: &str| {
            Config::from_toml_str(&format!("FSA_CACHE_OPTS = {text}")).map(|c| c.cache_opts)
        };
        let read = options("{ host = \"::1\", port = 6380, db = 2 }").unwrap();
        assert_eq!(read.redis_url(), "redis://[::1]:6380/2");
        assert_eq!(
            options("{}").unwrap().redis_url(),
            "redis://127.0.0.1:6379/0"
        );
        for bad in [
            "{ port = 70000 }",
            "{ url = \"redis://x\", host = \"y\" }",
            "{ timeout = 1e300 }",
            "{ retry = 0 }",
            "{ ttl = 100000000 }",
            "{ secret = \"\" }",
        ] {
            assert!(options(bad).is_err(), "{bad}");
        }
    }
}
