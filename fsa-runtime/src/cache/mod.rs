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

/// Where the entries live.
enum Store {
    /// `FSA_CACHE = "none"`, or no room.
    Off,
    /// `FSA_CACHE = "ttl"`.
    Local(Local),
    /// `FSA_CACHE = "redis"`.
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
                return Ok(Self {
                    store: Store::Shared(shared::Shared::start(shared::SharedOptions {
                        url: config.cache_opts.redis_url(),
                        ttl,
                        timeout: Duration::from_secs_f64(config.cache_opts.timeout),
                        retry: Duration::from_secs_f64(config.cache_opts.retry),
                        prefix: prefix.clone(),
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

    /// The live entry of the key of these parts, if any. In this process,
    /// the key is built in a reused buffer (a hit allocates nothing), and
    /// not at all when the cache is off.
    pub(crate) async fn lookup(&self, kind: Kind, parts: &[&str]) -> Option<Cached> {
        match &self.store {
            Store::Off => None,
            Store::Local(local) => with_buffer(&LOOKUP_KEY, |key| {
                self.write_key(key, kind, parts);
                local.get(key)
            }),
            #[cfg(feature = "redis")]
            Store::Shared(shared) => shared.get(self.key(kind, parts)).await,
        }
    }

    /// Caches the value of the key of these parts (in Redis, for the TTL;
    /// nothing when Redis is unavailable).
    pub(crate) async fn store(&self, kind: Kind, parts: &[&str], value: Cached) {
        match &self.store {
            Store::Off => {}
            Store::Local(local) => local.insert(self.key(kind, parts), value),
            #[cfg(feature = "redis")]
            Store::Shared(shared) => shared.set(self.key(kind, parts), &value).await,
        }
    }

    /// Forgets the entries of these keys: whether there was one. An error
    /// when Redis cannot be reached (the deletion then waits for it).
    pub(crate) async fn remove(&self, keys: Vec<String>) -> Result<bool, ErrorResponse> {
        match &self.store {
            Store::Off => Ok(false),
            Store::Local(local) => {
                let mut removed = false;
                for key in &keys {
                    removed |= local.remove(key);
                }
                Ok(removed)
            }
            #[cfg(feature = "redis")]
            Store::Shared(shared) => shared.remove(keys).await,
        }
    }

    /// The counts of these keys in Redis; `None` when the cache is not
    /// shared, or Redis is unavailable (the caller counts in process).
    pub(crate) async fn counts(&self, keys: Vec<String>) -> Option<Vec<u64>> {
        match &self.store {
            #[cfg(feature = "redis")]
            Store::Shared(shared) => shared.counts(keys).await,
            _ => {
                let _ = keys;
                None
            }
        }
    }

    /// Adds one to the counts of these keys in Redis, each expiring
    /// `seconds` after its first count; whether Redis did.
    pub(crate) async fn increment(&self, keys: Vec<String>, seconds: u64) -> bool {
        match &self.store {
            #[cfg(feature = "redis")]
            Store::Shared(shared) => shared.increment(keys, seconds).await,
            _ => {
                let _ = (keys, seconds);
                false
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
            Store::Shared(shared) => shared.clear().await,
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

    #[test]
    fn look_up_by_parts_as_by_key() {
        let c = cache("FSA_CACHE_PREFIX = \"app.\"");
        assert_eq!(c.key(Kind::Token, &["bench", "x"]), "app.t.5:bench1:x");
        assert_eq!(
            c.key(Kind::Perm, &["", &"y".repeat(1234)]).len(),
            4 + 2 + 2 + 5 + 1234
        );
        now(c.store(Kind::Token, &["bench", "x"], Cached::Bool(true)));
        assert!(matches!(
            now(c.lookup(Kind::Token, &["bench", "x"])),
            Some(Cached::Bool(true))
        ));
        assert!(now(c.lookup(Kind::Token, &["bench", "y"])).is_none());
        assert!(now(c.lookup(Kind::GroupCheck, &["bench", "x"])).is_none());
    }

    #[test]
    fn forget_entries_after_their_ttl_or_when_removed() {
        let c = cache("FSA_CACHE_OPTS = { ttl = 0 }");
        now(c.store(Kind::Token, &["k"], Cached::Bool(true)));
        assert!(now(c.lookup(Kind::Token, &["k"])).is_none());
        let c = cache("");
        now(c.store(Kind::Token, &["k"], Cached::Bool(true)));
        assert!(matches!(
            now(c.lookup(Kind::Token, &["k"])),
            Some(Cached::Bool(true))
        ));
        let key = c.key(Kind::Token, &["k"]);
        assert!(now(c.remove(vec![key.clone()])).unwrap());
        assert!(!now(c.remove(vec![key])).unwrap());
        now(c.store(Kind::Token, &["k"], Cached::Bool(true)));
        now(c.clear()).unwrap();
        assert!(now(c.lookup(Kind::Token, &["k"])).is_none());
    }

    #[test]
    fn cache_nothing_when_off() {
        let c = cache("FSA_CACHE = \"none\"");
        now(c.store(Kind::Token, &["k"], Cached::Bool(true)));
        assert!(now(c.lookup(Kind::Token, &["k"])).is_none());
    }
}
