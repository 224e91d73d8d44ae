//! Errors: [`ErrorResponse`], what handlers and hooks return with `?`, and
//! the configured formatter every error answer goes through.

use actix_web::{
    body::BoxBody,
    http::{
        header::{self, HeaderName, HeaderValue},
        StatusCode,
    },
    HttpResponse, ResponseError,
};
use std::{fmt, sync::Arc};

/// An error answer: a message, a status, and optional headers and content
/// type, as FlaskSimpleAuth's `ErrorResponse`.
///
/// Return it from handlers and hooks with `?`; fsa formats it as configured
/// by `FSA_ERROR_RESPONSE`.
///
/// ```
/// use fsa_runtime::{err, ErrorResponse};
///
/// fn check(quantity: i64) -> Result<i64, ErrorResponse> {
///     if quantity < 0 {
///         return Err(err("quantity must not be negative", 400));
///     }
///     Ok(quantity)
/// }
/// assert_eq!(check(-1).unwrap_err().status().as_u16(), 400);
/// ```
#[derive(Clone, Debug)]
pub struct ErrorResponse {
    message: String,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    content_type: Option<String>,
    /// fsa's own failure, answered with `FSA_SERVER_ERROR`.
    internal: bool,
}

/// Builds an [`ErrorResponse`]: `Err(err("no such store", 404))?`.
///
/// A status outside 100..=999 becomes 500.
pub fn err(message: impl Into<String>, status: u16) -> ErrorResponse {
    ErrorResponse::new(message, status)
}

impl ErrorResponse {
    /// An error with a message and a status (500 if the number is not a
    /// valid status).
    pub fn new(message: impl Into<String>, status: u16) -> Self {
        Self::with_status(
            message,
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )
    }

    /// An error with a message and a [`StatusCode`].
    pub fn with_status(message: impl Into<String>, status: StatusCode) -> Self {
        Self {
            message: message.into(),
            status,
            headers: Vec::new(),
            content_type: None,
            internal: false,
        }
    }

    /// Adds a header to the answer; an invalid name or value is ignored
    /// with a warning.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => self.headers.push((name, value)),
            _ => tracing::warn!(name, "fsa: invalid error header ignored"),
        }
        self
    }

    /// Sets the content type that a custom formatter may use.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The status of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message of the answer.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The extra headers of the answer.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// The content type asked for, if any.
    pub fn requested_content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// fsa's own failure (a hook error, a panic): `FSA_SERVER_ERROR`.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        let mut error = Self::with_status(message, StatusCode::INTERNAL_SERVER_ERROR);
        error.internal = true;
        error
    }

    /// Whether this is fsa's own failure.
    pub(crate) fn is_internal(&self) -> bool {
        self.internal
    }

    /// Sets the status (for `FSA_SERVER_ERROR` and `FSA_NOT_FOUND_ERROR`).
    pub(crate) fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::with_status(message, StatusCode::BAD_REQUEST)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::with_status(message, StatusCode::UNAUTHORIZED)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::with_status(message, StatusCode::FORBIDDEN)
    }
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl std::error::Error for ErrorResponse {}

impl ResponseError for ErrorResponse {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// The plain form; fsa routes re-format it with the configured format.
    fn error_response(&self) -> HttpResponse<BoxBody> {
        ErrorFormat::Plain.render(self)
    }
}

/// A custom error formatter: `(error) -> response`.
pub type ErrorFormatter = Arc<dyn Fn(&ErrorResponse) -> HttpResponse + Send + Sync>;

/// How error answers are written (`FSA_ERROR_RESPONSE`).
#[derive(Clone, Default)]
pub enum ErrorFormat {
    /// `plain`: `text/plain`, the message as is.
    #[default]
    Plain,
    /// `json`: `application/json`, the message as a JSON string.
    Json,
    /// `json:KEY`: `application/json`, `{"KEY": message}`.
    JsonKey(String),
    /// A function of the application.
    Custom(ErrorFormatter),
}

impl fmt::Debug for ErrorFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain => f.write_str("plain"),
            Self::Json => f.write_str("json"),
            Self::JsonKey(key) => write!(f, "json:{key}"),
            Self::Custom(_) => f.write_str("custom"),
        }
    }
}

impl ErrorFormat {
    /// Parses a `FSA_ERROR_RESPONSE` value.
    pub(crate) fn parse(value: &str) -> Result<Self, String> {
        match value {
            "plain" => Ok(Self::Plain),
            "json" => Ok(Self::Json),
            _ => match value.strip_prefix("json:") {
                Some(key) if !key.is_empty() => Ok(Self::JsonKey(key.to_string())),
                _ => Err(format!(
                    "unexpected FSA_ERROR_RESPONSE \"{value}\": expected \"plain\", \"json\" or \"json:KEY\""
                )),
            },
        }
    }

    /// Renders an error as a response.
    pub fn render(&self, error: &ErrorResponse) -> HttpResponse {
        let mut response = match self {
            Self::Plain => HttpResponse::build(error.status)
                .insert_header((header::CONTENT_TYPE, "text/plain"))
                .body(error.message.clone()),
            Self::Json => HttpResponse::build(error.status)
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .body(serde_json::Value::from(error.message.as_str()).to_string()),
            Self::JsonKey(key) => HttpResponse::build(error.status)
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .body(serde_json::json!({ key: error.message }).to_string()),
            // A panicking formatter must not take the worker down: plain.
            Self::Custom(format) => {
                let formatted =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| format(error)));
                formatted.unwrap_or_else(|_| {
                    tracing::error!("fsa: error_response formatter panicked");
                    Self::Plain.render(error)
                })
            }
        };
        for (name, value) in &error.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        response
    }
}

/// A configuration or start-up error: every problem found, one a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<String>,
}

impl ConfigError {
    pub(crate) fn new(problem: impl Into<String>) -> Self {
        Self {
            problems: vec![problem.into()],
        }
    }

    pub(crate) fn from_problems(problems: Vec<String>) -> Result<(), Self> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Self { problems })
        }
    }

    /// The same problems, each prefixed with where they were found
    /// (`acme.toml: FSA_MODE: ...`).
    pub(crate) fn within(mut self, place: &str) -> Self {
        for problem in &mut self.problems {
            *problem = format!("{place}: {problem}");
        }
        self
    }

    /// Each problem found.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fsa configuration error: {}", self.problems.join("; "))
    }
}

impl std::error::Error for ConfigError {}

impl From<ConfigError> for std::io::Error {
    fn from(error: ConfigError) -> Self {
        std::io::Error::other(error.to_string())
    }
}

/// The message of an error fsa did not word: Werkzeug's description for
/// 404 and 405 (what FlaskSimpleAuth's `FSA_HANDLE_ALL_ERRORS` sends), the
/// status's reason, lower case, otherwise.
pub(crate) fn framework_message(status: actix_web::http::StatusCode) -> String {
    match status {
        actix_web::http::StatusCode::NOT_FOUND => "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.".into(),
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED => "The method is not allowed for the requested URL.".into(),
        _ => status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase(),
    }
}
