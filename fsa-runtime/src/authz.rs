//! Authorization: groups (checked right after authentication) and object
//! permissions (checked on converted parameters), with `any`/`all`.
//!
//! Every answer of a hook is cached, negative ones included.

use crate::{
    cache::{Cached, Kind, Lookup},
    errors::ErrorResponse,
    hooks::guard_hook,
    params::PermValue,
    spec::{AuthzItem, PermSpec},
    state::State,
};
use actix_web::http::StatusCode;
use std::{cell::RefCell, future::Future, pin::Pin};

thread_local! {
    /// The debug form of permission values, reused across requests.
    static RENDERED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The outcome of one authorization item.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    /// 403, with the reason.
    Forbidden(String),
    /// The object does not exist (`FSA_NOT_FOUND_ERROR`).
    NotFound,
}

/// Whether `item` needs converted parameters (contains an object permission).
pub(crate) fn needs_params(item: &AuthzItem) -> bool {
    match item {
        AuthzItem::Perm(_) => true,
        AuthzItem::Any(items) | AuthzItem::All(items) => items.iter().any(needs_params),
        _ => false,
    }
}

/// Checks the items that need no parameter: groups, and `any`/`all` of
/// groups; on oauth routes (`scopes` given), groups are scopes the token
/// must hold.
pub(crate) async fn check_groups(
    state: &State,
    login: &str,
    scopes: Option<&[String]>,
    items: &'static [AuthzItem],
) -> Result<(), ErrorResponse> {
    for item in items.iter().filter(|i| !needs_params(i)) {
        let verdict = match item {
            // The common case, without eval's boxed future.
            AuthzItem::Group(group) => group_verdict(state, login, scopes, group).await?,
            _ => eval(state, login, scopes, item, &[]).await?,
        };
        verdict_to_result(state, verdict)?;
    }
    Ok(())
}

/// Checks the items that need parameters, in `authz` order; `values[i]` are
/// the values of the route's `i`-th object permission; groups nested in
/// them are scopes on oauth routes (`scopes` given).
pub(crate) async fn check_perms(
    state: &State,
    login: &str,
    scopes: Option<&[String]>,
    items: &'static [AuthzItem],
    values: &[&[&dyn PermValue]],
) -> Result<(), ErrorResponse> {
    for item in items.iter().filter(|i| needs_params(i)) {
        let verdict = match item {
            // The common case, without eval's boxed future.
            AuthzItem::Perm(perm) => perm_verdict(state, login, perm, values).await?,
            _ => eval(state, login, scopes, item, values).await?,
        };
        verdict_to_result(state, verdict)?;
    }
    Ok(())
}

fn verdict_to_result(state: &State, verdict: Verdict) -> Result<(), ErrorResponse> {
    match verdict {
        Verdict::Pass => Ok(()),
        Verdict::Forbidden(reason) => Err(ErrorResponse::forbidden(reason)),
        Verdict::NotFound => Err(ErrorResponse::with_status(
            "object not found",
            StatusCode::from_u16(state.config.not_found_error).unwrap_or(StatusCode::NOT_FOUND),
        )),
    }
}

type VerdictFuture<'a> = Pin<Box<dyn Future<Output = Result<Verdict, ErrorResponse>> + 'a>>;

fn eval<'a>(
    state: &'a State,
    login: &'a str,
    scopes: Option<&'a [String]>,
    item: &'static AuthzItem,
    values: &'a [&'a [&'a dyn PermValue]],
) -> VerdictFuture<'a> {
    Box::pin(async move {
        Ok(match item {
            AuthzItem::Open | AuthzItem::Auth => Verdict::Pass,
            AuthzItem::Close => Verdict::Forbidden("currently closed route".into()),
            AuthzItem::Group(group) => group_verdict(state, login, scopes, group).await?,
            AuthzItem::Perm(perm) => perm_verdict(state, login, perm, values).await?,
            AuthzItem::All(items) => {
                for item in *items {
                    let verdict = eval(state, login, scopes, item, values).await?;
                    if verdict != Verdict::Pass {
                        return Ok(verdict);
                    }
                }
                Verdict::Pass
            }
            AuthzItem::Any(items) => {
                let mut failures = Vec::new();
                for item in *items {
                    match eval(state, login, scopes, item, values).await? {
                        Verdict::Pass => return Ok(Verdict::Pass),
                        failure => failures.push(failure),
                    }
                }
                // Not found only when every alternative said so.
                if failures.iter().all(|f| *f == Verdict::NotFound) {
                    Verdict::NotFound
                } else {
                    Verdict::Forbidden("no alternative of any(...) is granted".into())
                }
            }
        })
    })
}

