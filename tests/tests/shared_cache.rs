//! Several instances on one Redis (`FSA_CACHE = "redis"`, issue 15): hook
//! answers, token checks, group and permission answers are shared; an
//! uncache on one instance is seen by every other once it returns; other
//! applications' keys are never read; a Redis that is down, cut off or
//! slow never lets a credential in nor turns into a 500 by itself.
//!
//! Each test uses its own key prefix on CI's Redis (`REDIS_URL`), or a
//! `redis-server` of its own; see `tests/src/redis.rs`.

use fsa_runtime::prelude::*;
use fsa_tests::redis::{self, Link, Relay};
use fsa_tests::{build, serve, status, status_body, CALVIN_HASH, HOBBES_HASH};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[get("/who", authz = "AUTH")]
async fn who(user: CurrentUser) -> String {
    user.0
}

#[get("/vip", authz = "vip")]
async fn vip(user: CurrentUser) -> String {
    format!("welcome {user}")
}

#[get("/box/<int:id>", authz = ("box", "id"))]
async fn open_box(id: i64) -> String {
    format!("box {id}")
}

/// What the instances of one application share besides Redis: its
/// database, here the users' hashes and two rights.
#[derive(Clone)]
struct Database {
    users: Arc<Mutex<HashMap<String, String>>>,
    vip: Arc<AtomicBool>,
    owns_box: Arc<AtomicBool>,
}

impl Database {
    fn new() -> Self {
        let users = HashMap::from([("calvin".to_string(), CALVIN_HASH.to_string())]);
        Self {
            users: Arc::new(Mutex::new(users)),
            vip: Arc::new(AtomicBool::new(true)),
            owns_box: Arc::new(AtomicBool::new(true)),
        }
    }

    /// calvin's password becomes `short`.
    fn change_password(&self) {
        let mut users = self.users.lock().unwrap();
        users.insert("calvin".into(), HOBBES_HASH.into());
    }
}

/// How often an instance asked its hooks.
#[derive(Clone, Default)]
struct Calls(Arc<AtomicUsize>);

impl Calls {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    fn add(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Timeouts for tests on a busy machine: a command may take seconds.
const PATIENT: &str = "timeout = 5.0, retry = 0.2";

/// Timeouts for the outage tests: a stalled Redis is noticed quickly.
const HASTY: &str = "timeout = 0.5, retry = 0.2";

/// An instance of application `name` on Redis at `url`, keys under
/// `prefix`, with its own hook counter; `more` may start with `HASTY`.
fn instance(name: &str, url: &str, prefix: &str, db: &Database, more: &str) -> (Fsa, Calls) {
    let (timeouts, more) = match more.strip_prefix(HASTY) {
        Some(rest) => (HASTY, rest),
        None => (PATIENT, more),
    };
    let calls = Calls::default();
    // An empty prefix: the default one, the application's name.
    let prefix = match prefix {
        "" => String::new(),
        prefix => format!("FSA_CACHE_PREFIX = \"{prefix}\""),
    };
    let config = format!(
        "FSA_AUTH = [\"token\", \"basic\"]\nFSA_THROTTLE = false\nFSA_CACHE = \"redis\"\n{prefix}\nFSA_CACHE_OPTS = {{ url = \"{url}\", {timeouts} }}\n{more}"
    );
    let (users, vip, owns_box) = (db.users.clone(), db.vip.clone(), db.owns_box.clone());
    let (c1, c2, c3) = (calls.clone(), calls.clone(), calls.clone());
    let fsa = build(
        fsa_tests::from_toml(name, &config)
            .get_user_pass(move |login: &str| {
                c1.add();
                users.lock().unwrap().get(login).cloned()
            })
            .group_check("vip", move |_: &str| {
                c2.add();
                vip.load(Ordering::SeqCst)
            })
            .object_perms("box", move |_: &str, _: i64, _: Option<&str>| {
                c3.add();
                Some(owns_box.load(Ordering::SeqCst))
            })
            .routes(routes![who, vip, open_box]),
    );
    (fsa, calls)
}

/// A key prefix of this test alone, on a Redis others may share.
fn prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("fsa-test:{test}:{}:{nanos}:", std::process::id())
}

/// Waits until `check` holds, for at most 5 s.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(Instant::now() < deadline, "never: {what}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn a_password_change_uncached_on_one_instance_is_refused_by_every_other_at_once() {
    let Some(redis) = redis::redis() else { return };
    let (db, prefix) = (Database::new(), prefix("password"));
    let (a, a_calls) = instance("acme", &redis.url, &prefix, &db, "");
    let (b, b_calls) = instance("acme", &redis.url, &prefix, &db, "");
    let (srv_a, srv_b) = (serve(a.clone()), serve(b));
    let old = |srv: &actix_test::TestServer| srv.get("/who").basic_auth("calvin", "hobbes-rules");
    let new = |srv: &actix_test::TestServer| srv.get("/who").basic_auth("calvin", "short");
    assert_eq!(status_body(old(&srv_a)).await, (200, "calvin".into()));
    assert_eq!(a_calls.count(), 1);
    assert_eq!(status_body(old(&srv_b)).await, (200, "calvin".into()));
    assert_eq!(b_calls.count(), 0, "B read A's answer from Redis");
    db.change_password();
    assert_eq!(
        status(old(&srv_b)).await,
        200,
        "cached: as FlaskSimpleAuth until uncached"
    );
    assert!(a.password_uncache("calvin").await.unwrap());
    assert_eq!(status(old(&srv_b)).await, 401, "refused at once by B");
    assert_eq!(status(new(&srv_b)).await, 200);
    assert_eq!(status(old(&srv_a)).await, 401);
}

