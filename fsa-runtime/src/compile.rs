//! Each route checked against the configuration: its schemes, what it
//! admits, its groups, scopes and object permissions, its challenge.

use crate::{
    config::{expand_password, Config},
    hooks::Hooks,
    params::ParamKind,
    scheme::Scheme,
    spec::{AuthzItem, RouteSpec},
    tokens::Tokens,
};
use actix_web::http::header::HeaderValue;
use std::sync::Arc;

/// What a route admits, after the configuration is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone, without authentication.
    Open,
    /// Authenticated users passing the route's checks.
    Auth,
    /// Nobody: 403 before authentication.
    Close,
}

/// A route checked against the configuration.
pub(crate) struct CompiledRoute {
    pub(crate) spec: &'static RouteSpec,
    pub(crate) access: Access,
    pub(crate) schemes: Arc<[Scheme]>,
    /// The realm of this route's tokens (fsa realm field, JWT audience).
    pub(crate) token_realm: Arc<str>,
    /// Whether a scheme reads request parameters.
    pub(crate) auth_reads_params: bool,
    /// Whether the route's groups are OAuth scopes (`authn = "oauth"`).
    pub(crate) oauth: bool,
    /// `WWW-Authenticate` of this route's 401 answers.
    pub(crate) challenge: Option<HeaderValue>,
    /// The path variables that may hold a `/` (`<path:p>`), by index.
    pub(crate) slashed: Vec<usize>,
    /// Whether a scheme takes tokens (`token`, `oauth`): only such a
    /// route's successes renew a token cookie.
    pub(crate) takes_tokens: bool,
    /// An OPEN route that asks for an optional user (`Option<CurrentUser>`,
    /// FlaskSimpleAuth's `get_user(required=False)`): authenticated when
    /// credentials are sent, without refusing anyone.
    pub(crate) optional_user: bool,
}

/// Checks one route: its schemes are enabled, its groups declared and
/// checkable, its object permissions have hooks of the right types.
pub(crate) fn compile_route(
    spec: &'static RouteSpec,
    config: &Config,
    hooks: &Hooks,
    declared: &[String],
    realm: &str,
    tokens: Option<&Tokens>,
) -> Result<CompiledRoute, Vec<String>> {
    let at = spec.describe();
    let mut problems = Vec::new();
    let names: Vec<String> = match spec.authn {
        Some(authn) => expand_password(authn.iter().map(|s| s.to_string()).collect()),
        None => config
            .auth_default
            .clone()
            .unwrap_or_else(|| config.auth.clone()),
    };
    for name in &names {
        if !config.auth.contains(name) {
            problems.push(format!(
                "{at}: auth is not enabled: \"{name}\" is not in FSA_AUTH {:?}",
                config.auth
            ));
        }
    }
    let schemes: Vec<Scheme> = names
        .iter()
        .filter_map(|n| Scheme::from_name(n, &hooks.authentications))
        .collect();
    let oauth = schemes.contains(&Scheme::Oauth);
    if oauth && schemes.len() > 1 {
        problems.push(format!(
            "{at}: oauth cannot be mixed with other schemes: its authz items are scopes"
        ));
    }

    let close = spec.authz.iter().any(|i| matches!(i, AuthzItem::Close));
    let open = spec.authz.iter().any(|i| matches!(i, AuthzItem::Open));
    let only_none = !schemes.is_empty() && schemes.iter().all(|s| *s == Scheme::None);
    let access = if close {
        Access::Close
    } else if open && schemes.contains(&Scheme::None) {
        Access::Open
    } else if only_none {
        tracing::warn!("fsa: {at}: only \"none\" authentication: the route is closed");
        Access::Close
    } else {
        if open {
            tracing::warn!("fsa: {at}: OPEN without \"none\" authentication: the route needs authentication (AUTH)");
        }
        Access::Auth
    };

    spec.walk_authz(&mut |item| match item {
        AuthzItem::Group(scope) if oauth => {
            let declared_scopes = &config.authz_scopes;
            if !declared_scopes.is_empty() && !declared_scopes.iter().any(|s| s == scope) {
                problems.push(format!("{at}: unexpected scope \"{scope}\": declared scopes are {:?}", config.authz_scopes));
            }
        }
        AuthzItem::Group(group) => {
            if !declared.is_empty() && !declared.iter().any(|d| d == group) {
                problems.push(format!("{at}: unexpected group \"{group}\": declared groups are {declared:?}"));
            } else if !hooks.group_checks.contains_key(*group) && hooks.user_in_group.is_none() {
                problems.push(format!("{at}: cannot check group \"{group}\" authz: register .group_check(\"{group}\", f) or .user_in_group(f)"));
            }
        }
        AuthzItem::Perm(perm) => match hooks.object_perms.get(perm.domain) {
            None => problems.push(format!("{at}: missing object permission checker for \"{}\": register .object_perms(\"{}\", f)", perm.domain, perm.domain)),
            Some(hook) => {
                if hook.types.len() != perm.params.len() {
                    problems.push(format!(
                        "{at}: the \"{}\" permission hook takes {} value(s), the route gives {} ({})",
                        perm.domain,
                        hook.types.len(),
                        perm.params.len(),
                        perm.vars.join(":")
                    ));
                }
                for ((type_id, type_name), &index) in hook.types.iter().zip(perm.params) {
                    let param = &spec.params[index];
                    if (param.type_id)() != *type_id {
                        problems.push(format!(
                            "{at}: the \"{}\" permission hook takes {type_name}, parameter `{}` is {}",
                            perm.domain,
                            param.rust_name,
                            (param.type_name)()
                        ));
                    }
                }
            }
        },
        _ => {}
    });
    // On an OPEN route, `Option<CurrentUser>` is the user if credentials
    // are sent and good; `CurrentUser` alone cannot be.
    let users = || {
        spec.params
            .iter()
            .filter(|p| p.kind == ParamKind::CurrentUser)
    };
    let optional_user = access == Access::Open && users().any(|p| p.is_option());
    if access == Access::Open {
        if let Some(param) = users().find(|p| !p.is_option()) {
            problems.push(format!(
                "{at}: an OPEN route has no sure user: parameter `{}`: write `Option<CurrentUser>` (the user when good credentials are sent), or `authz = \"AUTH\"`",
                param.rust_name
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let route_realm = spec.realm.unwrap_or(realm);
    let token_realm: Arc<str> = match (spec.realm, tokens) {
        (Some(r), _) => Arc::from(r),
        (None, Some(t)) => Arc::from(t.realm.as_str()),
        (None, None) => Arc::from(realm),
    };
    let auth_reads_params = schemes
        .iter()
        .any(|s| !s.params_read(config, tokens).is_empty());
    let mut challenges: Vec<String> = schemes
        .iter()
        .filter_map(|s| s.challenge(route_realm, &token_realm, tokens))
        .collect();
    challenges.sort();
    challenges.dedup();
    let challenge = (!challenges.is_empty())
        .then(|| HeaderValue::try_from(challenges.join(", ")).ok())
        .flatten();
    // `<path:p>` is actix's `{p:.+}`.
    let slashed = (spec.params.iter().enumerate())
        .filter(|(_, p)| p.in_path && spec.actix_path.contains(&format!("{{{}:.+}}", p.name)))
        .map(|(index, _)| index)
        .collect();
    let takes_tokens = schemes.iter().any(Scheme::takes_tokens);
    Ok(CompiledRoute {
        slashed,
        takes_tokens,
        optional_user,
        spec,
        access,
        schemes: schemes.into(),
        token_realm,
        auth_reads_params,
        oauth,
        challenge,
    })
}
