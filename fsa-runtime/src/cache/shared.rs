//! The cache every instance shares (`FSA_CACHE = "redis"`): Redis, through
//! the `redis` crate's `ConnectionManager` (one multiplexed connection for
//! every worker, made anew after a failure), driven by a thread of its own
//! so that no actix worker ever waits on Redis's socket and the connection
//! outlives any worker's runtime.
//!
//! - Every command has a bounded time (`FSA_CACHE_OPTS.timeout`). A lost
//!   connection or a timeout makes Redis "down" for `FSA_CACHE_OPTS.retry`
//!   seconds (logged once): lookups miss and stores are skipped, so every
//!   check calls its hook, and answers stay correct. Another error (a
//!   foreign value, a refused command) is a miss for that key only.
//! - Every value is signed (HMAC-SHA-256 over its key and text, with a
//!   secret every instance shares): an entry written by anyone else is a
//!   miss, so that write access to Redis is not a way in.
//! - An uncache writes a tombstone holding Redis's time, for the TTL,
//!   rather than deleting: a store replaces it only when its miss was seen
//!   after (by Redis's clock, one clock for every instance), so that a
//!   hook answer read before an uncache is never stored after it.
//! - An uncache that cannot reach Redis is an error for its caller, and is
//!   retried until it succeeds (or its entries would have expired anyway);
//!   until then this instance reads nothing from Redis.
//! - No in-process tier in front: an uncache that returns has reached every
//!   instance.

use super::{encode, Cached, Lookup, Ticket};
use crate::errors::ErrorResponse;
use redis::aio::ConnectionManager;
use std::{
    collections::VecDeque,
    future::Future,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::{Duration, Instant},
};

/// The most uncached keys waiting for Redis to come back; beyond, the
/// oldest are forgotten (with an error logged: they expire by their TTL).
const MAX_PENDING: usize = 100_000;

/// Keys tombstoned or scanned per command.
const BATCH: usize = 500;

/// Stores a value unless its key holds an entry, or a tombstone younger
/// than the miss (`ARGV`: value, seconds, the miss's time in microseconds
/// by Redis's clock). Tombstones are `-` and the time of the uncache.
const STORE: &str = r"
local current = redis.call('GET', KEYS[1])
if current == false or (string.sub(current, 1, 1) == '-'
    and tonumber(string.sub(current, 2)) < tonumber(ARGV[3])) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 0
";

/// Replaces an entry by a tombstone holding Redis's time, for `ARGV[1]`
/// seconds: 1 when there was an entry, else 0.
/// One less in a count that exists and is above 0.
const GIVE_BACK: &str = r"
if (tonumber(redis.call('GET', KEYS[1])) or 0) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
";

const FORGET: &str = r"
local old = redis.call('GET', KEYS[1])
local now = redis.call('TIME')
redis.call('SET', KEYS[1], '-' .. now[1] .. string.format('%06d', tonumber(now[2])), 'EX', ARGV[1])
if old == false or string.sub(old, 1, 1) == '-' then return 0 end
return 1
";

/// What reaching Redis needs.
pub(crate) struct SharedOptions {
    pub(crate) url: String,
    pub(crate) ttl: Duration,
    pub(crate) timeout: Duration,
    pub(crate) retry: Duration,
    pub(crate) prefix: String,
    /// The secret the values are signed with, the same on every instance.
    pub(crate) secret: String,
}