#[actix_web::test]
async fn group_and_permission_answers_are_shared_and_uncached_everywhere() {
    let Some(redis) = redis::redis() else { return };
    let (db, prefix) = (Database::new(), prefix("rights"));
    let (a, a_calls) = instance("acme", &redis.url, &prefix, &db, "");
    let (b, b_calls) = instance("acme", &redis.url, &prefix, &db, "");
    let (srv_a, srv_b) = (serve(a.clone()), serve(b));
    let calvin = |srv: &actix_test::TestServer, path: &str| {
        srv.get(path).basic_auth("calvin", "hobbes-rules")
    };
    assert_eq!(status(calvin(&srv_a, "/vip")).await, 200);
    assert_eq!(status(calvin(&srv_a, "/box/7")).await, 200);
    assert_eq!(a_calls.count(), 3, "password, group, permission");
    assert_eq!(status(calvin(&srv_b, "/vip")).await, 200);
    assert_eq!(status(calvin(&srv_b, "/box/7")).await, 200);
    assert_eq!(b_calls.count(), 0, "every answer from Redis");
    db.vip.store(false, Ordering::SeqCst);
    db.owns_box.store(false, Ordering::SeqCst);
    assert_eq!(status(calvin(&srv_b, "/vip")).await, 200, "still cached");
    assert!(a.group_uncache("calvin", "vip").await.unwrap());
    assert!(a
        .object_perms_uncache("box", "calvin", &[&7i64], None)
        .await
        .unwrap());
    assert_eq!(status(calvin(&srv_b, "/vip")).await, 403);
    assert_eq!(status(calvin(&srv_b, "/box/7")).await, 403);
    // Negative answers are shared too, until uncached.
    db.vip.store(true, Ordering::SeqCst);
    assert_eq!(status(calvin(&srv_a, "/vip")).await, 403);
    assert!(a.auth_uncache("calvin").await.unwrap() >= 1);
    assert_eq!(status(calvin(&srv_b, "/vip")).await, 200);
}

