//! Login throttling (`FSA_THROTTLE`, fsa's own): failed authentications are
//! counted per login and per client address in fixed windows; past a
//! budget, the password schemes answer 429 with `Retry-After` before any
//! password hash is computed, and an invalid token from that address gets
//! the same 429 rather than a 401.
//!
//! - Counted first: a password attempt takes its count before the check
//!   (an atomic increment), and gives it back when it succeeds; so that
//!   requests sent at once get no more tries than the budget.
//! - No enumeration: an unknown login is counted and answered as a known
//!   one (the budget is checked before the user is looked up).
//! - A success resets nothing: counts only expire with their window, so
//!   that nobody can clear a login's or an address's failures by logging
//!   in as themself; a throttled login is refused for the rest of the
//!   window, whoever asks (the price of slowing a guesser down).
//! - Logins are counted trimmed and lowercased (case variants share one
//!   budget), IPv6 clients by their /64 (one host holds a whole /64),
//!   clients whose address is unknown under one shared count.
//! - With the Redis cache, the counts are in Redis (`INCR`, expiring with
//!   the window): N instances allow the budget once. This process counts
//!   too, in fixed tables of counters (bounded memory whatever is sent;
//!   collisions can only over-count), which decide while Redis is
//!   unavailable.

use crate::{
    cache::{Cache, Kind},
    config::{Config, ThrottleOptions},
    errors::ErrorResponse,
};
use std::{
    hash::BuildHasher,
    net::IpAddr,
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::SystemTime,
};

/// Counters per table (two tables: logins, addresses): 512 KiB each.
const COUNTERS: usize = 65_536;

/// Counts of failures, and their budgets.
pub(crate) struct Throttle {
    options: ThrottleOptions,
    logins: Counters,
    addresses: Counters,
    /// Whether an unknown client address was logged.
    warned_unknown: AtomicBool,
}

/// What is counted: a login, a client, or both.
#[derive(Clone, Copy)]
pub(crate) struct Subject<'a> {
    pub(crate) login: Option<&'a str>,
    pub(crate) client: Client,
}

/// The client of an attempt, as counted.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Client {
    /// Its address (the connection's, or a trusted proxy's word).
    Address(IpAddr),
    /// Not known (a trusted proxy named none): one count for all such.
    Unknown,
    /// Not counted (`Fsa::check_user_password`, outside a request).
    NotCounted,
}

impl Client {
    /// The client of a request: its address, the connection's or a trusted
    /// proxy's word (`FSA_TRUSTED_PROXIES`).
    pub(crate) fn of_request(request: &actix_web::HttpRequest, config: &Config) -> Self {
        match crate::proxy::client_address(request, config) {
            Some(address) => Client::Address(address),
            None => Client::Unknown,
        }
    }
}

/// A password attempt's counts, given back if it succeeds.
#[must_use = "an attempt that succeeds gives its counts back"]
pub(crate) struct Attempt {
    window: u64,
    keys: Vec<Key>,
}

/// One count: its table and its Redis key.
struct Key {
    table: Table,
    name: String,
    budget: u64,
}

#[derive(Clone, Copy)]
enum Table {
    Logins,
    Addresses,
}

impl Throttle {
    /// `None` when `FSA_THROTTLE = false`.
    pub(crate) fn new(options: Option<&ThrottleOptions>) -> Option<Self> {
        let options = options?.clone();
        Some(Self {
            options,
            logins: Counters::new(),
            addresses: Counters::new(),
            warned_unknown: AtomicBool::new(false),
        })
    }

    /// The current window's number, and the seconds until it ends.
    fn window(&self) -> (u64, u64) {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let length = self.options.window.max(1);
        (now / length, length - now % length)
    }

    /// The counts of a subject in a window, with their budgets.
    fn keys(&self, cache: &Cache, subject: Subject<'_>, window: u64) -> Vec<Key> {
        let window = window.to_string();
        let mut keys = Vec::with_capacity(2);
        if let (Some(login), budget @ 1..) = (subject.login, self.options.login) {
            let login = login.trim().to_lowercase();
            keys.push(Key {
                table: Table::Logins,
                name: cache.key(Kind::FailedLogin, &[&window, &login]),
                budget,
            });
        }
        if let (budget @ 1.., false) = (
            self.options.address,
            matches!(subject.client, Client::NotCounted),
        ) {
            let address = match subject.client {
                Client::Address(address) => counted_address(address),
                _ => {
                    if !self.warned_unknown.swap(true, Ordering::Relaxed) {
                        tracing::warn!("fsa: a client's address is unknown (a trusted proxy named none, see FSA_PROXY_HEADERS): such clients share one throttling count");
                    }
                    "unknown".to_string()
                }
            };
            keys.push(Key {
                table: Table::Addresses,
                name: cache.key(Kind::FailedAddress, &[&window, &address]),
                budget,
            });
        }
        keys
    }

