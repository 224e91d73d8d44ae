//! Passwords: hashing and verification (`FSA_PASSWORD_SCHEME`), always off
//! the async worker threads, the quality rules of new passwords, and the
//! user check of the password schemes (as FlaskSimpleAuth does).

use crate::{
    config::{Config, PasswordScheme},
    errors::ErrorResponse,
    hooks::PasswordQualityFn,
};
#[cfg(feature = "argon2")]
use argon2::{password_hash::PasswordHasher, Argon2, PasswordHash, PasswordVerifier};
use regex::Regex;
use std::{
    collections::{BTreeMap, HashMap},
    ops::RangeInclusive,
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex, PoisonError},
};

/// bcrypt reads at most 72 bytes: longer passwords are refused, never cut
/// (72 bytes are fine: only the C string terminator is dropped, as in
/// OpenBSD's and Python's bcrypt).
const BCRYPT_MAX: usize = 72;

/// A configured password scheme, or the work a stored hash costs to verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Scheme {
    Bcrypt {
        cost: u32,
    },
    /// argon2id, version 19.
    #[cfg(feature = "argon2")]
    Argon2 {
        memory_cost: u32,
        time_cost: u32,
        parallelism: u32,
    },
    Plaintext,
}

/// The password manager of an application.
pub(crate) struct Passwords {
    pub(crate) scheme: Option<Scheme>,
    min_length: usize,
    patterns: Vec<Regex>,
    /// The hashes verified for unknown users and malformed stored hashes,
    /// so that they cost the same work as known users.
    decoys: Arc<Decoys>,
    /// Hashes computed at once (`FSA_PASSWORD_CONCURRENCY`): a flood of
    /// password checks waits its turn rather than fill actix's blocking
    /// threads, which everything else needs too.
    turns: Arc<tokio::sync::Semaphore>,
    /// How long a check may wait for its turn (`FSA_PASSWORD_QUEUE`).
    queue: std::time::Duration,
}

/// The decoy password, hashed at every work the decoys are made for.
const DECOY_PASSWORD: &str = "fsa decoy password";

/// At most this many decoy hashes are kept (bcrypt has 28 costs).
const MAX_DECOYS: usize = 32;

/// Decoy hashes, keyed by the work they cost to verify.
///
/// Stored hashes carry their own costs (`$2b$12$...` whatever
/// `FSA_PASSWORD_OPTS` say): the decoy follows the work of the last
/// well-formed stored hash verified, so that unknown users cost as much as
/// known ones. A decoy is made once per work, off the worker threads.
struct Decoys {
    /// The work of the last well-formed stored hash verified, at first the
    /// configured scheme.
    work: Mutex<Scheme>,
    /// A hash of [`DECOY_PASSWORD`] per work.
    hashes: Mutex<HashMap<Scheme, Arc<str>>>,
}

impl Decoys {
    /// Decoys for `scheme`, its decoy hash made now (a start-up error if
    /// it cannot be made).
    fn new(scheme: Scheme) -> Result<Self, String> {
        let hash = hash_now(scheme, DECOY_PASSWORD).map_err(|e| e.to_string())?;
        Ok(Self {
            work: Mutex::new(scheme),
            hashes: Mutex::new(HashMap::from([(scheme, Arc::from(hash))])),
        })
    }

