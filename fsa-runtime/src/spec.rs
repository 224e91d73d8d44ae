//! What the route macros generate for each route: a static [`RouteSpec`]
//! (method, path, authorizations, parameters), read by the runtime. Public
//! only for generated code (`__private`): users read a route through
//! [`RouteInfo`](crate::route::RouteInfo).

use crate::params::ParamKind;
use std::any::TypeId;

/// The static description of a route, written by the route macros.
#[derive(Debug)]
pub struct RouteSpec {
    /// The handler's name.
    pub name: &'static str,
    /// The HTTP methods, upper case.
    pub methods: &'static [&'static str],
    /// The path as written (`/store/<int:sid>`).
    pub path: &'static str,
    /// The actix path (`/store/{sid:[0-9]+}`).
    pub actix_path: &'static str,
    /// The authorizations, all of which must pass.
    pub authz: &'static [AuthzItem],
    /// The route's schemes, replacing the configured ones.
    pub authn: Option<&'static [&'static str]>,
    /// The route's realm.
    pub realm: Option<&'static str>,
    /// The handler's parameters, in order.
    pub params: &'static [ParamSpec],
    /// The module of the handler, for messages.
    pub module: &'static str,
    /// The handler's return type, as `std::any::type_name` writes it,
    /// when it is named (not `impl Responder`): the OpenAPI document's
    /// success answer.
    pub returns: Option<fn() -> &'static str>,
}

/// One authorization of a route.
#[derive(Debug)]
pub enum AuthzItem {
    /// Anyone, without authentication.
    Open,
    /// Any authenticated user.
    Auth,
    /// Nobody.
    Close,
    /// Members of a group (a scope on oauth routes).
    Group(&'static str),
    /// An object permission.
    Perm(PermSpec),
    /// One of these must pass.
    Any(&'static [AuthzItem]),
    /// All of these must pass.
    All(&'static [AuthzItem]),
}

/// An object permission: `("store", "sid", "manager")`.
#[derive(Debug)]
pub struct PermSpec {
    /// The domain, whose hook is registered with `object_perms`.
    pub domain: &'static str,
    /// The parameters it reads.
    pub vars: &'static [&'static str],
    /// Their indexes among the route's parameters.
    pub params: &'static [usize],
    /// The position of this permission among the route's permissions.
    pub index: usize,
    /// The mode given to the hook.
    pub mode: Option<&'static str>,
}

/// One parameter of a handler.
#[derive(Debug)]
pub struct ParamSpec {
    /// The request name.
    pub name: &'static str,
    /// The Rust name.
    pub rust_name: &'static str,
    /// Whether it is a path variable.
    pub in_path: bool,
    /// What the type reads.
    pub kind: ParamKind,
    /// The type's name.
    pub type_name: fn() -> &'static str,
    /// The type's id.
    pub type_id: fn() -> TypeId,
    /// Whether a `#[default(...)]` stands for a missing value.
    pub has_default: bool,
}

/// The last segment of a type's path, without generics, as
/// `std::any::type_name` writes it: `core::option::Option<i64>` ->
/// `Option`.
pub(crate) fn base_name(type_name: &str) -> &str {
    let path = type_name.split('<').next().unwrap_or(type_name);
    path.rsplit("::").next().unwrap_or(path)
}

impl ParamSpec {
    /// Whether the parameter's type is an `Option`.
    pub(crate) fn is_option(&self) -> bool {
        let name = (self.type_name)();
        name.contains('<') && base_name(name) == "Option"
    }
}

impl RouteSpec {
    /// `GET /store (get_store)`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} {} ({}::{})",
            self.methods.join(","),
            self.path,
            self.module,
            self.name
        )
    }

    /// Visits every authorization item, nested ones included.
    pub(crate) fn walk_authz(&self, visit: &mut impl FnMut(&'static AuthzItem)) {
        fn walk(items: &'static [AuthzItem], visit: &mut impl FnMut(&'static AuthzItem)) {
            for item in items {
                visit(item);
                if let AuthzItem::Any(nested) | AuthzItem::All(nested) = item {
                    walk(nested, visit);
                }
            }
        }
        walk(self.authz, visit);
    }
}

/// The spec of the stub emitted after a compile error.
#[doc(hidden)]
pub static STUB_SPEC: RouteSpec = RouteSpec {
    name: "",
    methods: &[],
    path: "",
    actix_path: "",
    authz: &[AuthzItem::Close],
    authn: None,
    realm: None,
    params: &[],
    module: "",
    returns: None,
};