    fn table(&self, table: Table) -> &Counters {
        match table {
            Table::Logins => &self.logins,
            Table::Addresses => &self.addresses,
        }
    }

    /// Counts the subject's attempt: a 429 when a count passes its budget
    /// (the attempt is not to be made, and stays counted).
    async fn count(&self, cache: &Cache, keys: &[Key], window: u64) -> Result<(), u64> {
        let local: Vec<u64> = keys
            .iter()
            .map(|key| self.table(key.table).add(&key.name, window))
            .collect();
        let names = keys.iter().map(|key| key.name.clone()).collect();
        let seconds = self.options.window.max(1);
        // Redis's counts are every instance's; this process's decide while
        // Redis cannot tell.
        let counts = cache.increment(names, seconds).await.unwrap_or(local);
        let over = counts
            .iter()
            .zip(keys)
            .any(|(count, key)| *count > key.budget);
        if over {
            return Err(self.window().1);
        }
        Ok(())
    }

    /// Before a password check: counts the attempt, or answers 429 past a
    /// budget. Give it back with [`succeeded`](Self::succeeded).
    pub(crate) async fn attempt(
        &self,
        cache: &Cache,
        subject: Subject<'_>,
    ) -> Result<Attempt, ErrorResponse> {
        let (window, _) = self.window();
        let keys = self.keys(cache, subject, window);
        self.count(cache, &keys, window).await.map_err(too_many)?;
        Ok(Attempt { window, keys })
    }

    /// The attempt was no failed authentication: its counts are given back.
    pub(crate) async fn succeeded(&self, cache: &Cache, attempt: Attempt) {
        for key in &attempt.keys {
            self.table(key.table).take(&key.name, attempt.window);
        }
        let names = attempt.keys.into_iter().map(|key| key.name).collect();
        cache.decrement(names).await;
    }

    /// After an invalid token: counts it against the address; a 429 past
    /// the budget.
    pub(crate) async fn failed(
        &self,
        cache: &Cache,
        subject: Subject<'_>,
    ) -> Result<(), ErrorResponse> {
        let (window, _) = self.window();
        let keys = self.keys(cache, subject, window);
        self.count(cache, &keys, window).await.map_err(too_many)
    }
}

