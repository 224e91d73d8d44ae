//! Runs a step of the tutorial: `cargo run -p tutorial -- 3` (default: the
//! last step) on http://127.0.0.1:8080, or `TUTORIAL_BIND`;
//! `cargo run -p tutorial -- 6 --openapi` prints the step's OpenAPI
//! document instead.

use fsa_runtime::prelude::*;
use tutorial::data::Inventory;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let step = std::env::args().nth(1).unwrap_or_else(|| "6".into());
    let fsa = match step.as_str() {
        "1" => tutorial::step1::app(),
        "2" => tutorial::step2::app(),
        "3" => tutorial::step3::app(),
        "4" => tutorial::step4::app(),
        "5" => tutorial::step5::app(),
        "6" => tutorial::step6::app(),
        _ => return Err(std::io::Error::other("usage: tutorial [1-6]")),
    }?;
    if std::env::args().any(|a| a == "--openapi") {
        let document = fsa
            .openapi()
            .to_pretty_json()
            .map_err(std::io::Error::other)?;
        println!("{document}");
        return Ok(());
    }
    let inventory = Data::new(Inventory::default());
    let bind = std::env::var("TUTORIAL_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    println!("tutorial step {step} listens on http://{bind}");
    HttpServer::new(move || fsa.app().app_data(inventory.clone()))
        .bind(bind)?
        .run()
        .await
}
