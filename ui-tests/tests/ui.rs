//! Route declarations that must not compile, each with the message it
//! gives (`fail/NAME.stderr`; `TRYBUILD=overwrite` writes them anew).
//! Only compile-fail cases here: trybuild then checks (`cargo check`)
//! rather than builds its own copy of the dependencies. The declarations
//! that must compile are `compiles/`'s.
#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("fail/*.rs");
}