    /// The work unknown users are to cost.
    fn work(&self) -> Scheme {
        *self.work.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers the work of a well-formed stored hash just verified.
    fn remember(&self, work: Scheme) {
        let mut current = self.work.lock().unwrap_or_else(PoisonError::into_inner);
        if *current != work {
            *current = work;
        }
    }

    /// The decoy hash for `work`, if made already.
    fn hash(&self, work: Scheme) -> Option<Arc<str>> {
        let hashes = self.hashes.lock().unwrap_or_else(PoisonError::into_inner);
        hashes.get(&work).cloned()
    }

    /// Spends the work of verifying `password` against a stored hash of
    /// the remembered work: a blocking call, for the blocking threads.
    /// The first time at a work, making the decoy hash is that work.
    fn spend(&self, scheme: Scheme, password: &str) {
        let work = self.work();
        if let Some(hash) = self.hash(work) {
            verify_now(scheme, password, &hash);
            return;
        }
        let Ok(hash) = hash_now(work, DECOY_PASSWORD) else {
            // Unreachable for a work read from a well-formed hash.
            return;
        };
        let mut hashes = self.hashes.lock().unwrap_or_else(PoisonError::into_inner);
        if hashes.len() >= MAX_DECOYS {
            hashes.clear();
        }
        hashes.insert(work, Arc::from(hash));
    }
}

/// The one answer to a failed password check, whatever failed.
pub(crate) const INVALID: &str = "invalid login or password";

impl Passwords {
    pub(crate) fn new(config: &Config) -> Result<Self, String> {
        let opts = &config.password_opts;
        let scheme = match config.password_scheme {
            None => None,
            Some(PasswordScheme::Bcrypt) => {
                let [cost] = options("bcrypt", opts, [("rounds", 4, 4..=31)])?;
                Some(Scheme::Bcrypt { cost })
            }
            #[cfg(not(feature = "argon2"))]
            Some(PasswordScheme::Argon2) => {
                return Err(
                    "FSA_PASSWORD_SCHEME = \"argon2\" needs the `argon2` feature of fsa-runtime"
                        .into(),
                )
            }
            #[cfg(feature = "argon2")]
            Some(PasswordScheme::Argon2) => {
                let [memory_cost, time_cost, parallelism] = options(
                    "argon2",
                    opts,
                    [
                        ("memory_cost", 1000, 8..=u32::MAX),
                        ("time_cost", 1, 1..=u32::MAX),
                        ("parallelism", 1, 1..=0xFF_FFFF),
                    ],
                )?;
                argon2::Params::new(memory_cost, time_cost, parallelism, None)
                    .map_err(|e| format!("FSA_PASSWORD_OPTS: invalid argon2 options: {e}"))?;
                Some(Scheme::Argon2 {
                    memory_cost,
                    time_cost,
                    parallelism,
                })
            }
            Some(PasswordScheme::Plaintext) => {
                options("plaintext", opts, [])?;
                tracing::warn!("fsa: FSA_PASSWORD_SCHEME = \"plaintext\" stores clear passwords: for tests only");
                Some(Scheme::Plaintext)
            }
        };
        let mut bad = Vec::new();
        let patterns = config
            .password_re
            .iter()
            .filter_map(|re| match Regex::new(re) {
                Ok(regex) => Some(regex),
                Err(e) => {
                    let why = e.to_string();
                    let why = why.lines().last().unwrap_or_default().to_string();
                    bad.push(format!("FSA_PASSWORD_RE: invalid regex \"{re}\": {why}"));
                    None
                }
            })
            .collect();
        if !bad.is_empty() {
            return Err(bad.join("; "));
        }
        // Without a scheme there is nothing to verify, so no decoy either:
        // an empty plaintext one stands in, never used.
        let decoys = Decoys::new(scheme.unwrap_or(Scheme::Plaintext))?;
        let concurrency = match config.password_concurrency {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        Ok(Self {
            scheme,
            min_length: config.password_length,
            patterns,
            decoys: Arc::new(decoys),
            turns: Arc::new(tokio::sync::Semaphore::new(concurrency)),
            queue: std::time::Duration::from_secs_f64(config.password_queue),
        })
    }

    pub(crate) fn scheme(&self) -> Result<Scheme, ErrorResponse> {
        self.scheme
            .ok_or_else(|| ErrorResponse::internal("password manager is disabled (FSA_PASSWORD_SCHEME = \"none\"): set a scheme such as \"bcrypt\" to hash passwords"))
    }

    /// Refuses a poor new password: too short, missing a pattern, or
    /// refused by the `password_quality` hook (a panic there is a 500).
    pub(crate) fn check_quality(
        &self,
        password: &str,
        hook: Option<&PasswordQualityFn>,
    ) -> Result<(), ErrorResponse> {
        let poor = |message: String| ErrorResponse::bad_request(message);
        if password.chars().count() < self.min_length {
            return Err(poor(format!(
                "password is too short, must be at least {}",
                self.min_length
            )));
        }
        if let Some(re) = self.patterns.iter().find(|re| !re.is_match(password)) {
            return Err(poor(format!("password must match {}", re.as_str())));
        }
        let Some(hook) = hook else { return Ok(()) };
        match std::panic::catch_unwind(AssertUnwindSafe(|| hook(password))) {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(poor("password quality too low".into())),
            Ok(Err(why)) => Err(poor(format!("password quality too low: {why}"))),
            Err(_) => {
                tracing::error!(hook = "password_quality", "fsa: hook panicked");
                Err(ErrorResponse::internal(
                    "internal error in password_quality",
                ))
            }
        }
    }

    /// Hashes a password, off the worker threads.
    pub(crate) async fn hash(&self, password: &str) -> Result<String, ErrorResponse> {
        let scheme = self.scheme()?;
        let password = password.to_string();
        self.blocking(move || hash_now(scheme, &password)).await
    }

    /// Whether `password` matches `reference`, off the worker threads; a
    /// malformed reference or a too long password does not match. A
    /// well-formed reference sets the work of the decoys; a malformed one
    /// costs a decoy's work.
    pub(crate) async fn verify(
        &self,
        password: &str,
        reference: &str,
    ) -> Result<bool, ErrorResponse> {
        let scheme = self.scheme()?;
        let (password, reference) = (password.to_string(), reference.to_string());
        let decoys = Arc::clone(&self.decoys);
        self.blocking(move || {
            Ok(match verify_now(scheme, &password, &reference) {
                Some(matched) => {
                    if let Some(work) = work_of(scheme, &reference) {
                        decoys.remember(work);
                    }
                    matched
                }
                None => {
                    decoys.spend(scheme, &password);
                    false
                }
            })
        })
        .await
    }

    /// Spends the work of a verification, for an unknown user.
    pub(crate) async fn decoy(&self, password: &str) -> Result<(), ErrorResponse> {
        let scheme = self.scheme()?;
        let password = password.to_string();
        let decoys = Arc::clone(&self.decoys);
        self.blocking(move || {
            decoys.spend(scheme, &password);
            Ok(())
        })
        .await
    }
}

/// Reads the integer options of a scheme (name, default, valid values),
/// refusing unknown ones.
fn options<const N: usize>(
    scheme: &str,
    opts: &BTreeMap<String, toml::Value>,
    known: [(&str, u32, RangeInclusive<u32>); N],
) -> Result<[u32; N], String> {
    if let Some(key) = opts.keys().find(|k| !known.iter().any(|(n, ..)| n == k)) {
        let names: Vec<&str> = known.iter().map(|(n, ..)| *n).collect();
        return Err(format!(
            "FSA_PASSWORD_OPTS: unexpected option \"{key}\" for {scheme}, expected one of {names:?}"
        ));
    }
    let mut values = [0; N];
    for (value, (name, default, range)) in values.iter_mut().zip(known) {
        let read = match opts.get(name) {
            None => Some(default),
            Some(toml::Value::Integer(n)) => u32::try_from(*n).ok().filter(|n| range.contains(n)),
            Some(_) => None,
        };
        *value = read.ok_or_else(|| {
            format!(
                "FSA_PASSWORD_OPTS: {scheme} {name} must be an integer from {} to {}",
                range.start(),
                range.end()
            )
        })?;
    }
    Ok(values)
}

fn hash_now(scheme: Scheme, password: &str) -> Result<String, ErrorResponse> {
    let failed = |e: &dyn std::fmt::Display| {
        ErrorResponse::internal(format!("internal error in hash_password: {e}"))
    };
    match scheme {
        Scheme::Bcrypt { .. } if password.len() > BCRYPT_MAX => Err(ErrorResponse::bad_request(
            format!("password too long: bcrypt takes at most {BCRYPT_MAX} bytes"),
        )),
        Scheme::Bcrypt { cost } => bcrypt::hash(password, cost).map_err(|e| failed(&e)),
        #[cfg(feature = "argon2")]
        Scheme::Argon2 {
            memory_cost,
            time_cost,
            parallelism,
        } => argon2::Params::new(memory_cost, time_cost, parallelism, None)
            .map_err(|e| failed(&e))
            .and_then(|params| {
                Argon2::from(params)
                    .hash_password(password.as_bytes())
                    .map_err(|e| failed(&e))
            })
            .map(|hash| hash.to_string()),
        Scheme::Plaintext => Ok(password.to_string()),
    }
}

/// Whether `password` matches `reference`, `None` when the reference is
/// malformed (and no work was spent). A too long bcrypt password matches
/// nothing, at no cost whatever the reference.
fn verify_now(scheme: Scheme, password: &str, reference: &str) -> Option<bool> {
    match scheme {
        Scheme::Bcrypt { .. } if password.len() > BCRYPT_MAX => Some(false),
        Scheme::Bcrypt { .. } => ["$2a$", "$2b$", "$2y$"]
            .iter()
            .any(|prefix| reference.starts_with(prefix))
            .then(|| bcrypt::verify(password, reference).ok())
            .flatten(),
        // The hash names its own variant and costs.
        #[cfg(feature = "argon2")]
        Scheme::Argon2 { .. } => {
            let hash = PasswordHash::new(reference).ok()?;
            argon2::Params::try_from(&hash).ok()?;
            if hash.salt.is_none() || hash.hash.is_none() {
                return None;
            }
            match Argon2::default().verify_password(password.as_bytes(), &hash) {
                Ok(()) => Some(true),
                Err(argon2::password_hash::Error::PasswordInvalid) => Some(false),
                Err(_) => None,
            }
        }
        Scheme::Plaintext => Some(constant_time_eq(password.as_bytes(), reference.as_bytes())),
    }
}

/// The work of verifying a well-formed `reference`: the costs it carries,
/// whatever the configured ones.
fn work_of(scheme: Scheme, reference: &str) -> Option<Scheme> {
    match scheme {
        Scheme::Bcrypt { .. } => reference
            .get(4..6)
            .and_then(|cost| cost.parse().ok())
            .filter(|cost| (4..=31).contains(cost))
            .filter(|_| reference.len() == 60 && reference.get(6..7) == Some("$"))
            .map(|cost| Scheme::Bcrypt { cost }),
        #[cfg(feature = "argon2")]
        Scheme::Argon2 { .. } => {
            let hash = PasswordHash::new(reference).ok()?;
            let params = argon2::Params::try_from(&hash).ok()?;
            Some(Scheme::Argon2 {
                memory_cost: params.m_cost(),
                time_cost: params.t_cost(),
                parallelism: params.p_cost(),
            })
        }
        Scheme::Plaintext => Some(Scheme::Plaintext),
    }
}

/// Compares in time independent of where the inputs differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Passwords {
    /// Runs a hash computation on actix's blocking threads, in its turn:
    /// a 503 with `Retry-After` when the turn does not come within
    /// `FSA_PASSWORD_QUEUE`.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ErrorResponse> + Send + 'static,
    ) -> Result<T, ErrorResponse> {
        let turn = match self.turns.clone().try_acquire_owned() {
            Ok(turn) => turn,
            Err(_) => {
                let waited = tokio::time::timeout(self.queue, self.turns.clone().acquire_owned());
                match waited.await {
                    Ok(Ok(turn)) => turn,
                    _ => {
                        return Err(ErrorResponse::with_status(
                            "too many password checks at once: retry in 1 s",
                            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                        )
                        .header("Retry-After", "1"))
                    }
                }
            }
        };
        let answer = actix_web::web::block(work).await;
        drop(turn);
        answer.map_err(|_| ErrorResponse::internal("internal error in password check"))?
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[cfg(not(feature = "argon2"))]
    #[test]
    fn refuse_argon2_without_its_feature() {
        let error = passwords("FSA_PASSWORD_SCHEME = \"argon2\"").err().unwrap();
        assert!(error.contains("the `argon2` feature"), "{error}");
    }

    const BCRYPT: Scheme = Scheme::Bcrypt { cost: 4 };
    #[cfg(feature = "argon2")]
    const ARGON2: Scheme = Scheme::Argon2 {
        memory_cost: 1000,
        time_cost: 1,
        parallelism: 1,
    };

    fn config(text: &str) -> Config {
        Config::from_toml_str(text).unwrap()
    }

    fn passwords(text: &str) -> Result<Passwords, String> {
        Passwords::new(&config(text))
    }

    fn matches(scheme: Scheme, password: &str, reference: &str) -> bool {
        verify_now(scheme, password, reference) == Some(true)
    }

    /// The decoy hash unknown users are verified against now.
    fn decoy(passwords: &Passwords) -> Arc<str> {
        let decoys = &passwords.decoys;
        decoys.hash(decoys.work()).unwrap()
    }

    #[test]
    fn refuse_to_cut_long_passwords_but_take_72_bytes() {
        let fsa_hash_of_72 = "$2b$04$ebPDSYR5Ze.ChSXUgiTP1Occ3k6TgB977/AmRZZ8U5qdD6fa3AuMC";
        assert!(matches(BCRYPT, &"x".repeat(72), fsa_hash_of_72));
        assert!(!matches(BCRYPT, &"x".repeat(73), fsa_hash_of_72));
        assert!(!matches(BCRYPT, &"x".repeat(71), fsa_hash_of_72));
        let error = hash_now(BCRYPT, &"x".repeat(73)).unwrap_err();
        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(
            error.message(),
            "password too long: bcrypt takes at most 72 bytes"
        );
        let hash = hash_now(BCRYPT, &"é".repeat(36)).unwrap();
        assert!(matches(BCRYPT, &"é".repeat(36), &hash));
        assert!(!matches(BCRYPT, &format!("{}e", "é".repeat(35)), &hash));
    }

    #[test]
    fn hash_with_bcrypt_cost_4_by_default() {
        let passwords = passwords("").unwrap();
        assert_eq!(passwords.scheme, Some(BCRYPT));
        let hash = hash_now(BCRYPT, "hobbes-rules").unwrap();
        assert!(hash.starts_with("$2b$04$") && hash.len() == 60, "{hash}");
        assert!(matches(BCRYPT, "hobbes-rules", &hash));
        assert!(!matches(BCRYPT, "hobbes-rule", &hash));
    }

    #[test]
    fn accept_2a_and_2y_bcrypt_prefixes_but_not_2x() {
        let hash = hash_now(BCRYPT, "é à ç 🐯").unwrap();
        for prefix in ["$2a$", "$2y$"] {
            assert!(matches(
                BCRYPT,
                "é à ç 🐯",
                &hash.replacen("$2b$", prefix, 1)
            ));
        }
        assert!(!matches(
            BCRYPT,
            "é à ç 🐯",
            &hash.replacen("$2b$", "$2x$", 1)
        ));
    }

    #[cfg(feature = "argon2")]
    #[test]
    fn hash_with_argon2id_and_the_fsa_defaults() {
        let passwords = passwords("FSA_PASSWORD_SCHEME = \"argon2\"").unwrap();
        assert_eq!(passwords.scheme, Some(ARGON2));
        let hash = hash_now(ARGON2, "x".repeat(100).as_str()).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=1000,t=1,p=1$"), "{hash}");
        assert!(matches(ARGON2, &"x".repeat(100), &hash));
        assert!(!matches(ARGON2, &"x".repeat(99), &hash));
    }

    #[cfg(feature = "argon2")]
    #[test]
    fn read_scheme_options_and_refuse_bad_ones() {
        let bcrypt = passwords("FSA_PASSWORD_OPTS = { rounds = 5 }").unwrap();
        assert_eq!(bcrypt.scheme, Some(Scheme::Bcrypt { cost: 5 }));
        assert!(decoy(&bcrypt).starts_with("$2b$05$"));
        let argon2 = passwords(
            "FSA_PASSWORD_SCHEME = \"argon2\"\nFSA_PASSWORD_OPTS = { memory_cost = 64, time_cost = 2, parallelism = 2 }",
        )
        .unwrap();
        assert!(decoy(&argon2).starts_with("$argon2id$v=19$m=64,t=2,p=2$"));
        for (text, problem) in [
            ("FSA_PASSWORD_OPTS = { rounds = 3 }", "rounds must be"),
            ("FSA_PASSWORD_OPTS = { cost = 5 }", "unexpected option \"cost\""),
            (
                "FSA_PASSWORD_SCHEME = \"argon2\"\nFSA_PASSWORD_OPTS = { time_cost = \"1\" }",
                "time_cost must be",
            ),
            (
                "FSA_PASSWORD_SCHEME = \"argon2\"\nFSA_PASSWORD_OPTS = { memory_cost = 8, parallelism = 4 }",
                "invalid argon2 options",
            ),
        ] {
            let error = passwords(text).err().unwrap();
            assert!(error.contains(problem), "{text}: {error}");
        }
    }

    #[test]
    fn report_an_invalid_password_regex_at_start_up() {
        let error = passwords("FSA_PASSWORD_RE = [\"[a-z]\", \"(oops\"]")
            .err()
            .unwrap();
        assert!(
            error.starts_with("FSA_PASSWORD_RE: invalid regex \"(oops\""),
            "{error}"
        );
    }

    #[test]
    fn name_the_quality_rule_a_poor_password_breaks() {
        let passwords =
            passwords("FSA_PASSWORD_LENGTH = 3\nFSA_PASSWORD_RE = [\"[a-z]\", \"[A-Z]\"]").unwrap();
        let message = |password: &str, hook: Option<&PasswordQualityFn>| {
            let error = passwords.check_quality(password, hook).unwrap_err();
            assert_eq!(error.status().as_u16(), 400);
            error.message().to_string()
        };
        assert_eq!(
            message("éA", None),
            "password is too short, must be at least 3"
        );
        assert_eq!(message("CYZ", None), "password must match [a-z]");
        assert_eq!(message("cyz", None), "password must match [A-Z]");
        assert!(passwords.check_quality("éAz", None).is_ok());
        let refuse: PasswordQualityFn = Arc::new(|p| Ok(p != "Calvin"));
        assert_eq!(message("Calvin", Some(&refuse)), "password quality too low");
        let explain: PasswordQualityFn = Arc::new(|_| Err("too common".into()));
        assert_eq!(
            message("Calvin", Some(&explain)),
            "password quality too low: too common"
        );
        let panic: PasswordQualityFn = Arc::new(|_| panic!("quality bug"));
        let error = passwords.check_quality("Calvin", Some(&panic)).unwrap_err();
        assert!(error.is_internal());
    }

    #[actix_web::test]
    async fn make_the_bcrypt_decoy_at_the_cost_of_the_stored_hashes() {
        let passwords = passwords("").unwrap();
        let decoys = &passwords.decoys;
        let cost = |cost| Scheme::Bcrypt { cost };
        assert_eq!(decoys.work(), cost(4));
        assert!(decoy(&passwords).starts_with("$2b$04$"));
        // A stored hash of another cost sets the cost of the decoy, made
        // once, off the worker threads, by the next unknown user.
        let cost_5 = hash_now(cost(5), "hobbes-rules").unwrap();
        assert!(!passwords.verify("s3cret-guess", &cost_5).await.unwrap());
        assert_eq!(decoys.work(), cost(5));
        assert!(decoys.hash(cost(5)).is_none());
        passwords.decoy("s3cret-guess").await.unwrap();
        let made = decoy(&passwords);
        assert!(made.starts_with("$2b$05$"), "{made}");
        passwords.decoy("s3cret-guess").await.unwrap();
        assert!(Arc::ptr_eq(&made, &decoy(&passwords)));
        // $2y$ hashes carry their cost too; other costs keep their decoys.
        let cost_4 = hash_now(cost(4), "hobbes-rules").unwrap();
        assert!(passwords.verify("hobbes-rules", &cost_4).await.unwrap());
        assert_eq!(decoys.work(), cost(4));
        let cost_5_y = cost_5.replacen("$2b$", "$2y$", 1);
        assert!(passwords.verify("hobbes-rules", &cost_5_y).await.unwrap());
        assert_eq!(decoys.work(), cost(5));
        assert!(Arc::ptr_eq(&made, &decoy(&passwords)));
        // A malformed stored hash keeps the cost but spends a decoy's work.
        decoys.remember(cost(6));
        for malformed in [
            "",
            "hobbes-rules",
            "$2b$06$short",
            &cost_5.replacen("$2b$", "$2x$", 1),
            &cost_5.replacen("$05$", "$99$", 1),
            &cost_5.replacen("$05$", "$03$", 1),
            &format!("{}!", &cost_5[..59]),
        ] {
            assert_eq!(verify_now(BCRYPT, "hobbes-rules", malformed), None);
            assert!(!passwords.verify("hobbes-rules", malformed).await.unwrap());
            assert_eq!(decoys.work(), cost(6), "{malformed}");
        }
        assert!(decoy(&passwords).starts_with("$2b$06$"));
        // A too long password matches nothing, and costs nothing anywhere.
        assert_eq!(verify_now(BCRYPT, &"x".repeat(73), "garbage"), Some(false));
    }

    #[cfg(feature = "argon2")]
    #[actix_web::test]
    async fn make_the_argon2_decoy_at_the_costs_of_the_stored_hashes() {
        let passwords = passwords("FSA_PASSWORD_SCHEME = \"argon2\"").unwrap();
        let decoys = &passwords.decoys;
        assert_eq!(decoys.work(), ARGON2);
        let stored = Scheme::Argon2 {
            memory_cost: 64,
            time_cost: 2,
            parallelism: 2,
        };
        let hash = hash_now(stored, "hobbes-rules").unwrap();
        assert!(passwords.verify("hobbes-rules", &hash).await.unwrap());
        assert_eq!(decoys.work(), stored);
        passwords.decoy("s3cret-guess").await.unwrap();
        let made = decoy(&passwords);
        assert!(made.starts_with("$argon2id$v=19$m=64,t=2,p=2$"), "{made}");
        let no_output = &hash[..hash.rfind('$').unwrap()];
        for malformed in ["", "$2b$04$nope", "$argon2id$v=19$m=64,t=2,p=2$", no_output] {
            assert_eq!(verify_now(ARGON2, "hobbes-rules", malformed), None);
            assert!(!passwords.verify("hobbes-rules", malformed).await.unwrap());
            assert_eq!(decoys.work(), stored, "{malformed}");
        }
    }

    #[test]
    fn keep_plaintext_for_tests_and_disable_with_none() {
        let plain = passwords("FSA_PASSWORD_SCHEME = \"plaintext\"").unwrap();
        assert_eq!(plain.scheme, Some(Scheme::Plaintext));
        assert!(matches(Scheme::Plaintext, "short", "short"));
        assert!(!matches(Scheme::Plaintext, "short", "shorT"));
        let none = passwords("FSA_PASSWORD_SCHEME = \"none\"").unwrap();
        let error = none.scheme().unwrap_err();
        assert!(error.is_internal());
        assert!(error
            .message()
            .starts_with("password manager is disabled (FSA_PASSWORD_SCHEME = \"none\")"));
    }

    #[test]
    fn compare_in_constant_time_and_correctly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