#[actix_web::test]
async fn token_checks_are_shared_by_digest() {
    let Some(redis) = redis::redis() else { return };
    let (db, prefix) = (Database::new(), prefix("tokens"));
    let (a, _) = instance("acme", &redis.url, &prefix, &db, "");
    let (b, _) = instance("acme", &redis.url, &prefix, &db, "");
    let token = a.create_token("calvin").unwrap();
    let srv_b = serve(b.clone());
    let answer = status_body(srv_b.get("/who").bearer_auth(&token)).await;
    assert_eq!(answer, (200, "calvin".into()));
    // B's check is in Redis, under the token's digest: A forgets it.
    assert!(a.user_token_uncache("calvin", "acme").await.unwrap());
    assert!(!b.token_uncache(&token, "acme").await.unwrap(), "forgotten");
    assert_eq!(status(srv_b.get("/who").bearer_auth(&token)).await, 200);
    // Stored: keys and signed values, never the token itself.
    let keys = redis.keys(&format!("{prefix}*"));
    assert!(
        keys.iter().any(|k| k.starts_with(&format!("{prefix}t."))),
        "{keys:?}"
    );
    for key in &keys {
        assert!(!key.contains(&token), "{key}");
        let value = redis.command(&["GET", key]).concat();
        assert!(!value.contains(&token), "{key}: {value}");
    }
}

#[actix_web::test]
async fn entries_nobody_with_the_secret_wrote_are_misses() {
    let Some(redis) = redis::redis() else { return };
    let (db, prefix) = (Database::new(), prefix("forged"));
    let (a, calls) = instance("acme", &redis.url, &prefix, &db, "");
    let srv = serve(a);
    // Someone writes hobbes's hash (of "short") as calvin's, unsigned, or
    // signed with another secret: neither is believed.
    let key = format!("{prefix}u.6:calvin");
    let forged = format!("{}u={HOBBES_HASH}", "0".repeat(32));
    assert_eq!(redis.command(&["SET", &key, &forged]), ["OK"]);
    assert_eq!(
        status(srv.get("/who").basic_auth("calvin", "short")).await,
        401
    );
    assert_eq!(calls.count(), 1, "the hook, not the forged entry");
    assert_eq!(
        status(srv.get("/who").basic_auth("calvin", "hobbes-rules")).await,
        200
    );
}

#[actix_web::test]
async fn an_answer_read_before_an_uncache_is_never_stored_after_it() {
    let Some(redis) = redis::redis() else { return };
    let (db, prefix) = (Database::new(), prefix("race"));
    // A's hook reads the old hash, then takes its time: meanwhile the
    // password changes and B uncaches it.
    let (b, _) = instance("acme", &redis.url, &prefix, &db, "");
    let slow_calls = Calls::default();
    let counted = slow_calls.clone();
    let old_hash = CALVIN_HASH.to_string();
    let slow = build(
        fsa_tests::from_toml(
            "acme",
            &format!(
                "FSA_AUTH = [\"basic\"]\nFSA_CACHE = \"redis\"\nFSA_CACHE_PREFIX = \"{prefix}\"\nFSA_CACHE_OPTS = {{ url = \"{}\", {PATIENT} }}",
                redis.url
            ),
        )
        .get_user_pass(move |_: String| {
            counted.add();
            let old_hash = old_hash.clone();
            async move {
                actix_web::rt::time::sleep(Duration::from_millis(400)).await;
                Some(old_hash)
            }
        })
        .routes(routes![who]),
    );
    let (srv_slow, srv_b) = (serve(slow), serve(b.clone()));
    let reading = actix_web::rt::spawn(async move {
        let request = srv_slow.get("/who").basic_auth("calvin", "hobbes-rules");
        status(request).await
    });
    actix_web::rt::time::sleep(Duration::from_millis(150)).await;
    db.change_password();
    assert!(
        !b.password_uncache("calvin").await.unwrap(),
        "nothing cached yet"
    );
    assert_eq!(reading.await.unwrap(), 200, "the old password, read before");
    assert_eq!(slow_calls.count(), 1);
    // The slow answer was not stored: B asks its hook, the new hash.
    let old = srv_b.get("/who").basic_auth("calvin", "hobbes-rules");
    assert_eq!(status(old).await, 401);
    let new = srv_b.get("/who").basic_auth("calvin", "short");
    assert_eq!(status(new).await, 200);
}

