//! What `build()` refuses, before the server listens: what the source
//! alone cannot decide, because it depends on the configuration.

use fsa_runtime::prelude::*;
use fsa_tests::get_user_pass;

#[get("/kids", authz = "kid")]
async fn kids() -> &'static str {
    "kids"
}

#[get("/store/<sid>", authz = ("store", "sid"))]
async fn store(sid: i64) -> String {
    sid.to_string()
}

#[get("/login", authz = "AUTH", authn = "param")]
async fn login() -> &'static str {
    "token"
}

/// An alias hides the type from the macro: `build()` still sees it.
type Me = CurrentUser;

#[get("/who", authz = "OPEN")]
async fn who(user: Me) -> String {
    user.0
}

fn problems(builder: FsaBuilder) -> Vec<String> {
    match builder.build() {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().to_vec(),
    }
}

fn base() -> FsaBuilder {
    fsa_tests::from_toml("acme", "FSA_AUTH = [\"basic\", \"none\"]").get_user_pass(get_user_pass)
}

#[test]
fn a_group_without_a_check_is_refused() {
    let found = problems(base().routes(routes![kids]));
    assert!(found[0].contains("cannot check group \"kid\""), "{found:?}");
    assert!(problems(
        base()
            .user_in_group(|_: &str, _: &str| true)
            .routes(routes![kids])
    )
    .is_empty());
}

#[test]
fn an_undeclared_group_is_refused_when_groups_are_declared() {
    let found = problems(
        base()
            .user_in_group(|_: &str, _: &str| true)
            .add_group("admin")
            .routes(routes![kids]),
    );
    assert!(found[0].contains("unexpected group \"kid\""), "{found:?}");
}

#[test]
fn an_object_domain_without_a_hook_is_refused() {
    let found = problems(base().routes(routes![store]));
    assert!(
        found[0].contains("missing object permission checker for \"store\""),
        "{found:?}"
    );
}

#[test]
fn a_permission_hook_of_another_type_is_refused() {
    let found = problems(
        base()
            .object_perms("store", |_: &str, _: String, _: Option<&str>| Some(true))
            .routes(routes![store]),
    );
    assert!(
        found[0].contains("takes alloc::string::String, parameter `sid` is i64"),
        "{found:?}"
    );
    assert!(problems(
        base()
            .object_perms("store", |_: &str, _: i64, _: Option<&str>| Some(true))
            .routes(routes![store])
    )
    .is_empty());
}

#[test]
fn a_scheme_not_enabled_is_refused() {
    let found = problems(base().routes(routes![login]));
    assert!(
        found[0].contains("\"param\" is not in FSA_AUTH"),
        "{found:?}"
    );
}

#[test]
fn the_current_user_is_refused_on_an_open_route() {
    let found = problems(base().routes(routes![who]));
    assert!(
        found[0].contains("an OPEN route has no sure user")
            && found[0].contains("Option<CurrentUser>"),
        "{found:?}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let found = problems(base().routes(routes![kids, store, login]));
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn a_route_declared_twice_is_refused() {
    let found = problems(
        base()
            .user_in_group(|_: &str, _: &str| true)
            .routes(routes![kids, kids]),
    );
    assert!(found[0].contains("declared twice"), "{found:?}");
}

#[test]
fn fsa_auth_is_mandatory() {
    let found = problems(fsa_tests::from_toml("acme", "FSA_MODE = \"dev\""));
    assert!(found[0].contains("FSA_AUTH is mandatory"), "{found:?}");
}

#[test]
fn the_configuration_file_is_named_by_an_environment_variable_and_overridden_by_it() {
    let dir = std::env::temp_dir().join(format!("fsa-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.toml");
    std::fs::write(
        &path,
        "FSA_AUTH = \"basic\"\nFSA_MODE = \"dev\"\nOTHER = 1\n",
    )
    .unwrap();
    // A variable name no other test uses: the environment is process-wide.
    std::env::set_var("FSATEST_CONFIG", &path);
    let fsa = Fsa::from_env("FSATEST_CONFIG").unwrap().build().unwrap();
    assert_eq!(fsa.config().auth, ["token", "basic", "none"]);
    assert_eq!(fsa.config().mode, fsa_runtime::config::Mode::Dev);
    // An FSA_* environment variable overrides the file.
    std::env::set_var("FSA_REALM", "from-environment");
    let fsa = Fsa::from_env("FSATEST_CONFIG").unwrap().build();
    std::env::remove_var("FSA_REALM");
    assert_eq!(fsa.unwrap().realm(), "from-environment");
    std::fs::write(&path, "FSA_AUTH = [\"basic\"]\nFSA_MODE = \"loud\"\n").unwrap();
    let error = Fsa::from_env("FSATEST_CONFIG").err().unwrap();
    assert!(error.problems()[0].contains("FSA_MODE"), "{error:?}");
    std::fs::write(&path, "FSA_AUTH = [\"basic\"]\nFSA_TOKEN_TYPE = \"none\"\n").unwrap();
    let fsa = Fsa::from_env("FSATEST_CONFIG").unwrap().build().unwrap();
    assert_eq!(fsa.realm(), "fsatest");
    assert_eq!(fsa.config().mode, fsa_runtime::config::Mode::Prod);
    // A file given by path: the application is named after it.
    let fsa = Fsa::from_file(&path).unwrap().build().unwrap();
    assert_eq!(fsa.realm(), "app");
    // A default file when the variable is unset, named after the variable.
    let fsa = Fsa::from_env_or("FSATEST_UNSET_CONFIG", &path).unwrap();
    assert_eq!(fsa.build().unwrap().realm(), "fsatest_unset");
    let missing = dir.join("missing.toml");
    let error = Fsa::from_env_or("FSATEST_UNSET_CONFIG", &missing)
        .err()
        .unwrap();
    assert!(error.problems()[0].contains("missing.toml"), "{error:?}");
}

#[get("/read", authz = "read", authn = "oauth")]
async fn read_scope() -> &'static str {
    "read"
}

#[test]
fn scopes_declared_with_add_scope_are_the_only_ones_an_oauth_route_may_name() {
    let oauth = || {
        fsa_tests::from_toml(
            "acme",
            "FSA_AUTH = [\"oauth\"]\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_ISSUER = \"https://auth.example\"",
        )
        .routes(routes![read_scope])
    };
    assert!(problems(oauth().add_scope("read")).is_empty());
    let found = problems(oauth().add_scope("write"));
    assert!(found[0].contains("unexpected scope \"read\""), "{found:?}");
}
