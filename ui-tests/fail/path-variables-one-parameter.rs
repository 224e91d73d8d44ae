use fsa_runtime::prelude::*;

// `x` and `_x` both read parameter `_x`: the second would bind silently.
#[get("/a/<x>/<_x>", authz = "OPEN")]
async fn twice(_x: i64) -> String {
    String::new()
}

fn main() {
    let _ = routes![twice];
}
