//! How fsa's route tells fsa's middleware what it answered, for the
//! authorization guard (`pipeline::after_request`): an answer below 400
//! passes only if an fsa route authorized it.
//!
//! The middleware polls the routed request inside a [`Waiting::window`];
//! a route that answers in it says so in a thread-local, cheaper than the
//! request's extensions (a map) and written by nothing but fsa. A route
//! polled outside any window (a middleware inside fsa's running it in a
//! task of its own) marks the request's extensions instead. The design
//! holds because:
//!
//! - a request head's address is unique among live requests (the route's
//!   `HttpRequest` keeps its head alive while it runs);
//! - a route tells synchronously, inside the poll that makes its answer;
//! - windows nest: each gets back its own state when an inner one ends,
//!   and a window for the same request (a second fsa middleware) is told
//!   what the inner one was told;
//! - answers told twice for one request (a middleware inside fsa's calling
//!   the route again) add up: authorized if any was, as the marks do.
//!
//! One contrived nesting loses an answer, failing closed (a 500): a window
//! for request A inside another request's window, itself inside a window
//! for A (A's second fsa middleware polled inside B's poll).

use actix_web::{HttpMessage, HttpRequest};
use std::cell::Cell;

/// What the middleware knows of an answer: whether it passed an fsa
/// authorization (it may be a success), whether fsa made it (already
/// formatted). Two bits, so that answers add up with an `|`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Answer(u8);

impl Answer {
    const AUTHORIZED_BIT: u8 = 1;
    const FSA_BIT: u8 = 2;

    /// Nothing known: no fsa route answered.
    pub(crate) const NOTHING: Answer = Answer(0);
    /// An fsa answer that passed an authorization; also every answer fsa
    /// makes before routing (a refusal, a hook's own).
    pub(crate) const AUTHORIZED: Answer = Answer(Self::AUTHORIZED_BIT | Self::FSA_BIT);
    /// An fsa answer that did not: an error (already formatted).
    pub(crate) const REFUSED: Answer = Answer(Self::FSA_BIT);

    /// It passed an fsa authorization: it may be a success.
    pub(crate) fn authorized(self) -> bool {
        self.0 & Self::AUTHORIZED_BIT != 0
    }

    /// fsa made it, already formatted.
    pub(crate) fn fsa_made(self) -> bool {
        self.0 & Self::FSA_BIT != 0
    }

    /// Both answers together: authorized if either was.
    pub(crate) fn join(self, other: Answer) -> Answer {
        Answer(self.0 | other.0)
    }

    /// What the request's marks say.
    pub(crate) fn marked(request: &HttpRequest) -> Answer {
        let extensions = request.extensions();
        if extensions.contains::<AuthorizedAnswer>() {
            Answer::AUTHORIZED
        } else if extensions.contains::<RefusedAnswer>() {
            Answer::REFUSED
        } else {
            Answer::NOTHING
        }
    }
}

/// The marks of a route polled outside any window; zero-sized: setting one
/// allocates nothing. An fsa route answered, authorized: a success may
/// pass.
struct AuthorizedAnswer;
/// An fsa route answered an error (already formatted).
struct RefusedAnswer;

thread_local! {
    /// The request (its head's address) whose answer fsa's middleware
    /// waits for while it polls it, on this thread; 0 for none.
    static WAITING: Cell<usize> = const { Cell::new(0) };
    /// What fsa's route said of that answer.
    static TOLD: Cell<Answer> = const { Cell::new(Answer::NOTHING) };
}

/// The windows in which fsa's middleware polls a routed request.
pub(crate) struct Waiting;

impl Waiting {
    /// Polls with `poll` the routed request at `address` (see
    /// [`request_address`]); `told` gets what fsa's route said of its
    /// answer, if it answered then (added to what it had).
    #[inline]
    pub(crate) fn window<T>(address: usize, told: &mut Answer, poll: impl FnOnce() -> T) -> T {
        let _outer = Outer {
            address,
            waiting: WAITING.replace(address),
            told: TOLD.replace(Answer::NOTHING),
        };
        let polled = poll();
        *told = told.join(TOLD.get());
        polled
    }

    /// Tells the middleware that waits for `request` its `answer`, or
    /// marks the request's extensions when none waits on this thread.
    #[inline]
    pub(crate) fn tell(request: &HttpRequest, answer: Answer) {
        if WAITING.get() == request_address(request) {
            TOLD.set(TOLD.get().join(answer));
        } else if answer.authorized() {
            request.extensions_mut().insert(AuthorizedAnswer);
        } else {
            request.extensions_mut().insert(RefusedAnswer);
        }
    }
}

/// The window around a window, put back when the inner one ends (a panic
/// included).
struct Outer {
    /// The request the inner window waits for.
    address: usize,
    waiting: usize,
    told: Answer,
}