/// The shared cache.
pub(super) struct Shared {
    inner: Arc<Inner>,
    runtime: tokio::runtime::Handle,
    /// Dropped with the cache: the Redis thread then ends.
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// What the Redis thread's tasks share with the cache.
struct Inner {
    client: redis::Client,
    config: redis::aio::ConnectionManagerConfig,
    /// The connection: made at the first use, and made anew after a
    /// failure (rather than trust a manager's reconnection to recover
    /// from every kind of failure).
    manager: Mutex<Option<ConnectionManager>>,
    ttl: Duration,
    timeout: Duration,
    retry: Duration,
    prefix: String,
    signer: encode::Signer,
    health: Health,
    pending: Mutex<Pending>,
    /// Whether uncaches wait for Redis (read without the lock).
    has_pending: AtomicBool,
    /// Whether a flush is under way (one at a time).
    flushing: AtomicBool,
    /// Whether a task is retrying them.
    retrying: AtomicBool,
}

/// Uncaches that did not reach Redis yet, in order, each numbered so that
/// a flush removes what it sent and nothing recorded meanwhile.
#[derive(Default)]
struct Pending {
    /// The number of the last uncache recorded.
    last: u64,
    /// Keys, with their number and when their entries expire anyway.
    keys: VecDeque<(u64, String, Instant)>,
    /// A `clear_caches` that did not reach Redis: its number, and when
    /// every entry written before it expires anyway.
    clear: Option<(u64, Instant)>,
}

impl Pending {
    fn next(&mut self) -> u64 {
        self.last += 1;
        self.last
    }
}

/// Why an operation did not answer.
#[derive(Debug)]
pub(super) enum Failure {
    /// Redis is down, cut off or too slow: left alone for a while.
    Unavailable,
    /// Redis answered with an error (a refused command, a foreign value).
    Refused(String),
}

impl Shared {
    /// Starts the Redis thread; the connection is made at the first use.
    pub(super) fn start(options: SharedOptions) -> Result<Self, String> {
        let client = redis::Client::open(options.url.as_str())
            .map_err(|e| format!("FSA_CACHE_OPTS: invalid Redis URL: {e}"))?;
        let (sender, receiver) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("fsa-redis".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                match runtime {
                    Ok(runtime) => {
                        let _ = sender.send(Ok(runtime.handle().clone()));
                        runtime.block_on(async {
                            let _ = stopped.await;
                        });
                    }
                    Err(e) => {
                        let _ = sender.send(Err(format!("cannot start the Redis thread: {e}")));
                    }
                }
            })
            .map_err(|e| format!("cannot start the Redis thread: {e}"))?;
        let runtime = receiver
            .recv()
            .map_err(|_| "the Redis thread did not start".to_string())??;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.timeout))
            .set_response_timeout(Some(options.timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(10))
            .set_max_delay(options.retry);
        let inner = Inner {
            client,
            config,
            manager: Mutex::new(None),
            ttl: options.ttl,
            timeout: options.timeout,
            retry: options.retry,
            prefix: options.prefix,
            signer: encode::Signer::new(&options.secret),
            health: Health::default(),
            pending: Mutex::default(),
            has_pending: AtomicBool::new(false),
            flushing: AtomicBool::new(false),
            retrying: AtomicBool::new(false),
        };
        Ok(Self {
            inner: Arc::new(inner),
            runtime,
            _stop: stop,
        })
    }

    /// Runs `operation` on the Redis thread, within the time allowed.
    async fn run<T, F, Fut>(&self, operation: F) -> Result<T, Failure>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Inner>) -> Fut + Send + 'static,
        Fut: Future<Output = redis::RedisResult<T>> + Send + 'static,
    {
        run(&self.runtime, &self.inner, operation).await
    }

    /// The live entry of `key`, or the ticket of the miss (the time of
    /// the look-up by Redis's clock); why Redis did not say.
    pub(super) async fn get(&self, key: String) -> Result<Lookup, Failure> {
        if self.inner.health.is_down() {
            return Err(Failure::Unavailable);
        }
        // Uncaches first: this instance never reads what it was told to
        // forget. One flush at a time; meanwhile, a miss.
        if self.inner.has_pending.load(Ordering::Acquire) {
            if self.inner.flushing.swap(true, Ordering::AcqRel) {
                return Err(Failure::Unavailable);
            }
            let flushed = flush(&self.runtime, &self.inner).await;
            self.inner.flushing.store(false, Ordering::Release);
            flushed?;
        }
        let stored_key = key.clone();
        let (stored, (seconds, micros)): (Option<Vec<u8>>, (u64, u64)) = self
            .run(move |inner| async move {
                redis::pipe()
                    .cmd("GET")
                    .arg(&stored_key)
                    .cmd("TIME")
                    .query_async(&mut inner.connection()?)
                    .await
            })
            .await?;
        let found = stored
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|text| !text.starts_with('-'))
            .and_then(|text| self.inner.signer.open(&key, &text).and_then(encode::decode));
        Ok(match found {
            Some(found) => Lookup::Hit(found),
            None => Lookup::Miss(Ticket::Shared(seconds * 1_000_000 + micros)),
        })
    }

    /// Stores the answer of a miss seen at `missed` (Redis's clock) for
    /// the TTL, unless the key holds an entry, or was uncached since the
    /// miss; nothing when Redis is unavailable.
    pub(super) async fn set(&self, key: String, value: &Cached, missed: u64) {
        let seconds = self.inner.ttl.as_secs();
        if seconds == 0 || self.inner.health.is_down() {
            return;
        }
        let text = self.inner.signer.seal(&key, &encode::encode(value));
        let _ = self
            .run(move |inner| async move {
                redis::cmd("EVAL")
                    .arg(STORE)
                    .arg(1)
                    .arg(&key)
                    .arg(text)
                    .arg(seconds)
                    .arg(missed)
                    .query_async::<()>(&mut inner.connection()?)
                    .await
            })
            .await;
    }

    /// Adds one to each count, each expiring `seconds` after its first:
    /// the new counts, atomically (`None` when Redis cannot tell).
    pub(super) async fn increment(&self, keys: Vec<String>, seconds: u64) -> Option<Vec<u64>> {
        if self.inner.health.is_down() {
            return None;
        }
        self.run(move |inner| async move {
            let mut pipe = redis::pipe();
            pipe.atomic();
            // A new count starts at 0 with its expiry (any Redis since
            // 2.6.12), and INCR keeps the expiry.
            for key in &keys {
                pipe.cmd("SET")
                    .arg(key)
                    .arg(0)
                    .arg("EX")
                    .arg(seconds)
                    .arg("NX")
                    .ignore();
                pipe.cmd("INCR").arg(key);
            }
            pipe.query_async::<Vec<u64>>(&mut inner.connection()?).await
        })
        .await
        .ok()
    }

    /// Takes one back from each count that still exists (an expired one
    /// is not made again, without an expiry).
    pub(super) async fn decrement(&self, keys: Vec<String>) {
        if self.inner.health.is_down() {
            return;
        }
        let _ = self
            .run(move |inner| async move {
                let mut pipe = redis::pipe();
                for key in &keys {
                    pipe.cmd("EVAL").arg(GIVE_BACK).arg(1).arg(key).ignore();
                }
                pipe.query_async::<()>(&mut inner.connection()?).await
            })
            .await;
    }

    /// Forgets entries (tombstones for the TTL): how many there were. When
    /// Redis cannot be reached, the keys wait for it and the caller gets an
    /// error.
    pub(super) async fn remove(&self, keys: Vec<String>) -> Result<usize, ErrorResponse> {
        if self.inner.has_pending.load(Ordering::Acquire) {
            let _ = self.flush().await;
        }
        let attempt = if self.inner.health.is_down() {
            Err(Failure::Unavailable)
        } else {
            let keys = keys.clone();
            self.run(move |inner| async move { tombstone(&inner, &keys).await })
                .await
        };
        match attempt {
            Ok(removed) => Ok(removed),
            Err(Failure::Refused(why)) => Err(ErrorResponse::internal(format!(
                "the shared cache (Redis) refused an uncache: {why}"
            ))),
            Err(Failure::Unavailable) => {
                let expires = Instant::now() + self.inner.ttl;
                self.wait(|pending| {
                    for key in keys {
                        let number = pending.next();
                        pending.keys.push_back((number, key, expires));
                    }
                });
                Err(unreachable_error(self.inner.retry))
            }
        }
    }

    /// Deletes every entry of this application (its key prefix, fsa's
    /// kinds of keys only).
    pub(super) async fn clear(&self) -> Result<(), ErrorResponse> {
        let attempt = if self.inner.health.is_down() {
            Err(Failure::Unavailable)
        } else {
            clear_pages(&self.runtime, &self.inner).await
        };
        match attempt {
            Ok(()) => Ok(()),
            Err(Failure::Refused(why)) => Err(ErrorResponse::internal(format!(
                "the shared cache (Redis) refused to clear: {why}"
            ))),
            Err(Failure::Unavailable) => {
                let expires = Instant::now() + self.inner.ttl;
                self.wait(|pending| pending.clear = Some((pending.next(), expires)));
                Err(unreachable_error(self.inner.retry))
            }
        }
    }

    /// Records uncaches that wait for Redis, and starts retrying them.
    fn wait(&self, record: impl FnOnce(&mut Pending)) {
        {
            let mut pending = self
                .inner
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            record(&mut pending);
            let excess = pending.keys.len().saturating_sub(MAX_PENDING);
            if excess > 0 {
                pending.keys.drain(..excess);
                tracing::error!(
                    "fsa: {excess} uncached keys dropped while Redis is unreachable: their entries expire by their TTL"
                );
            }
        }
        self.inner.has_pending.store(true, Ordering::Release);
        if !self.inner.retrying.swap(true, Ordering::AcqRel) {
            let (inner, runtime) = (self.inner.clone(), self.runtime.clone());
            self.runtime.spawn(async move {
                loop {
                    tokio::time::sleep(inner.retry).await;
                    if !inner.has_pending.load(Ordering::Acquire) {
                        break;
                    }
                    if inner.flushing.swap(true, Ordering::AcqRel) {
                        continue;
                    }
                    let flushed = flush(&runtime, &inner).await;
                    inner.flushing.store(false, Ordering::Release);
                    if flushed.is_ok() {
                        break;
                    }
                }
                inner.retrying.store(false, Ordering::Release);
                // One recorded while the loop ended is retried by the next
                // uncache, or the next lookup.
            });
        }
    }

    /// Sends the uncaches that wait for Redis.
    async fn flush(&self) -> Result<(), Failure> {
        if self.inner.flushing.swap(true, Ordering::AcqRel) {
            return Err(Failure::Unavailable);
        }
        let flushed = flush(&self.runtime, &self.inner).await;
        self.inner.flushing.store(false, Ordering::Release);
        flushed
    }
}

