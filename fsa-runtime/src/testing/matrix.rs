//! The authorization matrix: the status each user must get from each
//! route, checked over HTTP, and every route of the application covered.

use super::{route_of, TestApp, TestRequest};
use actix_web::http::Method;
use std::{collections::HashSet, fmt};

/// The name of the column of requests without credentials.
pub const ANONYMOUS: &str = "anonymous";

/// One line: a request, and the status each user gets.
struct Line {
    method: Method,
    target: String,
    prepare: Option<Box<dyn Fn(TestRequest) -> TestRequest>>,
    expected: Vec<u16>,
}

/// Who may call what, as a table: users in columns ([`ANONYMOUS`] sends no
/// credentials, any other name is [`TestApp::as_user`]), one line per
/// request (`"POST /store/1/product"`, with sample path values) with the
/// status each user must get. [`run`](Self::run) sends every request as
/// every user and fails listing each status that differs **and each
/// route of the application that no line calls**: a new route cannot ship
/// without its authorization being tested.
///
/// ```no_run
/// # use fsa_runtime::testing::{AuthzMatrix, TestApp, ANONYMOUS};
/// # async fn f(app: TestApp) {
/// AuthzMatrix::new(["calvin", "hobbes", "susie", ANONYMOUS])
///     .check("GET /store", [200, 200, 403, 401])
///     .check_with("POST /store/1/product", |r| r.form(&[("product", "pen"), ("quantity", "1")]),
///         [201, 403, 403, 401])
///     .run(&app)
///     .await;
/// # }
/// ```
///
/// A `HEAD` that comes with a `GET` is covered by the `GET`.
pub struct AuthzMatrix {
    users: Vec<String>,
    lines: Vec<Line>,
    /// Lines written wrong (a method, a count of statuses).
    problems: Vec<String>,
}

impl fmt::Debug for AuthzMatrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self
            .lines
            .iter()
            .map(|l| format!("{} {} {:?}", l.method, l.target, l.expected))
            .collect();
        f.debug_struct("AuthzMatrix")
            .field("users", &self.users)
            .field("lines", &lines)
            .finish()
    }
}

impl AuthzMatrix {
    /// A matrix of these users, in the order of the statuses of each line.
    pub fn new<S: Into<String>>(users: impl IntoIterator<Item = S>) -> Self {
        Self {
            users: users.into_iter().map(Into::into).collect(),
            lines: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// A line: `request` is a method and a path (`"GET /store?pattern=x"`),
    /// `expected` the status of each user, in the matrix's order.
    pub fn check(self, request: &str, expected: impl IntoIterator<Item = u16>) -> Self {
        self.line(request, None, expected)
    }

    /// A line whose request needs more (parameters, a body, headers):
    /// `prepare` adds them to each user's request.
    pub fn check_with(
        self,
        request: &str,
        prepare: impl Fn(TestRequest) -> TestRequest + 'static,
        expected: impl IntoIterator<Item = u16>,
    ) -> Self {
        self.line(request, Some(Box::new(prepare)), expected)
    }

    fn line(
        mut self,
        request: &str,
        prepare: Option<Box<dyn Fn(TestRequest) -> TestRequest>>,
        expected: impl IntoIterator<Item = u16>,
    ) -> Self {
        let expected: Vec<u16> = expected.into_iter().collect();
        let (method, target) = request.split_once(' ').unwrap_or(("", request));
        let method = match Method::from_bytes(method.as_bytes()) {
            Ok(method) if !method.as_str().is_empty() => method,
            _ => {
                self.problems.push(format!(
                    "line {request:?}: write a method and a path, such as \"GET /store\""
                ));
                return self;
            }
        };
        if expected.len() != self.users.len() {
            self.problems.push(format!(
                "line {request:?}: {} statuses for {} users ({})",
                expected.len(),
                self.users.len(),
                self.users.join(", ")
            ));
            return self;
        }
        self.lines.push(Line {
            method,
            target: target.trim().to_string(),
            prepare,
            expected,
        });
        self
    }

    /// Sends every request as every user; `Err` lists each status that
    /// differs, each line written wrong and each route no line calls.
    pub async fn verify(&self, app: &TestApp) -> Result<(), String> {
        let mut problems = self.problems.clone();
        if self.users.is_empty() {
            problems.push(
                "no users: name at least one, such as AuthzMatrix::new([\"calvin\", ANONYMOUS])"
                    .into(),
            );
        }
        let mut covered = HashSet::new();
        for line in &self.lines {
            let path = line.target.split('?').next().unwrap_or_default();
            match route_of(app.fsa(), &line.method, path) {
                Some(route) => {
                    covered.insert((line.method.to_string(), route.to_string()));
                }
                None => problems.push(format!(
                    "{} {}: no route of the application serves it",
                    line.method, line.target
                )),
            }
            for (user, expected) in self.users.iter().zip(&line.expected) {
                let client = if user == ANONYMOUS {
                    app.anonymous()
                } else {
                    app.as_user(user)
                };
                let mut request = client.request(line.method.clone(), &line.target);
                if let Some(prepare) = &line.prepare {
                    request = prepare(request);
                }
                let answer = request.send().await;
                if answer.status() != *expected {
                    problems.push(format!("expected {expected}, got {answer}"));
                }
            }
        }
        for route in app.fsa().routes() {
            let methods = route.methods();
            for method in methods {
                let implied = *method == "HEAD" && methods.contains(&"GET");
                if !implied && !covered.contains(&(method.to_string(), route.to_string())) {
                    problems.push(format!(
                        "not covered: {method} {} ({}::{}, authz {})",
                        route.path(),
                        route.module(),
                        route.name(),
                        route.authz()
                    ));
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(format!(
            "authorization matrix: {} problem(s)\n  {}",
            problems.len(),
            problems.join("\n  ")
        ))
    }

    /// [`verify`](Self::verify), panicking with its list.
    ///
    /// # Panics
    /// When a status differs, a line is written wrong or a route is not
    /// covered.
    pub async fn run(&self, app: &TestApp) {
        if let Err(report) = self.verify(app).await {
            panic!("{report}");
        }
    }
}
