use fsa_runtime::prelude::*;

mod groups {
    pub const EMPLOYEE: &str = "employee";
}

#[get("/store", authz = groups::EMPLOYE)]
async fn get_store() -> &'static str {
    "stores"
}

fn main() {
    let _ = routes![get_store];
}
