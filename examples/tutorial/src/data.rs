//! The tutorial's data, in memory: acme's users, stores and inventory, and
//! the hooks that answer fsa's questions about them (the seed's `auth.py`).
//! `examples/acme` keeps the same data in SQLite.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};

/// login, password, in group `employee`, manager of store.
const USERS: [(&str, &str, bool, i64); 3] = [
    ("calvin", "hobbes-rules", true, 1),
    ("hobbes", "tiger-power", true, 2),
    ("susie", "derkins-123", false, 3),
];

/// A store.
#[derive(Clone, Debug, Serialize)]
pub struct Store {
    /// Its number.
    pub sid: i64,
    /// Its name.
    pub name: &'static str,
}

/// The stores, by number.
pub const STORES: [Store; 3] = [
    Store {
        sid: 1,
        name: "Downtown",
    },
    Store {
        sid: 2,
        name: "Uptown",
    },
    Store {
        sid: 3,
        name: "Harbor",
    },
];

/// Passwords are stored hashed: bcrypt, cost 4 (fsa's default scheme).
static HASHES: LazyLock<HashMap<&str, String>> = LazyLock::new(|| {
    USERS
        .iter()
        .map(|(login, password, ..)| (*login, bcrypt::hash(password, 4).unwrap()))
        .collect()
});

/// `get_user_pass` hook: the hash of `login`'s password, if such a user.
pub fn get_user_pass(login: &str) -> Option<String> {
    HASHES.get(login).cloned()
}

/// `group_check("employee", ...)` hook.
pub fn user_is_employee(login: &str) -> bool {
    USERS
        .iter()
        .any(|(l, _, employee, _)| *l == login && *employee)
}

/// `object_perms("store", ...)` hook: `None` (404) for no such store, else
/// whether `login` holds `role` in store `sid`.
pub fn store_perms(login: &str, sid: i64, role: Option<&str>) -> Option<bool> {
    STORES.iter().find(|store| store.sid == sid)?;
    let manager = USERS
        .iter()
        .any(|(l, .., store)| *l == login && *store == sid);
    Some(manager && matches!(role, None | Some("manager")))
}

/// What each store holds: (sid, product) -> quantity. Shared by the
/// workers as `web::Data<Inventory>`.
#[derive(Default)]
pub struct Inventory(pub Mutex<BTreeMap<(i64, String), i64>>);

impl Inventory {
    /// Adds `quantity` of `product` to store `sid`: the new total, `None`
    /// if it would overflow.
    pub fn add(&self, sid: i64, product: String, quantity: i64) -> Option<i64> {
        let mut held = self.0.lock().unwrap();
        let total = held
            .get(&(sid, product.clone()))
            .unwrap_or(&0)
            .checked_add(quantity)?;
        held.insert((sid, product), total);
        Some(total)
    }

    /// What store `sid` holds, product -> quantity.
    pub fn of(&self, sid: i64) -> BTreeMap<String, i64> {
        let held = self.0.lock().unwrap();
        held.iter()
            .filter(|((store, _), _)| *store == sid)
            .map(|((_, product), quantity)| (product.clone(), *quantity))
            .collect()
    }
}
