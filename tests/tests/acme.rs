//! The acme example's contract (issue 7), through the real program: each
//! test starts `acme` (built once by cargo) on a free loopback port with
//! its own database in a temporary folder, and talks HTTP/1.1 to it over a
//! plain TCP socket, so that hostile bytes reach the server as written.

use base64::Engine;
use base64::{engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use fsa_tests::program::{example_binary, Program};
use fsa_tests::raw::{self, Response};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const SECRET: &str = "acme test secret, 32 bytes long!";
const CALVIN: (&str, &str) = ("calvin", "hobbes-rules");
const HOBBES: (&str, &str) = ("hobbes", "tiger-power");
const SUSIE: (&str, &str) = ("susie", "derkins-123");

/// A running acme, killed and its folder removed when dropped.
struct Acme {
    program: Option<Program>,
    dir: PathBuf,
    addr: String,
}

impl Acme {
    /// A new server with a new database and `ACME_SECRET` set.
    fn start() -> Acme {
        Acme::start_in(
            new_dir(),
            &[("ACME_SECRET", SECRET), ("ACME_DB", "test.db")],
        )
    }

    /// A server in folder `dir` (its working folder) with only the given
    /// `ACME_*` variables (and no inherited `FSA_*` one).
    fn start_in(dir: PathBuf, env: &[(&str, &str)]) -> Acme {
        let log = dir.join("acme.log");
        let mut env = env.to_vec();
        env.extend([("ACME_BIND", "127.0.0.1:0"), ("RUST_LOG", "info")]);
        let binary = example_binary("acme");
        let program = Program::start(
            &binary,
            &[],
            &dir,
            &["ACME_"],
            &env,
            &log,
            "acme listens on ",
        );
        Acme {
            addr: program.addr.clone(),
            program: Some(program),
            dir,
        }
    }

    /// What it printed so far, once it printed `text` (or 10 s passed).
    fn printed(&self, text: &str) -> String {
        self.program.as_ref().unwrap().printed(text)
    }

    /// Stops the server, keeping its folder for another.
    fn stop(mut self) -> PathBuf {
        if let Some(program) = self.program.take() {
            program.stop();
        }
        std::mem::take(&mut self.dir)
    }

    /// What it logged so far.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("acme.log")).unwrap()
    }

    /// Sends `request` as is (it should say `Connection: close`).
    fn raw(&self, request: &[u8]) -> Response {
        raw::send(&self.addr, request)
    }

    /// A request with optional credentials and body.
    fn call(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        body: Option<(&str, &[u8])>,
    ) -> Response {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        raw::request(&self.addr, method, path, &headers, body)
    }

    fn get(&self, path: &str, auth: Option<&str>) -> Response {
        self.call("GET", path, auth, None)
    }

    fn post_form(&self, path: &str, auth: Option<&str>, form: &str) -> Response {
        let body = Some(("application/x-www-form-urlencoded", form.as_bytes()));
        self.call("POST", path, auth, body)
    }

    fn post_json(&self, path: &str, auth: Option<&str>, json: &Value) -> Response {
        let text = json.to_string();
        self.call(
            "POST",
            path,
            auth,
            Some(("application/json", text.as_bytes())),
        )
    }
}