#[actix_web::test]
async fn applications_with_other_prefixes_never_share_entries() {
    let Some(redis) = redis::redis() else { return };
    let db = Database::new();
    let (first, second) = (prefix("first"), prefix("second"));
    let (a, a_calls) = instance("acme", &redis.url, &first, &db, "");
    let (c, c_calls) = instance("acme", &redis.url, &second, &db, "");
    let (srv_a, srv_c) = (serve(a.clone()), serve(c));
    let calvin =
        |srv: &actix_test::TestServer| srv.get("/who").basic_auth("calvin", "hobbes-rules");
    assert_eq!(status(calvin(&srv_a)).await, 200);
    assert_eq!(status(calvin(&srv_c)).await, 200);
    assert_eq!(
        (a_calls.count(), c_calls.count()),
        (1, 1),
        "each asked its own hook"
    );
    a.clear_caches().await.unwrap();
    assert_eq!(redis.keys(&format!("{first}*")), Vec::<String>::new());
    assert_eq!(
        redis.keys(&format!("{second}*")).len(),
        1,
        "the other's kept"
    );
    // Without FSA_CACHE_PREFIX, the application's name prefixes the keys.
    let (named, _) = instance("other-app", &redis.url, "", &db, "");
    let srv = serve(named.clone());
    assert_eq!(status(calvin(&srv)).await, 200);
    assert_eq!(redis.command(&["EXISTS", "other-app:u.6:calvin"]), ["1"]);
    named.clear_caches().await.unwrap();
}

#[actix_web::test]
async fn redis_cut_off_or_slow_answers_stay_correct_and_uncaches_wait_for_it() {
    let Some(redis) = redis::own_redis() else {
        return;
    };
    let (db, prefix) = (Database::new(), prefix("outage"));
    let relay = Relay::to(redis.port);
    // A reaches Redis through the relay, B directly.
    let (a, a_calls) = instance("acme", &relay.url, &prefix, &db, HASTY);
    let (b, b_calls) = instance("acme", &redis.url, &prefix, &db, HASTY);
    let (srv_a, srv_b) = (serve(a.clone()), serve(b));
    let old = |srv: &actix_test::TestServer| srv.get("/who").basic_auth("calvin", "hobbes-rules");
    let new = |srv: &actix_test::TestServer| srv.get("/who").basic_auth("calvin", "short");
    assert_eq!(status(old(&srv_b)).await, 200);
    assert_eq!(status(old(&srv_a)).await, 200);
    assert_eq!(a_calls.count(), 0, "from Redis, through the relay");

    // Slow: A's commands time out; its hooks answer, rightly.
    relay.set(Link::Stalled);
    let started = Instant::now();
    assert_eq!(status(old(&srv_a)).await, 200);
    // Bounded: two commands of 2 x 0.5 s at most, whatever the machine.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(a_calls.count(), 1, "the hook answered");
    db.change_password();
    assert_eq!(status(old(&srv_a)).await, 401, "A asks its hook meanwhile");
    assert_eq!(status(new(&srv_a)).await, 200);
    // The uncache cannot reach Redis: an error, and it waits for Redis.
    let error = a.password_uncache("calvin").await.unwrap_err();
    assert_eq!(error.status(), 503, "{}", error.message());
    assert_eq!(
        status(old(&srv_b)).await,
        200,
        "B still reads the old entry"
    );

    // Cut: refused connections, the same; an uncache that must read
    // Redis first cannot say "nothing to forget".
    relay.set(Link::Cut);
    assert_eq!(status(new(&srv_a)).await, 200);
    assert_eq!(status(old(&srv_a)).await, 401);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let error = a.user_token_uncache("calvin", "acme").await.unwrap_err();
    assert_eq!(error.status(), 503, "{}", error.message());
    let error = a.auth_uncache("calvin").await.unwrap_err();
    assert_eq!(error.status(), 503, "{}", error.message());

    // Back: the waiting uncache reaches Redis; B refuses the old password.
    relay.set(Link::Up);
    eventually("the uncache reaches Redis", async || {
        status(old(&srv_b)).await == 401
    })
    .await;
    assert_eq!(status(new(&srv_b)).await, 200);
    let b_before = b_calls.count();
    assert_eq!(status(new(&srv_b)).await, 200);
    assert_eq!(b_calls.count(), b_before, "cached again");
}

