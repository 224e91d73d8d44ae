use fsa_runtime::prelude::*;

#[get("/whoami", authz = "OPEN")]
async fn whoami(user: CurrentUser) -> String {
    format!("hello {user}")
}

fn main() {
    let _ = routes![whoami];
}