impl Inner {
    /// The connection, made now if there is none (on the Redis thread,
    /// where its tasks then run).
    fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let mut manager = self.manager.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(manager) = &*manager {
            return Ok(manager.clone());
        }
        let made =
            ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())?;
        *manager = Some(made.clone());
        Ok(made)
    }

    /// Drops the connection after a failure: the next use makes another.
    fn forget_connection(&self) {
        *self.manager.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// The error of an uncache that did not reach Redis.
fn unreachable_error(retry: Duration) -> ErrorResponse {
    ErrorResponse::with_status(
        format!(
            "the shared cache (Redis) is unreachable: the change reaches every instance when it answers again (retried every {} s)",
            retry.as_secs_f64()
        ),
        actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
    )
}

/// Runs `operation` on the Redis thread within the time allowed.
async fn run<T, F, Fut>(
    runtime: &tokio::runtime::Handle,
    inner: &Arc<Inner>,
    operation: F,
) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(Arc<Inner>) -> Fut + Send + 'static,
    Fut: Future<Output = redis::RedisResult<T>> + Send + 'static,
{
    // Connecting and answering, each within the timeout.
    let limit = inner.timeout * 2;
    let task = runtime.spawn(tokio::time::timeout(limit, operation(inner.clone())));
    let why = match task.await {
        Ok(Ok(Ok(value))) => {
            inner.health.up();
            return Ok(value);
        }
        Ok(Ok(Err(error))) if !is_availability(&error) => {
            return Err(Failure::Refused(error.to_string()));
        }
        Ok(Ok(Err(error))) => error.to_string(),
        Ok(Err(_elapsed)) => "no answer in time".to_string(),
        Err(_cancelled) => "the Redis thread stopped".to_string(),
    };
    inner.forget_connection();
    inner.health.down(&why, inner.retry);
    Err(Failure::Unavailable)
}

/// Whether an error says that Redis cannot be reached (rather than that
/// it refused one command).
fn is_availability(error: &redis::RedisError) -> bool {
    error.is_io_error()
        || error.is_timeout()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_unrecoverable_error()
}

/// Replaces entries by tombstones for the TTL: how many were entries.
async fn tombstone(inner: &Inner, keys: &[String]) -> redis::RedisResult<usize> {
    let seconds = inner.ttl.as_secs().max(1);
    let mut connection = inner.connection()?;
    let mut removed = 0;
    for batch in keys.chunks(BATCH) {
        let mut pipe = redis::pipe();
        for key in batch {
            pipe.cmd("EVAL").arg(FORGET).arg(1).arg(key).arg(seconds);
        }
        let forgotten: Vec<usize> = pipe.query_async(&mut connection).await?;
        removed += forgotten.iter().sum::<usize>();
    }
    Ok(removed)
}

/// Sends the uncaches that wait for Redis; what is past its expiry is
/// dropped (Redis has expired it).
async fn flush(runtime: &tokio::runtime::Handle, inner: &Arc<Inner>) -> Result<(), Failure> {
    if inner.health.is_down() {
        return Err(Failure::Unavailable);
    }
    let now = Instant::now();
    let (keys, clear, sent) = {
        let mut pending = inner.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.keys.retain(|(_, _, expires)| *expires > now);
        pending.clear = pending.clear.filter(|(_, expires)| *expires > now);
        let keys: Vec<String> = pending.keys.iter().map(|(_, k, _)| k.clone()).collect();
        (keys, pending.clear.is_some(), pending.last)
    };
    if clear {
        clear_pages(runtime, inner).await?;
    }
    for batch in keys.chunks(BATCH) {
        let batch = batch.to_vec();
        run(runtime, inner, move |inner| async move {
            tombstone(&inner, &batch).await
        })
        .await?;
    }
    let mut pending = inner.pending.lock().unwrap_or_else(PoisonError::into_inner);
    // What was recorded meanwhile stays.
    pending.keys.retain(|(number, _, _)| *number > sent);
    pending.clear = pending.clear.filter(|(number, _)| *number > sent);
    if pending.keys.is_empty() && pending.clear.is_none() {
        inner.has_pending.store(false, Ordering::Release);
    }
    Ok(())
}

/// Deletes every key of the application's prefix and fsa's kinds, a page
/// at a time, each page within the time allowed.
async fn clear_pages(runtime: &tokio::runtime::Handle, inner: &Arc<Inner>) -> Result<(), Failure> {
    let pattern = format!("{}[{}].*", glob_escape(&inner.prefix), super::Kind::LETTERS);
    let mut cursor: u64 = 0;
    loop {
        let page_pattern = pattern.clone();
        cursor = run(runtime, inner, move |inner| async move {
            let mut connection = inner.connection()?;
            let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&page_pattern)
                .arg("COUNT")
                .arg(BATCH)
                .query_async(&mut connection)
                .await?;
            if !keys.is_empty() {
                redis::cmd("UNLINK")
                    .arg(&keys)
                    .query_async::<usize>(&mut connection)
                    .await?;
            }
            Ok(next)
        })
        .await?;
        if cursor == 0 {
            return Ok(());
        }
    }
}

