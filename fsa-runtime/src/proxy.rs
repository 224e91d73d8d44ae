//! Who the client is and how it came: the connection's peer and scheme, or,
//! when the peer is a trusted proxy (`FSA_TRUSTED_PROXIES`), what the proxy
//! says in `Forwarded` (RFC 7239) or else in `X-Forwarded-For`,
//! `X-Forwarded-Proto` and `X-Forwarded-Host`. Nobody else's forwarding
//! headers are believed: a client writes them as it likes.
//!
//! - The scheme and host are the nearest proxy's: the last `proto` and
//!   `host` of the headers, as that proxy wrote or appended them.
//! - The client address is found from the right of the `for` list: each
//!   address added by a trusted proxy is skipped, the first one that is not
//!   a trusted proxy is the client (as Rack and Express do); a list made
//!   only of trusted proxies gives its first address.

use crate::config::Network;
use actix_web::{http::header::HeaderName, HttpRequest};
use std::net::{IpAddr, SocketAddr};

/// The most hops read from a forwarding header (its size is bounded by
/// `FSA_MAX_HEADER_SIZE` anyway).
const MAX_HOPS: usize = 32;

/// What a trusted proxy says about the client's request.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Forwarded {
    /// The client's address, when the proxy names one (`None` for
    /// `unknown` or an obfuscated one).
    pub(crate) client: Option<IpAddr>,
    /// Whether the client came over HTTPS, when the proxy says.
    pub(crate) https: Option<bool>,
    /// The host the client asked for, when the proxy says.
    pub(crate) host: Option<String>,
}

/// Whether `address` is one of the trusted proxies.
fn is_trusted(trusted: &[Network], address: IpAddr) -> bool {
    trusted.iter().any(|network| network.contains(address))
}

/// What the proxy says, when the request comes from a trusted proxy.
pub(crate) fn forwarded(request: &HttpRequest, trusted: &[Network]) -> Option<Forwarded> {
    let peer = request.peer_addr()?.ip();
    if trusted.is_empty() || !is_trusted(trusted, peer) {
        return None;
    }
    let standard = joined(request, &actix_web::http::header::FORWARDED);
    let hops: Vec<Hop> = match &standard {
        Some(text) => forwarded_hops(text),
        None => x_forwarded_hops(request),
    };
    let last = hops.last();
    let https = last
        .and_then(|hop| hop.proto.as_deref())
        .map(|proto| proto.eq_ignore_ascii_case("https"));
    let host = last
        .and_then(|hop| hop.host.clone())
        .filter(|host| is_host(host));
    let mut client = Some(peer);
    for hop in hops.iter().rev() {
        match client {
            Some(address) if is_trusted(trusted, address) => client = hop.client,
            _ => break,
        }
    }
    Some(Forwarded {
        client: if hops.is_empty() { None } else { client },
        https,
        host,
    })
}

/// The client's address: the forwarded one from a trusted proxy, else
/// the connection's peer.
pub(crate) fn client_address(request: &HttpRequest, trusted: &[Network]) -> Option<IpAddr> {
    match forwarded(request, trusted) {
        Some(Forwarded {
            client: Some(client),
            ..
        }) => Some(client),
        _ => request.peer_addr().map(|peer| peer.ip()),
    }
}

/// Whether the client came over HTTPS: the connection's TLS, or a trusted
/// proxy saying so.
pub(crate) fn is_https(request: &HttpRequest, trusted: &[Network]) -> bool {
    forwarded(request, trusted)
        .and_then(|f| f.https)
        .unwrap_or_else(|| request.app_config().secure())
}

/// `FSA_SECURE`'s rule: HTTPS, or plain HTTP from a loopback peer that is
/// not a trusted proxy saying the client came over plain HTTP.
pub(crate) fn is_secure_enough(request: &HttpRequest, trusted: &[Network]) -> bool {
    if request.app_config().secure() {
        return true;
    }
    if let Some(https) = forwarded(request, trusted).and_then(|f| f.https) {
        return https;
    }
    request
        .peer_addr()
        .is_none_or(|peer| peer.ip().is_loopback())
}

