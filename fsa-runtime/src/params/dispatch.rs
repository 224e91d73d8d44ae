//! How generated code picks the reading of a parameter type, without
//! specialization: autoref specialization on [`Wrap`].
//!
//! For a parameter of type `T`, the route macros write
//!
//! ```text
//! (&&&&&&&&&&Wrap::<T>::NEW).strategy()
//! ```
//!
//! with every `Via*` trait in scope. Method lookup tries the receiver with
//! ten references first, then nine, and so on, and each trait is
//! implemented at one depth only, so the first that applies wins:
//!
//! | refs | trait | for |
//! |------|-------|-----|
//! | 9 | [`ViaParam`] | `T: Param` |
//! | 8 | [`ViaSpecial`] | `T: SpecialParam` |
//! | 7 | [`ViaExtractor`] | `T: actix_web::FromRequest` |
//! | 6 | [`ViaTextSerdeOption`], [`ViaTextSerdeVec`] | `Option<T>`, `Vec<T>` with `T: FromStr + Deserialize` |
//! | 5 | [`ViaTextSerde`] | `T: FromStr + Deserialize`: HTTP text by `FromStr`, JSON by serde |
//! | 4 | [`ViaFromStrOption`], [`ViaFromStrVec`] | `Option<T>`, `Vec<T>` with `T: FromStr` |
//! | 3 | [`ViaFromStr`] | `T: FromStr` |
//! | 2 | [`ViaSerdeOption`], [`ViaSerdeVec`] | `Option<T>`, `Vec<T>` with `T: Deserialize` |
//! | 1 | [`ViaSerde`] | `T: Deserialize` |
//! | 0 | [`ViaNothing`] | anything: requires [`ParamType`], the compile error |
//!
//! This only works where `T` is a concrete type, which the macros
//! guarantee (routes are not generic). Each strategy implements
//! [`Extract`]. The route spec's [`ParamKind`] is found the same way in a
//! constant context, with inherent constants (which win over trait
//! constants when their bounds hold): [`kind`].

