//! Route declarations that must compile, one module of this folder each:
//! compiling them is the test; each module's test `run` also checks a fact
//! or two of its routes (`routes![...]`, `info()`). Every file here is a
//! module (checked below). The declarations that must not compile are
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
    }
    assert!(files >= 10, "{files} cases found in tests/compiles/");
}
