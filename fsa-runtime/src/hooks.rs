//! Hooks: the application's functions that fsa calls (get_user_pass,
//! group checks, object permissions), sync or async.
//!
//! A sync hook takes `&str` arguments and runs on the worker thread, so it
//! should be quick (an in-memory or local SQLite lookup); an async hook takes
//! owned `String`s and may await I/O. Either may answer a plain value or a
//! `Result<_, E>` with `E: Into<ErrorResponse>` (an `Err` is that error
//! answer, never cached). Answers are cached (see `FSA_CACHE`).

use crate::{errors::ErrorResponse, params::PermValue};
use actix_web::HttpRequest;
use futures_util::FutureExt;
use std::{
    any::TypeId, collections::HashMap, future::Future, panic::AssertUnwindSafe, pin::Pin, sync::Arc,
};

/// The future of an erased hook call.
pub(crate) type HookFuture<T> = Pin<Box<dyn Future<Output = Result<T, ErrorResponse>>>>;

pub(crate) type GetUserPassFn = Arc<dyn Fn(&str) -> HookFuture<Option<String>> + Send + Sync>;
pub(crate) type GroupCheckFn = Arc<dyn Fn(&str) -> HookFuture<bool> + Send + Sync>;
pub(crate) type UserInGroupFn = Arc<dyn Fn(&str, &str) -> HookFuture<bool> + Send + Sync>;
pub(crate) type ObjectPermsFn =
    Arc<dyn Fn(&str, &[&dyn PermValue], Option<&str>) -> HookFuture<Option<bool>> + Send + Sync>;

/// An erased object-permission hook with the types of the values it takes.
#[doc(hidden)]
#[derive(Clone)]
pub struct ObjectPermsHookFn {
    pub(crate) call: ObjectPermsFn,
    pub(crate) types: Vec<(TypeId, &'static str)>,
}

/// Marks hooks that are plain functions.
#[doc(hidden)]
pub struct SyncHook;
/// Marks hooks that return futures.
#[doc(hidden)]
pub struct AsyncHook;

/// What a hook may answer: the value, or a `Result` of it.
pub trait HookOutput<T> {
    /// The answer, or the error to send.
    fn into_result(self) -> Result<T, ErrorResponse>;
}

macro_rules! hook_output {
    ($($from:ty => $to:ty, $convert:expr;)*) => {$(
        impl HookOutput<$to> for $from {
            fn into_result(self) -> Result<$to, ErrorResponse> {
                Ok(($convert)(self))
            }
        }
        impl<E: Into<ErrorResponse>> HookOutput<$to> for Result<$from, E> {
            fn into_result(self) -> Result<$to, ErrorResponse> {
                self.map($convert).map_err(Into::into)
            }
        }
    )*};
}
hook_output! {
    Option<String> => Option<String>, |v| v;
    bool => bool, |v| v;
    Option<bool> => Option<bool>, |v| v;
    bool => Option<bool>, Some;
}

fn ready<T: 'static>(result: Result<T, ErrorResponse>) -> HookFuture<T> {
    Box::pin(std::future::ready(result))
}

/// Declares a hook trait taking `&str` arguments, implemented by sync
/// functions (`&str` arguments) and async ones (`String` arguments), each
/// answering a value or a `Result` of it.
macro_rules! string_hook {
    ($(#[$doc:meta])* $hook:ident -> $erased:ty, $out:ty, ($($arg:ident),+)) => {
        $(#[$doc])*
        pub trait $hook<M>: Send + Sync + 'static {
            #[doc(hidden)]
            fn into_hook(self) -> $erased;
        }

        impl<F, R> $hook<(SyncHook, R)> for F
        where
            F: Fn($(string_hook!(@borrowed $arg)),+) -> R + Send + Sync + 'static,
            R: HookOutput<$out> + 'static,
        {
            fn into_hook(self) -> $erased {
                Arc::new(move |$($arg),+| ready(self($($arg),+).into_result()))
            }
        }

        impl<F, Fut> $hook<(AsyncHook, Fut)> for F
        where
            F: Fn($(string_hook!(@owned $arg)),+) -> Fut + Send + Sync + 'static,
            Fut: Future + 'static,
            Fut::Output: HookOutput<$out>,
        {
            fn into_hook(self) -> $erased {
                Arc::new(move |$($arg),+| {
                    let future = self($($arg.to_string()),+);
                    Box::pin(async move { future.await.into_result() })
                })
            }
        }
    };
    (@borrowed $arg:ident) => { &str };
    (@owned $arg:ident) => { String };
}

string_hook!(
    /// `get_user_pass`: login -> stored password hash, `None` for no such user.
    ///
    /// Sync `fn(&str) -> Option<String>` or async `fn(String) -> Option<String>`,
    /// each possibly in a `Result`.
    GetUserPassHook -> GetUserPassFn, Option<String>, (login)
);

string_hook!(
    /// `group_check`: login -> whether the user is in the group.
    GroupCheckHook -> GroupCheckFn, bool, (login)
);

string_hook!(
    /// `user_in_group`: (login, group) -> whether the user is in the group.
    /// Integer groups are given in decimal (`"0"`).
    UserInGroupHook -> UserInGroupFn, bool, (login, group)
);

/// `object_perms`: (login, value(s), mode) -> `Some(true)` allowed,
/// `Some(false)` forbidden (403), `None` no such object (404).
///
/// The values have the types of the route's parameters, e.g.
/// `fn store_perms(login: &str, sid: i64, mode: Option<&str>) -> Option<bool>`;
/// `build()` checks that every route's parameters have those types.
pub trait ObjectPermsHook<M>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_hook(self) -> ObjectPermsHookFn;
}

