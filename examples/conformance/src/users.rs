//! The application's users, in memory (nothing on disk, nothing shared):
//! calvin, hobbes and dad at start, changed by `/register`, `PATCH`/`PUT`
//! and `DELETE /user/<user>`.

use std::collections::{BTreeSet, HashMap};
use std::sync::RwLock;

/// A user: a password hash and groups.
#[derive(Clone, Debug)]
struct User {
    hash: String,
    groups: BTreeSet<u8>,
}

/// The users, by login.
#[derive(Debug)]
pub struct Users {
    users: RwLock<HashMap<String, User>>,
}

/// Groups: 0 admin, 1 write, 2 read.
pub const ADMIN: u8 = 0;
pub const WRITE: u8 = 1;
pub const READ: u8 = 2;

impl Users {
    /// calvin (groups 1, 2), hobbes (2), dad (0, 1); bcrypt, cost 4.
    pub fn seeded() -> Self {
        let users = [
            ("calvin", "hobbes", &[WRITE, READ][..]),
            ("hobbes", "susie", &[READ][..]),
            ("dad", "mum", &[ADMIN, WRITE][..]),
        ]
        .into_iter()
        .map(|(login, password, groups)| {
            let hash = bcrypt::hash(password, 4).expect("bcrypt hashes");
            let groups = groups.iter().copied().collect();
            (login.to_string(), User { hash, groups })
        })
        .collect();
        Self {
            users: RwLock::new(users),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, User>> {
        self.users.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, User>> {
        self.users.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The login's password hash.
    pub fn hash(&self, login: &str) -> Option<String> {
        self.read().get(login).map(|u| u.hash.clone())
    }

    /// Whether the login is a user.
    pub fn exists(&self, login: &str) -> bool {
        self.read().contains_key(login)
    }

    /// Whether the login is in the group (given in decimal).
    pub fn in_group(&self, login: &str, group: &str) -> bool {
        let Ok(group) = group.parse::<u8>() else {
            return false;
        };
        self.read()
            .get(login)
            .is_some_and(|u| u.groups.contains(&group))
    }

    /// Adds a user in group 2; false when the login exists.
    pub fn add(&self, login: &str, hash: String) -> bool {
        let mut users = self.write();
        if users.contains_key(login) {
            return false;
        }
        let groups = BTreeSet::from([READ]);
        users.insert(login.to_string(), User { hash, groups });
        true
    }

    /// Changes a user's hash; false for no such user.
    pub fn set_hash(&self, login: &str, hash: String) -> bool {
        match self.write().get_mut(login) {
            Some(user) => {
                user.hash = hash;
                true
            }
            None => false,
        }
    }

    /// Removes a user; false for no such user.
    pub fn remove(&self, login: &str) -> bool {
        self.write().remove(login).is_some()
    }
}
