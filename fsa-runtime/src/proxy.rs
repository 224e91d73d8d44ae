//! Who the client is and how it came: the connection's peer and scheme, or,
//! when the peer is a trusted proxy (`FSA_TRUSTED_PROXIES`), what the proxy
//! says in the headers `FSA_PROXY_HEADERS` names: `X-Forwarded-For` and
//! `X-Forwarded-Proto` by default, `X-Forwarded-Host` when listed, or
//! RFC 7239's `Forwarded` instead. Nobody else's forwarding headers are
//! believed, nor headers of the family not chosen: a client writes them as
//! it likes, and a proxy passes unknown ones through.
//!
//! - The client address is found from the right of the `for` list: each
//!   address added by a trusted proxy is skipped, the first one that is not
//!   a trusted proxy is the client (as Rack and Express do). A trusted proxy
//!   that names no client (no header, `unknown`, an obfuscated name) leaves
//!   the client unknown, never the proxy's own address.
//! - The scheme and host are what the proxy that received the request from
//!   the client says: the last `X-Forwarded-Proto` and `X-Forwarded-Host`
//!   values (the proxy overwrites or appends them), or the `proto` and
//!   `host` of the `Forwarded` element where the walk stopped.
//! - A trusted proxy must say the scheme: without it, the request counts as
//!   plain HTTP.

use crate::config::{Config, Network, ProxyHeader};
use actix_web::{http::header::HeaderName, HttpRequest};
use std::net::{IpAddr, SocketAddr};

/// The most hops read from a forwarding header (its size is bounded by
/// `FSA_MAX_HEADER_SIZE` anyway).
const MAX_HOPS: usize = 32;

/// What a trusted proxy says about the client's request.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Forwarded {
    /// The client's address, when the proxy names one.
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
#[inline]
pub(crate) fn forwarded(request: &HttpRequest, config: &Config) -> Option<Forwarded> {
    if config.trusted_proxies.is_empty() {
        return None;
    }
    forwarded_by_proxy(request, config)
}

/// [`forwarded`] when some proxies are trusted.
fn forwarded_by_proxy(request: &HttpRequest, config: &Config) -> Option<Forwarded> {
    let trusted = &config.trusted_proxies;
    let peer = request.peer_addr()?.ip();
    if !is_trusted(trusted, peer) {
        return None;
    }
    let believed = |header| config.proxy_headers.contains(&header);
    if believed(ProxyHeader::Forwarded) {
        let hops = forwarded_hops(&joined(request, &actix_web::http::header::FORWARDED));
        let (client, at) = walk(trusted, peer, hops.iter().map(|hop| hop.client));
        let stop = at.and_then(|index| hops.get(index));
        return Some(Forwarded {
            client,
            https: stop.and_then(|hop| hop.proto.as_deref()).map(is_https_name),
            host: stop.and_then(|hop| hop.host.clone()).filter(|h| is_host(h)),
        });
    }
    let header = |name: &'static str| joined(request, &HeaderName::from_static(name));
    let client = if believed(ProxyHeader::XForwardedFor) {
        let addresses: Vec<Option<IpAddr>> = last_items(&header("x-forwarded-for"))
            .map(node_address)
            .collect();
        walk(trusted, peer, addresses.into_iter()).0
    } else {
        None
    };
    let last = |name| last_items(&header(name)).last().map(str::to_string);
    Some(Forwarded {
        client,
        https: believed(ProxyHeader::XForwardedProto)
            .then(|| last("x-forwarded-proto"))
            .flatten()
            .map(|proto| is_https_name(&proto)),
        host: believed(ProxyHeader::XForwardedHost)
            .then(|| last("x-forwarded-host"))
            .flatten()
            .filter(|host| is_host(host)),
    })
}

/// From the right of the hops' `for` addresses: skips each trusted
/// proxy's; the client, and the index of the hop that named it. A hop
/// that names nobody stops the walk with no client.
fn walk(
    trusted: &[Network],
    peer: IpAddr,
    hops: impl DoubleEndedIterator<Item = Option<IpAddr>> + ExactSizeIterator,
) -> (Option<IpAddr>, Option<usize>) {
    let mut client = Some(peer);
    let mut at = None;
    for (index, hop) in hops.enumerate().rev() {
        match client {
            Some(address) if is_trusted(trusted, address) => {
                client = hop;
                at = Some(index);
            }
            _ => break,
        }
    }
    match at {
        // No hop at all: the trusted proxy named nobody.
        None => (None, None),
        Some(index) => (client, Some(index)),
    }
}

fn is_https_name(proto: &str) -> bool {
    proto.trim().eq_ignore_ascii_case("https")
}

