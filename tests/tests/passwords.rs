//! Passwords (SPEC 1.6, 5.3): FlaskSimpleAuth's hashes, quality rules, the
//! `password_check` hook, and Basic logins over real HTTP.

use actix_web::http::StatusCode;
use fsa_runtime::prelude::*;
use fsa_tests::{build, get_user_pass, serve, status_body};

#[get("/login", authz = "AUTH", authn = "basic")]
async fn whoami(user: CurrentUser) -> String {
    user.0
}

/// An application with `directives` besides `FSA_AUTH = ["basic", "none"]`.
fn app(directives: &str, change: impl FnOnce(FsaBuilder) -> FsaBuilder) -> Fsa {
    let text = format!("FSA_AUTH = [\"basic\", \"none\"]\n{directives}");
    build(change(
        fsa_tests::from_toml("acme", &text).routes(routes![whoami]),
    ))
}

/// The `passwords` of FlaskSimpleAuth 36.0's vectors: (scheme, password, hash).
fn vectors() -> Vec<(String, String, String)> {
    let json = fsa_tests::vectors();
    let field = |entry: &serde_json::Value, name: &str| entry[name].as_str().unwrap().to_string();
    json["passwords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (field(e, "scheme"), field(e, "password"), field(e, "hash")))
        .collect()
}

fn argon2_hash_of(password: &str) -> String {
    vectors()
        .into_iter()
        .find(|(scheme, p, _)| scheme == "argon2" && p == password)
        .unwrap()
        .2
}

/// Status and body of `GET /login` with Basic credentials.
async fn log_in(fsa: &Fsa, login: &str, password: &str) -> (u16, String) {
    let srv = serve(fsa.clone());
    status_body(srv.get("/login").basic_auth(login, password)).await
}

#[actix_web::test]
async fn hashes_made_by_flasksimpleauth_verify_and_long_passwords_are_refused() {
    let bcrypt = app("", |b| b);
    let argon2 = app("FSA_PASSWORD_SCHEME = \"argon2\"", |b| b);
    let entries = vectors();
    assert_eq!(entries.len(), 10);
    for (scheme, password, hash) in entries {
        let fsa = if scheme == "bcrypt" { &bcrypt } else { &argon2 };
        if hash.starts_with("ERROR") {
            // 73 bytes: bcrypt would silently drop the last one.
            let error = fsa.hash_password(&password).await.unwrap_err();
            assert_eq!(error.status(), StatusCode::BAD_REQUEST);
            assert!(error.message().starts_with("password too long"), "{error}");
            assert!(!error.message().contains(&password));
            continue;
        }
        assert!(
            fsa.check_password(&password, &hash).await,
            "{scheme} {hash}"
        );
        assert!(!fsa.check_password(&format!("{password}!"), &hash).await);
        let again = fsa.hash_password(&password).await.unwrap();
        assert!(fsa.check_password(&password, &again).await, "{again}");
    }
}

#[actix_web::test]
async fn an_argon2_hash_from_flasksimpleauth_logs_in_over_http_with_basic_auth() {
    let fsa = app("FSA_PASSWORD_SCHEME = \"argon2\"", |b| {
        b.get_user_pass(|login: &str| match login {
            "calvin" => Some(argon2_hash_of("hobbes-rules")),
            "susie" => Some(argon2_hash_of("é à ç 🐯")),
            _ => None,
        })
    });
    assert_eq!(
        log_in(&fsa, "calvin", "hobbes-rules").await,
        (200, "calvin".into())
    );
    assert_eq!(
        log_in(&fsa, "susie", "é à ç 🐯").await,
        (200, "susie".into())
    );
    assert_eq!(log_in(&fsa, "calvin", "short").await.0, 401);
}

#[actix_web::test]
async fn unknown_users_and_wrong_passwords_get_the_same_401() {
    let fsa = app("", |b| b.get_user_pass(get_user_pass));
    let (status, wrong) = log_in(&fsa, "calvin", "s3cret-guess").await;
    assert_eq!(status, 401);
    let (status, unknown) = log_in(&fsa, "moe", "s3cret-guess").await;
    assert_eq!(status, 401);
    assert_eq!(wrong, unknown);
    assert!(
        !wrong.contains("s3cret-guess") && !wrong.contains("moe"),
        "{wrong}"
    );
}

/// Stored hashes of another cost than `FSA_PASSWORD_OPTS` and malformed
/// ones: the same 401 as an unknown user (the decoy follows the stored
/// costs, and a malformed hash costs a decoy's work: see the unit tests).
#[actix_web::test]
async fn costlier_or_malformed_stored_hashes_get_the_same_401_as_unknown_users() {
    let cost_5 = app("FSA_PASSWORD_OPTS = { rounds = 5 }", |b| b)
        .hash_password("hobbes-rules")
        .await
        .unwrap();
    assert!(cost_5.starts_with("$2b$05$"), "{cost_5}");
    let fsa = app("", move |b| {
        b.get_user_pass(move |login: &str| match login {
            "calvin" => Some(cost_5.clone()),
            "hobbes" => Some("$2b$04$not-a-bcrypt-hash".to_string()),
            _ => None,
        })
    });
    assert_eq!(
        log_in(&fsa, "calvin", "hobbes-rules").await,
        (200, "calvin".into())
    );
    let wrong = log_in(&fsa, "calvin", "s3cret-guess").await;
    assert_eq!(wrong.0, 401);
    for login in ["hobbes", "moe"] {
        assert_eq!(log_in(&fsa, login, "s3cret-guess").await, wrong, "{login}");
    }
}

#[actix_web::test]
async fn the_password_check_hook_admits_users_without_or_despite_a_hash() {
    // A one-time code, for users with no stored hash or a forgotten one.
    let fsa = app("", |b| {
        b.get_user_pass(get_user_pass)
            .password_check(|login: &str, code: &str| login != "hobbes" && code == "123456")
    });
    let ok = |login: &str| (200, login.to_string());
    assert_eq!(log_in(&fsa, "moe", "123456").await, ok("moe"));
    assert_eq!(log_in(&fsa, "calvin", "123456").await, ok("calvin"));
    assert_eq!(log_in(&fsa, "calvin", "hobbes-rules").await, ok("calvin"));
    assert_eq!(log_in(&fsa, "hobbes", "short").await, ok("hobbes"));
    let refused = log_in(&fsa, "hobbes", "123456").await;
    assert_eq!(refused.0, 401);
    assert_eq!(log_in(&fsa, "moe", "654321").await, refused);
}

#[actix_web::test]
async fn an_async_password_check_works_and_a_panicking_one_counts_as_false() {
    let fsa = app("", |b| {
        b.password_check(
            |login: String, code: String| async move { login == "moe" && code == "123456" },
        )
    });
    assert_eq!(log_in(&fsa, "moe", "123456").await, (200, "moe".into()));
    let panicky = app("", |b| {
        b.password_check(|_: &str, _: &str| -> bool { panic!("ldap down") })
    });
    assert_eq!(log_in(&panicky, "moe", "123456").await.0, 401);
}

#[actix_web::test]
async fn a_password_check_error_is_the_answer() {
    let fsa = app("", |b| {
        b.password_check(|_: &str, _: &str| -> Result<bool, ErrorResponse> {
            Err(err("account locked", 423))
        })
    });
    assert_eq!(
        log_in(&fsa, "moe", "123456").await,
        (423, "account locked".into())
    );
}

/// With `FSA_PASSWORD_SCHEME = "none"` no stored hash is verified, nor is
/// `get_user_pass` asked: the `password_check` hook alone admits logins
/// (e.g. LDAP). Without the hook nothing can verify a password, so a Basic
/// login is the same 401 as a wrong password: a client request never
/// causes a server error. Only `hash_password` answers "password manager
/// is disabled".
#[actix_web::test]
async fn without_a_password_scheme_only_the_password_check_hook_admits_logins() {
    let ldap = app("FSA_PASSWORD_SCHEME = \"none\"", |b| {
        b.get_user_pass(get_user_pass)
            .password_check(|login: &str, password: &str| {
                login == "moe" && password == "ldap-secret"
            })
    });
    assert_eq!(
        log_in(&ldap, "moe", "ldap-secret").await,
        (200, "moe".into())
    );
    let refused = log_in(&ldap, "moe", "wrong").await;
    assert_eq!(refused.0, 401);
    // calvin's stored hash is not verified: only the hook decides.
    assert_eq!(log_in(&ldap, "calvin", "hobbes-rules").await, refused);
    assert_eq!(
        ldap.check_user_password("moe", "ldap-secret")
            .await
            .unwrap(),
        "moe"
    );
    let error = ldap.check_user_password("calvin", "hobbes-rules").await;
    assert_eq!(error.unwrap_err().status(), StatusCode::UNAUTHORIZED);
    let error = ldap.hash_password("hobbes-rules").await.unwrap_err();
    assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(error
        .message()
        .starts_with("password manager is disabled (FSA_PASSWORD_SCHEME = \"none\")"));
    assert!(!ldap.check_password("hobbes-rules", "hobbes-rules").await);
    // No hook: nothing can verify a password, every login is refused.
    let nothing = app(
        "FSA_PASSWORD_SCHEME = \"none\"\nFSA_SERVER_ERROR = 518",
        |b| b.get_user_pass(get_user_pass),
    );
    for login in ["calvin", "moe"] {
        assert_eq!(log_in(&nothing, login, "hobbes-rules").await, refused);
    }
}

#[actix_web::test]
async fn hash_password_refuses_a_poor_password_naming_the_rule() {
    let fsa = app(
        "FSA_PASSWORD_LENGTH = 6\nFSA_PASSWORD_RE = [\"[a-z]\", \"[0-9]\"]",
        |b| {
            b.password_quality(|pwd: &str| -> Result<bool, String> {
                match pwd {
                    "password1" => Err("too common".into()),
                    _ => Ok(!pwd.contains("calvin")),
                }
            })
        },
    );
    for (password, message) in [
        ("abc1", "password is too short, must be at least 6"),
        ("ABCDEF1", "password must match [a-z]"),
        ("abcdefg", "password must match [0-9]"),
        ("calvin42", "password quality too low"),
        ("password1", "password quality too low: too common"),
    ] {
        let error = fsa.hash_password(password).await.unwrap_err();
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.message(), message);
    }
    let hash = fsa.hash_password("hobbes42").await.unwrap();
    assert!(hash.starts_with("$2b$04$"), "{hash}");
    // Quality rules apply to new passwords only, never to logins.
    assert!(fsa.check_password("hobbes42", &hash).await);
}

