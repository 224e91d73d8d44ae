//! The README says what is true: its Rust blocks are doctests (see
//! `tests/src/lib.rs`); here, the files it shows are the files of the
//! repository, its configurations are accepted, and its `curl` examples get
//! the answers it announces, from the real programs.

use fsa_tests::program::{example_binary, workspace, Program};
use fsa_tests::readme::{check_block, code_blocks, section_blocks};

#[test]
fn the_application_shown_is_examples_hello_as_it_is() {
    let blocks = section_blocks("Use fsa in your application");
    let shown = |info: &str, index: usize| -> String {
        let found: Vec<&String> = blocks
            .iter()
            .filter(|(i, _)| i == info)
            .map(|(_, body)| body)
            .collect();
        found[index].clone()
    };
    let file = |path: &str| std::fs::read_to_string(workspace().join(path)).unwrap();
    assert_eq!(shown("rust,no_run", 0), file("examples/hello/src/main.rs"));
    assert_eq!(shown("toml", 1), file("examples/hello/hello.toml"));
    // The dependency lines name what the example depends on.
    let dependencies = shown("toml", 0);
    assert!(dependencies.contains("fsa-runtime = "), "{dependencies}");
    assert!(dependencies.contains("actix-web = \"4\""), "{dependencies}");
}

#[test]
fn every_directive_is_in_the_configuration_table() {
    let readme = include_str!("../../README.md");
    let table = &readme[readme
        .find("## Configuration")
        .expect("a Configuration section")..];
    let table = &table[..table.find("\n## ").unwrap_or(table.len())];
    let missing: Vec<&str> = fsa_runtime::config::Config::directive_names()
        .filter(|name| {
            // `FSA_TOKEN_TYPE`, `_ALGO`, ...: a family is written once.
            let short = name.rsplit_once('_').map(|(_, last)| format!("`_{last}`"));
            !table.contains(&format!("`{name}`"))
                && !short.is_some_and(|short| table.contains(&short))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "directives missing from the README's table: {missing:?}"
    );
}

#[test]
fn every_configuration_shown_is_accepted() {
    let mut checked = 0;
    for (info, body) in code_blocks() {
        if info == "toml" && body.contains("FSA_") {
            if let Err(e) = fsa_runtime::config::Config::from_toml_str(&body) {
                panic!("README configuration refused: {e}\n{body}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 2, "{checked} configurations");
}

#[test]
fn the_first_requests_to_hello_get_the_answers_shown() {
    let dir = workspace().join("examples/hello");
    let log = std::env::temp_dir().join(format!("fsa-readme-hello-{}.log", std::process::id()));
    let hello = Program::start(
        &example_binary("hello"),
        &[],
        &dir,
        &["HELLO_"],
        &[("HELLO_BIND", "127.0.0.1:0")],
        &log,
        "hello listens on ",
    );
    let blocks = section_blocks("Use fsa in your application");
    let (_, curls) = blocks.iter().find(|(info, _)| info == "sh").unwrap();
    let checked = check_block(curls, &hello.addr);
    hello.stop();
    let _ = std::fs::remove_file(&log);
    assert_eq!(checked, 7);
}

#[test]
fn the_security_listing_shown_is_what_acme_prints() {
    let blocks = section_blocks("OpenAPI and the security listing");
    let (_, shown) = blocks
        .iter()
        .find(|(info, _)| info == "text")
        .expect("the listing block");
    let dir = std::env::temp_dir().join(format!("acme-routes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = std::process::Command::new(example_binary("acme"))
        .arg("--routes")
        .env("ACME_DB", dir.join("acme.db"))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), *shown);
}
