//! acme built step by step with fsa, as FlaskSimpleAuth's tutorial does:
//! see `README.md` beside this crate. Each step is a module with its
//! configuration, its routes and an `app()` function; `tests/steps.rs`
//! runs each over HTTP and checks that the README quotes the code as it is.

pub mod data;
pub mod step1;
pub mod step2;
pub mod step3;
pub mod step4;
pub mod step5;
pub mod step6;