impl Drop for Acme {
    fn drop(&mut self) {
        drop(self.program.take());
        if !self.dir.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A new empty folder for one server.
fn new_dir() -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "fsa-acme-test-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn basic((login, password): (&str, &str)) -> String {
    format!("Basic {}", STANDARD.encode(format!("{login}:{password}")))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Asserts a status, showing the answer otherwise.
#[track_caller]
fn expect(response: &Response, status: u16) {
    assert_eq!(
        response.status,
        status,
        "answer: {}",
        String::from_utf8_lossy(&response.body)
    );
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `token` with the first character of its signature changed.
fn tamper(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let first = if signature.starts_with('A') { 'B' } else { 'A' };
    format!("{signed}.{first}{}", &signature[1..])
}

fn jwt(claims: &Value, secret: &str) -> String {
    fsa_tests::hs256(claims, secret)
}

#[test]
fn starts_with_defaults_seeds_hashed_passwords_and_tells_how_to_try() {
    // no ACME_DB, no ACME_SECRET, no ACME_CONFIG: acme.db in the working
    // folder, a random secret with a warning, the bundled configuration
    let acme = Acme::start_in(new_dir(), &[]);
    let printed = acme.printed("curl -u calvin:hobbes-rules http://");
    assert!(
        printed.contains("curl -u calvin:hobbes-rules http://"),
        "{printed}"
    );
    assert!(acme.dir.join("acme.db").exists());
    assert!(acme.log().contains("random secret"), "{}", acme.log());
    let stores = acme.get("/store", Some(&basic(CALVIN)));
    expect(&stores, 200);
    assert_eq!(
        stores.json(),
        json!([
            {"sid": 1, "name": "Downtown"},
            {"sid": 2, "name": "Uptown"},
            {"sid": 3, "name": "Harbor"}
        ])
    );
    // the random secret signs and checks this process's tokens
    let token = acme.get("/login", Some(&basic(HOBBES))).json();
    let token = token.as_str().unwrap();
    expect(&acme.get("/store", Some(&bearer(token))), 200);
    // bcrypt hashes in the file, never the passwords
    let mut bytes = std::fs::read(acme.dir.join("acme.db")).unwrap();
    bytes.extend(std::fs::read(acme.dir.join("acme.db-wal")).unwrap_or_default());
    let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(find(b"$2b$04$"));
    for (_, password) in [CALVIN, HOBBES, SUSIE] {
        assert!(!find(password.as_bytes()), "{password} stored in clear");
    }
}

#[test]
fn the_readme_examples_get_the_answers_they_announce() {
    let acme = Acme::start();
    // the README's first curl block: each line's announced status, body, challenge
    let blocks = fsa_tests::readme::code_blocks();
    let (_, first) = blocks
        .iter()
        .find(|(info, body)| info == "sh" && body.contains("curl "))
        .unwrap();
    assert_eq!(fsa_tests::readme::check_block(first, &acme.addr), 7);
}

#[cfg(unix)]
#[test]
fn an_environment_variable_that_is_not_utf8_is_no_problem_unless_fsa_reads_it() {
    use std::os::unix::ffi::OsStrExt;
    let bytes = std::ffi::OsStr::from_bytes(b"a\xffb").to_str();
    assert!(bytes.is_none());
    // std::process::Command takes OsStr values: set one the tests do not read
    let dir = new_dir();
    let log = std::fs::File::create(dir.join("acme.log")).unwrap();
    let binary = example_binary("acme");
    let mut command = std::process::Command::new(&binary);
    command
        .env("ACME_NOT_UTF8", std::ffi::OsStr::from_bytes(b"a\xffb"))
        .env("ACME_BIND", "127.0.0.1:0")
        .env("ACME_DB", "test.db")
        .env("ACME_SECRET", SECRET)
        .current_dir(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(log);
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("acme listens on http://"), "{line:?}");
    // an FSA_* one is refused with a message naming it, before listening
    let log = std::fs::File::create(dir.join("acme2.log")).unwrap();
    let output = std::process::Command::new(&binary)
        .env("FSA_REALM", std::ffi::OsStr::from_bytes(b"a\xffb"))
        .env("ACME_BIND", "127.0.0.1:0")
        .env("ACME_DB", "test.db")
        .current_dir(&dir)
        .stderr(log)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let log = std::fs::read_to_string(dir.join("acme2.log")).unwrap();
    assert!(
        log.contains("environment variable FSA_REALM is not valid UTF-8"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn headers_sent_too_slowly_get_408_from_the_server_timeout() {
    use std::io::{Read, Write};
    let acme = Acme::start();
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect(&acme.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(b"GET /store HTTP/1.1\r\nHost: acme\r\n")
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    std::thread::spawn(move || {
        for byte in b"X-Slow: a header sent a byte every half second".iter() {
            if writer.write_all(&[*byte]).is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    });
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let took = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    // actix's client_request_timeout: 5 seconds for the whole head
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

#[test]
fn store_list_filters_by_pattern_in_sid_order() {
    let acme = Acme::start();
    let names = |path: &str| -> Vec<String> {
        let response = acme.get(path, Some(&basic(HOBBES)));
        expect(&response, 200);
        assert_eq!(response.header("content-type"), Some("application/json"));
        response
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("/store"), ["Downtown", "Uptown", "Harbor"]);
    assert_eq!(names("/store?pattern=%25town"), ["Downtown", "Uptown"]);
    assert_eq!(names("/store?pattern=H%25"), ["Harbor"]);
    assert_eq!(names("/store?pattern=nothing"), Vec::<String>::new());
    let form = acme.post_form("/store", Some(&basic(HOBBES)), "pattern=Up%25");
    expect(&form, 405);
}

#[test]
fn authentication_failures_are_401_with_a_basic_challenge() {
    let acme = Acme::start();
    for path in ["/store", "/store/1/product", "/login"] {
        let response = acme.get(path, None);
        expect(&response, 401);
        let challenge = response.header("www-authenticate").unwrap_or_default();
        assert!(challenge.contains("Basic realm=\"acme\""), "{challenge}");
    }
    let wrong_password = basic(("calvin", "hobbes-rule"));
    let unknown = basic(("moe", "hobbes-rules"));
    for auth in [wrong_password, unknown, bearer("not-a-token")] {
        expect(&acme.get("/store", Some(&auth)), 401);
        expect(&acme.get("/store/1/product", Some(&auth)), 401);
    }
    // authenticated, not in group employee
    let susie = acme.get("/store", Some(&basic(SUSIE)));
    expect(&susie, 403);
    assert!(susie.text().contains("employee"));
}

#[test]
fn checks_run_in_order_authentication_groups_parameters_permissions() {
    let acme = Acme::start();
    let (calvin, hobbes, susie) = (basic(CALVIN), basic(HOBBES), basic(SUSIE));
    // 401 before anything else, even with bad parameters
    expect(&acme.post_form("/store/9/product", None, "bad=1"), 401);
    // groups (403) before parameters
    expect(&acme.get("/store?unexpected=1", Some(&susie)), 403);
    // parameters (400, every problem at once) before permissions
    let missing = acme.post_form("/store/1/product", Some(&hobbes), "");
    expect(&missing, 400);
    assert!(missing.text().contains("product") && missing.text().contains("quantity"));
    expect(
        &acme.post_form("/store/9/product", Some(&calvin), "product=pen"),
        400,
    );
    // then permissions: no such store 404, not its manager 403
    let form = "product=pen&quantity=1";
    expect(
        &acme.post_form("/store/9/product", Some(&calvin), form),
        404,
    );
    expect(
        &acme.post_form("/store/1/product", Some(&hobbes), form),
        403,
    );
    expect(
        &acme.post_form("/store/3/product", Some(&calvin), form),
        403,
    );
    expect(&acme.get("/store/9/product", Some(&calvin)), 404);
    expect(&acme.get("/store/2/product", Some(&calvin)), 403);
    // susie is no employee, but manages store 3
    expect(&acme.post_form("/store/3/product", Some(&susie), form), 201);
    expect(&acme.get("/store/3/product", Some(&susie)), 200);
}

#[test]
fn posts_add_to_the_total_from_query_form_or_json() {
    let acme = Acme::start();
    let calvin = basic(CALVIN);
    let query = acme.call(
        "POST",
        "/store/1/product?product=pen&quantity=3",
        Some(&calvin),
        None,
    );
    expect(&query, 201);
    assert_eq!(query.header("content-type"), Some("application/json"));
    assert_eq!(
        query.json(),
        json!({"sid": 1, "product": "pen", "quantity": 3})
    );
    let form = acme.post_form("/store/1/product", Some(&calvin), "product=pen&quantity=4");
    assert_eq!(
        form.json(),
        json!({"sid": 1, "product": "pen", "quantity": 7})
    );
    let body = json!({"product": "ink", "quantity": 2});
    let json = acme.post_json("/store/1/product", Some(&calvin), &body);
    expect(&json, 201);
    assert_eq!(
        json.json(),
        json!({"sid": 1, "product": "ink", "quantity": 2})
    );
    let negative = acme.post_form("/store/1/product", Some(&calvin), "product=pen&quantity=-2");
    assert_eq!(negative.json()["quantity"], 5);
    let held = acme.get("/store/1/product", Some(&calvin));
    expect(&held, 200);
    assert_eq!(held.json(), json!({"ink": 2, "pen": 5}));
    let other = acme.get("/store/2/product", Some(&basic(HOBBES)));
    assert_eq!(other.json(), json!({}));
}

#[test]
fn parameters_are_typed_and_checked() {
    let acme = Acme::start();
    let hobbes = basic(HOBBES);
    let post = |form: &str| acme.post_form("/store/2/product", Some(&hobbes), form);
    // Python integer literals in query and form values
    let mut total = 0;
    for literal in ["0x11", "0o21", "0b10001", "17"] {
        let by_form = post(&format!("product=gum&quantity={literal}"));
        expect(&by_form, 201);
        let path = format!("/store/2/product?product=gum&quantity={literal}");
        let by_query = acme.call("POST", &path, Some(&hobbes), None);
        expect(&by_query, 201);
        total += 34;
        assert_eq!(by_query.json()["quantity"], total);
    }
    // JSON values must be JSON numbers
    let json = |body: Value| acme.post_json("/store/2/product", Some(&hobbes), &body);
    expect(&json(json!({"product": "gum", "quantity": 17})), 201);
    expect(&json(json!({"product": "gum", "quantity": "17"})), 400);
    expect(&json(json!({"product": "gum", "quantity": 1.5})), 400);
    expect(&json(json!({"product": 17, "quantity": 17})), 400);
    // ill-typed, missing, unexpected
    expect(&post("product=gum&quantity=seventeen"), 400);
    expect(&post("product=gum&quantity=1.0"), 400);
    expect(&post("product=gum&quantity=99999999999999999999"), 400);
    expect(&post("quantity=1"), 400);
    expect(&post("product=gum"), 400);
    expect(&post("product=gum&quantity=1&colour=red"), 400);
    expect(
        &acme.get("/store?pattern=%25&colour=red", Some(&hobbes)),
        400,
    );
    // a path segment that is not an integer
    for path in [
        "/store/two/product",
        "/store/2.0/product",
        "/store/0x2/product",
    ] {
        let status = acme.get(path, Some(&hobbes)).status;
        assert!(status == 404 || status == 400, "{path}: {status}");
    }
    // nothing but the good requests counted
    let held = acme.get("/store/2/product", Some(&hobbes));
    assert_eq!(held.json(), json!({"gum": 153}));
}

#[test]
fn a_quantity_beyond_32_bits_is_400_and_changes_nothing() {
    // A quantity is an i32 and a total an i64: a total cannot overflow by
    // requests (2^32 of them), and acme still refuses one that would.
    let acme = Acme::start();
    let calvin = basic(CALVIN);
    let max = format!("product=pen&quantity={}", i32::MAX);
    expect(
        &acme.post_form("/store/1/product", Some(&calvin), &max),
        201,
    );
    let over = format!("product=pen&quantity={}", i64::from(i32::MAX) + 1);
    let refused = acme.post_form("/store/1/product", Some(&calvin), &over);
    expect(&refused, 400);
    assert_eq!(
        String::from_utf8_lossy(&refused.body),
        "parameter \"quantity\": integer 2147483648 out of range for i32"
    );
    let held = acme.get("/store/1/product", Some(&calvin));
    assert_eq!(held.json(), json!({"pen": i32::MAX}));
}

#[test]
fn dev_mode_headers_tell_request_user_and_delay() {
    let acme = Acme::start();
    let response = acme.get("/store?pattern=%25", Some(&basic(CALVIN)));
    expect(&response, 200);
    assert_eq!(response.header("fsa-request"), Some("GET /store"));
    assert_eq!(response.header("fsa-user"), Some("calvin (basic)"));
    let delay: f64 = response.header("fsa-delay").unwrap().parse().unwrap();
    assert!((0.0..60.0).contains(&delay));
    let token = acme.get("/login", Some(&basic(CALVIN))).json();
    let response = acme.get("/store/1/product", Some(&bearer(token.as_str().unwrap())));
    assert_eq!(response.header("fsa-request"), Some("GET /store/1/product"));
    assert_eq!(response.header("fsa-user"), Some("calvin (token)"));
}

#[test]
fn login_gives_hs256_jwts_with_exp_sub_and_aud() {
    let acme = Acme::start();
    let login = acme.get("/login", Some(&basic(CALVIN)));
    expect(&login, 200);
    assert_eq!(login.header("content-type"), Some("application/json"));
    let token = login.json().as_str().unwrap().to_string();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["sub"], "calvin");
    assert_eq!(claims["aud"], "acme");
    let exp = claims["exp"].as_u64().unwrap();
    assert!(exp > now() && exp <= now() + 3601, "{claims}");
    // it authenticates calvin, but /login itself wants a password
    let stores = acme.get("/store", Some(&bearer(&token)));
    expect(&stores, 200);
    expect(&acme.get("/login", Some(&bearer(&token))), 401);
    expect(&acme.get("/store", Some(&bearer(&tamper(&token)))), 401);
    // the token is checked: a tampered subject breaks the signature
    let forged = json!({"sub": "hobbes", "aud": "acme", "exp": exp});
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(forged.to_string()),
        parts[2]
    );
    expect(&acme.get("/store", Some(&bearer(&forged))), 401);
}

#[test]
fn jwts_from_any_library_with_the_secret_are_accepted_others_are_401() {
    let acme = Acme::start();
    let exp = now() + 600;
    let good = jwt(&json!({"sub": "hobbes", "aud": "acme", "exp": exp}), SECRET);
    let response = acme.get("/store/2/product", Some(&bearer(&good)));
    expect(&response, 200);
    assert_eq!(response.header("fsa-user"), Some("hobbes (token)"));
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let claims =
        URL_SAFE_NO_PAD.encode(json!({"sub": "hobbes", "aud": "acme", "exp": exp}).to_string());
    let bad = [
        (
            "wrong secret",
            jwt(
                &json!({"sub": "hobbes", "aud": "acme", "exp": exp}),
                "another secret, 32 bytes long!!",
            ),
        ),
        (
            "expired",
            jwt(
                &json!({"sub": "hobbes", "aud": "acme", "exp": now() - 120}),
                SECRET,
            ),
        ),
        (
            "wrong audience",
            jwt(
                &json!({"sub": "hobbes", "aud": "acme-mfa", "exp": exp}),
                SECRET,
            ),
        ),
        (
            "no audience",
            jwt(&json!({"sub": "hobbes", "exp": exp}), SECRET),
        ),
        (
            "no expiry",
            jwt(&json!({"sub": "hobbes", "aud": "acme"}), SECRET),
        ),
        ("alg none", format!("{none_header}.{claims}.")),
        ("tampered", tamper(&good)),
        ("truncated", good[..good.len() / 2].to_string()),
    ];
    for (why, token) in bad {
        let response = acme.get("/store/2/product", Some(&bearer(&token)));
        assert_eq!(response.status, 401, "{why}: {}", response.text());
    }
}

#[test]
fn hostile_input_gets_4xx_or_the_normal_answer_and_the_data_stays() {
    let acme = Acme::start();
    let calvin = basic(CALVIN);
    let huge = format!(
        "{{\"product\": \"{}\", \"quantity\": 1}}",
        "x".repeat(3 << 20)
    );
    let mut requests: Vec<Vec<u8>> = [
        "Basic !!!not-base64",
        "Basic ",
        "Basic",
        &format!("Basic {}", STANDARD.encode("no-colon")),
        &format!("Basic {}", STANDARD.encode("calvin:hobbes-rules\0")),
        "Bearer",
        "Bearer a.b.c",
        "Bearer ....",
        "Digest username=\"calvin\"",
        &format!("Basic {}", "A".repeat(20_000)),
    ]
    .iter()
    .map(|auth| format!("GET /store HTTP/1.1\r\nHost: acme\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n").into_bytes())
    .collect();
    let post = |body: &[u8], content_type: &str| -> Vec<u8> {
        let mut request = format!(
            "POST /store/1/product HTTP/1.1\r\nHost: acme\r\nAuthorization: {calvin}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        request.extend(body);
        request
    };
    requests.extend([
        b"GET /store HTTP/1.1\r\nHost: acme\r\nAuthorization: Basic \xff\xfe\r\nConnection: close\r\n\r\n".to_vec(),
        post(b"{\"product\": \"pen\", \"quantity\": ", "application/json"),
        post(b"[\"pen\", 1]", "application/json"),
        post(b"\"pen\"", "application/json"),
        post(b"{\"product\": \"p\\u0000n\", \"quantity\": 1}", "application/json"),
        post(b"\xff\xfe\xfd", "application/json"),
        post(b"product=p%00n&quantity=1", "application/x-www-form-urlencoded"),
        post(b"product=%ff&quantity=1", "application/x-www-form-urlencoded"),
        post(huge.as_bytes(), "application/json"),
        post(format!("product={}&quantity=1", "y".repeat(3 << 20)).as_bytes(), "application/x-www-form-urlencoded"),
    ]);
    let paths: [&[u8]; 11] = [
        b"/store%00",
        b"/store/1%00/product",
        b"/store?pattern=%00",
        b"/store?pattern=%ff",
        b"/store%0D%0AX-Injected:%201",
        b"/store/%ff/product",
        b"/store/1/product%0d%0a",
        b"/store/\xff/product",
        b"/store/99999999999999999999/product",
        b"/store/-1/product",
        b"/../../etc/passwd",
    ];
    for path in paths {
        let mut request = b"GET ".to_vec();
        request.extend(path);
        request.extend(
            format!(
                " HTTP/1.1\r\nHost: acme\r\nAuthorization: {calvin}\r\nConnection: close\r\n\r\n"
            )
            .bytes(),
        );
        requests.push(request);
    }
    requests.push(b"GET /store\r\nX: 1 HTTP/1.1\r\nHost: acme\r\n\r\n".to_vec());
    requests.push(b"GET /st\xffore HTTP/1.1\r\nHost: acme\r\nConnection: close\r\n\r\n".to_vec());
    for request in &requests {
        let response = acme.raw(request);
        let shown = String::from_utf8_lossy(&request[..request.len().min(120)]);
        assert!(
            (200..500).contains(&response.status),
            "{shown}: {} {}",
            response.status,
            response.text()
        );
    }
    // SQL metacharacters are data
    for pattern in ["'", "%' OR '1'='1", "'; DROP TABLE store; --", "\\", "_"] {
        let path = format!("/store?pattern={}", encode_query(pattern));
        let response = acme.get(&path, Some(&calvin));
        expect(&response, 200);
        assert_eq!(response.json(), json!([]), "{pattern}");
    }
    let product = "Robert'); DROP TABLE product; --";
    let body = json!({"product": product, "quantity": 1});
    expect(
        &acme.post_json("/store/1/product", Some(&calvin), &body),
        201,
    );
    // still serving, data intact
    let stores = acme.get("/store", Some(&calvin));
    expect(&stores, 200);
    assert_eq!(stores.json().as_array().unwrap().len(), 3);
    let held = acme.get("/store/1/product", Some(&calvin));
    assert_eq!(held.json()[product], 1);
}

/// Percent-encodes every byte but ASCII letters and digits.
fn encode_query(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn concurrent_posts_lose_no_update() {
    let acme = Acme::start();
    let token = acme.get("/login", Some(&basic(CALVIN))).json();
    let auth = bearer(token.as_str().unwrap());
    let (threads, per_thread) = (16, 8);
    let totals: Vec<i64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (acme, auth) = (&acme, &auth);
                scope.spawn(move || {
                    (0..per_thread)
                        .map(|i| {
                            let quantity = t * per_thread + i + 1;
                            let form = format!("product=marble&quantity={quantity}");
                            let response = acme.post_form("/store/1/product", Some(auth), &form);
                            expect(&response, 201);
                            response.json()["quantity"].as_i64().unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let n = threads * per_thread;
    let expected = n * (n + 1) / 2;
    // each POST saw a distinct total, the last one all of them
    let mut sorted = totals.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), totals.len(), "two POSTs saw the same total");
    assert_eq!(sorted.last(), Some(&expected));
    let held = acme.get("/store/1/product", Some(&auth));
    assert_eq!(held.json(), json!({"marble": expected}));
}

#[test]
fn the_database_persists_and_acme_config_names_another_configuration() {
    let acme = Acme::start();
    let calvin = basic(CALVIN);
    expect(
        &acme.post_form("/store/1/product", Some(&calvin), "product=pen&quantity=5"),
        201,
    );
    assert!(acme.log().contains("seeded"));
    let dir = acme.stop();
    // a production configuration of the same application, same database
    std::fs::write(
        dir.join("prod.toml"),
        "FSA_MODE = \"prod\"\nFSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_TYPE = \"jwt\"\n\
         FSA_TOKEN_SECRET = { env = \"ACME_SECRET\" }\nFSA_ERROR_RESPONSE = \"json:error\"\n",
    )
    .unwrap();
    let acme = Acme::start_in(
        dir,
        &[
            ("ACME_DB", "test.db"),
            ("ACME_SECRET", SECRET),
            ("ACME_CONFIG", "prod.toml"),
        ],
    );
    assert!(!acme.log().contains("seeded"), "seeded twice");
    let held = acme.get("/store/1/product", Some(&calvin));
    expect(&held, 200);
    assert_eq!(held.json(), json!({"pen": 5}));
    assert_eq!(held.header("fsa-user"), None);
    let denied = acme.get("/store", Some(&basic(SUSIE)));
    expect(&denied, 403);
    assert!(denied.json()["error"].is_string(), "{}", denied.text());
}

fn patch_password(acme: &Acme, login: &str, auth: (&str, &str), old: &str, new: &str) -> Response {
    let form = format!(
        "oldpass={}&newpass={}",
        encode_query(old),
        encode_query(new)
    );
    let body = Some(("application/x-www-form-urlencoded", form.as_bytes()));
    acme.call(
        "PATCH",
        &format!("/user/{login}/password"),
        Some(&basic(auth)),
        body,
    )
}

#[test]
fn users_change_their_own_password_with_the_old_one() {
    let acme = Acme::start();
    let wrong_old = patch_password(&acme, "calvin", CALVIN, "not-it", "new-password-1");
    expect(&wrong_old, 403);
    assert_eq!(
        wrong_old.text(),
        "oldpass: this is not the current password"
    );
    expect(
        &patch_password(&acme, "calvin", CALVIN, CALVIN.1, "short"),
        400,
    );
    expect(
        &patch_password(&acme, "hobbes", CALVIN, CALVIN.1, "new-password-1"),
        403,
    );
    // No "no such user": that would tell which logins exist.
    expect(
        &patch_password(&acme, "nobody", CALVIN, CALVIN.1, "new-password-1"),
        403,
    );
    expect(&acme.get("/store", Some(&basic(CALVIN))), 200);
    expect(
        &patch_password(&acme, "calvin", CALVIN, CALVIN.1, "new-password-1"),
        204,
    );
    expect(&acme.get("/store", Some(&basic(CALVIN))), 401);
    expect(
        &acme.get("/store", Some(&basic(("calvin", "new-password-1")))),
        200,
    );
}

#[test]
fn two_instances_on_one_database_and_one_redis_see_a_password_change_at_once() {
    let Some(redis) = fsa_tests::redis::redis() else {
        return;
    };
    let (first_dir, second_dir) = (new_dir(), new_dir());
    let db = first_dir.join("shared.db");
    let db = db.to_str().unwrap();
    let opts = format!("{{ url = \"{}\" }}", redis.url);
    let prefix = format!("acme-test:{}:{}:", std::process::id(), now());
    let env = [
        ("ACME_SECRET", SECRET),
        ("ACME_DB", db),
        ("FSA_CACHE", "redis"),
        ("FSA_CACHE_OPTS", opts.as_str()),
        ("FSA_CACHE_PREFIX", prefix.as_str()),
    ];
    // The first creates and seeds the database, then the second opens it.
    let first = Acme::start_in(first_dir, &env);
    let second = Acme::start_in(second_dir, &env);
    expect(&second.get("/store", Some(&basic(CALVIN))), 200);
    let token = first.get("/login", Some(&basic(CALVIN))).json();
    expect(
        &second.get("/store", Some(&bearer(token.as_str().unwrap()))),
        200,
    );
    let new = ("calvin", "a-new-password");
    expect(
        &patch_password(&first, "calvin", CALVIN, CALVIN.1, new.1),
        204,
    );
    // At once: the second's cached hash was forgotten in Redis.
    expect(&second.get("/store", Some(&basic(CALVIN))), 401);
    expect(&second.get("/store", Some(&basic(new))), 200);
    expect(&first.get("/store", Some(&basic(new))), 200);
    drop(second);
    drop(first);
}
