use fsa_runtime::prelude::*;

#[get("/store", authz = "employee")]
async fn get_store(#[default("x")] n: i64) -> String {
    format!("{n} stores")
}

fn main() {
    let _ = routes![get_store];
}
