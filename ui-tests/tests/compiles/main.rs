//! Route declarations that must compile, one module of this folder each,
//! and run: each checks what its routes list (`routes![...]`, `info()`).
//! They are built with the other tests, as an application builds them.
//! The declarations that must not compile are `../ui.rs`'s, under trybuild.

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