fn downcast<T: Clone + 'static>(values: &[&dyn PermValue], i: usize) -> Result<T, ErrorResponse> {
    values
        .get(i)
        .and_then(|v| (**v).as_any().downcast_ref::<T>())
        .cloned()
        .ok_or_else(|| {
            ErrorResponse::internal(format!(
                "internal error with permission check: expected {}",
                std::any::type_name::<T>()
            ))
        })
}

macro_rules! perm_hooks {
    ($($t:ident $i:tt),+) => {
        impl<F, R, $($t),+> ObjectPermsHook<(SyncHook, R, ($($t,)+))> for F
        where
            F: Fn(&str, $($t,)+ Option<&str>) -> R + Send + Sync + 'static,
            R: HookOutput<Option<bool>> + 'static,
            $($t: Clone + 'static,)+
        {
            fn into_hook(self) -> ObjectPermsHookFn {
                ObjectPermsHookFn {
                    call: Arc::new(move |login, values, mode| {
                        ready((|| {
                            self(login, $(downcast::<$t>(values, $i)?,)+ mode).into_result()
                        })())
                    }),
                    types: vec![$((TypeId::of::<$t>(), std::any::type_name::<$t>())),+],
                }
            }
        }

        impl<F, Fut, $($t),+> ObjectPermsHook<(AsyncHook, Fut, ($($t,)+))> for F
        where
            F: Fn(String, $($t,)+ Option<String>) -> Fut + Send + Sync + 'static,
            Fut: Future + 'static,
            Fut::Output: HookOutput<Option<bool>>,
            $($t: Clone + 'static,)+
        {
            fn into_hook(self) -> ObjectPermsHookFn {
                ObjectPermsHookFn {
                    call: Arc::new(move |login, values, mode| {
                        let future = (|| {
                            Ok(self(login.to_string(), $(downcast::<$t>(values, $i)?,)+ mode.map(String::from)))
                        })();
                        Box::pin(async move { future?.await.into_result() })
                    }),
                    types: vec![$((TypeId::of::<$t>(), std::any::type_name::<$t>())),+],
                }
            }
        }
    };
}
perm_hooks!(T1 0);
perm_hooks!(T1 0, T2 1);
perm_hooks!(T1 0, T2 1, T3 2);

pub(crate) type PasswordQualityFn = Arc<dyn Fn(&str) -> Result<bool, String> + Send + Sync>;
pub(crate) type PasswordCheckFn = Arc<dyn Fn(&str, &str) -> HookFuture<bool> + Send + Sync>;

/// What a `password_quality` hook may answer: `bool`, or `Result<bool, E>`
/// whose error message is shown to the client.
pub trait QualityOutput {
    /// Whether the password is good enough, or why not.
    fn into_quality(self) -> Result<bool, String>;
}

impl QualityOutput for bool {
    fn into_quality(self) -> Result<bool, String> {
        Ok(self)
    }
}

impl<E: std::fmt::Display> QualityOutput for Result<bool, E> {
    fn into_quality(self) -> Result<bool, String> {
        self.map_err(|e| e.to_string())
    }
}

/// `password_quality`: password -> whether it is good enough for
/// `hash_password`, e.g. `|pwd: &str| pwd.chars().any(|c| c.is_ascii_digit())`.
///
/// Sync `fn(&str) -> bool` or `fn(&str) -> Result<bool, E: Display>`.
pub trait PasswordQualityHook<M>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_hook(self) -> PasswordQualityFn;
}

impl<F, R> PasswordQualityHook<(SyncHook, R)> for F
where
    F: Fn(&str) -> R + Send + Sync + 'static,
    R: QualityOutput + 'static,
{
    fn into_hook(self) -> PasswordQualityFn {
        Arc::new(move |password| self(password).into_quality())
    }
}

string_hook!(
    /// `password_check`: (login, password) -> whether an alternate check
    /// (LDAP, one-time code...) admits the user when the stored hash is
    /// missing or does not match.
    ///
    /// Sync `fn(&str, &str) -> bool` or async `fn(String, String) -> bool`,
    /// each possibly in a `Result`; a panic counts as `false`.
    PasswordCheckHook -> PasswordCheckFn, bool, (login, password)
);

/// `before_request`: may answer instead of the application.
pub(crate) type BeforeRequestFn =
    Arc<dyn Fn(&actix_web::HttpRequest) -> Option<actix_web::HttpResponse> + Send + Sync>;
/// `before_exec`: (request, login, schemes) -> an answer instead of the handler.
pub(crate) type BeforeExecFn = Arc<
    dyn Fn(&actix_web::HttpRequest, Option<&str>, &[&str]) -> Option<actix_web::HttpResponse>
        + Send
        + Sync,
>;
/// `after_request`: changes every answer.
pub(crate) type AfterRequestFn =
    Arc<dyn Fn(&actix_web::HttpRequest, &mut actix_web::HttpResponse) + Send + Sync>;
/// A computed header value (`None`: no header).
pub(crate) type HeaderFn = Arc<dyn Fn(&actix_web::HttpResponse) -> Option<String> + Send + Sync>;
/// `path_check`: (method, path) -> a complaint.
pub(crate) type PathCheckFn = Arc<dyn Fn(&str, &str) -> Option<String> + Send + Sync>;

/// A header added to every answer: fixed, or computed from the answer.
#[derive(Clone)]
pub(crate) enum AddedHeader {
    Fixed(
        actix_web::http::header::HeaderName,
        actix_web::http::header::HeaderValue,
    ),
    Computed(actix_web::http::header::HeaderName, HeaderFn),
}

/// A custom authentication scheme's hook (see [`AuthenticationHook`]).
pub(crate) type CustomFn = Arc<
    dyn Fn(&HttpRequest) -> Pin<Box<dyn Future<Output = Result<Option<String>, ErrorResponse>>>>
        + Send
        + Sync,
>;

/// An authentication hook: sync `fn(&HttpRequest) -> Option<String>` or
/// async `fn(HttpRequest) -> Option<String>`, each possibly in a `Result`.
pub trait AuthenticationHook<M>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_hook(self) -> CustomFn;
}

