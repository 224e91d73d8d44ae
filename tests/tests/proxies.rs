//! Behind a TLS proxy: `FSA_TRUSTED_PROXIES` names the proxies whose
//! forwarding headers are believed, for `FSA_SECURE`, the token cookie's
//! `Secure` flag, the 401 redirect's URL and the client's address; nobody
//! else's (issues 15 and 20).

use fsa_runtime::prelude::*;
use fsa_tests::{build, get_user_pass, send, serve, status_body};

#[get("/who", authz = "AUTH")]
async fn who(user: CurrentUser) -> String {
    user.0
}

fn app(config: &str) -> Fsa {
    build(
        fsa_tests::from_toml(
            "acme",
            &format!("FSA_AUTH = [\"token\", \"basic\"]\n{config}"),
        )
        .get_user_pass(get_user_pass)
        .routes(routes![who]),
    )
}

const PROXY: &str = "FSA_TRUSTED_PROXIES = [\"127.0.0.1\", \"10.0.0.0/8\"]";

#[actix_web::test]
async fn a_trusted_proxy_saying_plain_http_is_refused_and_https_served() {
    let srv = serve(app(PROXY));
    let calvin = || srv.get("/who").basic_auth("calvin", "hobbes-rules");
    let (status, body) = status_body(calvin().insert_header(("X-Forwarded-Proto", "http"))).await;
    assert_eq!(status, 500);
    assert!(body.starts_with("insecure HTTP request denied"), "{body}");
    let https = ("X-Forwarded-Proto", "https");
    assert_eq!(
        status_body(calvin().insert_header(https)).await,
        (200, "calvin".into())
    );
    // A trusted proxy must say the scheme: silent, it is plain HTTP.
    assert_eq!(status_body(calvin()).await.0, 500);
    // A client's own Forwarded (a family this proxy does not write) is
    // ignored, whatever it says.
    let forged = ("Forwarded", "for=127.0.0.1;proto=https");
    let plain = ("X-Forwarded-Proto", "http");
    let request = calvin().insert_header(forged).insert_header(plain);
    assert_eq!(status_body(request).await.0, 500);
    // A proxy writing RFC 7239's Forwarded, when that is the family chosen.
    let srv = serve(app(&format!(
        "{PROXY}\nFSA_PROXY_HEADERS = [\"forwarded\"]"
    )));
    let calvin = || srv.get("/who").basic_auth("calvin", "hobbes-rules");
    let plain = ("Forwarded", "for=203.0.113.9;proto=http");
    assert_eq!(status_body(calvin().insert_header(plain)).await.0, 500);
    let https = ("Forwarded", "for=203.0.113.9;proto=https");
    assert_eq!(status_body(calvin().insert_header(https)).await.0, 200);
}

#[actix_web::test]
async fn an_untrusted_peer_saying_https_is_still_plain_http() {
    let fsa = app("FSA_TRUSTED_PROXIES = [\"10.0.0.0/8\"]");
    let service = actix_web::test::init_service(fsa.app()).await;
    let call = |peer: &str| {
        actix_web::test::TestRequest::get()
            .uri("/who")
            .peer_addr(format!("{peer}:4000").parse().unwrap())
            .insert_header(("X-Forwarded-Proto", "https"))
            .insert_header(("Authorization", "Basic Y2FsdmluOmhvYmJlcy1ydWxlcw=="))
            .to_request()
    };
    let refused = actix_web::test::call_service(&service, call("192.0.2.7")).await;
    assert_eq!(refused.status(), 500);
    let served = actix_web::test::call_service(&service, call("10.1.2.3")).await;
    assert_eq!(served.status(), 200);
}

