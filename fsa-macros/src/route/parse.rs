//! The route attribute, parsed into a model that keeps every token's span.

use crate::diag::Once;
use proc_macro2::Span;
use syn::{
    bracketed, parenthesized, parse::ParseStream, punctuated::Punctuated, Ident, Lit, LitInt,
    LitStr, Token,
};

/// The options of a route attribute, as spelled in the source.
pub(crate) mod key {
    pub(crate) const AUTHZ: &str = "authz";
    pub(crate) const AUTHN: &str = "authn";
    pub(crate) const REALM: &str = "realm";
    pub(crate) const METHOD: &str = "method";
}

/// `#[get("/path", authz = ..., authn = ..., realm = ...)]`.
pub(crate) struct RouteAttr {
    /// The path literal.
    pub(crate) path: LitStr,
    /// `method = "..."` items of `#[route]`.
    pub(crate) methods: Vec<LitStr>,
    /// `authz = ...`, with its key for messages.
    pub(crate) authz: Option<(Ident, Vec<AuthzItem>)>,
    /// `authn = ...`: the schemes of this route.
    pub(crate) authn: Option<(Ident, Vec<LitStr>)>,
    /// `realm = "..."`.
    pub(crate) realm: Option<(Ident, LitStr)>,
}

/// The pseudo-groups, with FlaskSimpleAuth's aliases.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Pseudo {
    /// `OPEN`, `NOAUTH`: no authentication.
    Open,
    /// `AUTH`, `AUTHENTICATED`: any authenticated user.
    Auth,
    /// `CLOSE`, `NOBODY`: nobody.
    Close,
}

/// One item of `authz`; `P` is an object permission as written ([`Perm`])
/// until validation resolves it.
pub(crate) enum AuthzItem<P = Perm> {
    /// `"OPEN"`, `"AUTH"`, `"CLOSE"` or an alias.
    Pseudo(Pseudo, LitStr),
    /// A group name (or an OAuth scope on `authn = "oauth"` routes).
    Group(LitStr),
    /// An integer group.
    IntGroup(LitInt),
    /// A group named by a `&'static str` constant: `groups::ADMIN`, so that
    /// a misspelt group is a compile error.
    GroupConst(syn::Path),
    /// An object permission tuple.
    Perm(P),
    /// `any(...)`: one of the items must pass.
    Any(Ident, Vec<AuthzItem<P>>),
    /// `all(...)`: every item must pass.
    All(Ident, Vec<AuthzItem<P>>),
}

/// `("domain", "var", "mode")`.
pub(crate) struct Perm {
    /// The span of the whole tuple.
    pub(crate) span: Span,
    /// The permission domain, registered with `object_perms`.
    pub(crate) domain: LitStr,
    /// `"sid"` or `"a:b"`; `None` means the first parameter.
    pub(crate) vars: Option<LitStr>,
    /// The mode given to the hook.
    pub(crate) mode: Option<Lit>,
}

/// The options of a route attribute while it is read: each at most once,
/// except `method`.
struct Options {
    /// `method = "..."` items, in order.
    methods: Vec<LitStr>,
    /// `authz = ...`.
    authz: Once<(Ident, Vec<AuthzItem>)>,
    /// `authn = ...`.
    authn: Once<(Ident, Vec<LitStr>)>,
    /// `realm = "..."`.
    realm: Once<(Ident, LitStr)>,
    /// Whether `method = ...` is allowed (only in `#[route]`).
    allow_method: bool,
}

impl RouteAttr {
    /// Parses the attribute; `allow_method` for `#[route]`.
    pub(crate) fn parse_with(input: ParseStream, allow_method: bool) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input
                .error("a route needs a path and `authz`: write `(\"/path\", authz = \"AUTH\")`"));
        }
        let path: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "a route starts with its path: `(\"/path\", authz = ...)`",
            )
        })?;
        let mut options = Options::new(allow_method);
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            input
                .parse::<Token![=]>()
                .map_err(|e| syn::Error::new(e.span(), format!("expected `=` after `{key}`")))?;
            options.parse_option(key, input)?;
        }
        Ok(options.into_attr(path))
    }
}

impl Options {
    fn new(allow_method: bool) -> Self {
        Self {
            methods: Vec::new(),
            authz: Once::new(key::AUTHZ),
            authn: Once::new(key::AUTHN),
            realm: Once::new(key::REALM),
            allow_method,
        }
    }

    fn into_attr(self, path: LitStr) -> RouteAttr {
        RouteAttr {
            path,
            methods: self.methods,
            authz: self.authz.get(),
            authn: self.authn.get(),
            realm: self.realm.get(),
        }
    }

