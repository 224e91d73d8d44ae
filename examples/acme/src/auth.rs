//! The seed's three hooks (its `auth.py`), answered by the database.
//!
//! fsa calls them when it needs to and caches their answers; a database
//! failure is an `Err`, answered with a 500 and never cached. They run on
//! the worker thread: a SQLite lookup by primary key is quick.

use crate::db::{Db, DbError};
use rusqlite::{params, OptionalExtension};

/// The bcrypt hash of `login`'s password, `None` for no such user.
pub fn get_user_pass(db: &Db, login: &str) -> Result<Option<String>, DbError> {
    let conn = db.get()?;
    let hash = conn
        .query_row(
            "SELECT password FROM users WHERE login = ?1",
            [login],
            |row| row.get(0),
        )
        .optional()?;
    Ok(hash)
}

/// Whether `login` is in group `employee`.
pub fn user_is_employee(db: &Db, login: &str) -> Result<bool, DbError> {
    let conn = db.get()?;
    let employee = conn
        .query_row(
            "SELECT employee FROM users WHERE login = ?1",
            [login],
            |row| row.get(0),
        )
        .optional()?;
    Ok(employee.unwrap_or(false))
}

/// Whether `login` holds `role` in store `sid` (any role when `None`):
/// `None` when there is no such store (404), else `Some(false)` (403) or
/// `Some(true)`.
pub fn store_perms(
    db: &Db,
    login: &str,
    sid: i64,
    role: Option<&str>,
) -> Result<Option<bool>, DbError> {
    let conn = db.get()?;
    let allowed = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM store_role
                            WHERE login = ?1 AND sid = ?2 AND (?3 IS NULL OR role = ?3))
             FROM store WHERE sid = ?2",
            params![login, sid, role],
            |row| row.get(0),
        )
        .optional()?;
    Ok(allowed)
}
