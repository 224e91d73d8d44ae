//! The in-process cache of hook answers and token checks: one
//! [`quick_cache`] cache with a TTL on each entry, keys prefixed per hook as
//! FlaskSimpleAuth does. Negative answers are cached too; errors never are.

use crate::{config::Config, errors::ErrorResponse};
use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

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
    /// The last token seen for a login and realm.
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

/// The cache, or nothing when `FSA_CACHE = "none"`.
pub(crate) struct Cache {
    entries: Option<quick_cache::sync::Cache<String, (Cached, Instant)>>,
    ttl: Duration,
    prefix: String,
}

impl Cache {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            entries: (config.cache != "none" && config.cache_size > 0)
                .then(|| quick_cache::sync::Cache::new(config.cache_size)),
            ttl: Duration::from_secs(config.cache_ttl),
            prefix: config.cache_prefix.clone().unwrap_or_default(),
        }
    }

    /// An unambiguous key: each part length-prefixed.
    pub(crate) fn key(&self, kind: Kind, parts: &[&str]) -> String {
        let mut key = String::with_capacity(16 + parts.iter().map(|p| p.len() + 4).sum::<usize>());
        key.push_str(&self.prefix);
        key.push_str(kind.prefix());
        for part in parts {
            key.push_str(&part.len().to_string());
            key.push(':');
            key.push_str(part);
        }
        key
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