/// `text` matched literally in a Redis glob pattern.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Whether Redis answers: after a failure, it is left alone for a while
/// (the hooks answer meanwhile), then tried again.
struct Health {
    start: Instant,
    /// Milliseconds after `start` until which Redis is left alone.
    down_until: AtomicU64,
    /// Whether the last operation failed (to log each change once).
    failing: AtomicBool,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            start: Instant::now(),
            down_until: AtomicU64::new(0),
            failing: AtomicBool::new(false),
        }
    }
}

impl Health {
    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn is_down(&self) -> bool {
        self.now() < self.down_until.load(Ordering::Relaxed)
    }

    fn down(&self, why: &str, retry: Duration) {
        let until = self.now() + retry.as_millis() as u64;
        self.down_until.store(until, Ordering::Relaxed);
        if !self.failing.swap(true, Ordering::AcqRel) {
            tracing::warn!(
                "fsa: the Redis cache is unavailable ({why}): hooks answer without it, Redis is tried again every {} s",
                retry.as_secs_f64()
            );
        }
    }

    fn up(&self) {
        if self.failing.swap(false, Ordering::AcqRel) {
            tracing::warn!("fsa: the Redis cache answers again");
        }
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn escape_glob_characters() {
        assert_eq!(glob_escape("app:"), "app:");
        assert_eq!(glob_escape("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }

    #[test]
    fn leave_redis_alone_for_a_while_after_a_failure() {
        let health = Health::default();
        assert!(!health.is_down());
        health.down("test", Duration::from_secs(60));
        assert!(health.is_down());
        health.up();
        assert!(
            health.is_down(),
            "until the retry time, whatever answers meanwhile"
        );
        let health = Health::default();
        health.down("test", Duration::ZERO);
        assert!(!health.is_down());
    }
}
