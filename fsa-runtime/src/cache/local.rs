//! The in-process cache (`FSA_CACHE = "ttl"`): one [`quick_cache`] cache
//! with a TTL on each entry, every entry weighed in bytes so that
//! `FSA_CACHE_MEMORY` bounds the whole.

use super::Cached;
use std::time::{Duration, Instant};

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

/// The entries of this process.
pub(super) struct Local {
    entries: Entries,
    ttl: Duration,
}

impl Local {
    /// At most `size` entries and `memory` bytes, each kept `ttl`.
    pub(super) fn new(size: usize, memory: usize, ttl: Duration) -> Self {
        let memory = memory as u64;
        let floor = (memory / size as u64).max(1);
        let entries = Entries::with(
            size,
            memory,
            EntryWeight { floor },
            foldhash::fast::RandomState::default(),
            Default::default(),
        );
        Self { entries, ttl }
    }

    /// A live entry.
    pub(super) fn get(&self, key: &str) -> Option<Cached> {
        match self.entries.get(key) {
            Some((value, inserted)) if inserted.elapsed() < self.ttl => Some(value),
            Some(_) => {
                self.entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub(super) fn insert(&self, key: String, value: Cached) {
        self.entries.insert(key, (value, Instant::now()));
    }

    /// Removes an entry; whether there was one.
    pub(super) fn remove(&self, key: &str) -> bool {
        self.entries.remove(key).is_some()
    }

    pub(super) fn clear(&self) {
        self.entries.clear();
    }
}