/// The scheme and host of the URL the client asked for.
pub(crate) fn origin(request: &HttpRequest, trusted: &[Network]) -> (&'static str, String) {
    let forwarded = forwarded(request, trusted).unwrap_or_default();
    let https = forwarded
        .https
        .unwrap_or_else(|| request.app_config().secure());
    let host = forwarded.host.unwrap_or_else(|| {
        request
            .headers()
            .get(actix_web::http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .filter(|host| is_host(host))
            .map_or_else(|| request.app_config().host().to_string(), str::to_string)
    });
    (if https { "https" } else { "http" }, host)
}

/// A host and optional port, nothing that could change a URL's meaning.
fn is_host(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 255
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// One proxy's word: who it received the request from, how, for which host.
#[derive(Debug, Default)]
struct Hop {
    client: Option<IpAddr>,
    proto: Option<String>,
    host: Option<String>,
}

/// Every value of a header, joined by commas as lists are (RFC 9110 5.3).
fn joined(request: &HttpRequest, name: &HeaderName) -> Option<String> {
    let mut values = request.headers().get_all(name).peekable();
    values.peek()?;
    let texts: Vec<&str> = values.filter_map(|v| v.to_str().ok()).collect();
    Some(texts.join(","))
}

/// The last hops of `Forwarded: for=192.0.2.60;proto=https;host=a.example, ...`.
fn forwarded_hops(text: &str) -> Vec<Hop> {
    last_items(text)
        .map(|element| {
            let mut hop = Hop::default();
            for pair in element.split(';') {
                let Some((key, value)) = pair.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "for" => hop.client = node_address(value),
                    "proto" => hop.proto = Some(value.to_string()),
                    "host" => hop.host = Some(value.to_string()),
                    _ => {}
                }
            }
            hop
        })
        .collect()
}

/// The last hops of `X-Forwarded-For`, with the last `X-Forwarded-Proto`
/// and `X-Forwarded-Host` on the nearest one.
fn x_forwarded_hops(request: &HttpRequest) -> Vec<Hop> {
    let header = |name: &'static str| joined(request, &HeaderName::from_static(name));
    let mut hops: Vec<Hop> = header("x-forwarded-for")
        .map(|text| {
            last_items(&text)
                .map(|address| Hop {
                    client: node_address(address),
                    ..Hop::default()
                })
                .collect()
        })
        .unwrap_or_default();
    let last = |name| header(name).and_then(|text| last_items(&text).last().map(str::to_string));
    let (proto, host) = (last("x-forwarded-proto"), last("x-forwarded-host"));
    if hops.is_empty() && (proto.is_some() || host.is_some()) {
        hops.push(Hop::default());
    }
    if let Some(nearest) = hops.last_mut() {
        nearest.proto = proto;
        nearest.host = host;
    }
    hops
}

/// The last [`MAX_HOPS`] items of a comma-separated list, trimmed, in
/// order.
fn last_items(text: &str) -> impl Iterator<Item = &str> {
    let items: Vec<&str> = text.rsplit(',').take(MAX_HOPS).collect();
    items
        .into_iter()
        .rev()
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// An address as proxies write it: `192.0.2.60`, `192.0.2.60:4711`,
/// `[2001:db8::1]:4711`, `2001:db8::1`; `None` for `unknown` and
/// obfuscated names.
fn node_address(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            let inner = text.strip_prefix('[')?.split(']').next()?;
            inner.parse().ok()
        })
}

#[cfg(test)]
mod should {
    use super::*;
    use actix_web::test::TestRequest;

    fn trusted(list: &[&str]) -> Vec<Network> {
        list.iter().map(|t| t.parse().unwrap()).collect()
    }

    fn from(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut request = TestRequest::get()
            .uri("/x")
            .peer_addr(format!("{peer}:4000").parse().unwrap());
        for (name, value) in headers {
            request = request.append_header((*name, *value));
        }
        request.to_http_request()
    }

