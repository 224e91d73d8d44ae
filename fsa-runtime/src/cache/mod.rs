//! The cache of hook answers and token checks, keys prefixed per hook as
//! FlaskSimpleAuth does; negative answers are cached too, errors never are.
//!
//! Where entries live is `FSA_CACHE`: in this process (`ttl`, [`local`]),
//! in Redis for every instance (`redis`, `shared.rs`), or nowhere (`none`).

#[cfg(feature = "redis")]
mod encode;
mod local;
#[cfg(feature = "redis")]
mod shared;

use crate::{
    config::{CacheKind, Config},
    errors::ErrorResponse,
};
use local::Local;
use std::{cell::RefCell, sync::Arc, time::Duration};

thread_local! {
    /// The key of a lookup, reused: a cache hit allocates nothing.
    static LOOKUP_KEY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f` on a cleared buffer of this thread, reused across calls (a
/// fresh one if the buffer is already in use).
pub(crate) fn with_buffer<R>(
    buffer: &'static std::thread::LocalKey<RefCell<String>>,
    f: impl FnOnce(&mut String) -> R,
) -> R {
    buffer.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            let result = f(&mut buffer);
            // Keep a small buffer, not the largest key ever seen.
            if buffer.capacity() > 1024 {
                *buffer = String::new();
            }
            result
        }
        Err(_) => f(&mut String::new()),
    })
}

/// Writes `n` in decimal, without the formatting machinery (a key is
/// written on every request).
fn push_decimal(key: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        key.push(char::from(digit));
    }
}

/// A cached answer.
#[derive(Clone, Debug)]
pub(crate) enum Cached {
    /// A `get_user_pass` answer.
    Pass(Option<Arc<str>>),
    /// A group check answer.
    Bool(bool),
    /// An object permission answer.
    Perm(Option<bool>),
    /// A valid token.
    Token(Arc<TokenInfo>),
    /// The digest of the last token seen for a login and realm.
    LastToken(Arc<str>),
}

/// What a valid token says.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TokenInfo {
    pub(crate) login: String,
    /// Expiry, Unix seconds.
    pub(crate) expires: f64,
    pub(crate) scopes: Vec<String>,
}

/// Cache key kinds, FlaskSimpleAuth's prefixes.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// `get_user_pass` (`u.`).
    UserPass,
    /// `group_check` (`c.`).
    GroupCheck,
    /// `user_in_group` (`g.`).
    UserInGroup,
    /// object permissions (`p.`).
    Perm,
    /// token validations (`t.`).
    Token,
    /// last token seen for a login and realm (`T.`).
    UserToken,
    /// failed authentications of a login in a window (`F.`, fsa's own).
    FailedLogin,
    /// failed authentications from an address in a window (`A.`, fsa's own).
    FailedAddress,
}

impl Kind {
    /// The letters of the kinds a `clear_caches` forgets: every answer and
    /// token check, not the failure counts of login throttling.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) const LETTERS: &'static str = "ucgptT";

    fn prefix(self) -> &'static str {
        match self {
            Self::UserPass => "u.",
            Self::GroupCheck => "c.",
            Self::UserInGroup => "g.",
            Self::Perm => "p.",
            Self::Token => "t.",
            Self::UserToken => "T.",
            Self::FailedLogin => "F.",
            Self::FailedAddress => "A.",
        }
    }
}

/// What a look-up found.
pub(crate) enum Lookup {
    /// A live entry.
    Hit(Cached),
    /// None: the ticket to store the answer with.
    Miss(Ticket),
}

/// When a miss was seen, by the clock of the store: an answer is stored
/// only if its key was not uncached after that.
pub(crate) enum Ticket {
    /// Nothing will be stored (the cache is off, or Redis unavailable).
    Off,
    /// In this process.
    Local(std::time::Instant),
    /// Redis's clock, in microseconds.
    #[cfg(feature = "redis")]
    Shared(u64),
}

/// Where the entries live.
enum Store {
    /// `FSA_CACHE = "none"`, or no room.
    Off,
    /// `FSA_CACHE = "ttl"`.
    Local(Local),
    /// `FSA_CACHE = "redis"`. Its futures are boxed where awaited: a
    /// network round trip pays an allocation easily, and every request's
    /// future would otherwise be as large as theirs, local cache or not.
    #[cfg(feature = "redis")]
    Shared(shared::Shared),
}

/// The cache.
pub(crate) struct Cache {
    store: Store,
    prefix: String,
}

impl Cache {
    /// The cache `config` asks for; `app` names the application (the
    /// default prefix of Redis keys, so that applications sharing a Redis
    /// never read each other's entries).
    pub(crate) fn new(config: &Config, app: &str) -> Result<Self, String> {
        let ttl = Duration::from_secs(config.cache_opts.ttl);
        let prefix = config.cache_prefix.clone();
        let store = match config.cache {
            CacheKind::None => Store::Off,
            CacheKind::Ttl if config.cache_size == 0 || config.cache_memory == 0 => Store::Off,
            CacheKind::Ttl => Store::Local(Local::new(config.cache_size, config.cache_memory, ttl)),
            #[cfg(feature = "redis")]
            CacheKind::Redis => {
                let prefix = prefix.clone().unwrap_or_else(|| format!("{app}:"));
                if prefix.is_empty() {
                    return Err("FSA_CACHE_PREFIX: with Redis, a prefix names this application's keys (clear_caches deletes those): give one, e.g. \"acme:\", or leave it unset for the application's name".into());
                }
                let options = &config.cache_opts;
                let Some(secret) = options
                    .secret
                    .clone()
                    .or_else(|| config.token_secret.clone())
                else {
                    return Err("FSA_CACHE = \"redis\" signs what it stores with a secret every instance shares: set FSA_TOKEN_SECRET, or FSA_CACHE_OPTS.secret".into());
                };
                return Ok(Self {
                    store: Store::Shared(shared::Shared::start(shared::SharedOptions {
                        url: options.redis_url(),
                        ttl,
                        timeout: Duration::from_secs_f64(options.timeout),
                        retry: Duration::from_secs_f64(options.retry),
                        prefix: prefix.clone(),
                        secret,
                    })?),
                    prefix,
                });
            }
            #[cfg(not(feature = "redis"))]
            CacheKind::Redis => {
                let _ = app;
                return Err(
                    "FSA_CACHE = \"redis\" needs the `redis` feature of fsa-runtime".into(),
                );
            }
        };
        Ok(Self {
            store,
            prefix: prefix.unwrap_or_default(),
        })
    }

    /// An unambiguous key: each part length-prefixed.
    pub(crate) fn key(&self, kind: Kind, parts: &[&str]) -> String {
        let mut key = String::with_capacity(
            self.prefix.len() + 2 + parts.iter().map(|p| p.len() + 4).sum::<usize>(),
        );
        self.write_key(&mut key, kind, parts);
        key
    }

    fn write_key(&self, key: &mut String, kind: Kind, parts: &[&str]) {
        key.push_str(&self.prefix);
        key.push_str(kind.prefix());
        for part in parts {
            // Length-prefixed: no login or value can forge another key.
            push_decimal(key, part.len());
            key.push(':');
            key.push_str(part);
        }
    }

    /// The live entry of the key of these parts, or the ticket of the miss
    /// for [`store`](Self::store). In this process, the key is built in a
    /// reused buffer (a hit allocates nothing), and not at all when the
    /// cache is off.
    pub(crate) async fn lookup(&self, kind: Kind, parts: &[&str]) -> Lookup {
        match &self.store {
            Store::Off => Lookup::Miss(Ticket::Off),
            Store::Local(local) => with_buffer(&LOOKUP_KEY, |key| {
                self.write_key(key, kind, parts);
                match local.get(key) {
                    Some(found) => Lookup::Hit(found),
                    None => Lookup::Miss(Ticket::Local(std::time::Instant::now())),
                }
            }),
            #[cfg(feature = "redis")]
            Store::Shared(shared) => match Box::pin(shared.get(self.key(kind, parts))).await {
                Ok(found) => found,
                Err(_) => Lookup::Miss(Ticket::Off),
            },
        }
    }

    /// Caches the answer of a miss (in Redis, for the TTL; nothing when
    /// Redis is unavailable), unless its key was uncached since the miss:
    /// an answer read before an uncache is never stored after it.
    pub(crate) async fn store(&self, ticket: &Ticket, kind: Kind, parts: &[&str], value: Cached) {
        match (&self.store, ticket) {
            (Store::Local(local), Ticket::Local(missed)) => {
                local.insert(self.key(kind, parts), value, *missed)
            }
            #[cfg(feature = "redis")]
            (Store::Shared(shared), Ticket::Shared(missed)) => {
                Box::pin(shared.set(self.key(kind, parts), &value, *missed)).await
            }
            _ => {}
        }
    }

    /// The live entry of the key of these parts, or an error when Redis
    /// cannot say (for an uncache, which must not take that for "none").
    pub(crate) async fn lookup_strict(
        &self,
        kind: Kind,
        parts: &[&str],
    ) -> Result<Option<Cached>, ErrorResponse> {
        match &self.store {
            #[cfg(feature = "redis")]
            Store::Shared(shared) => match Box::pin(shared.get(self.key(kind, parts))).await {
                Ok(Lookup::Hit(found)) => Ok(Some(found)),
                Ok(Lookup::Miss(_)) => Ok(None),
                Err(shared::Failure::Refused(why)) => Err(ErrorResponse::internal(format!(
                    "the shared cache (Redis) refused a look-up: {why}"
                ))),
                Err(shared::Failure::Unavailable) => Err(ErrorResponse::with_status(
                    "the shared cache (Redis) is unreachable: retry the uncache",
                    actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                )),
            },
            _ => Ok(match self.lookup(kind, parts).await {
                Lookup::Hit(found) => Some(found),
                Lookup::Miss(_) => None,
            }),
        }
    }

    /// Forgets the entries of these keys, so that no answer read before
    /// is stored after: how many there were. An error when Redis cannot
    /// be reached (the uncache then waits for it).
    pub(crate) async fn remove(&self, keys: Vec<String>) -> Result<usize, ErrorResponse> {
        match &self.store {
            Store::Off => Ok(0),
            Store::Local(local) => Ok(keys.iter().filter(|key| local.remove(key)).count()),
            #[cfg(feature = "redis")]
            Store::Shared(shared) => Box::pin(shared.remove(keys)).await,
        }
    }

    /// Adds one to the counts of these keys in Redis, each expiring
    /// `seconds` after its first count: the new counts, `None` without a
    /// shared cache or when Redis cannot tell.
    pub(crate) async fn increment(&self, keys: Vec<String>, seconds: u64) -> Option<Vec<u64>> {
        match &self.store {
            #[cfg(feature = "redis")]
            Store::Shared(shared) => Box::pin(shared.increment(keys, seconds)).await,
            _ => {
                let _ = (keys, seconds);
                None
            }
        }
    }

    /// Takes one back from these counts in Redis (those still there).
    pub(crate) async fn decrement(&self, keys: Vec<String>) {
        match &self.store {
            #[cfg(feature = "redis")]
            Store::Shared(shared) => Box::pin(shared.decrement(keys)).await,
            _ => {
                let _ = keys;
            }
        }
    }

    /// Forgets every entry of this application.
    pub(crate) async fn clear(&self) -> Result<(), ErrorResponse> {
        match &self.store {
            Store::Off => Ok(()),
            Store::Local(local) => {
                local.clear();
                Ok(())
            }
            #[cfg(feature = "redis")]
            Store::Shared(shared) => Box::pin(shared.clear()).await,
        }
    }
}

#[cfg(test)]
mod should {
    use super::*;
    use futures_util::FutureExt;

    fn cache(text: &str) -> Cache {
        Cache::new(&Config::from_toml_str(text).unwrap(), "acme").unwrap()
    }

    /// A local cache's answer: ready at once.
    fn now<T>(future: impl std::future::Future<Output = T>) -> T {
        future
            .now_or_never()
            .expect("a local cache answers at once")
    }

    #[test]
    fn keep_keys_unambiguous() {
        let c = cache("");
        assert_ne!(
            c.key(Kind::Perm, &["a:", "b"]),
            c.key(Kind::Perm, &["a", ":b"])
        );
        assert_ne!(
            c.key(Kind::GroupCheck, &["a"]),
            c.key(Kind::UserInGroup, &["a"])
        );
    }

    /// A look-up's entry, `None` for a miss.
    fn found(c: &Cache, kind: Kind, parts: &[&str]) -> Option<Cached> {
        match now(c.lookup(kind, parts)) {
            Lookup::Hit(found) => Some(found),
            Lookup::Miss(_) => None,
        }
    }

    /// Stores an answer as after a miss seen now.
    fn put(c: &Cache, kind: Kind, parts: &[&str], value: Cached) {
        let Lookup::Miss(ticket) = now(c.lookup(kind, parts)) else {
            panic!("a miss first");
        };
        now(c.store(&ticket, kind, parts, value));
    }

    #[test]
    fn look_up_by_parts() {
        let c = cache("FSA_CACHE_PREFIX = \"app.\"");
        assert_eq!(c.key(Kind::Token, &["bench", "x"]), "app.t.5:bench1:x");
        assert_eq!(
            c.key(Kind::Perm, &["", &"y".repeat(1234)]).len(),
            4 + 2 + 2 + 5 + 1234
        );
        put(&c, Kind::Token, &["bench", "x"], Cached::Bool(true));
        assert!(matches!(
            found(&c, Kind::Token, &["bench", "x"]),
            Some(Cached::Bool(true))
        ));
        assert!(found(&c, Kind::Token, &["bench", "y"]).is_none());
        assert!(found(&c, Kind::GroupCheck, &["bench", "x"]).is_none());
    }

    #[test]
    fn forget_entries_after_their_ttl_or_when_removed() {
        let c = cache("FSA_CACHE_OPTS = { ttl = 0 }");
        put(&c, Kind::Token, &["k"], Cached::Bool(true));
        assert!(found(&c, Kind::Token, &["k"]).is_none());
        let c = cache("");
        put(&c, Kind::Token, &["k"], Cached::Bool(true));
        assert!(matches!(
            found(&c, Kind::Token, &["k"]),
            Some(Cached::Bool(true))
        ));
        let key = c.key(Kind::Token, &["k"]);
        assert_eq!(now(c.remove(vec![key.clone()])).unwrap(), 1);
        assert_eq!(now(c.remove(vec![key])).unwrap(), 0);
        put(&c, Kind::Token, &["k"], Cached::Bool(true));
        now(c.clear()).unwrap();
        assert!(found(&c, Kind::Token, &["k"]).is_none());
    }

    #[test]
    fn never_store_an_answer_read_before_a_removal() {
        let c = cache("");
        put(&c, Kind::UserPass, &["calvin"], Cached::Pass(None));
        let key = c.key(Kind::UserPass, &["calvin"]);
        now(c.remove(vec![key.clone()])).unwrap();
        // A miss seen before the removal: its (old) answer is not stored.
        let Lookup::Miss(before) = now(c.lookup(Kind::UserPass, &["calvin"])) else {
            panic!("a miss");
        };
        now(c.remove(vec![key])).unwrap();
        now(c.store(&before, Kind::UserPass, &["calvin"], Cached::Pass(None)));
        assert!(
            found(&c, Kind::UserPass, &["calvin"]).is_none(),
            "not stored"
        );
        // A miss after it: stored, cached again.
        put(&c, Kind::UserPass, &["calvin"], Cached::Pass(None));
        assert!(found(&c, Kind::UserPass, &["calvin"]).is_some());
    }

    #[test]
    fn cache_nothing_when_off() {
        let c = cache("FSA_CACHE = \"none\"");
        let Lookup::Miss(ticket) = now(c.lookup(Kind::Token, &["k"])) else {
            panic!("a miss");
        };
        now(c.store(&ticket, Kind::Token, &["k"], Cached::Bool(true)));
        assert!(found(&c, Kind::Token, &["k"]).is_none());
    }

    #[test]
    fn refuse_redis_without_a_shared_secret_or_a_prefix() {
        let config = |text: &str| Config::from_toml_str(text).unwrap();
        #[cfg(feature = "redis")]
        {
            let error = Cache::new(&config("FSA_CACHE = \"redis\""), "acme")
                .err()
                .unwrap();
            assert!(error.contains("signs what it stores"), "{error}");
            let error = Cache::new(
                &config("FSA_CACHE = \"redis\"\nFSA_TOKEN_SECRET = \"s\"\nFSA_CACHE_PREFIX = \"\""),
                "acme",
            )
            .err()
            .unwrap();
            assert!(error.contains("FSA_CACHE_PREFIX"), "{error}");
        }
        #[cfg(not(feature = "redis"))]
        {
            let error = Cache::new(&config("FSA_CACHE = \"redis\""), "acme")
                .err()
                .unwrap();
            assert!(error.contains("`redis` feature"), "{error}");
        }
    }
}
