//! The database: one SQLite file, created and seeded on first start.
//!
//! SQLite lets one writer in at a time. acme reads on a few **reader
//! threads**, each with its connection, and writes through **one writer
//! thread**, all fed by bounded queues. The writer
//! takes every write waiting, runs them in one transaction (each in its
//! own savepoint, so that one failing write leaves the others), commits
//! once, then answers each (group commit). No request waits on SQLite's
//! lock while holding a connection, writes never convoy behind a busy
//! timeout, and an answer is sent only once its write is committed. Reads
//! and writes run off the async workers; a request waits for its answer
//! asynchronously. Dedicated threads that stay busy under load cost less
//! than handing each query to actix's blocking pool (measured: 10 against
//! 16 us of CPU per `GET /store`).
//!
//! The journal is WAL with `synchronous = NORMAL`: readers never wait for
//! the writer, and a commit is durable once the WAL is checkpointed (a
//! power loss may lose the last commits, never corrupt the file).

use fsa_runtime::{err, ErrorResponse};
use rusqlite::{functions::FunctionFlags, params, Connection, OptionalExtension};
use rusqlite::{Error::UserFunctionError, TransactionBehavior};
use serde::Serialize;
use std::{collections::BTreeMap, fmt::Display, time::Duration};
use tokio::sync::{mpsc, oneshot};

/// The tables.
const SCHEMA: &str = include_str!("../schema.sql");
/// The seed data: stores, users, roles.
const DATA: &str = include_str!("../data.sql");

/// How long a connection waits for another process's write lock (several
/// acme processes may share the file) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The most writes one transaction takes.
const BATCH: usize = 256;

/// Writes waiting beyond this number make their requests wait (async) for
/// room: memory stays bounded under any load.
const QUEUE: usize = 4096;

/// A database failure: logged, answered with a 500 that tells no detail.
#[derive(Debug)]
pub struct DbError(String);

impl<E: std::error::Error> From<E> for DbError {
    fn from(e: E) -> Self {
        DbError(e.to_string())
    }
}

impl Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<DbError> for ErrorResponse {
    fn from(e: DbError) -> Self {
        tracing::error!("acme: database error: {}", e.0);
        err("database error", 500)
    }
}

/// A write waiting for the writer thread.
trait Job: Send {
    /// Runs it inside the batch's transaction: whether it succeeded (else
    /// its savepoint is rolled back), and its answer, to send once the
    /// batch is committed (or not).
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Answer);
    /// Answers without running it: the transaction could not start.
    fn fail(self: Box<Self>, error: DbError);
}

/// The answer of a write done, given the outcome of the commit.
type Answer = Box<dyn FnOnce(Result<(), DbError>) + Send>;

/// A write and where its result goes.
struct Write<F, T> {
    write: F,
    reply: oneshot::Sender<Result<T, DbError>>,
}

impl<F, T> Job for Write<F, T>
where
    F: FnOnce(&Connection) -> rusqlite::Result<T> + Send,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Answer) {
        let Write { write, reply } = *self;
        // A panicking write fails alone; the writer thread goes on.
        let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(conn))) {
            Ok(outcome) => outcome.map_err(DbError::from),
            Err(_) => Err(DbError("a write panicked".into())),
        };
        let ok = outcome.is_ok();
        let answer: Answer = Box::new(move |committed| {
            let _ = reply.send(committed.and(outcome));
        });
        (ok, answer)
    }

    fn fail(self: Box<Self>, error: DbError) {
        let _ = self.reply.send(Err(error));
    }
}

/// The database shared by hooks and handlers: cheap to clone.
#[derive(Clone)]
pub struct Db {
    reads: mpsc::Sender<ReadJob>,
    writes: mpsc::Sender<Box<dyn Job>>,
}

/// A read, run by a reader thread with its connection.
type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

/// Reader threads, each with its connection: SQLite in WAL mode reads in
/// parallel, beside the writer.
const READERS: usize = 2;

/// Opens the database file `path`, creating and seeding it when it is new,
/// and starts its writer thread.
pub fn open(path: &str) -> Result<Db, DbError> {
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    if seed(&mut conn)? {
        tracing::info!("acme: new database {path}, seeded");
    }
    let (reads, jobs) = mpsc::channel::<ReadJob>(QUEUE);
    // The readers take turns waiting on the queue.
    let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
    for i in 0..READERS {
        let conn = Connection::open(path)?;
        configure(&conn)?;
        let jobs = jobs.clone();
        std::thread::Builder::new()
            .name(format!("acme-reader-{i}"))
            .spawn(move || read_loop(conn, &jobs))?;
    }
    let (writes, jobs) = mpsc::channel(QUEUE);
    std::thread::Builder::new()
        .name("acme-writer".into())
        .spawn(move || write_loop(conn, jobs))?;
    Ok(Db { reads, writes })
}

/// Every connection: WAL (persistent in the file), `synchronous = NORMAL`,
/// foreign keys, the busy timeout, and a stable query plan: without it,
/// SQLite prepares `name LIKE ?1` again at every binding (to try its LIKE
/// optimization), which cost more than the query itself.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.busy_timeout(BUSY_TIMEOUT)
}