use super::{
    item::{self, CastItem, FromStrItem, Item, SerdeItem, TextSerdeItem},
    Input, Param, ParamError, ParamKind, PermValue, SpecialParam,
};
use crate::errors::ErrorResponse;
use actix_web::{dev::Payload, FromRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::{
    any::{Any, TypeId},
    fmt::{Debug, Display},
    marker::PhantomData,
    str::FromStr,
};

/// The type of a parameter, for method lookup.
pub struct Wrap<T>(PhantomData<fn() -> T>);

impl<T> Wrap<T> {
    /// The value to call `strategy` on.
    pub const NEW: Self = Wrap(PhantomData);
}

/// Reads a parameter of type `T`.
#[allow(async_fn_in_trait)]
pub trait Extract<T> {
    /// Reads the parameter from its input.
    async fn extract(self, input: Input<'_>) -> Result<T, ParamError>;
}

/// Strategy: [`Param::extract`].
pub struct ByParam<T>(PhantomData<fn() -> T>);
/// Strategy: [`SpecialParam::build`].
pub struct BySpecial<T>(PhantomData<fn() -> T>);
/// Strategy: `FromRequest::from_request`, with no payload.
pub struct ByExtractor<T>(PhantomData<fn() -> T>);
/// Strategy: one value, by an `Item`.
pub struct One<I>(I);
/// Strategy: an optional value, by an `Item`.
pub struct Optional<I>(I);
/// Strategy: every value, by an `Item`.
pub struct Many<I>(I);

impl<T: Param> Extract<T> for ByParam<T> {
    async fn extract(self, input: Input<'_>) -> Result<T, ParamError> {
        T::extract(input)
    }
}

impl<T: SpecialParam> Extract<T> for BySpecial<T> {
    async fn extract(self, input: Input<'_>) -> Result<T, ParamError> {
        T::build(input).await.map_err(ParamError::Response)
    }
}

impl<T: FromRequest> Extract<T> for ByExtractor<T> {
    async fn extract(self, input: Input<'_>) -> Result<T, ParamError> {
        T::from_request(input.request, &mut Payload::None)
            .await
            .map_err(|e| {
                let error: actix_web::Error = e.into();
                let status = error.as_response_error().status_code();
                let message = error.to_string();
                ParamError::Response(if status.is_server_error() {
                    ErrorResponse::internal(format!(
                        "unexpected error on parameter \"{}\" ({message})",
                        input.name
                    ))
                } else {
                    ErrorResponse::with_status(message, status)
                })
            })
    }
}

impl<T, I: Item<T>> Extract<T> for One<I> {
    async fn extract(self, input: Input<'_>) -> Result<T, ParamError> {
        item::one(&self.0, input.raw)
    }
}

impl<T, I: Item<T>> Extract<Option<T>> for Optional<I> {
    async fn extract(self, input: Input<'_>) -> Result<Option<T>, ParamError> {
        item::optional(&self.0, input.raw)
    }
}

impl<T, I: Item<T>> Extract<Vec<T>> for Many<I> {
    async fn extract(self, input: Input<'_>) -> Result<Vec<T>, ParamError> {
        item::many(&self.0, input.raw)
    }
}

macro_rules! via {
    ($(#[$doc:meta] $trait:ident: [$($refs:tt)*] $ty:ty, $strategy:ty, $make:expr, where [$($bounds:tt)*];)*) => {$(
        #[$doc]
        pub trait $trait<T> {
            /// The strategy of this depth.
            fn strategy(&self) -> $strategy;
        }

        impl<T> $trait<$ty> for $($refs)* Wrap<$ty> where $($bounds)* {
            fn strategy(&self) -> $strategy {
                $make
            }
        }
    )*};
}

via! {
    /// Depth 9: a [`Param`].
    ViaParam: [&&&&&&&&&] T, ByParam<T>, ByParam(PhantomData), where [T: Param];
    /// Depth 8: a [`SpecialParam`].
    ViaSpecial: [&&&&&&&&] T, BySpecial<T>, BySpecial(PhantomData), where [T: SpecialParam];
    /// Depth 7: an actix extractor.
    ViaExtractor: [&&&&&&&] T, ByExtractor<T>, ByExtractor(PhantomData), where [T: FromRequest];
    /// Depth 6: `Option<T: FromStr + Deserialize>`.
    ViaTextSerdeOption: [&&&&&&] Option<T>, Optional<TextSerdeItem>, Optional(TextSerdeItem), where [T: FromStr + DeserializeOwned, T::Err: Display];
    /// Depth 6: `Vec<T: FromStr + Deserialize>`.
    ViaTextSerdeVec: [&&&&&&] Vec<T>, Many<TextSerdeItem>, Many(TextSerdeItem), where [T: FromStr + DeserializeOwned, T::Err: Display];
    /// Depth 5: `T: FromStr + Deserialize`.
    ViaTextSerde: [&&&&&] T, One<TextSerdeItem>, One(TextSerdeItem), where [T: FromStr + DeserializeOwned, T::Err: Display];
    /// Depth 4: `Option<T: FromStr>`.
    ViaFromStrOption: [&&&&] Option<T>, Optional<FromStrItem>, Optional(FromStrItem), where [T: FromStr, T::Err: Display];
    /// Depth 4: `Vec<T: FromStr>`.
    ViaFromStrVec: [&&&&] Vec<T>, Many<FromStrItem>, Many(FromStrItem), where [T: FromStr, T::Err: Display];
    /// Depth 3: `T: FromStr`.
    ViaFromStr: [&&&] T, One<FromStrItem>, One(FromStrItem), where [T: FromStr, T::Err: Display];
    /// Depth 2: `Option<T: Deserialize>`.
    ViaSerdeOption: [&&] Option<T>, Optional<SerdeItem>, Optional(SerdeItem), where [T: DeserializeOwned];
    /// Depth 2: `Vec<T: Deserialize>`.
    ViaSerdeVec: [&&] Vec<T>, Many<SerdeItem>, Many(SerdeItem), where [T: DeserializeOwned];
    /// Depth 1: `T: Deserialize`.
    ViaSerde: [&] T, One<SerdeItem>, One(SerdeItem), where [T: DeserializeOwned];
}

/// Depth 0: any type; using it requires `T: ParamType`, which no type
/// implements, so a type that fits no depth is one compile error on the
/// parameter's type, saying what a parameter type is.
pub trait ViaNothing<T> {
    /// Never usable.
    fn strategy(&self) -> Unreadable<T>
    where
        T: ParamType,
    {
        Unreadable(PhantomData)
    }
}

impl<T> ViaNothing<T> for Wrap<T> {}

super::not_a_parameter_type! {
    /// The error of a type that is not a parameter type.
    pub trait ParamType {}
}

/// The strategy of [`ViaNothing`], never built.
pub struct Unreadable<T>(PhantomData<fn() -> T>);

impl<T> Extract<T> for Unreadable<T> {
    async fn extract(self, _: Input<'_>) -> Result<T, ParamError> {
        Err(ParamError::Missing)
    }
}

/// The item of a `#[cast]` function, its bound checked where it is made
/// ([`cast_one`], [`cast_option`], [`cast_vec`]): reading a `T` with it
/// needs no bound, so a function of the wrong type is one error, at the call.
pub struct Cast<F, T, E> {
    item: CastItem<F, T, E>,
    http: ReadText<CastItem<F, T, E>, T>,
    json: ReadJson<CastItem<F, T, E>, T>,
    path: ReadText<CastItem<F, T, E>, T>,
}

/// [`Item::http`] or [`Item::path`] of an `I`.
type ReadText<I, T> = fn(&I, &str) -> Result<T, String>;
/// [`Item::json`] of an `I`.
type ReadJson<I, T> = fn(&I, &Value) -> Result<T, String>;

impl<T, E: Display, F: Fn(&str) -> Result<T, E>> Cast<F, T, E> {
    fn new(f: F) -> Self {
        Cast {
            item: CastItem::new(f),
            http: Item::http,
            json: Item::json,
            path: Item::path,
        }
    }
}

impl<F, T, E> Item<T> for Cast<F, T, E> {
    fn http(&self, text: &str) -> Result<T, String> {
        (self.http)(&self.item, text)
    }
    fn json(&self, value: &Value) -> Result<T, String> {
        (self.json)(&self.item, value)
    }
    fn path(&self, text: &str) -> Result<T, String> {
        (self.path)(&self.item, text)
    }
}

/// `#[cast(f)] x: T`.
pub fn cast_one<T, E: Display, F: Fn(&str) -> Result<T, E>>(f: F) -> One<Cast<F, T, E>> {
    One(Cast::new(f))
}

/// `#[cast(f)] x: Option<T>`.
pub fn cast_option<T, E: Display, F: Fn(&str) -> Result<T, E>>(f: F) -> Optional<Cast<F, T, E>> {
    Optional(Cast::new(f))
}

/// `#[cast(f)] x: Vec<T>`.
pub fn cast_vec<T, E: Display, F: Fn(&str) -> Result<T, E>>(f: F) -> Many<Cast<F, T, E>> {
    Many(Cast::new(f))
}

/// `IsParam::<T>::KIND`: `Some(T::KIND)` when `T: Param`, else `None`
/// (from [`NotParam`]).
pub struct IsParam<T>(PhantomData<fn() -> T>);

impl<T: Param> IsParam<T> {
    /// The parameter's kind.
    pub const KIND: Option<ParamKind> = Some(T::KIND);
}

/// The fallback of [`IsParam`].
pub trait NotParam {
    /// Not a [`Param`].
    const KIND: Option<ParamKind> = None;
}

impl<T> NotParam for IsParam<T> {}

/// `IsSpecial::<T>::YES`: whether `T` is a [`SpecialParam`] or an actix
/// extractor (else `false`, from [`NotSpecial`]).
pub struct IsSpecial<T>(PhantomData<fn() -> T>);

impl<T: SpecialParam> IsSpecial<T> {
    /// A special parameter.
    pub const YES: bool = true;
}

/// The fallback of [`IsSpecial`].
pub trait NotSpecial {
    /// Not a special parameter.
    const YES: bool = false;
}

impl<T> NotSpecial for IsSpecial<T> {}

/// `IsExtractor::<T>::YES`: whether `T` is an actix extractor.
pub struct IsExtractor<T>(PhantomData<fn() -> T>);

impl<T: FromRequest> IsExtractor<T> {
    /// An extractor.
    pub const YES: bool = true;
}

/// The fallback of [`IsExtractor`].
pub trait NotExtractor {
    /// Not an extractor.
    const YES: bool = false;
}

impl<T> NotExtractor for IsExtractor<T> {}

/// The kind of a parameter, in the order of the depths above: a
/// [`Param`]'s own, [`ParamKind::Special`] for special parameters and
/// extractors, else [`ParamKind::Request`].
pub const fn kind(param: Option<ParamKind>, special: bool, extractor: bool) -> ParamKind {
    match param {
        Some(kind) => kind,
        None if special || extractor => ParamKind::Special,
        None => ParamKind::Request,
    }
}

/// Used by generated code: a converted parameter as a permission value.
pub fn perm_value<T: Any + Debug>(value: &T) -> &dyn PermValue {
    value
}

/// Used by generated code: the type name of a parameter.
pub fn type_name<T: ?Sized>() -> &'static str {
    std::any::type_name::<T>()
}

/// Used by generated code: the type id of a parameter.
pub fn type_id<T: ?Sized + 'static>() -> TypeId {
    TypeId::of::<T>()
}
