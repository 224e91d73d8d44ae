//! Tokens only: a validated route becomes a unit struct implementing the
//! runtime's sealed `Route` trait, with a static `RouteSpec` and the typed
//! parameter conversions. Everything else is ordinary runtime code.

use super::parse::{AuthzItem, Pseudo};
use super::validate::Route;
use crate::exports::{private, private_at};
use crate::params::{Param, Source};
use crate::paths::{Converter, PathVar};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{spanned::Spanned, Expr, ItemFn, Lit, Type};

/// The whole expansion of a valid route.
pub(crate) fn route(route: &Route) -> TokenStream {
    let fsa = private();
    let function = &route.function;
    let name = &function.sig.ident;
    let vis = &function.vis;
    let docs = function.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let spec = spec(route);
    let call = call(route);
    let summary = format!(
        "fsa route `{} {}`.",
        route.methods.join(", "),
        route.path_lit.value()
    );
    quote! {
        #(#docs)*
        #[doc = ""]
        #[doc = #summary]
        // A braced struct lives in the type namespace only: a route named
        // `login` leaves `|login: &str| ...` closures and `let login = ...`
        // bindings of the same module alone (a unit struct would capture
        // them as patterns).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug)]
        #vis struct #name {}

        const _: () = {
            static __FSA_SPEC: #fsa::RouteSpec = #spec;

            #[automatically_derived]
            impl #fsa::Sealed for #name {}

            #[automatically_derived]
            impl #fsa::Route for #name {
                fn spec(&self) -> &'static #fsa::RouteSpec {
                    &__FSA_SPEC
                }

                fn register(
                    &'static self,
                    __fsa_route: #fsa::ActixRoute,
                    __fsa_host: #fsa::RouteHost,
                ) -> #fsa::ActixRoute {
                    #fsa::register(self, __fsa_route, __fsa_host)
                }
            }

            #[automatically_derived]
            impl #fsa::RouteCall for #name {
                async fn call(
                    &self,
                    __fsa_ctx: &mut #fsa::RequestCtx,
                ) -> #fsa::Result<#fsa::HttpResponse, #fsa::ErrorResponse> {
                    #call
                }
            }
        };
    }
}

/// After an error: the errors, and a stub route of the same name so that
/// `routes![...]` and `main` raise no unrelated follow-on error (thiserror's
/// `fallback.rs`).
pub(crate) fn with_stub(function: &ItemFn, errors: TokenStream) -> TokenStream {
    let fsa = private();
    let name = &function.sig.ident;
    let vis = &function.vis;
    quote! {
        #errors
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug)]
        #vis struct #name {}
        impl #fsa::Sealed for #name {}
        impl #fsa::Route for #name {
            fn spec(&self) -> &'static #fsa::RouteSpec {
                &#fsa::STUB_SPEC
            }
            fn register(
                &'static self,
                __fsa_route: #fsa::ActixRoute,
                _: #fsa::RouteHost,
            ) -> #fsa::ActixRoute {
                #fsa::stub_register(__fsa_route)
            }
        }
    }
}