/// The client's address: the one a trusted proxy forwards (`None` when it
/// names nobody), else the connection's peer.
pub(crate) fn client_address(request: &HttpRequest, config: &Config) -> Option<IpAddr> {
    match forwarded(request, config) {
        Some(forwarded) => forwarded.client,
        None => request.peer_addr().map(|peer| peer.ip()),
    }
}

/// Whether the client came over HTTPS: the connection's TLS, or a trusted
/// proxy saying so.
pub(crate) fn is_https(request: &HttpRequest, config: &Config) -> bool {
    if request.app_config().secure() {
        return true;
    }
    forwarded(request, config).is_some_and(|f| f.https == Some(true))
}

/// `FSA_SECURE`'s rule: HTTPS (the connection's, or as a trusted proxy
/// says), or plain HTTP from a loopback peer that is not a trusted proxy.
pub(crate) fn is_secure_enough(request: &HttpRequest, config: &Config) -> bool {
    if request.app_config().secure() {
        return true;
    }
    match forwarded(request, config) {
        Some(forwarded) => forwarded.https == Some(true),
        None => request
            .peer_addr()
            .is_none_or(|peer| peer.ip().is_loopback()),
    }
}

/// The scheme and host of the URL the client asked for.
pub(crate) fn origin(request: &HttpRequest, config: &Config) -> (&'static str, String) {
    let forwarded = forwarded(request, config);
    let https =
        request.app_config().secure() || forwarded.as_ref().is_some_and(|f| f.https == Some(true));
    let host = forwarded.and_then(|f| f.host).unwrap_or_else(|| {
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

/// One `Forwarded` element: who the proxy received the request from, how,
/// for which host.
#[derive(Debug, Default)]
struct Hop {
    client: Option<IpAddr>,
    proto: Option<String>,
    host: Option<String>,
}

/// Every value of a header, joined by commas as lists are (RFC 9110 5.3).
/// Bytes that are not text become replacement characters: a client's
/// garbage spoils its own item, not the proxy's after it.
fn joined(request: &HttpRequest, name: &HeaderName) -> String {
    let texts: Vec<String> = request
        .headers()
        .get_all(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .collect();
    texts.join(",")
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

/// The last [`MAX_HOPS`] items of a comma-separated list, trimmed, in
/// order.
fn last_items(text: &str) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
    let mut items: Vec<&str> = text
        .rsplit(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .take(MAX_HOPS)
        .collect();
    items.reverse();
    items.into_iter()
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

    fn config(text: &str) -> Config {
        Config::from_toml_str(text).unwrap()
    }

    fn from(peer: &str, headers: &[(&str, &[u8])]) -> HttpRequest {
        let mut request = TestRequest::get()
            .uri("/x")
            .peer_addr(format!("{peer}:4000").parse().unwrap());
        for (name, value) in headers {
            let value = actix_web::http::header::HeaderValue::from_bytes(value).unwrap();
            request = request.append_header((*name, value));
        }
        request.to_http_request()
    }

    const PRIVATE: &str = "FSA_TRUSTED_PROXIES = [\"10.0.0.0/8\"]";

    #[test]
    fn believe_only_trusted_peers() {
        let proxies = config(PRIVATE);
        let headers: [(&str, &[u8]); 2] = [
            ("X-Forwarded-For", b"203.0.113.9"),
            ("X-Forwarded-Proto", b"https"),
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
            forwarded(&request, &config("")).is_none(),
            "nobody is trusted by default"
        );
    }

    #[test]
    fn skip_trusted_hops_from_the_right() {
        let proxies = config(PRIVATE);
        // the client wrote 198.51.100.1 itself: the proxies appended the rest
        let request = from(
            "10.0.0.2",
            &[("X-Forwarded-For", b"198.51.100.1, 203.0.113.9, 10.0.0.1")],
        );
        assert_eq!(
            client_address(&request, &proxies),
            "203.0.113.9".parse().ok()
        );
        let only_proxies = from("10.0.0.2", &[("X-Forwarded-For", b"10.0.0.5")]);
        assert_eq!(
            client_address(&only_proxies, &proxies),
            "10.0.0.5".parse().ok()
        );
    }

    #[test]
    fn leave_the_client_unknown_when_a_trusted_proxy_names_nobody() {
        let proxies = config(PRIVATE);
        let silent = from("10.0.0.2", &[]);
        assert_eq!(
            client_address(&silent, &proxies),
            None,
            "not the proxy's own"
        );
        let unknown = from("10.0.0.2", &[("X-Forwarded-For", b"unknown")]);
        assert_eq!(client_address(&unknown, &proxies), None);
        // a client's garbage spoils its own item only
        let garbled = from("10.0.0.2", &[("X-Forwarded-For", b"\xff\xfe, 203.0.113.9")]);
        assert_eq!(
            client_address(&garbled, &proxies),
            "203.0.113.9".parse().ok()
        );
        // no scheme said: plain HTTP
        assert!(!is_secure_enough(&silent, &proxies));
    }

    #[test]
    fn read_only_the_chosen_family() {
        let x_forwarded = config("FSA_TRUSTED_PROXIES = [\"127.0.0.1\"]");
        // A client's Forwarded, passed through by a proxy that writes X-Forwarded-*.
        let request = from(
            "127.0.0.1",
            &[
                ("Forwarded", b"for=127.0.0.1;proto=https;host=evil.example"),
                ("X-Forwarded-For", b"203.0.113.9"),
                ("X-Forwarded-Proto", b"http"),
                ("X-Forwarded-Host", b"evil.example"),
                ("Host", b"app.example"),
            ],
        );
        assert!(!is_secure_enough(&request, &x_forwarded));
        assert_eq!(
            client_address(&request, &x_forwarded),
            "203.0.113.9".parse().ok()
        );
        assert_eq!(
            origin(&request, &x_forwarded),
            ("http", "app.example".to_string())
        );
        let with_host = config(
            "FSA_TRUSTED_PROXIES = [\"127.0.0.1\"]\nFSA_PROXY_HEADERS = [\"x-forwarded-for\", \"x-forwarded-proto\", \"x-forwarded-host\"]",
        );
        assert_eq!(
            origin(&request, &with_host),
            ("http", "evil.example".to_string())
        );
        let rfc =
            config("FSA_TRUSTED_PROXIES = [\"127.0.0.1\"]\nFSA_PROXY_HEADERS = [\"forwarded\"]");
        let request = from(
            "127.0.0.1",
            &[
                ("Forwarded", b"for=\"[2001:db8::17]:4711\";proto=http, for=192.0.2.60;proto=https;host=shop.example"),
                ("X-Forwarded-Proto", b"http"),
            ],
        );
        let seen = forwarded(&request, &rfc).unwrap();
        assert_eq!(seen.client, "192.0.2.60".parse().ok());
        assert_eq!(seen.https, Some(true));
        assert_eq!(
            origin(&request, &rfc),
            ("https", "shop.example".to_string())
        );
    }

    #[test]
    fn take_the_scheme_of_the_hop_that_met_the_client() {
        // CDN (public) -> load balancer 10.0.0.1 -> app: the CDN met the client over HTTPS.
        let rfc = config(
            "FSA_TRUSTED_PROXIES = [\"10.0.0.0/8\", \"198.51.100.0/24\"]\nFSA_PROXY_HEADERS = [\"forwarded\"]",
        );
        let request = from(
            "10.0.0.1",
            &[(
                "Forwarded",
                b"for=203.0.113.9;proto=https, for=198.51.100.7;proto=http",
            )],
        );
        let seen = forwarded(&request, &rfc).unwrap();
        assert_eq!(seen.client, "203.0.113.9".parse().ok());
        assert_eq!(seen.https, Some(true));
    }

    #[test]
    fn refuse_plain_http_said_by_a_loopback_proxy() {
        let proxies = config("FSA_TRUSTED_PROXIES = [\"127.0.0.1\"]");
        let plain = from("127.0.0.1", &[("X-Forwarded-Proto", b"http")]);
        assert!(!is_secure_enough(&plain, &proxies));
        assert!(
            is_secure_enough(&plain, &config("")),
            "loopback, no proxy: local use"
        );
    }

    #[test]
    fn keep_the_request_host_unless_a_trusted_proxy_names_a_sane_one() {
        let proxies = config(
            "FSA_TRUSTED_PROXIES = [\"10.0.0.1\"]\nFSA_PROXY_HEADERS = [\"x-forwarded-proto\", \"x-forwarded-host\"]",
        );
        let untrusted = from(
            "192.0.2.7",
            &[
                ("Host", b"app.example"),
                ("X-Forwarded-Host", b"evil.example"),
            ],
        );
        assert_eq!(
            origin(&untrusted, &proxies),
            ("http", "app.example".to_string())
        );
        let odd = from(
            "10.0.0.1",
            &[
                ("Host", b"app.example"),
                ("X-Forwarded-Host", b"evil.example/x?"),
            ],
        );
        assert_eq!(origin(&odd, &proxies), ("http", "app.example".to_string()));
        let named = from(
            "10.0.0.1",
            &[
                ("Host", b"app.example"),
                ("X-Forwarded-Host", b"shop.example:8443"),
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
