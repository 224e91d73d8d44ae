//! Property tests of the parsers that read what a client sends: whatever
//! the bytes, no panic, a refusal is a 4xx, and what can be written and
//! read back is. Bounded (a few hundred cases each) so that CI stays fast.

use crate::{
    authn::basic_credentials,
    cache::Cache,
    config::Config,
    params::{
        path::{decoded, path_problem},
        Body, RequestParams, Scalar,
    },
    tokens::{fsa as fsa_token, Tokens},
};
use base64::Engine;
use futures_util::FutureExt;
use proptest::prelude::*;

/// A local cache's answer: ready at once.
fn now<T>(future: impl std::future::Future<Output = T>) -> T {
    future
        .now_or_never()
        .expect("a local cache answers at once")
}

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

/// `text` with every byte percent-encoded, as a client may send it.
fn percent_encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn integers_read_back_what_they_write(n in any::<i64>(), m in any::<u8>()) {
        prop_assert_eq!(i64::from_http(&n.to_string()), Ok(n));
        let sign = if n < 0 { "-" } else { "" };
        prop_assert_eq!(i64::from_http(&format!("{sign}{:#x}", n.unsigned_abs())), Ok(n));
        prop_assert_eq!(u8::from_http(&format!("{m:#b}")), Ok(m));
        prop_assert_eq!(i64::from_json(&serde_json::json!(n)), Ok(n));
    }

    #[test]
    fn scalars_take_any_text_without_panicking(text in any::<String>()) {
        let _ = i64::from_http(&text);
        let _ = u16::from_http(&text);
        let _ = f64::from_http(&text);
        let _ = bool::from_http(&text);
        let _ = i32::from_path(&text);
        prop_assert_eq!(String::from_http(&text), Ok(text));
    }

    #[test]
    fn query_and_form_collection_never_panics(
        query in "[a-z0-9=&%+\\x00-\\x7f]{0,64}",
        form in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        match RequestParams::gather(&query, Some(Body::Form(&form)), 1000) {
            Ok(_) => {}
            Err(error) => prop_assert!(error.status().is_client_error()),
        }
    }

    #[test]
    fn query_values_read_back_what_a_client_encodes(
        pairs in proptest::collection::vec(("[a-zA-Z0-9_]{1,8}", "[^\\x00]{0,16}"), 0..8),
    ) {
        let query = serde_urlencoded::to_string(&pairs).unwrap();
        let params = RequestParams::gather(&query, None, 1000).unwrap();
        for (name, value) in &pairs {
            let first = pairs.iter().find(|(n, _)| n == name).unwrap();
            let got = match params.get(name) {
                Some(crate::params::Entry::Http(values)) => values.first().cloned(),
                _ => None,
            };
            prop_assert_eq!(got.as_deref(), Some(first.1.as_str()), "{} = {}", name, value);
        }
    }

    #[test]
    fn json_bodies_are_parameters_or_400(body in proptest::collection::vec(any::<u8>(), 0..128)) {
        if let Err(error) = RequestParams::gather("", Some(Body::Json(&body)), 1000) {
            prop_assert_eq!(error.status().as_u16(), 400);
        }
    }

    #[test]
    fn json_objects_are_read_whole(
        members in proptest::collection::btree_map("[a-z]{1,6}", any::<i32>(), 0..16),
    ) {
        let body = serde_json::to_vec(&members).unwrap();
        let params = RequestParams::gather("", Some(Body::Json(&body)), 1000).unwrap();
        prop_assert_eq!(params.iter().count(), members.len());
    }

    #[test]
    fn paths_decode_to_what_was_encoded(text in "[^\\x00-\\x1f\\x7f-\\u{9f}]{0,24}") {
        let raw = format!("/x/{}", percent_encoded(&text));
        prop_assert!(path_problem(&raw).is_none(), "{}", raw);
        // what actix leaves of a variable: %25, %2B and %2F escaped
        let left = text.replace('%', "%25").replace('+', "%2B").replace('/', "%2F");
        let whole = decoded(&left, true).map(|d| d.into_owned());
        prop_assert_eq!(whole.as_deref(), Some(text.as_str()));
        prop_assert_eq!(decoded(&left, false).is_some(), !text.contains('/'));
    }

    #[test]
    fn any_path_is_routed_or_refused_with_400(raw in any::<String>()) {
        if let Some(error) = path_problem(&raw) {
            prop_assert_eq!(error.status().as_u16(), 400);
        }
    }

    #[test]
    fn basic_credentials_read_back_what_a_client_encodes(
        login in "[^:]{0,16}",
        password in any::<String>(),
    ) {
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{login}:{password}"));
        for scheme in ["Basic", "basic", "BASIC"] {
            let header = format!("{scheme} {encoded}");
            prop_assert_eq!(
                basic_credentials(header.as_bytes()),
                Some(Ok((login.clone(), password.clone())))
            );
        }
    }

    #[test]
    fn basic_headers_of_any_bytes_never_panic(header in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = basic_credentials(&header);
    }

    #[test]
    fn fsa_tokens_read_back_and_anything_else_is_401(
        login in "[^:]{1,16}",
        junk in any::<String>(),
    ) {
        let config = Config::from_toml_str(
            "FSA_TOKEN_SECRET = \"a property test secret of 32 bytes!\"",
        ).unwrap();
        let tokens = Tokens::new(&config, "acme").unwrap().unwrap();
        let cache = Cache::new(&Config::default(), "acme").unwrap();
        let token = tokens.create(&login, &Default::default()).unwrap();
        prop_assert_eq!(&now(tokens.check(&cache, &token, "acme")).unwrap().login, &login);
        if let Err(error) = now(tokens.check(&cache, &junk, "acme")) {
            prop_assert_eq!(error.status().as_u16(), 401);
        }
        let (realm, algo) = ("acme", fsa_token::Algo::Blake2s);
        if let Err(error) = fsa_token::check(&junk, realm, algo, 16, "s", 0.0, 0.0) {
            prop_assert_eq!(error.status().as_u16(), 401);
        }
    }

    #[cfg(any(feature = "jwt", feature = "jwt-rust-crypto"))]
    #[test]
    fn jwts_of_any_text_are_refused_with_401(junk in any::<String>(), dots in "[A-Za-z0-9_.-]{0,64}") {
        let config = Config::from_toml_str(
            "FSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_SECRET = \"a property test secret of 32 bytes!\"",
        ).unwrap();
        let tokens = Tokens::new(&config, "acme").unwrap().unwrap();
        let cache = Cache::new(&Config::default(), "acme").unwrap();
        for token in [&junk, &dots] {
            if let Err(error) = now(tokens.check(&cache, token, "acme")) {
                prop_assert_eq!(error.status().as_u16(), 401);
            }
        }
    }

    #[test]
    fn bearer_headers_of_any_text_never_panic(header in "[ -~]{0,64}") {
        let config = Config::from_toml_str(
            "FSA_TOKEN_SECRET = \"a property test secret of 32 bytes!\"",
        ).unwrap();
        let tokens = Tokens::new(&config, "acme").unwrap().unwrap();
        let request = actix_web::test::TestRequest::get()
            .insert_header((actix_web::http::header::AUTHORIZATION, header.as_str()))
            .to_http_request();
        if let Some(token) = tokens.carried(&request, None) {
            prop_assert!(!token.is_empty());
            prop_assert!(header.to_ascii_lowercase().starts_with("bearer "));
        }
    }
}
