//! The in-process cache (`FSA_CACHE = "ttl"`): one [`quick_cache`] cache
//! with a TTL on each entry, every entry weighed in bytes so that
//! `FSA_CACHE_MEMORY` bounds the whole. A removed entry leaves a
//! tombstone, which only the answer of a later miss replaces: a hook
//! answer read before the removal is never stored after it.

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

/// An entry: the answer (`None`: a tombstone), and when it was stored.
type Entry = (Option<Cached>, Instant);

impl quick_cache::Weighter<String, Entry> for EntryWeight {
    fn weight(&self, key: &String, (value, _): &Entry) -> u64 {
        let value = match value {
            None => 0,
            Some(Cached::Pass(hash)) => hash.as_ref().map_or(0, |h| h.len()),
            Some(Cached::Bool(_) | Cached::Perm(_)) => 0,
            Some(Cached::Token(info)) => {
                info.login.len() + info.scopes.iter().map(|s| s.len() + 24).sum::<usize>() + 64
            }
            Some(Cached::LastToken(digest)) => digest.len(),
        };
        (key.capacity() as u64 + value as u64 + ENTRY_OVERHEAD).max(self.floor)
    }
}

/// Keys hold what clients send (logins, values): the hasher is seeded per
/// process, and fast on long keys.
type Entries = quick_cache::sync::Cache<String, Entry, EntryWeight, foldhash::fast::RandomState>;

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

    /// A live entry (a live tombstone: `None`).
    pub(super) fn get(&self, key: &str) -> Option<Cached> {
        match self.entries.get(key) {
            Some((value, stored)) if stored.elapsed() < self.ttl => value,
            Some(_) => {
                self.entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Stores the answer of a miss seen at `missed`, unless the key was
    /// removed after that (a tombstone younger than the miss).
    pub(super) fn insert(&self, key: String, value: Cached, missed: Instant) {
        if let Some((None, removed)) = self.entries.get(&key) {
            if removed > missed {
                return;
            }
        }
        self.entries.insert(key, (Some(value), Instant::now()));
    }

    /// Removes an entry, leaving a tombstone; whether there was one.
    pub(super) fn remove(&self, key: &str) -> bool {
        let live =
            matches!(self.entries.get(key), Some((Some(_), stored)) if stored.elapsed() < self.ttl);
        self.entries.insert(key.to_string(), (None, Instant::now()));
        live
    }

    pub(super) fn clear(&self) {
        self.entries.clear();
    }
}