impl<F, R> AuthenticationHook<(SyncHook, R)> for F
where
    F: Fn(&HttpRequest) -> R + Send + Sync + 'static,
    R: HookOutput<Option<String>> + 'static,
{
    fn into_hook(self) -> CustomFn {
        Arc::new(move |request| Box::pin(std::future::ready(self(request).into_result())))
    }
}

impl<F, Fut> AuthenticationHook<(AsyncHook, Fut)> for F
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future + 'static,
    Fut::Output: HookOutput<Option<String>>,
{
    fn into_hook(self) -> CustomFn {
        Arc::new(move |request| {
            let future = self(request.clone());
            Box::pin(async move { future.await.into_result() })
        })
    }
}

/// Runs a hook future, turning a non-`ErrorResponse` failure into the
/// configured server error with a fixed message.
pub(crate) async fn guard_hook<T>(name: &str, future: HookFuture<T>) -> Result<T, ErrorResponse> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(_) => {
            tracing::error!(hook = name, "fsa: hook panicked");
            Err(ErrorResponse::internal(format!("internal error in {name}")))
        }
    }
}

/// The registered hooks.
#[derive(Default, Clone)]
pub(crate) struct Hooks {
    pub(crate) get_user_pass: Option<GetUserPassFn>,
    pub(crate) group_checks: HashMap<String, GroupCheckFn>,
    pub(crate) user_in_group: Option<UserInGroupFn>,
    pub(crate) object_perms: HashMap<String, ObjectPermsHookFn>,
    pub(crate) authentications: HashMap<String, CustomFn>,
    pub(crate) before_request: Vec<BeforeRequestFn>,
    pub(crate) before_exec: Vec<BeforeExecFn>,
    pub(crate) after_request: Vec<AfterRequestFn>,
    pub(crate) added_headers: Vec<AddedHeader>,
    pub(crate) path_check: Option<PathCheckFn>,
    pub(crate) password_quality: Option<PasswordQualityFn>,
    pub(crate) password_check: Option<PasswordCheckFn>,
}