/// Creates the tables and loads the seed data if the database is new (its
/// `user_version` is 0), in one transaction; whether it did.
fn seed(conn: &mut Connection) -> Result<bool, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version != 0 {
        return Ok(false);
    }
    // bcrypt(password) for data.sql, cost 4 as FlaskSimpleAuth's default
    tx.create_scalar_function("bcrypt", 1, FunctionFlags::SQLITE_UTF8, |ctx| {
        let password: String = ctx.get(0)?;
        bcrypt::hash(password, 4).map_err(|e| UserFunctionError(e.into()))
    })?;
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(DATA)?;
    tx.pragma_update(None, "user_version", 1)?;
    tx.remove_function("bcrypt", 1)?;
    tx.commit()?;
    Ok(true)
}

/// A reader thread: one read at a time, with its connection; a panicking
/// read fails alone (its request gets an error).
fn read_loop(conn: Connection, jobs: &std::sync::Mutex<mpsc::Receiver<ReadJob>>) {
    loop {
        let job = match jobs.lock() {
            Ok(mut jobs) => jobs.blocking_recv(),
            Err(_) => return,
        };
        let Some(job) = job else { return };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&conn)));
    }
}

/// The writer thread: batches of the writes waiting, one transaction each.
fn write_loop(conn: Connection, mut jobs: mpsc::Receiver<Box<dyn Job>>) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = jobs.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            for job in batch.drain(..) {
                job.fail(DbError(e.to_string()));
            }
            continue;
        }
        let answers = run_batch(&conn, batch.drain(..));
        let committed = conn.execute_batch("COMMIT");
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for answer in answers {
            answer(match &committed {
                Ok(()) => Ok(()),
                Err(e) => Err(DbError(e.to_string())),
            });
        }
    }
}

/// Runs the writes of a batch in the open transaction, each in a
/// savepoint; the answers of those to send after the commit.
fn run_batch(conn: &Connection, batch: impl Iterator<Item = Box<dyn Job>>) -> Vec<Answer> {
    let mut answers = Vec::new();
    for job in batch {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            job.fail(DbError::from(e));
            continue;
        }
        let (ok, answer) = job.run(conn);
        let closed = if ok {
            conn.execute_batch("RELEASE job")
        } else {
            conn.execute_batch("ROLLBACK TO job; RELEASE job")
        };
        match closed {
            Ok(()) => answers.push(answer),
            Err(e) => answer(Err(DbError::from(e))),
        }
    }
    answers
}

impl Db {
    /// Runs `query` on a reader thread, off the async workers.
    pub async fn read<T, E>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, DbError>
    where
        T: Send + 'static,
        E: Display + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: ReadJob = Box::new(move |conn: &Connection| {
            let _ = reply.send(query(conn).map_err(|e| DbError(e.to_string())));
        });
        self.reads
            .send(job)
            .await
            .map_err(|_| DbError("the reader threads stopped".into()))?;
        answer
            .await
            .map_err(|_| DbError("the reader threads stopped".into()))?
    }

    /// Runs `write` on the writer thread, in a transaction shared with the
    /// other writes waiting; its result once that transaction is committed.
    /// An `Err` from `write` undoes what it wrote, and only that.
    pub async fn write<T>(
        &self,
        write: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, DbError>
    where
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Write { write, reply });
        self.writes
            .send(job)
            .await
            .map_err(|_| DbError("the writer thread stopped".into()))?;
        answer
            .await
            .map_err(|_| DbError("the writer thread stopped".into()))?
    }
}

/// A store, as `GET /store` lists it.
#[derive(Debug, Serialize)]
pub struct Store {
    /// Its number.
    pub sid: i64,
    /// Its name.
    pub name: String,
}

/// The stores whose name is `LIKE` `pattern`, by number.
pub fn stores(conn: &Connection, pattern: &str) -> rusqlite::Result<Vec<Store>> {
    let mut query =
        conn.prepare_cached("SELECT sid, name FROM store WHERE name LIKE ?1 ORDER BY sid")?;
    let rows = query.query_map([pattern], |row| {
        Ok(Store {
            sid: row.get(0)?,
            name: row.get(1)?,
        })
    })?;
    rows.collect()
}

/// The quantity of each product store `sid` holds.
pub fn products(conn: &Connection, sid: i64) -> rusqlite::Result<BTreeMap<String, i64>> {
    let mut query = conn.prepare_cached("SELECT product, quantity FROM product WHERE sid = ?1")?;
    let rows = query.query_map([sid], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// Adds `quantity` of `product` to store `sid`: the new total, or `None`
/// if it would not fit in 64 bits (nothing is changed then). Run by the
/// writer thread, alone: no other write can read the old total meanwhile.
pub fn add_product(
    conn: &Connection,
    sid: i64,
    product: &str,
    quantity: i64,
) -> rusqlite::Result<Option<i64>> {
    let held: i64 = conn
        .prepare_cached("SELECT quantity FROM product WHERE sid = ?1 AND product = ?2")?
        .query_row(params![sid, product], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    let Some(total) = held.checked_add(quantity) else {
        return Ok(None);
    };
    conn.prepare_cached(
        "INSERT INTO product (sid, product, quantity) VALUES (?1, ?2, ?3)
         ON CONFLICT (sid, product) DO UPDATE SET quantity = excluded.quantity",
    )?
    .execute(params![sid, product, total])?;
    Ok(Some(total))
}

/// Stores `hash` as `login`'s password; whether there is such a user.
pub fn set_password(conn: &Connection, login: &str, hash: &str) -> rusqlite::Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE users SET password = ?1 WHERE login = ?2")?
        .execute(params![hash, login])?;
    Ok(changed == 1)
}