#[actix_web::test]
async fn the_token_cookie_is_secure_when_a_trusted_proxy_says_https() {
    let cookie_app = |more: &str| app(&format!("FSA_TOKEN_CARRIER = \"cookie\"\n{more}"));
    let https = ("X-Forwarded-Proto", "https");
    for (config, secure) in [(PROXY, Some(true)), ("", None)] {
        let srv = serve(cookie_app(config));
        let request = srv.get("/who").basic_auth("calvin", "hobbes-rules");
        let response = request.insert_header(https).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let cookie = response.cookie("auth").expect("a token cookie");
        assert_eq!(cookie.secure(), secure, "{config:?}");
    }
}

#[actix_web::test]
async fn the_401_redirect_names_the_host_a_trusted_proxy_forwards_and_no_other() {
    let redirect = "FSA_401_REDIRECT = \"/login-page\"\nFSA_URL_NAME = \"next\"";
    let client = awc::Client::builder().disable_redirects().finish();
    let spoofed = [
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Proto", "https"),
    ];
    let srv = serve(app(redirect));
    let mut request = client.get(srv.url("/who?a=1"));
    for header in spoofed {
        request = request.insert_header(header);
    }
    let answer = send(request).await;
    assert_eq!(answer.status, 307);
    let location = answer.header("location").unwrap();
    assert!(
        location.starts_with("/login-page?next=http%3A%2F%2F127.0.0.1%3A"),
        "{location}"
    );
    assert!(location.ends_with("%2Fwho%3Fa%3D1"), "{location}");
    // A trusted proxy: its scheme, but its host only when asked for (a
    // proxy that does not set X-Forwarded-Host passes the client's).
    let srv = serve(app(&format!("{redirect}\n{PROXY}")));
    let mut request = client.get(srv.url("/who?a=1"));
    for header in spoofed {
        request = request.insert_header(header);
    }
    let location = send(request).await.header("location").unwrap().to_string();
    assert!(
        location.starts_with("/login-page?next=https%3A%2F%2F127.0.0.1%3A"),
        "{location}"
    );
    let hosts = "FSA_PROXY_HEADERS = [\"x-forwarded-proto\", \"x-forwarded-host\"]";
    let srv = serve(app(&format!("{redirect}\n{PROXY}\n{hosts}")));
    let mut request = client.get(srv.url("/who?a=1"));
    for header in spoofed {
        request = request.insert_header(header);
    }
    let answer = send(request).await;
    assert_eq!(
        answer.header("location"),
        Some("/login-page?next=https%3A%2F%2Fevil.example%2Fwho%3Fa%3D1"),
        "the trusted proxy's word"
    );
}

#[actix_web::test]
async fn fake_authentication_behind_a_trusted_proxy_trusts_the_client_not_the_proxy() {
    let fsa = build(
        fsa_tests::from_toml(
            "acme",
            &format!("FSA_AUTH = [\"fake\"]\nFSA_MODE = \"dev\"\n{PROXY}"),
        )
        .routes(routes![who]),
    );
    let srv = serve(fsa);
    let via_proxy = |client: Option<&'static str>| {
        let request = srv
            .get("/who?LOGIN=susie")
            .insert_header(("X-Forwarded-Proto", "https"));
        match client {
            Some(client) => request.insert_header(("X-Forwarded-For", client)),
            None => request,
        }
    };
    assert_eq!(
        status_body(via_proxy(Some("203.0.113.9"))).await.0,
        401,
        "remote"
    );
    assert_eq!(
        status_body(via_proxy(None)).await.0,
        401,
        "nobody named: not the proxy"
    );
    let local = via_proxy(Some("127.0.0.1"));
    assert_eq!(status_body(local).await, (200, "susie".into()));
}

#[test]
fn a_proxy_that_is_not_an_address_is_a_start_up_error() {
    let error = Fsa::from_toml_str(
        "acme",
        "FSA_AUTH = \"basic\"\nFSA_TRUSTED_PROXIES = [\"proxy.lan\"]",
    )
    .err()
    .expect("an error");
    assert!(
        error
            .to_string()
            .contains("FSA_TRUSTED_PROXIES: \"proxy.lan\" is not an IP address or network"),
        "{error}"
    );
}
