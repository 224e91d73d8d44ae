//! Cross-checks between the attribute and the function, each rule stated
//! with an example, as serde_derive's `check.rs`.

use super::parse::{AuthzItem, Perm, Pseudo, RouteAttr};
use crate::diag::{self, Errors};
use crate::params::{self, Param};
use crate::paths::{Converter, PathTemplate};
use proc_macro2::Span;
use syn::ItemFn;

/// A route whose attribute and function agree.
pub(crate) struct Route {
    /// The handler, fsa's parameter attributes removed.
    pub(crate) function: ItemFn,
    /// The parsed attribute.
    pub(crate) attr: RouteAttr,
    /// The HTTP methods, upper case.
    pub(crate) methods: Vec<String>,
    /// The handler's parameters.
    pub(crate) params: Vec<Param>,
    /// The path, with the converter of each variable.
    pub(crate) path: PathTemplate,
    /// The converter of each path variable, explicit or implied by its type.
    pub(crate) converters: Vec<Option<Converter>>,
    /// For each parameter, whether it is a path variable.
    pub(crate) in_path: Vec<bool>,
    /// For each parameter, its name in the path, if it is a path variable.
    pub(crate) path_names: Vec<Option<String>>,
    /// For each object permission (in `authz` order), the indexes of the
    /// parameters it reads.
    pub(crate) perm_params: Vec<Vec<usize>>,
}

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

const INTEGERS: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
];
const FLOATS: &[&str] = &["f32", "f64"];
const STRINGS: &[&str] = &["String", "str", "Cow", "Box"];
const OTHER_KNOWN: &[&str] = &["bool", "Uuid"];

/// Checks everything the source alone decides.
pub(crate) fn validate(
    method: Option<&str>,
    attr: RouteAttr,
    mut function: ItemFn,
    errors: &mut Errors,
) -> Route {
    let params = params::parse(&mut function.sig, errors);
    let path = PathTemplate::parse(&attr.path, errors);
    let fn_name = function.sig.ident.to_string();

    if !function.sig.generics.params.is_empty() {
        errors.at(
            &function.sig.generics,
            "an fsa route cannot be generic: write the concrete types",
        );
    }

    let methods = check_methods(method, &attr, errors);
    check_authz(&attr, &params, errors);
    check_authn(&attr, errors);

    // Every `<sid>` of the path is a parameter of the function, without a
    // default: `#[get("/store/<sid>")] fn f(sid: i64)`.
    let mut in_path = vec![false; params.len()];
    let mut path_names = vec![None; params.len()];
    let mut converters = Vec::new();
    for var in &path.vars {
        let matches = |p: &Param| {
            p.wire == var.name || p.ident.to_string().trim_start_matches("r#") == var.name
        };
        let Some(index) = params.iter().position(matches) else {
            errors.at(
                &attr.path,
                format!(
                    "path variable `{}` is not a parameter of `{fn_name}`: add `{}: ...` to its parameters",
                    var.name, var.name
                ),
            );
            converters.push(var.converter);
            continue;
        };
        let param = &params[index];
        in_path[index] = true;
        path_names[index] = Some(var.name.clone());
        if let Some((default_attr, _)) = &param.default {
            errors.at(
                default_attr,
                format!(
                    "path variable `{}` cannot have a default: the path always gives it; remove `#[default]`",
                    var.name
                ),
            );
        }
        converters.push(converter_for(var.converter, param, &var.name, errors));
    }

    let perm_params = perm_params(&attr, &params, &fn_name, errors);
    Route {
        function,
        attr,
        methods,
        params,
        path,
        converters,
        in_path,
        path_names,
        perm_params,
    }
}

/// `#[get]` and friends give the method; `#[route]` needs at least one
/// `method = "..."`, each a known HTTP method given once.
fn check_methods(method: Option<&str>, attr: &RouteAttr, errors: &mut Errors) -> Vec<String> {
    if let Some(method) = method {
        return vec![method.to_string()];
    }
    let mut methods: Vec<String> = Vec::new();
    for lit in &attr.methods {
        let name = lit.value().to_ascii_uppercase();
        if !METHODS.contains(&name.as_str()) {
            errors.at(
                lit,
                format!(
                    "unknown HTTP method `{}`: expected one of {}",
                    lit.value(),
                    METHODS.join(", ")
                ),
            );
        } else if methods.contains(&name) {
            errors.push(diag::given_twice(lit, format_args!("method `{name}`")));
        } else {
            methods.push(name);
        }
    }
    if attr.methods.is_empty() {
        errors.at(
            &attr.path,
            "`#[route]` needs its methods: add `method = \"GET\"` (once per method)",
        );
    }
    methods
}