impl Drop for Outer {
    #[inline]
    fn drop(&mut self) {
        WAITING.set(self.waiting);
        // No window around: what is left in TOLD is never read (each
        // window starts with nothing told).
        if self.waiting == 0 {
            return;
        }
        // The same request's window (a second fsa middleware) is told what
        // the inner one was; another request's gets back its own.
        let told = if self.waiting == self.address {
            self.told.join(TOLD.get())
        } else {
            self.told
        };
        TOLD.set(told);
    }
}

/// The address that tells a live request from every other one.
#[inline]
pub(crate) fn request_address(request: &HttpRequest) -> usize {
    std::ptr::from_ref(request.head()) as usize
}

#[cfg(test)]
mod should {
    use super::*;
    use actix_web::test::TestRequest;

    const AUTHORIZED: Answer = Answer::AUTHORIZED;
    const REFUSED: Answer = Answer::REFUSED;
    const NOTHING: Answer = Answer::NOTHING;

    #[test]
    fn tell_the_window_that_waits_for_the_request() {
        let request = TestRequest::default().to_http_request();
        let mut told = NOTHING;
        Waiting::window(request_address(&request), &mut told, || {
            Waiting::tell(&request, AUTHORIZED)
        });
        assert_eq!(told, AUTHORIZED);
        assert_eq!(Answer::marked(&request), NOTHING);
    }

    #[test]
    fn mark_a_request_no_window_waits_for() {
        let request = TestRequest::default().to_http_request();
        Waiting::tell(&request, REFUSED);
        assert_eq!(Answer::marked(&request), REFUSED);
        let other = TestRequest::default().to_http_request();
        let mut told = NOTHING;
        // Inside another request's window: still a mark, never told.
        Waiting::window(request_address(&other), &mut told, || {
            Waiting::tell(&request, AUTHORIZED)
        });
        assert_eq!(told, NOTHING);
        assert_eq!(Answer::marked(&request), AUTHORIZED);
    }

    #[test]
    fn keep_nested_windows_apart() {
        let (a, b) = (
            TestRequest::default().to_http_request(),
            TestRequest::default().to_http_request(),
        );
        let (mut told_a, mut told_b) = (NOTHING, NOTHING);
        Waiting::window(request_address(&a), &mut told_a, || {
            Waiting::tell(&a, REFUSED);
            // Another request polled inside a's window: b's answer is b's.
            Waiting::window(request_address(&b), &mut told_b, || {
                Waiting::tell(&b, AUTHORIZED)
            });
        });
        assert_eq!((told_a, told_b), (REFUSED, AUTHORIZED));
        // A second fsa middleware around the same request is told too.
        let (mut outer, mut inner) = (NOTHING, NOTHING);
        Waiting::window(request_address(&a), &mut outer, || {
            Waiting::window(request_address(&a), &mut inner, || {
                Waiting::tell(&a, AUTHORIZED)
            })
        });
        assert_eq!((outer, inner), (AUTHORIZED, AUTHORIZED));
    }

    #[test]
    fn add_up_answers_told_twice() {
        let request = TestRequest::default().to_http_request();
        let mut told = NOTHING;
        Waiting::window(request_address(&request), &mut told, || {
            Waiting::tell(&request, AUTHORIZED);
            Waiting::tell(&request, REFUSED);
        });
        assert_eq!(told, AUTHORIZED);
    }

    #[test]
    fn start_each_window_with_nothing_told() {
        let (a, b) = (
            TestRequest::default().to_http_request(),
            TestRequest::default().to_http_request(),
        );
        let mut told_a = NOTHING;
        Waiting::window(request_address(&a), &mut told_a, || {
            Waiting::tell(&a, AUTHORIZED)
        });
        // b's window, after a's (what a's left behind is not b's).
        let mut told_b = NOTHING;
        Waiting::window(request_address(&b), &mut told_b, || ());
        assert_eq!((told_a, told_b), (AUTHORIZED, NOTHING));
    }

    #[test]
    fn put_back_the_outer_window_after_a_panic() {
        let (a, b) = (
            TestRequest::default().to_http_request(),
            TestRequest::default().to_http_request(),
        );
        let mut told_a = NOTHING;
        Waiting::window(request_address(&a), &mut told_a, || {
            let mut told_b = NOTHING;
            let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                Waiting::window(request_address(&b), &mut told_b, || {
                    Waiting::tell(&b, AUTHORIZED);
                    panic!("in b's poll")
                })
            }));
            assert!(panicked.is_err());
        });
        // b's authorization stayed b's.
        assert_eq!(told_a, NOTHING);
        Waiting::window(request_address(&a), &mut told_a, || {
            Waiting::tell(&a, AUTHORIZED)
        });
        assert_eq!(told_a, AUTHORIZED);
        // And no window is left open.
        Waiting::tell(&b, REFUSED);
        assert_eq!(Answer::marked(&b), REFUSED);
    }
}