fn spec(route: &Route) -> TokenStream {
    let fsa = private();
    let name = route.function.sig.ident.to_string();
    let methods = &route.methods;
    let path = route.path_lit.value();
    let actix_path = route.path.actix_path(&path_converters(route));
    let authz = route.authz.iter().map(|item| authz_item(item, route));
    let authn = match &route.authn {
        Some(schemes) => quote!(::core::option::Option::Some(&[#(#schemes),*])),
        None => quote!(::core::option::Option::None),
    };
    let realm = match &route.realm {
        Some(realm) => quote!(::core::option::Option::Some(#realm)),
        None => quote!(::core::option::Option::None),
    };
    let params = route.params.iter().map(param_spec);
    // The return type's name, when the handler names it (`impl Trait`
    // has no name outside the function).
    let returns = match &route.function.sig.output {
        syn::ReturnType::Type(_, ty) if !mentions_impl(ty) => {
            quote!(::core::option::Option::Some(#fsa::type_name::<#ty>))
        }
        syn::ReturnType::Type(..) => quote!(::core::option::Option::None),
        syn::ReturnType::Default => quote!(::core::option::Option::Some(#fsa::type_name::<()>)),
    };
    quote! {
        #fsa::RouteSpec {
            name: #name,
            methods: &[#(#methods),*],
            path: #path,
            actix_path: #actix_path,
            authz: &[#(#authz),*],
            authn: #authn,
            realm: #realm,
            params: &[#(#params),*],
            module: ::core::module_path!(),
            returns: #returns,
        }
    }
}

/// Whether a type holds `impl Trait` anywhere (`Result<impl Responder, E>`).
fn mentions_impl(ty: &Type) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => ident == "impl",
            proc_macro2::TokenTree::Group(group) => walk(group.stream()),
            _ => false,
        })
    }
    walk(quote!(#ty))
}

/// The converter of each path variable, in path order: the one of the
/// parameter it binds.
fn path_converters(route: &Route) -> Vec<Option<Converter>> {
    let converter = |var: &PathVar| {
        route.params.iter().find_map(|param| match &param.source {
            Source::Path { name, converter } if *name == var.name => *converter,
            _ => None,
        })
    };
    route.path.vars.iter().map(converter).collect()
}

/// A parameter's `ParamSpec`: the name it is read by, where, and its kind.
fn param_spec(param: &Param) -> TokenStream {
    let fsa = private();
    let (wire, in_path) = match &param.source {
        Source::Path { name, .. } => (name, true),
        Source::Request => (&param.wire, false),
    };
    let rust_name = param.ident.to_string();
    let ty = &param.ty;
    let has_default = param.default.is_some();
    quote_spanned! {ty.span()=>
        #fsa::ParamSpec {
            name: #wire,
            rust_name: #rust_name,
            in_path: #in_path,
            kind: {
                #[allow(unused_imports)]
                use #fsa::dispatch::{NotExtractor as _, NotParam as _, NotSpecial as _};
                #fsa::dispatch::kind(
                    #fsa::dispatch::IsParam::<#ty>::KIND,
                    #fsa::dispatch::IsSpecial::<#ty>::YES,
                    #fsa::dispatch::IsExtractor::<#ty>::YES,
                )
            },
            type_name: #fsa::type_name::<#ty>,
            type_id: #fsa::type_id::<#ty>,
            has_default: #has_default,
        }
    }
}

/// An item of `authz`, its object permissions read from the route's.
fn authz_item(item: &AuthzItem<usize>, route: &Route) -> TokenStream {
    let fsa = private();
    match item {
        AuthzItem::Pseudo(Pseudo::Open, _) => quote!(#fsa::AuthzItem::Open),
        AuthzItem::Pseudo(Pseudo::Auth, _) => quote!(#fsa::AuthzItem::Auth),
        AuthzItem::Pseudo(Pseudo::Close, _) => quote!(#fsa::AuthzItem::Close),
        AuthzItem::Group(name) => quote!(#fsa::AuthzItem::Group(#name)),
        AuthzItem::GroupConst(path) => quote!(#fsa::AuthzItem::Group(#path)),
        AuthzItem::IntGroup(int) => {
            let name = int.base10_digits();
            quote!(#fsa::AuthzItem::Group(#name))
        }
        AuthzItem::Perm(index) => perm_spec(*index, route),
        AuthzItem::Any(_, items) => {
            let items = items.iter().map(|i| authz_item(i, route));
            quote!(#fsa::AuthzItem::Any(&[#(#items),*]))
        }
        AuthzItem::All(_, items) => {
            let items = items.iter().map(|i| authz_item(i, route));
            quote!(#fsa::AuthzItem::All(&[#(#items),*]))
        }
    }
}

/// The `PermSpec` of the object permission at `index` of the route's.
fn perm_spec(index: usize, route: &Route) -> TokenStream {
    let fsa = private();
    let perm = &route.perms[index];
    let domain = &perm.domain;
    let params = &perm.params;
    let vars = params.iter().map(|&i| route.params[i].ident.to_string());
    let mode = match &perm.mode {
        Some(Lit::Str(s)) => quote!(::core::option::Option::Some(#s)),
        Some(Lit::Int(i)) => {
            let digits = i.base10_digits();
            quote!(::core::option::Option::Some(#digits))
        }
        _ => quote!(::core::option::Option::None),
    };
    quote! {
        #fsa::AuthzItem::Perm(#fsa::PermSpec {
            domain: #domain,
            vars: &[#(#vars),*],
            params: &[#(#params),*],
            index: #index,
            mode: #mode,
        })
    }
}

/// How a parameter is read: its `#[cast]` function, or the first reading
/// its type allows (autoref specialization, see the runtime's
/// `params::dispatch`); a type that allows none is an error on the type.
fn strategy(param: &Param) -> TokenStream {
    let fsa = private();
    let ty = &param.ty;
    if let Some(cast) = &param.cast {
        return cast_strategy(ty, cast);
    }
    quote_spanned! {ty.span()=>
        {
            #[allow(unused_imports)]
            use #fsa::dispatch::{
                ViaExtractor as _, ViaFromStr as _, ViaFromStrOption as _, ViaFromStrVec as _,
                ViaNothing as _, ViaParam as _, ViaSerde as _, ViaSerdeOption as _,
                ViaSerdeVec as _, ViaSpecial as _, ViaTextSerde as _, ViaTextSerdeOption as _,
                ViaTextSerdeVec as _,
            };
            (&&&&&&&&&&#fsa::dispatch::Wrap::<#ty>::NEW).strategy()
        }
    }
}

/// The strategy of `#[cast(f)] x: T` (or `Option<T>`, `Vec<T>`): the whole
/// call at `f`, the only error of an `f` that does not give a `T`.
fn cast_strategy(ty: &Type, cast: &Expr) -> TokenStream {
    let span = cast.span();
    let fsa = private_at(span);
    let make = match crate::params::container(ty) {
        Some(("Option", item)) => quote_spanned!(span=> cast_option::<#item, _, _>),
        Some(("Vec", item)) => quote_spanned!(span=> cast_vec::<#item, _, _>),
        _ => quote_spanned!(span=> cast_one::<#ty, _, _>),
    };
    quote_spanned!(span=> #fsa::dispatch::#make(#cast))
}

/// The body of `Route::call`: convert every parameter (collecting every
/// problem), check object permissions on the converted values, call the
/// handler, turn its result into a response.
fn call(route: &Route) -> TokenStream {
    let fsa = private();
    let mut function = route.function.clone();
    function.vis = syn::Visibility::Inherited;
    function.attrs.retain(|a| !a.path().is_ident("doc"));
    let name = &function.sig.ident;
    let slots: Vec<_> = (0..route.params.len())
        .map(|i| format_ident!("__fsa_p{}", i))
        .collect();
    let conversions = route.params.iter().enumerate().map(|(i, param)| {
        let ty = &param.ty;
        let slot = &slots[i];
        let how = strategy(param);
        match &param.default {
            Some((_, expr)) => {
                let default = quote_spanned!(expr.span()=> ::core::convert::Into::into(#expr));
                quote_spanned! {ty.span()=>
                    let #slot = __fsa_ctx.param_or_with::<#ty, _>(#i, #how, || #default).await;
                }
            }
            None => quote_spanned! {ty.span()=>
                let #slot = __fsa_ctx.param_with::<#ty, _>(#i, #how).await;
            },
        }
    });
    let perms = route.perms.iter().map(|perm| {
        let values = perm.params.iter().map(|&i| {
            let slot = &slots[i];
            let ty = &route.params[i].ty;
            quote_spanned!(ty.span()=> #fsa::perm_value(&#slot))
        });
        quote!(&[#(#values),*])
    });
    let perms = if route.perms.is_empty() {
        quote!()
    } else {
        quote!(__fsa_ctx.check_perms(&[#(#perms),*]).await?;)
    };
    let invoke = if function.sig.asyncness.is_some() {
        quote!(#name(#(#slots),*).await)
    } else {
        quote!(#name(#(#slots),*))
    };
    quote! {
        {
            #function
            #(#conversions)*
            __fsa_ctx.params_done()?;
            // The handler's arguments stay in `__fsa_p*`: binding them to the
            // parameters' names would shadow the handler in
            // `fn login(login: String)`.
            #(let #slots = #fsa::checked(#slots);)*
            #perms
            if let ::core::option::Option::Some(__fsa_early) = __fsa_ctx.before_exec() {
                return ::core::result::Result::Ok(__fsa_early);
            }
            let __fsa_output = #invoke;
            __fsa_ctx.respond(__fsa_output)
        }
    }
}
