use fsa_runtime::prelude::*;

#[allow(clippy::too_many_arguments)]
#[get("/<a>/<b>/<c>/<d>/<e>/<f>/<g>/<h>/<i>/<j>/<k>/<l>/<m>/<n>/<o>/<p>/<q>", authz = "OPEN")]
async fn deep(a: String, b: String, c: String, d: String, e: String, f: String, g: String, h: String, i: String, j: String, k: String, l: String, m: String, n: String, o: String, p: String, q: String) -> String {
    a
}

fn main() {
    let _ = routes![deep];
}
