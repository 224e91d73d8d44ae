//! Step 1: an application with one OPEN route.

use fsa_runtime::{prelude::*, ConfigError};

/// The configuration, as FlaskSimpleAuth's `acme.conf`.
pub const CONFIG: &str = r#"
FSA_MODE = "dev"    # FSA-Request, FSA-User, FSA-Delay headers
FSA_AUTH = "none"   # nobody authenticates yet
"#;

/// Anyone may call it: OPEN, never authenticated.
#[get("/hello", authz = "OPEN")]
async fn hello() -> &'static str {
    "hello!"
}

/// This step's application.
pub fn app() -> Result<Fsa, ConfigError> {
    Fsa::from_toml_str("acme", CONFIG)?
        .routes(routes![hello])
        .build()
}
