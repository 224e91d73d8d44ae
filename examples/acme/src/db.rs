//! The database: a SQLite file behind a pool of connections, created and
//! seeded on first start, and the queries of the routes.

use actix_web::web;
use fsa_runtime::{err, ErrorResponse};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{functions::FunctionFlags, params, Connection, OptionalExtension};
use rusqlite::{Error::UserFunctionError, TransactionBehavior};
use serde::Serialize;
use std::{collections::BTreeMap, fmt::Display, time::Duration};

/// The pool of connections that hooks and handlers share.
pub type Db = r2d2::Pool<SqliteConnectionManager>;

/// The tables.
const SCHEMA: &str = include_str!("../schema.sql");
/// The seed data: stores, users, roles.
const DATA: &str = include_str!("../data.sql");

/// How long a connection waits for another's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Opens the database file `path`, creating and seeding it when it is new,
/// and returns a pool of connections to it.
pub fn open(path: &str) -> Result<Db, DbError> {
    let mut conn = Connection::open(path)?;
    // WAL: readers do not wait for the writer; persistent in the file.
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if seed(&mut conn)? {
        tracing::info!("acme: new database {path}, seeded");
    }
    drop(conn);
    let manager = SqliteConnectionManager::file(path).with_init(|c| {
        c.busy_timeout(BUSY_TIMEOUT)?;
        c.pragma_update(None, "foreign_keys", true)
    });
    let pool = r2d2::Pool::builder()
        .max_size(8)
        .min_idle(Some(1))
        .connection_timeout(BUSY_TIMEOUT)
        .build(manager)?;
    Ok(pool)
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

/// Runs `query` with a connection of the pool on actix's blocking threads,
/// off the async workers.
pub async fn run<T, E>(
    db: &Db,
    query: impl FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
) -> Result<T, DbError>
where
    T: Send + 'static,
    E: Display + Send + 'static,
{
    let db = db.clone();
    web::block(move || {
        let mut conn = db.get()?;
        query(&mut conn).map_err(|e| DbError(e.to_string()))
    })
    .await?
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
pub fn stores(conn: &mut Connection, pattern: &str) -> rusqlite::Result<Vec<Store>> {
    let mut query = conn.prepare("SELECT sid, name FROM store WHERE name LIKE ?1 ORDER BY sid")?;
    let rows = query.query_map([pattern], |row| {
        Ok(Store {
            sid: row.get(0)?,
            name: row.get(1)?,
        })
    })?;
    rows.collect()
}

/// The quantity of each product store `sid` holds.
pub fn products(conn: &mut Connection, sid: i64) -> rusqlite::Result<BTreeMap<String, i64>> {
    let mut query = conn.prepare("SELECT product, quantity FROM product WHERE sid = ?1")?;
    let rows = query.query_map([sid], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// Adds `quantity` of `product` to store `sid`: the new total, or `None`
/// if it would not fit in 64 bits (nothing is changed then).
///
/// The transaction is `IMMEDIATE`: it takes the write lock before reading
/// the total, so that two concurrent additions cannot both read the old
/// total and lose one update.
pub fn add_product(
    conn: &mut Connection,
    sid: i64,
    product: &str,
    quantity: i64,
) -> rusqlite::Result<Option<i64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let held: i64 = tx
        .query_row(
            "SELECT quantity FROM product WHERE sid = ?1 AND product = ?2",
            params![sid, product],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let Some(total) = held.checked_add(quantity) else {
        return Ok(None);
    };
    tx.execute(
        "INSERT INTO product (sid, product, quantity) VALUES (?1, ?2, ?3)
         ON CONFLICT (sid, product) DO UPDATE SET quantity = excluded.quantity",
        params![sid, product, total],
    )?;
    tx.commit()?;
    Ok(Some(total))
}
