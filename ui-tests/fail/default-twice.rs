use fsa_runtime::prelude::*;

#[get("/store", authz = "employee")]
async fn get_store(#[default("%")] #[default("*")] pattern: String) -> String {
    format!("stores matching {pattern}")
}

fn main() {
    let _ = routes![get_store];
}