    #[test]
    fn believe_only_trusted_peers() {
        let proxies = trusted(&["10.0.0.0/8"]);
        let headers = [
            ("X-Forwarded-For", "203.0.113.9"),
            ("X-Forwarded-Proto", "https"),
        ];
        let request = from("192.0.2.7", &headers);
        assert_eq!(forwarded(&request, &proxies), None);
        assert!(!is_https(&request, &proxies));
        assert!(!is_secure_enough(&request, &proxies));
        assert_eq!(client_address(&request, &proxies), "192.0.2.7".parse().ok());
        let request = from("10.1.1.1", &headers);
        assert!(is_https(&request, &proxies));
        assert!(is_secure_enough(&request, &proxies));
        assert_eq!(
            client_address(&request, &proxies),
            "203.0.113.9".parse().ok()
        );
        assert!(
            forwarded(&request, &[]).is_none(),
            "nobody is trusted by default"
        );
    }

    #[test]
    fn skip_trusted_hops_from_the_right() {
        let proxies = trusted(&["10.0.0.0/8"]);
        // the client wrote 198.51.100.1 itself: the proxies appended the rest
        let request = from(
            "10.0.0.2",
            &[("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.0.0.1")],
        );
        assert_eq!(
            client_address(&request, &proxies),
            "203.0.113.9".parse().ok()
        );
        let only_proxies = from("10.0.0.2", &[("X-Forwarded-For", "10.0.0.5")]);
        assert_eq!(
            client_address(&only_proxies, &proxies),
            "10.0.0.5".parse().ok()
        );
    }

    #[test]
    fn read_rfc_7239_before_x_forwarded() {
        let proxies = trusted(&["127.0.0.1"]);
        let request = from(
            "127.0.0.1",
            &[
                ("Forwarded", "for=\"[2001:db8::17]:4711\";proto=http, for=192.0.2.60;proto=https;host=shop.example"),
                ("X-Forwarded-Proto", "http"),
            ],
        );
        let seen = forwarded(&request, &proxies).unwrap();
        assert_eq!(seen.client, "192.0.2.60".parse().ok());
        assert_eq!(seen.https, Some(true));
        assert_eq!(
            origin(&request, &proxies),
            ("https", "shop.example".to_string())
        );
    }

    #[test]
    fn refuse_plain_http_said_by_a_loopback_proxy() {
        let proxies = trusted(&["127.0.0.1"]);
        let plain = from("127.0.0.1", &[("X-Forwarded-Proto", "http")]);
        assert!(!is_secure_enough(&plain, &proxies));
        assert!(
            is_secure_enough(&plain, &[]),
            "loopback, no proxy: local use"
        );
        let silent = from("127.0.0.1", &[]);
        assert!(is_secure_enough(&silent, &proxies));
    }

    #[test]
    fn keep_the_request_host_unless_a_trusted_proxy_names_a_sane_one() {
        let proxies = trusted(&["10.0.0.1"]);
        let untrusted = from(
            "192.0.2.7",
            &[
                ("Host", "app.example"),
                ("X-Forwarded-Host", "evil.example"),
            ],
        );
        assert_eq!(
            origin(&untrusted, &proxies),
            ("http", "app.example".to_string())
        );
        let odd = from(
            "10.0.0.1",
            &[
                ("Host", "app.example"),
                ("X-Forwarded-Host", "evil.example/x?"),
            ],
        );
        assert_eq!(origin(&odd, &proxies), ("http", "app.example".to_string()));
        let named = from(
            "10.0.0.1",
            &[
                ("Host", "app.example"),
                ("X-Forwarded-Host", "shop.example:8443"),
            ],
        );
        assert_eq!(
            origin(&named, &proxies),
            ("http", "shop.example:8443".to_string())
        );
    }

    #[test]
    fn read_node_addresses_as_proxies_write_them() {
        assert_eq!(node_address("192.0.2.60:4711"), "192.0.2.60".parse().ok());
        assert_eq!(
            node_address("\"[2001:db8::1]:80\""),
            "2001:db8::1".parse().ok()
        );
        assert_eq!(node_address("[2001:db8::1]"), "2001:db8::1".parse().ok());
        assert_eq!(node_address("unknown"), None);
        assert_eq!(node_address("_hidden"), None);
    }
}
