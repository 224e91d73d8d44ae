//! The seed's three hooks (its `auth.py`), answered by the database.
//!
//! fsa calls them when it needs to and caches their answers; a database
//! failure is an `Err`, answered with a 500 and never cached. `main.rs`
//! registers them as async hooks that run these queries on a pooled
//! connection, off the async workers (`Db::read`).

use rusqlite::{params, Connection, OptionalExtension};

/// The bcrypt hash of `login`'s password, `None` for no such user.
pub fn get_user_pass(conn: &Connection, login: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT password FROM users WHERE login = ?1")?
        .query_row([login], |row| row.get(0))
        .optional()
}

/// Whether `login` is in group `employee`.
pub fn user_is_employee(conn: &Connection, login: &str) -> rusqlite::Result<bool> {
    let employee = conn
        .prepare_cached("SELECT employee FROM users WHERE login = ?1")?
        .query_row([login], |row| row.get(0))
        .optional()?;
    Ok(employee.unwrap_or(false))
}

/// Whether `login` holds `role` in store `sid` (any role when `None`):
/// `None` when there is no such store (404), else `Some(false)` (403) or
/// `Some(true)`.
pub fn store_perms(
    conn: &Connection,
    login: &str,
    sid: i64,
    role: Option<&str>,
) -> rusqlite::Result<Option<bool>> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM store_role
                        WHERE login = ?1 AND sid = ?2 AND (?3 IS NULL OR role = ?3))
         FROM store WHERE sid = ?2",
    )?
    .query_row(params![login, sid, role], |row| row.get(0))
    .optional()
}

/// Whether `login` may act on user `target`'s account: only on their own.
/// No query: answering "no such user" (404) would tell any user which
/// logins exist.
pub fn user_perms(login: &str, target: &str) -> Option<bool> {
    Some(login == target)
}
