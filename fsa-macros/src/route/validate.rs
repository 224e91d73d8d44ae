//! Cross-checks between the attribute and the function, each rule stated
//! with an example, as serde_derive's `check.rs`.

use super::parse::{AuthzItem, Perm, Pseudo, RouteAttr};
use crate::diag::{self, Errors};
use crate::params::{self, Param, Source};
use crate::paths::{Converter, PathTemplate, PathVar};
use proc_macro2::Span;
use syn::{ItemFn, Lit, LitStr};

/// A route whose attribute and function agree.
pub(crate) struct Route {
    /// The handler, fsa's parameter attributes removed.
    pub(crate) function: ItemFn,
    /// The HTTP methods, upper case.
    pub(crate) methods: Vec<String>,
    /// The path as written: `"/store/<int:sid>"`.
    pub(crate) path_lit: LitStr,
    /// The path, parsed.
    pub(crate) path: PathTemplate,
    /// The handler's parameters, each with its source.
    pub(crate) params: Vec<Param>,
    /// `authz`, each object permission replaced by its index in `perms`.
    pub(crate) authz: Vec<AuthzItem<usize>>,
    /// The object permissions, in `authz` order (depth first): a
    /// permission's index here is its `PermSpec::index`, and the place of its
    /// values in the runtime's `check_perms`.
    pub(crate) perms: Vec<ObjectPerm>,
    /// `authn`: the schemes of this route, if given.
    pub(crate) authn: Option<Vec<LitStr>>,
    /// `realm`: the realm of this route, if given.
    pub(crate) realm: Option<LitStr>,
}

/// An object permission, its variables resolved to the handler's parameters.
pub(crate) struct ObjectPerm {
    /// The permission domain, registered with `object_perms`.
    pub(crate) domain: LitStr,
    /// The mode given to the hook.
    pub(crate) mode: Option<Lit>,
    /// The indexes of the parameters whose values it checks, in order.
    pub(crate) params: Vec<usize>,
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
    let mut params = params::parse(&mut function.sig, errors);
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
    bind_path(&path, &attr.path, &mut params, &fn_name, errors);

    let RouteAttr {
        path: path_lit,
        authz,
        authn,
        realm,
        ..
    } = attr;
    let items = authz.map(|(_, items)| items).unwrap_or_default();
    let (authz, perms) = resolve_perms(items, &params, &fn_name, errors);
    Route {
        function,
        methods,
        path_lit,
        path,
        params,
        authz,
        perms,
        authn: authn.map(|(_, schemes)| schemes),
        realm: realm.map(|(_, realm)| realm),
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

/// Binds every `<sid>` of the path to the parameter of that name, which
/// has no default: `#[get("/store/<sid>")] fn f(sid: i64)`.
fn bind_path(
    path: &PathTemplate,
    path_lit: &LitStr,
    params: &mut [Param],
    fn_name: &str,
    errors: &mut Errors,
) {
    for var in &path.vars {
        let matches = |p: &&mut Param| p.wire == var.name || p.plain_name() == var.name;
        match params.iter_mut().find(matches) {
            Some(param) => bind_var(var, path_lit, param, errors),
            None => errors.at(
                path_lit,
                format!(
                    "path variable `{}` is not a parameter of `{fn_name}`: add `{}: ...` to its parameters",
                    var.name, var.name
                ),
            ),
        }
    }
}

/// Makes `param` read path variable `var`, with the converter of both.
fn bind_var(var: &PathVar, path_lit: &LitStr, param: &mut Param, errors: &mut Errors) {
    if let Source::Path { name, .. } = &param.source {
        errors.at(
            path_lit,
            format!(
                "path variables `{name}` and `{}` both name parameter `{}`: keep one",
                var.name, param.ident
            ),
        );
        return;
    }
    if let Some((default_attr, _)) = &param.default {
        errors.at(
            default_attr,
            format!(
                "path variable `{}` cannot have a default: the path always gives it; remove `#[default]`",
                var.name
            ),
        );
    }
    let converter = converter_for(var.converter, param, &var.name, errors);
    param.source = Source::Path {
        name: var.name.clone(),
        converter,
    };
}

/// Replaces each object permission of `authz` by its index in the returned
/// list, in `authz` order (depth first), with the parameters it reads.
fn resolve_perms(
    authz: Vec<AuthzItem>,
    params: &[Param],
    fn_name: &str,
    errors: &mut Errors,
) -> (Vec<AuthzItem<usize>>, Vec<ObjectPerm>) {
    let mut perms = Vec::new();
    let mut resolve = |perm: Perm| {
        perms.push(resolve_perm(perm, params, fn_name, errors));
        perms.len() - 1
    };
    let authz = authz
        .into_iter()
        .map(|item| item.map_perms(&mut resolve))
        .collect();
    (authz, perms)
}

/// Object permissions name parameters: `("store", "sid")` reads `sid`,
/// `("fun", "i:j")` reads `i` and `j`, `("store")` reads the first one.
fn resolve_perm(perm: Perm, params: &[Param], fn_name: &str, errors: &mut Errors) -> ObjectPerm {
    let names: Vec<String> = params.iter().map(Param::plain_name).collect();
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
    ObjectPerm {
        domain: perm.domain,
        mode: perm.mode,
        params: indexes,
    }
}

#[cfg(test)]
mod should {
    use super::*;
    use syn::parse::Parser;

    fn validate_route(attr: &str, function: &str) -> (Route, Errors) {
        let parser = |input: syn::parse::ParseStream| RouteAttr::parse_with(input, false);
        let attr = parser.parse_str(attr).unwrap();
        let mut errors = Errors::default();
        let route = validate(
            Some("GET"),
            attr,
            syn::parse_str(function).unwrap(),
            &mut errors,
        );
        (route, errors)
    }

    #[test]
    fn give_path_parameters_their_name_and_converter() {
        let (route, errors) = validate_route(
            r#""/t/<kind>/<n>", authz = "AUTH""#,
            "fn f(r#kind: String, q: i64, _n: u32) {}",
        );
        assert!(errors.is_empty());
        let sources: Vec<_> = route
            .params
            .iter()
            .map(|p| match &p.source {
                Source::Path { name, converter } => Some((name.as_str(), *converter)),
                Source::Request => None,
            })
            .collect();
        assert_eq!(
            sources,
            [
                Some(("kind", Some(Converter::String))),
                None,
                Some(("n", Some(Converter::Int)))
            ]
        );
    }

    #[test]
    fn resolve_object_permissions_in_authz_order() {
        let (route, errors) = validate_route(
            r#""/s", authz = [all(("a", "j:i"), any(("b"), "g")), ("c", "j")]"#,
            "fn f(i: i64, j: i64) {}",
        );
        assert!(errors.is_empty());
        let params: Vec<_> = route.perms.iter().map(|p| p.params.clone()).collect();
        assert_eq!(params, [vec![1, 0], vec![0], vec![1]]);
        let mut indexes = Vec::new();
        for item in &route.authz {
            item.walk(&mut |i| {
                if let AuthzItem::Perm(index) = i {
                    indexes.push(*index);
                }
            });
        }
        assert_eq!(indexes, [0, 1, 2]);
    }

    #[test]
    fn refuse_a_parameter_named_by_two_path_variables() {
        let (_, errors) = validate_route(r#""/a/<x>/<_x>", authz = "AUTH""#, "fn f(_x: i64) {}");
        let message = errors.into_compile_errors().to_string();
        assert!(message.contains("path variables `x` and `_x` both name parameter `_x`: keep one"));
    }
}
