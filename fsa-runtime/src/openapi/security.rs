//! Security schemes from the configuration, and each route's requirement:
//! its schemes as alternatives, its groups as the token's scopes on oauth
//! routes.

use crate::{
    config::{Config, TokenCarrier, TokenType},
    scheme::Scheme,
    tokens::Tokens,
};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes,
    SecurityRequirement, SecurityScheme,
};

/// The OpenAPI security schemes of the enabled fsa schemes, by name.
/// `none` needs none; `httpd` is the header the front server sets, a
/// custom scheme an `Authorization` header of the application's.
pub(crate) fn schemes(config: &Config, tokens: Option<&Tokens>) -> Vec<(String, SecurityScheme)> {
    let mut schemes = Vec::new();
    let uses = |name: &str| config.auth.iter().any(|s| s == name);
    if uses("basic") || uses("password") {
        schemes.push(("basic".into(), http(HttpAuthScheme::Basic, None)));
    }
    if uses("param") || uses("password") {
        let user = ApiKeyValue::with_description(
            config.param_user.as_str(),
            "the login (FSA_PARAM_USER), with the password parameter",
        );
        let pass = ApiKeyValue::with_description(
            config.param_pass.as_str(),
            "the password (FSA_PARAM_PASS), with the login parameter",
        );
        schemes.push((
            "param_user".into(),
            SecurityScheme::ApiKey(ApiKey::Query(user)),
        ));
        schemes.push((
            "param_pass".into(),
            SecurityScheme::ApiKey(ApiKey::Query(pass)),
        ));
    }
    if let (Some(tokens), true) = (tokens, uses("token")) {
        schemes.push(("token".into(), token_scheme(config, tokens)));
    }
    if uses("oauth") {
        let scopes: Scopes = config
            .authz_scopes
            .iter()
            .map(|s| (s.as_str(), s.as_str()))
            .collect();
        let options = config.openapi.clone().unwrap_or_default();
        let token_url = options
            .token_url
            .or_else(|| config.token_issuer.clone())
            .unwrap_or_default();
        let flow = Flow::ClientCredentials(ClientCredentials::new(token_url, scopes));
        schemes.push(("oauth".into(), SecurityScheme::OAuth2(OAuth2::new([flow]))));
    }
    if let (true, Some(header)) = (uses("httpd"), &config.httpd_header) {
        let set = ApiKeyValue::with_description(
            header.as_str(),
            "httpd authentication: the login, set by the fronting web server",
        );
        schemes.push(("httpd".into(), SecurityScheme::ApiKey(ApiKey::Header(set))));
    }
    // A scheme of the application's: fsa knows its name only.
    for name in config.auth.iter().filter(|n| !Scheme::is_built_in(n)) {
        let custom = ApiKeyValue::with_description(
            "Authorization",
            format!("the application's own scheme \"{name}\"").as_str(),
        );
        schemes.push((name.clone(), SecurityScheme::ApiKey(ApiKey::Header(custom))));
    }
    if uses("fake") {
        let login = ApiKeyValue::with_description(
            config.fake_login.as_str(),
            "fake authentication, for local tests only: the login itself",
        );
        schemes.push(("fake".into(), SecurityScheme::ApiKey(ApiKey::Query(login))));
    }
    schemes
}

/// An HTTP scheme.
fn http(scheme: HttpAuthScheme, format: Option<&str>) -> SecurityScheme {
    let mut http = HttpBuilder::new().scheme(scheme);
    if let Some(format) = format {
        http = http.bearer_format(format);
    }
    SecurityScheme::Http(http.build())
}

/// The token scheme, by carrier: bearer, or an API key in a header, a
/// cookie or a query parameter.
fn token_scheme(config: &Config, tokens: &Tokens) -> SecurityScheme {
    let format = match config.token_type {
        Some(TokenType::Jwt) => "JWT",
        _ => "fsa",
    };
    let described = |name: &str| {
        ApiKeyValue::with_description(
            name,
            format!("an {format} token (FSA_TOKEN_CARRIER)").as_str(),
        )
    };
    match tokens.carrier {
        TokenCarrier::Bearer if tokens.name.eq_ignore_ascii_case("bearer") => {
            http(HttpAuthScheme::Bearer, Some(format))
        }
        // `Authorization: <name> <token>`: no HTTP scheme says it.
        TokenCarrier::Bearer => {
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                format!("\"{} <token>\", an {format} token", tokens.name).as_str(),
            )))
        }
        TokenCarrier::Header => SecurityScheme::ApiKey(ApiKey::Header(described(&tokens.name))),
        TokenCarrier::Cookie => SecurityScheme::ApiKey(ApiKey::Cookie(described(&tokens.name))),
        TokenCarrier::Param => SecurityScheme::ApiKey(ApiKey::Query(described(&tokens.name))),
    }
}

/// A route's security: each of its schemes that has an OpenAPI form is an
/// alternative (`scopes` on oauth routes); `[]` for no scheme at all.
pub(crate) fn requirements(
    route_schemes: &[&str],
    documented: &[(String, SecurityScheme)],
    scopes: &[&str],
) -> Vec<SecurityRequirement> {
    let has = |name: &str| documented.iter().any(|(n, _)| n == name);
    let mut alternatives = Vec::new();
    for scheme in route_schemes {
        let requirement = match *scheme {
            "param" if has("param_user") => {
                SecurityRequirement::new("param_user", Vec::<String>::new())
                    .add("param_pass", Vec::<String>::new())
            }
            "oauth" if has("oauth") => SecurityRequirement::new("oauth", scopes.to_vec()),
            name if name != "param" && has(name) => {
                SecurityRequirement::new(name, Vec::<String>::new())
            }
            _ => continue,
        };
        if !alternatives.contains(&requirement) {
            alternatives.push(requirement);
        }
    }
    alternatives
}