    fn parse_option(&mut self, key: Ident, input: ParseStream) -> syn::Result<()> {
        let name = key.to_string();
        match name.as_str() {
            key::AUTHZ => {
                let items = parse_authz(input)?;
                self.authz.set(&key, (key.clone(), items))
            }
            key::AUTHN => {
                let schemes = parse_authn(input)?;
                self.authn.set(&key, (key.clone(), schemes))
            }
            key::REALM => {
                let realm: LitStr = input.parse().map_err(|e| {
                    syn::Error::new(e.span(), "`realm` is a string: `realm = \"acme-mfa\"`")
                })?;
                self.realm.set(&key, (key.clone(), realm))
            }
            key::METHOD if self.allow_method => {
                let method: LitStr = input.parse().map_err(|e| {
                    syn::Error::new(e.span(), "`method` is a string: `method = \"GET\"`")
                })?;
                self.methods.push(method);
                Ok(())
            }
            _ => {
                let allowed = if self.allow_method {
                    "`method`, `authz`, `authn` or `realm`"
                } else {
                    "`authz`, `authn` or `realm`"
                };
                let hint = if name == key::METHOD {
                    " (several methods: use `#[route(\"/path\", method = \"GET\", method = \"POST\", ...)]`)"
                } else {
                    ""
                };
                Err(syn::Error::new(
                    key.span(),
                    format!("unknown route option `{key}`: expected {allowed}{hint}"),
                ))
            }
        }
    }
}

const AUTHZ_FORMS: &str = "expected a group name \"employee\", a group constant `groups::EMPLOYEE`, an integer group, \"OPEN\", \"AUTH\", \"CLOSE\", an object permission (\"domain\", \"var\", \"mode\"), any(...), all(...), or a list [...] of these";

fn parse_authz(input: ParseStream) -> syn::Result<Vec<AuthzItem>> {
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = bracketed!(content in input);
        let items = parse_items(&content)?;
        if items.is_empty() {
            return Err(syn::Error::new(
                bracket.span.join(),
                "empty `authz` list: name who may call this route, e.g. `authz = \"AUTH\"`",
            ));
        }
        Ok(items)
    } else {
        Ok(vec![parse_item(input)?])
    }
}

fn parse_items(input: ParseStream) -> syn::Result<Vec<AuthzItem>> {
    let items = Punctuated::<AuthzItem, Token![,]>::parse_terminated_with(input, parse_item)?;
    Ok(items.into_iter().collect())
}

fn parse_item(input: ParseStream) -> syn::Result<AuthzItem> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return classify(lit);
    }
    if input.peek(LitInt) {
        return Ok(AuthzItem::IntGroup(input.parse()?));
    }
    if input.peek(syn::token::Paren) {
        return parse_perm(input).map(AuthzItem::Perm);
    }
    if input.peek(Ident) && input.peek2(syn::token::Paren) {
        let ident: Ident = input.parse()?;
        let combinator = ident.to_string();
        if combinator == "any" || combinator == "all" {
            let content;
            let parens = parenthesized!(content in input);
            let items = parse_items(&content)?;
            if items.is_empty() {
                return Err(syn::Error::new(
                    parens.span.join(),
                    format!("empty `{combinator}(...)`: give it at least one item"),
                ));
            }
            return Ok(if combinator == "any" {
                AuthzItem::Any(ident, items)
            } else {
                AuthzItem::All(ident, items)
            });
        }
        return Err(syn::Error::new(
            ident.span(),
            format!("unknown authz combinator `{ident}`: expected `any(...)` or `all(...)`"),
        ));
    }
    if input.peek(syn::token::Bracket) {
        return Err(input.error("a list inside `authz`: use `all(...)` or `any(...)` to nest"));
    }
    if input.peek(Ident)
        || input.peek(Token![::])
        || input.peek(Token![crate])
        || input.peek(Token![self])
        || input.peek(Token![super])
    {
        return Ok(AuthzItem::GroupConst(input.parse()?));
    }
    Err(input.error(format!("unexpected `authz` item: {AUTHZ_FORMS}")))
}