/// `authz` is mandatory, and OPEN stands alone: `authz = "OPEN"` admits
/// anyone, so mixing it with AUTH, groups or permissions means a mistake.
fn check_authz(attr: &RouteAttr, params: &[Param], errors: &mut Errors) {
    let Some((_, items)) = &attr.authz else {
        errors.span(
            Span::call_site(),
            "missing `authz`: say who may call this route, e.g. `authz = \"AUTH\"` (any authenticated user), `authz = \"employee\"` (a group) or `authz = \"OPEN\"` (anyone)",
        );
        return;
    };
    let open = items
        .iter()
        .any(|i| matches!(i, AuthzItem::Pseudo(Pseudo::Open, _)));
    if open {
        for item in items {
            let mix = match item {
                AuthzItem::Pseudo(Pseudo::Auth, _) => "AUTH",
                AuthzItem::Group(_) | AuthzItem::IntGroup(_) | AuthzItem::GroupConst(_) => "groups",
                AuthzItem::Perm(_) => "object permissions",
                AuthzItem::Any(..) | AuthzItem::All(..) => "any(...) or all(...)",
                _ => continue,
            };
            errors.span(
                item.span(),
                format!(
                    "cannot mix OPEN with {mix}: OPEN admits anyone; remove \"OPEN\" or this item"
                ),
            );
        }
        let current_user = params
            .iter()
            .find(|p| params::type_name(&p.ty).as_deref() == Some("CurrentUser"));
        if let Some(param) = current_user {
            errors.at(
                &param.ty,
                "an OPEN route has no current user: use `authz = \"AUTH\"`, or remove this parameter",
            );
        }
    }
    for item in items {
        if let AuthzItem::Any(_, nested) | AuthzItem::All(_, nested) = item {
            for inner in nested {
                inner.walk(&mut |i| {
                    if let AuthzItem::Pseudo(_, lit) = i {
                        errors.at(
                            lit,
                            "OPEN, AUTH and CLOSE stand at the top of `authz`, not inside any(...) or all(...)",
                        );
                    }
                });
            }
        }
    }
}

/// `authn` names schemes; `oauth` cannot share a route with other schemes,
/// since its authz items are scopes rather than groups.
fn check_authn(attr: &RouteAttr, errors: &mut Errors) {
    if let Some((_, schemes)) = &attr.authn {
        let oauth = schemes.iter().find(|s| s.value() == "oauth");
        if let (Some(oauth), true) = (oauth, schemes.len() > 1) {
            errors.at(
                oauth,
                "`oauth` cannot be mixed with other schemes on a route: its authz items are scopes; write `authn = \"oauth\"`",
            );
        }
        for scheme in schemes {
            if scheme.value().is_empty() {
                errors.at(scheme, "empty scheme name: write e.g. `authn = \"basic\"`");
            }
        }
    }
    if let Some((_, realm)) = &attr.realm {
        if realm.value().is_empty() {
            errors.at(realm, "empty realm: remove `realm` or name it");
        }
    }
}

/// The converter of a path variable: the one written (`<int:sid>`), which
/// must agree with a recognised type (`sid: i64`), or the one implied by the
/// type (`<sid>` with `sid: i64` is `<int:sid>`, so `/store/x` is a 404).
fn converter_for(
    written: Option<Converter>,
    param: &Param,
    name: &str,
    errors: &mut Errors,
) -> Option<Converter> {
    let type_name = params::type_name(&param.ty);
    let implied = match type_name.as_deref() {
        Some(t) if INTEGERS.contains(&t) => Some(Converter::Int),
        Some(t) if FLOATS.contains(&t) => Some(Converter::Float),
        Some("Uuid") => Some(Converter::Uuid),
        Some(t) if STRINGS.contains(&t) => Some(Converter::String),
        Some(t) if OTHER_KNOWN.contains(&t) => None,
        _ => return written,
    };
    let Some(written) = written else {
        return implied;
    };
    let agrees = match written {
        Converter::String | Converter::Path => implied == Some(Converter::String),
        other => implied == Some(other),
    };
    if !agrees {
        let ty = type_name.unwrap_or_default();
        let fix = match written {
            Converter::Int => "an integer type such as `i64`",
            Converter::Float => "`f64`",
            Converter::Uuid => "`Uuid`",
            Converter::String | Converter::Path => "`String`",
        };
        errors.span(
            params::type_span(param),
            format!(
                "`<{}:{name}>` needs {fix}, not `{ty}`: change the type, or the converter",
                written.name()
            ),
        );
    }
    Some(written)
}

/// Object permissions name parameters: `("store", "sid")` reads `sid`,
/// `("fun", "i:j")` reads `i` and `j`, `("store")` reads the first one.
fn perm_params(
    attr: &RouteAttr,
    params: &[Param],
    fn_name: &str,
    errors: &mut Errors,
) -> Vec<Vec<usize>> {
    let mut perms: Vec<&Perm> = Vec::new();
    if let Some((_, items)) = &attr.authz {
        for item in items {
            item.walk(&mut |i| {
                if let AuthzItem::Perm(perm) = i {
                    perms.push(perm);
                }
            });
        }
    }
    let names: Vec<String> = params
        .iter()
        .map(|p| p.ident.to_string().trim_start_matches("r#").to_string())
        .collect();
    let mut result = Vec::new();
    for perm in perms {
        let mut indexes = Vec::new();
        match &perm.vars {
            None if params.is_empty() => errors.span(
                perm.span,
                format!("an object permission checks a parameter, and `{fn_name}` has none: add the object's identifier as a parameter"),
            ),
            None => indexes.push(0),
            Some(vars) => {
                for var in vars.value().split(':') {
                    match names.iter().position(|n| n == var) {
                        Some(i) => indexes.push(i),
                        None if params.is_empty() => errors.at(
                            vars,
                            format!("an object permission checks a parameter, and `{fn_name}` has none: add `{var}: ...` to its parameters"),
                        ),
                        None => errors.at(
                            vars,
                            format!(
                                "object permission variable `{var}` is not a parameter of `{fn_name}`: expected one of {}",
                                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                            ),
                        ),
                    }
                }
            }
        }
        result.push(indexes);
    }
    result
}