#[actix_web::test]
async fn check_user_password_answers_as_a_login_would() {
    let fsa = app("", |b| {
        b.get_user_pass(get_user_pass)
            .password_check(|login: &str, code: &str| login == "moe" && code == "123456")
    });
    assert_eq!(
        fsa.check_user_password("calvin", "hobbes-rules")
            .await
            .unwrap(),
        "calvin"
    );
    assert_eq!(
        fsa.check_user_password("moe", "123456").await.unwrap(),
        "moe"
    );
    let wrong = fsa
        .check_user_password("calvin", "short")
        .await
        .unwrap_err();
    let unknown = fsa.check_user_password("susie", "short").await.unwrap_err();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.message(), unknown.message());
}

#[test]
fn bad_password_directives_are_start_up_errors() {
    for (directive, problem) in [
        (
            "FSA_PASSWORD_RE = [\"(unclosed\"]",
            "FSA_PASSWORD_RE: invalid regex",
        ),
        ("FSA_PASSWORD_OPTS = { rounds = 99 }", "rounds must be"),
        (
            "FSA_PASSWORD_SCHEME = \"argon2\"\nFSA_PASSWORD_OPTS = { rounds = 4 }",
            "unexpected option \"rounds\" for argon2",
        ),
    ] {
        let text = format!("FSA_AUTH = [\"basic\", \"none\"]\n{directive}");
        let error = fsa_tests::from_toml("acme", &text).build().unwrap_err();
        assert!(
            error.problems().iter().any(|p| p.contains(problem)),
            "{directive}: {error}"
        );
    }
}