fn classify(lit: LitStr) -> syn::Result<AuthzItem> {
    let pseudo = match lit.value().as_str() {
        "OPEN" | "NOAUTH" => Pseudo::Open,
        "AUTH" | "AUTHENTICATED" => Pseudo::Auth,
        "CLOSE" | "NOBODY" => Pseudo::Close,
        deprecated @ ("ANY" | "ALL" | "NONE") => {
            let instead = match deprecated {
                "ANY" => "OPEN",
                "ALL" => "AUTH",
                _ => "CLOSE",
            };
            return Err(syn::Error::new(
                lit.span(),
                format!("\"{deprecated}\" is deprecated in FlaskSimpleAuth: write \"{instead}\""),
            ));
        }
        "" => {
            return Err(syn::Error::new(
                lit.span(),
                "empty group name: name a group, or write \"AUTH\"",
            ))
        }
        _ => return Ok(AuthzItem::Group(lit)),
    };
    Ok(AuthzItem::Pseudo(pseudo, lit))
}

fn parse_perm(input: ParseStream) -> syn::Result<Perm> {
    let content;
    let parens = parenthesized!(content in input);
    let span = parens.span.join();
    let lits = Punctuated::<Lit, Token![,]>::parse_terminated(&content)?;
    let mut lits = lits.into_iter();
    let string = |lit: Option<Lit>, what: &str| -> syn::Result<Option<LitStr>> {
        match lit {
            None => Ok(None),
            Some(Lit::Str(s)) => Ok(Some(s)),
            Some(other) => Err(syn::Error::new(
                other.span(),
                format!("the {what} of an object permission is a string"),
            )),
        }
    };
    let domain = string(lits.next(), "domain")?.ok_or_else(|| {
        syn::Error::new(
            span,
            "an object permission names its domain: (\"store\", \"sid\", \"manager\")",
        )
    })?;
    let vars = string(lits.next(), "variable")?;
    let mode = match lits.next() {
        None => None,
        Some(lit @ (Lit::Str(_) | Lit::Int(_))) => Some(lit),
        Some(other) => {
            return Err(syn::Error::new(
                other.span(),
                "the mode of an object permission is a string or an integer",
            ))
        }
    };
    if let Some(extra) = lits.next() {
        return Err(syn::Error::new(
            extra.span(),
            "an object permission has at most 3 items: (\"domain\", \"var\", \"mode\")",
        ));
    }
    Ok(Perm {
        span,
        domain,
        vars,
        mode,
    })
}

fn parse_authn(input: ParseStream) -> syn::Result<Vec<LitStr>> {
    let not_a_scheme = |span| {
        syn::Error::new(
            span,
            "`authn` is a scheme name or a list of them: `authn = \"basic\"` or `authn = [\"token\", \"basic\"]`",
        )
    };
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = bracketed!(content in input);
        let mut schemes = Vec::new();
        while !content.is_empty() {
            let lit: LitStr = content.parse().map_err(|e| not_a_scheme(e.span()))?;
            schemes.push(lit);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        if schemes.is_empty() {
            return Err(not_a_scheme(bracket.span.join()));
        }
        Ok(schemes)
    } else {
        let lit: LitStr = input.parse().map_err(|e| not_a_scheme(e.span()))?;
        Ok(vec![lit])
    }
}

impl AuthzItem {
    /// The span to point at for this item.
    pub(crate) fn span(&self) -> Span {
        match self {
            Self::Pseudo(_, lit) | Self::Group(lit) => lit.span(),
            Self::IntGroup(lit) => lit.span(),
            Self::GroupConst(path) => syn::spanned::Spanned::span(path),
            Self::Perm(perm) => perm.span,
            Self::Any(ident, _) | Self::All(ident, _) => ident.span(),
        }
    }
}

impl<P> AuthzItem<P> {
    /// Visits this item and the items nested in it, depth first.
    pub(crate) fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a AuthzItem<P>)) {
        visit(self);
        if let Self::Any(_, items) | Self::All(_, items) = self {
            for item in items {
                item.walk(visit);
            }
        }
    }

    /// This item with each object permission replaced by `f`'s result, in
    /// the order of [`walk`](Self::walk).
    pub(crate) fn map_perms<Q>(self, f: &mut impl FnMut(P) -> Q) -> AuthzItem<Q> {
        let map = |items: Vec<Self>, f: &mut _| items.into_iter().map(|i| i.map_perms(f)).collect();
        match self {
            Self::Pseudo(pseudo, lit) => AuthzItem::Pseudo(pseudo, lit),
            Self::Group(lit) => AuthzItem::Group(lit),
            Self::IntGroup(lit) => AuthzItem::IntGroup(lit),
            Self::GroupConst(path) => AuthzItem::GroupConst(path),
            Self::Perm(perm) => AuthzItem::Perm(f(perm)),
            Self::Any(ident, items) => AuthzItem::Any(ident, map(items, f)),
            Self::All(ident, items) => AuthzItem::All(ident, map(items, f)),
        }
    }
}
