//! The in-process cache of hook answers and token checks: one
//! [`quick_cache`] cache with a TTL on each entry, keys prefixed per hook as
//! FlaskSimpleAuth does. Negative answers are cached too; errors never are.

use crate::{
    config::{CacheKind, Config},
    errors::ErrorResponse,
};
use std::{
    cell::RefCell,
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

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
        }
    }
}

/// What an entry costs besides its key and value: quick_cache's slot,
/// the `Instant`, the allocations' headers.
const ENTRY_OVERHEAD: u64 = 96;

/// The weight of an entry: its bytes, at least `floor`, so that the
/// weight capacity bounds both the memory (`FSA_CACHE_MEMORY`) and the
/// number of entries (`FSA_CACHE_SIZE`).
#[derive(Clone)]
struct EntryWeight {
    floor: u64,
}

impl quick_cache::Weighter<String, (Cached, Instant)> for EntryWeight {
    fn weight(&self, key: &String, (value, _): &(Cached, Instant)) -> u64 {
        let value = match value {
            Cached::Pass(hash) => hash.as_ref().map_or(0, |h| h.len()),
            Cached::Bool(_) | Cached::Perm(_) => 0,
            Cached::Token(info) => {
                info.login.len() + info.scopes.iter().map(|s| s.len() + 24).sum::<usize>() + 64
            }
            Cached::LastToken(digest) => digest.len(),
        };
        (key.capacity() as u64 + value as u64 + ENTRY_OVERHEAD).max(self.floor)
    }
}

/// Keys hold what clients send (logins, values): the hasher is seeded per
/// process, and fast on long keys.
type Entries =
    quick_cache::sync::Cache<String, (Cached, Instant), EntryWeight, foldhash::fast::RandomState>;

/// The cache, or nothing when `FSA_CACHE = "none"`.
pub(crate) struct Cache {
    entries: Option<Entries>,
    ttl: Duration,
    prefix: String,
}

impl Cache {
    pub(crate) fn new(config: &Config) -> Self {
        let enabled =
            config.cache != CacheKind::None && config.cache_size > 0 && config.cache_memory > 0;
        let entries = enabled.then(|| {
            let memory = config.cache_memory as u64;
            let floor = (memory / config.cache_size as u64).max(1);
            Entries::with(
                config.cache_size,
                memory,
                EntryWeight { floor },
                foldhash::fast::RandomState::default(),
                Default::default(),
            )
        });
        Self {
            entries,
            ttl: Duration::from_secs(config.cache_opts.ttl),
            prefix: config.cache_prefix.clone().unwrap_or_default(),
        }
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

    /// The live entry of the key of these parts, if any: the key is built
    /// in a reused buffer (a hit allocates nothing), and not at all when
    /// the cache is disabled.
    pub(crate) fn lookup(&self, kind: Kind, parts: &[&str]) -> Option<Cached> {
        self.entries.as_ref()?;
        with_buffer(&LOOKUP_KEY, |key| {
            self.write_key(key, kind, parts);
            self.get(key)
        })
    }

    /// Caches the value of the key of these parts.
    pub(crate) fn store(&self, kind: Kind, parts: &[&str], value: Cached) {
        if self.entries.is_some() {
            self.insert(self.key(kind, parts), value);
        }
    }

    /// A live entry.
    pub(crate) fn get(&self, key: &str) -> Option<Cached> {
        let entries = self.entries.as_ref()?;
        match entries.get(key) {
            Some((value, inserted)) if inserted.elapsed() < self.ttl => Some(value),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn insert(&self, key: String, value: Cached) {
        if let Some(entries) = &self.entries {
            entries.insert(key, (value, Instant::now()));
        }
    }

    /// Removes an entry; whether there was one.
    pub(crate) fn remove(&self, key: &str) -> bool {
        self.entries.as_ref().and_then(|e| e.remove(key)).is_some()
    }

    pub(crate) fn clear(&self) {
        if let Some(entries) = &self.entries {
            entries.clear();
        }
    }

    /// The cached answer, or the computed one, cached unless an error.
    pub(crate) async fn get_or_compute<F>(
        &self,
        key: String,
        compute: F,
    ) -> Result<Cached, ErrorResponse>
    where
        F: Future<Output = Result<Cached, ErrorResponse>>,
    {
        if let Some(value) = self.get(&key) {
            return Ok(value);
        }
        let value = compute.await?;
        self.insert(key, value.clone());
        Ok(value)
    }
}

#[cfg(test)]
mod should {
    use super::*;

    fn cache(text: &str) -> Cache {
        Cache::new(&Config::from_toml_str(text).unwrap())
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
        c.store(Kind::Token, &["bench", "x"], Cached::Bool(true));
        assert!(matches!(
            c.get("app.t.5:bench1:x"),
            Some(Cached::Bool(true))
        ));
        assert!(matches!(
            c.lookup(Kind::Token, &["bench", "x"]),
            Some(Cached::Bool(true))
        ));
        assert!(c.lookup(Kind::Token, &["bench", "y"]).is_none());
        assert!(c.lookup(Kind::GroupCheck, &["bench", "x"]).is_none());
    }

    #[test]
    fn forget_entries_after_their_ttl() {
        let c = cache("FSA_CACHE_OPTS = { ttl = 0 }");
        c.insert("k".into(), Cached::Bool(true));
        assert!(c.get("k").is_none());
        let c = cache("");
        c.insert("k".into(), Cached::Bool(true));
        assert!(matches!(c.get("k"), Some(Cached::Bool(true))));
        assert!(c.remove("k"));
        assert!(!c.remove("k"));
    }

    #[test]
    fn cache_nothing_when_disabled() {
        let c = cache("FSA_CACHE = \"none\"");
        c.insert("k".into(), Cached::Bool(true));
        assert!(c.get("k").is_none());
    }
}
