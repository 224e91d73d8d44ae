//! Route declarations that must compile, one module of this folder each:
//! compiling them is the test; each `run()` also checks a fact or two of
//! its routes (`routes![...]`, `info()`). Every file here is a module with
//! its test (checked below). The declarations that must not compile are
//! `../ui.rs`'s, under trybuild.

mod authn_realm;
mod authz_perms;
mod authz_simple;
mod group_constants;
mod handlers;
mod methods;
mod param_types;
mod params;
mod path_names;
mod paths;

#[test]
fn authn_and_realm() {
    authn_realm::run();
}

#[test]
fn object_permissions() {
    authz_perms::run();
}

#[test]
fn groups_and_special_authorizations() {
    authz_simple::run();
}

#[test]
fn group_constants() {
    group_constants::run();
}

#[test]
fn handler_shapes() {
    handlers::run();
}

#[test]
fn methods() {
    methods::run();
}

#[test]
fn parameter_types() {
    param_types::run();
}

#[test]
fn parameters() {
    params::run();
}

#[test]
fn path_variables_named_by_request_name() {
    path_names::run();
}

#[test]
fn paths() {
    paths::run();
}

#[test]
fn every_file_here_is_compiled_and_run() {
    let main = include_str!("main.rs");
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compiles");
    let mut files = 0;
    for entry in std::fs::read_dir(folder).expect("tests/compiles") {
        let name = entry.expect("an entry").file_name();
        let name = name.to_str().expect("a UTF-8 name");
        let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main") else {
            continue;
        };
        files += 1;
        assert!(
            main.contains(&format!("\nmod {module};\n")),
            "tests/compiles/{name}: add `mod {module};` to main.rs"
        );
        assert!(
            main.contains(&format!("    {module}::run();\n")),
            "tests/compiles/{name}: add a test calling `{module}::run()` to main.rs"
        );
    }
    assert!(files >= 10, "{files} cases found in tests/compiles/");
}
