//! Every family of parameter types: scalars, collections, serde and
//! `FromStr` types, casts, special parameters and actix extractors.
use fsa_runtime::params::{Input, SpecialParam};
use fsa_runtime::prelude::*;
use std::collections::HashMap;

/// A type read from its text.
struct Sku(String);

impl std::str::FromStr for Sku {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(Sku(s.to_string()))
    }
}

/// Built from the request and other special parameters.
struct Profile(String);

impl SpecialParam for Profile {
    async fn build(input: Input<'_>) -> Result<Self, ErrorResponse> {
        Ok(Profile(input.get::<CurrentUser>()?.0))
    }
}

fn minutes(text: &str) -> Result<std::time::Duration, std::num::ParseIntError> {
    Ok(std::time::Duration::from_secs(60 * text.parse::<u64>()?))
}

#[post("/everything", authz = "AUTH")]
#[allow(clippy::too_many_arguments)] // a route takes its parameters as arguments
async fn everything(
    id: uuid::Uuid,
    day: chrono::NaiveDate,
    tags: Vec<String>,
    data: serde_json::Value,
    sku: Sku,
    #[cast(minutes)] delay: std::time::Duration,
    agent: Header<String>,
    session: Option<Cookie<String>>,
    files: Vec<Upload>,
    profile: Profile,
    method: actix_web::http::Method,
) -> String {
    let _ = (
        id,
        day,
        tags,
        data,
        sku.0,
        delay,
        agent,
        session,
        files.len(),
        profile.0,
        method,
    );
    String::new()
}

#[get("/rest", authz = "OPEN")]
async fn rest(known: i64, others: HashMap<String, String>) -> String {
    format!("{known} {}", others.len())
}

#[test]
fn run() {
    let _ = routes![everything, rest];
}
