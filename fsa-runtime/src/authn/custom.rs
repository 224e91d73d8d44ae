//! Custom schemes, registered by name with
//! [`FsaBuilder::authentication`](crate::FsaBuilder::authentication): a hook
//! `(request) -> Result<Option<login>, ErrorResponse>`; `None` means the
//! scheme does not apply, an error is this scheme's answer (with its
//! status and headers).

use crate::{
    errors::ErrorResponse,
    hooks::{AsyncHook, HookOutput, SyncHook},
};
use actix_web::HttpRequest;
use std::{future::Future, pin::Pin, sync::Arc};

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