/// A group's verdict; on oauth routes (`scopes` given) a group is a scope
/// that the token must hold.
async fn group_verdict(
    state: &State,
    login: &str,
    scopes: Option<&[String]>,
    group: &str,
) -> Result<Verdict, ErrorResponse> {
    if let Some(scopes) = scopes {
        return Ok(if scopes.iter().any(|s| s == group) {
            Verdict::Pass
        } else {
            Verdict::Forbidden(format!("missing permission \"{group}\""))
        });
    }
    Ok(if in_group(state, login, group).await? {
        Verdict::Pass
    } else {
        Verdict::Forbidden(format!("not in group \"{group}\""))
    })
}

async fn perm_verdict(
    state: &State,
    login: &str,
    perm: &PermSpec,
    values: &[&[&dyn PermValue]],
) -> Result<Verdict, ErrorResponse> {
    let values = values.get(perm.index).copied().unwrap_or_default();
    Ok(match object_perm(state, login, perm, values).await? {
        Some(true) => Verdict::Pass,
        Some(false) => Verdict::Forbidden(format!("no \"{}\" permission", perm.domain)),
        None => Verdict::NotFound,
    })
}

/// Whether `login` is in `group`: its `group_check` hook, else
/// `user_in_group`; cached.
pub(crate) async fn in_group(
    state: &State,
    login: &str,
    group: &str,
) -> Result<bool, ErrorResponse> {
    let hooks = &state.hooks;
    // The hook runs only on a cache miss (inside the future).
    let check = hooks.group_checks.get(group);
    let kind = if check.is_some() {
        Kind::GroupCheck
    } else {
        Kind::UserInGroup
    };
    if check.is_none() && hooks.user_in_group.is_none() {
        return Err(ErrorResponse::internal(format!(
            "cannot check group {group}"
        )));
    }
    // A hit: no allocation in this process's cache.
    let ticket = match state.cache.lookup(kind, &[group, login]).await {
        Lookup::Hit(cached) => return Ok(matches!(cached, Cached::Bool(true))),
        Lookup::Miss(ticket) => ticket,
    };
    // A miss: the hook, boxed so that the common path stays small.
    let future = match (check, &hooks.user_in_group) {
        (Some(hook), _) => hook(login),
        (None, Some(hook)) => hook(login, group),
        (None, None) => unreachable!("checked above"),
    };
    let answer = Box::pin(guard_hook(&format!("group check for {group}"), future)).await?;
    state
        .cache
        .store(&ticket, kind, &[group, login], Cached::Bool(answer))
        .await;
    Ok(answer)
}

/// The answer of the domain's permission hook; cached on the debug form of
/// the values.
async fn object_perm(
    state: &State,
    login: &str,
    perm: &PermSpec,
    values: &[&dyn PermValue],
) -> Result<Option<bool>, ErrorResponse> {
    let Some(hook) = state.hooks.object_perms.get(perm.domain) else {
        return Err(ErrorResponse::internal(format!(
            "missing object permission checker for {}",
            perm.domain
        )));
    };
    // The values' debug form, the key of the hook's answer, in a buffer
    // taken from this thread and given back: a hit allocates nothing.
    let mut rendered = RENDERED.with(|buffer| std::mem::take(&mut *buffer.borrow_mut()));
    rendered.clear();
    {
        use std::fmt::Write;
        let _ = write!(rendered, "{values:?}");
    }
    let answer = cached_perm(state, login, perm, hook, values, &rendered).await;
    if rendered.capacity() <= 1024 {
        RENDERED.with(|buffer| *buffer.borrow_mut() = rendered);
    }
    answer
}

/// The cached answer of the permission hook, or its answer, cached.
async fn cached_perm(
    state: &State,
    login: &str,
    perm: &PermSpec,
    hook: &crate::hooks::ObjectPermsHookFn,
    values: &[&dyn PermValue],
    rendered: &str,
) -> Result<Option<bool>, ErrorResponse> {
    let (parts, count) = perm_key(perm.domain, login, perm.mode, rendered);
    let cached = match state.cache.lookup(Kind::Perm, &parts[..count]).await {
        Lookup::Hit(cached) => cached,
        Lookup::Miss(ticket) => {
            let answer = Box::pin(guard_hook(
                "permission check",
                (hook.call)(login, values, perm.mode),
            ))
            .await
            .map(Cached::Perm)?;
            state
                .cache
                .store(&ticket, Kind::Perm, &parts[..count], answer.clone())
                .await;
            answer
        }
    };
    Ok(match cached {
        Cached::Perm(answer) => answer,
        _ => None,
    })
}

/// The cache key parts of a permission answer (the first `count`); a
/// mode is one more part, so that no mode (`None`) and an empty one stay
/// apart.
pub(crate) fn perm_key<'a>(
    domain: &'a str,
    login: &'a str,
    mode: Option<&'a str>,
    values: &'a str,
) -> ([&'a str; 4], usize) {
    match mode {
        Some(mode) => ([domain, login, values, mode], 4),
        None => ([domain, login, values, ""], 3),
    }
}