/// The address counted for a client: an IPv4 one (mapped ones included),
/// or the /64 of an IPv6 one.
fn counted_address(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// A fixed table of counters, each a window number (high 32 bits) and a
/// count (low 32 bits), found by a keyed hash: bounded whatever keys are
/// sent; two keys in one counter add up (never less than the truth).
struct Counters {
    slots: Box<[AtomicU64]>,
    hasher: foldhash::fast::RandomState,
}

impl Counters {
    fn new() -> Self {
        Self {
            slots: (0..COUNTERS).map(|_| AtomicU64::new(0)).collect(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    fn slot(&self, key: &str) -> &AtomicU64 {
        let hash = self.hasher.hash_one(key);
        &self.slots[(hash as usize) % self.slots.len()]
    }

    /// Adds one to `key`'s count in `window`: the new count.
    fn add(&self, key: &str, window: u64) -> u64 {
        let tag = window & 0xffff_ffff;
        let slot = self.slot(key);
        let mut current = slot.load(Ordering::Relaxed);
        loop {
            let count = if current >> 32 == tag {
                (current & 0xffff_ffff).saturating_add(1).min(0xffff_ffff)
            } else {
                1
            };
            let new = tag << 32 | count;
            match slot.compare_exchange_weak(current, new, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return count,
                Err(actual) => current = actual,
            }
        }
    }

    /// Takes one back from `key`'s count, if still in `window` and above 0.
    fn take(&self, key: &str, window: u64) {
        let tag = window & 0xffff_ffff;
        let slot = self.slot(key);
        let _ = slot.fetch_update(Ordering::AcqRel, Ordering::Relaxed, |current| {
            (current >> 32 == tag && current & 0xffff_ffff > 0).then(|| current - 1)
        });
    }
}

/// The answer past a budget.
fn too_many(retry_after: u64) -> ErrorResponse {
    ErrorResponse::with_status(
        format!("too many failed authentications: retry in {retry_after} s"),
        actix_web::http::StatusCode::TOO_MANY_REQUESTS,
    )
    .header("Retry-After", &retry_after.to_string())
}

#[cfg(test)]
mod should {
    use super::*;
    use crate::config::Config;
    use futures_util::FutureExt;

    fn now<T>(future: impl std::future::Future<Output = T>) -> T {
        future.now_or_never().expect("in process: at once")
    }

    fn throttle(config: &str) -> (Throttle, Cache) {
        let config = Config::from_toml_str(config).unwrap();
        let cache = Cache::new(&config, "acme").unwrap();
        (Throttle::new(config.throttle.as_ref()).unwrap(), cache)
    }

    #[test]
    fn refuse_past_the_budget_per_login_and_per_address() {
        let (throttle, cache) =
            throttle("FSA_THROTTLE = { login = 2, address = 3, window = 3600 }");
        let client = Client::Address("192.0.2.7".parse().unwrap());
        let calvin = Subject {
            login: Some("calvin"),
            client,
        };
        let susie = Subject {
            login: Some("susie"),
            client,
        };
        for _ in 0..2 {
            assert!(now(throttle.attempt(&cache, calvin)).is_ok());
        }
        let refused = now(throttle.attempt(&cache, calvin)).err().unwrap();
        assert_eq!(refused.status().as_u16(), 429);
        assert!(refused
            .message()
            .starts_with("too many failed authentications"));
        // calvin's refused third counted for the address too
        assert!(
            now(throttle.attempt(&cache, susie)).is_err(),
            "the address's fourth"
        );
        let elsewhere = Subject {
            login: Some("susie"),
            client: Client::Address("192.0.2.8".parse().unwrap()),
        };
        assert!(now(throttle.attempt(&cache, elsewhere)).is_ok());
    }

    #[test]
    fn give_back_the_count_of_a_success() {
        let (throttle, cache) = throttle("FSA_THROTTLE = { login = 2, address = 100 }");
        let calvin = Subject {
            login: Some("calvin"),
            client: Client::NotCounted,
        };
        for _ in 0..10 {
            let attempt = now(throttle.attempt(&cache, calvin)).ok().unwrap();
            now(throttle.succeeded(&cache, attempt));
        }
        let _failed = now(throttle.attempt(&cache, calvin)).ok().unwrap();
        let _failed = now(throttle.attempt(&cache, calvin)).ok().unwrap();
        assert!(now(throttle.attempt(&cache, calvin)).is_err());
    }

    #[test]
    fn count_case_variants_ipv6_neighbours_and_unknown_clients_together() {
        let (throttle, cache) = throttle("FSA_THROTTLE = { login = 2, address = 2 }");
        let login = |login| Subject {
            login: Some(login),
            client: Client::NotCounted,
        };
        let _ = now(throttle.attempt(&cache, login("Calvin")));
        let _ = now(throttle.attempt(&cache, login(" calvin ")));
        assert!(now(throttle.attempt(&cache, login("CALVIN"))).is_err());
        let (throttle, cache) = self::throttle("FSA_THROTTLE = { login = 0, address = 2 }");
        let from = |address: &str| Subject {
            login: None,
            client: Client::Address(address.parse().unwrap()),
        };
        let _ = now(throttle.attempt(&cache, from("2001:db8:1:2::1")));
        let _ = now(throttle.attempt(&cache, from("2001:db8:1:2:ffff::9")));
        assert!(now(throttle.attempt(&cache, from("2001:db8:1:2::77"))).is_err());
        assert!(now(throttle.attempt(&cache, from("2001:db8:1:3::1"))).is_ok());
        assert_eq!(
            counted_address("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1"
        );
        let unknown = Subject {
            login: None,
            client: Client::Unknown,
        };
        let _ = now(throttle.attempt(&cache, unknown));
        let _ = now(throttle.attempt(&cache, unknown));
        assert!(now(throttle.attempt(&cache, unknown)).is_err());
        let uncounted = Subject {
            login: None,
            client: Client::NotCounted,
        };
        assert!(now(throttle.attempt(&cache, uncounted)).is_ok());
    }

    #[test]
    fn keep_counts_in_fixed_tables_that_only_over_count() {
        let counters = Counters::new();
        assert_eq!(counters.add("calvin", 7), 1);
        assert_eq!(counters.add("calvin", 7), 2);
        counters.take("calvin", 7);
        assert_eq!(counters.add("calvin", 7), 2);
        // a new window starts again
        assert_eq!(counters.add("calvin", 8), 1);
        counters.take("calvin", 7);
        assert_eq!(counters.add("calvin", 8), 2);
        // a million keys take no more memory, and lose no count
        for i in 0..1_000_000 {
            counters.add(&format!("k{i}"), 8);
        }
        assert_eq!(counters.slots.len(), COUNTERS);
        assert!(counters.add("calvin", 8) >= 3);
    }

    #[test]
    fn count_nothing_when_off() {
        let config = Config::from_toml_str("FSA_THROTTLE = false").unwrap();
        assert!(Throttle::new(config.throttle.as_ref()).is_none());
    }
}