#[actix_web::test]
async fn a_redis_stopped_and_started_again_changes_nothing_but_speed() {
    let Some(mut redis) = redis::own_redis() else {
        return;
    };
    let (db, prefix) = (Database::new(), prefix("restart"));
    let (a, a_calls) = instance("acme", &redis.url, &prefix, &db, HASTY);
    let srv = serve(a.clone());
    let calvin = |password: &str| srv.get("/vip").basic_auth("calvin", password);
    assert_eq!(status(calvin("hobbes-rules")).await, 200);
    redis.stop();
    for _ in 0..3 {
        assert_eq!(status(calvin("hobbes-rules")).await, 200);
        assert_eq!(status(calvin("wrong")).await, 401);
    }
    db.vip.store(false, Ordering::SeqCst);
    assert_eq!(
        status(calvin("hobbes-rules")).await,
        403,
        "the hook, not a stale answer"
    );
    assert_eq!(a.clear_caches().await.unwrap_err().status(), 503);
    redis.restart();
    db.vip.store(true, Ordering::SeqCst);
    eventually("Redis is used again", async || {
        // Answered, and a second time from Redis, without a hook.
        let first = status(calvin("hobbes-rules")).await;
        let between = a_calls.count();
        let second = status(calvin("hobbes-rules")).await;
        first == 200 && second == 200 && a_calls.count() == between
    })
    .await;
    let before = a_calls.count();
    assert_eq!(status(calvin("hobbes-rules")).await, 200);
    assert_eq!(a_calls.count(), before, "answered from Redis");
}

#[actix_web::test]
async fn a_redis_nobody_listens_on_is_no_worse_than_no_cache() {
    // Port 1: nothing listens there, nor will a parallel test's server.
    let db = Database::new();
    let url = "redis://127.0.0.1:1/0".to_string();
    let (a, calls) = instance("acme", &url, "nobody:", &db, "");
    let srv = serve(a.clone());
    for round in 1..=3 {
        let answer = status_body(srv.get("/who").basic_auth("calvin", "hobbes-rules")).await;
        assert_eq!(answer, (200, "calvin".into()));
        assert_eq!(calls.count(), 2 * round - 1, "the hook each time");
        assert_eq!(
            status(srv.get("/who").basic_auth("calvin", "nope")).await,
            401
        );
        assert_eq!(calls.count(), 2 * round);
    }
    let token = a.create_token("calvin").unwrap();
    assert_eq!(a.check_token(&token, None).await.unwrap(), "calvin");
}

#[test]
fn a_bad_redis_url_is_a_start_up_error() {
    let error = Fsa::from_toml_str(
        "acme",
        "FSA_AUTH = [\"basic\"]\nFSA_TOKEN_TYPE = \"none\"\nFSA_CACHE = \"redis\"\nFSA_CACHE_OPTS = { url = \"http://x\", secret = \"s\" }",
    )
    .and_then(|builder| builder.build());
    let Err(error) = error else {
        panic!("a bad URL is refused");
    };
    assert!(error.to_string().contains("invalid Redis URL"), "{error}");
}
