//! Login throttling (`FSA_THROTTLE`, fsa's own): failed authentications are
//! counted per login and per client address in fixed windows; past a
//! budget, the password schemes answer 429 with `Retry-After` before any
//! password hash is computed, and an invalid token from that address gets
//! the same 429 rather than a 401.
//!
//! - No enumeration: an unknown login is counted and answered as a known
//!   one (the budget is checked before the user is looked up).
//! - A success resets nothing: counts only expire with their window, so
//!   that nobody can clear a login's or an address's failures by logging
//!   in as themself; a throttled login is refused for the rest of the
//!   window, whoever asks (the price of slowing a guesser down).
//! - With the Redis cache, the counts are in Redis (`INCR`, expiring with
//!   the window): N instances allow the budget once. Otherwise, and while
//!   Redis is unavailable, in this process, in a bounded map.

use crate::{
    cache::{Cache, Kind},
    config::ThrottleOptions,
    errors::ErrorResponse,
};
use std::{net::IpAddr, time::SystemTime};

/// The most counts kept in this process (keys are bounded by
/// `FSA_MAX_LOGIN`): the least used go first.
const LOCAL_COUNTS: usize = 65_536;

/// Counts of failures, and their budgets.
pub(crate) struct Throttle {
    options: ThrottleOptions,
    local: quick_cache::sync::Cache<String, u64>,
}

/// What is counted: a login, an address, or both.
#[derive(Clone, Copy)]
pub(crate) struct Subject<'a> {
    pub(crate) login: Option<&'a str>,
    pub(crate) address: Option<IpAddr>,
}

impl Throttle {
    /// `None` when `FSA_THROTTLE = false`.
    pub(crate) fn new(options: Option<&ThrottleOptions>) -> Option<Self> {
        let options = options?.clone();
        Some(Self {
            options,
            local: quick_cache::sync::Cache::new(LOCAL_COUNTS),
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

    /// The keys of a subject's counts in this window, with their budgets.
    fn keys(&self, cache: &Cache, subject: Subject<'_>, window: u64) -> Vec<(String, u64)> {
        let window = window.to_string();
        let mut keys = Vec::with_capacity(2);
        if let (Some(login), budget @ 1..) = (subject.login, self.options.login) {
            keys.push((cache.key(Kind::FailedLogin, &[&window, login]), budget));
        }
        if let (Some(address), budget @ 1..) = (subject.address, self.options.address) {
            let address = address.to_string();
            keys.push((cache.key(Kind::FailedAddress, &[&window, &address]), budget));
        }
        keys
    }

    /// A 429 when the subject's failures reached a budget in this window.
    pub(crate) async fn check(
        &self,
        cache: &Cache,
        subject: Subject<'_>,
    ) -> Result<(), ErrorResponse> {
        let (window, left) = self.window();
        let keys = self.keys(cache, subject, window);
        if keys.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = keys.iter().map(|(key, _)| key.clone()).collect();
        let counts = match cache.counts(names).await {
            Some(shared) => shared,
            None => keys
                .iter()
                .map(|(key, _)| self.local.get(key).unwrap_or(0))
                .collect(),
        };
        let over = counts
            .iter()
            .zip(&keys)
            .any(|(count, (_, budget))| count >= budget);
        if over {
            return Err(too_many(left));
        }
        Ok(())
    }

    /// Counts a failed authentication of the subject.
    pub(crate) async fn failed(&self, cache: &Cache, subject: Subject<'_>) {
        let (window, _) = self.window();
        let keys = self.keys(cache, subject, window);
        if keys.is_empty() {
            return;
        }
        let names: Vec<String> = keys.iter().map(|(key, _)| key.clone()).collect();
        let seconds = self.options.window.max(1);
        if cache.increment(names, seconds).await {
            return;
        }
        for (key, _) in keys {
            let count = self.local.get(&key).unwrap_or(0);
            self.local.insert(key, count.saturating_add(1));
        }
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

    #[test]
    fn refuse_past_the_budget_per_login_and_per_address() {
        let config =
            Config::from_toml_str("FSA_THROTTLE = { login = 2, address = 3, window = 3600 }")
                .unwrap();
        let cache = Cache::new(&config, "acme").unwrap();
        let throttle = Throttle::new(config.throttle.as_ref()).unwrap();
        let address = Some("192.0.2.7".parse().unwrap());
        let calvin = Subject {
            login: Some("calvin"),
            address,
        };
        let susie = Subject {
            login: Some("susie"),
            address,
        };
        for _ in 0..2 {
            assert!(now(throttle.check(&cache, calvin)).is_ok());
            now(throttle.failed(&cache, calvin));
        }
        let refused = now(throttle.check(&cache, calvin)).unwrap_err();
        assert_eq!(refused.status().as_u16(), 429);
        assert!(refused
            .message()
            .starts_with("too many failed authentications"));
        assert!(now(throttle.check(&cache, susie)).is_ok(), "another login");
        now(throttle.failed(&cache, susie));
        assert!(
            now(throttle.check(&cache, susie)).is_err(),
            "the address's third"
        );
        let elsewhere = Subject {
            login: Some("susie"),
            address: Some("192.0.2.8".parse().unwrap()),
        };
        assert!(now(throttle.check(&cache, elsewhere)).is_ok());
    }

    #[test]
    fn count_nothing_when_off() {
        let config = Config::from_toml_str("FSA_THROTTLE = false").unwrap();
        assert!(Throttle::new(config.throttle.as_ref()).is_none());
    }
}
