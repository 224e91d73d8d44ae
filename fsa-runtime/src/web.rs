//! Web helpers for applications: [`JsonStream`] answers, and
//! FlaskSimpleAuth's path rules ([`check_path`]).

pub use crate::stream::JsonStream;

/// FlaskSimpleAuth's `checkPath`, for [`FsaBuilder::path_check`](crate::FsaBuilder::path_check):
/// `/` alone, or segments that are lower-case words of two characters or
/// more joined by `-` (`store`, `my-store2`), or variables `<sid>`
/// (lower case, digits and `_`, no converter); no segment word may be an
/// HTTP method (`/get-store`). `None` when the path passes.
///
/// ```
/// use fsa_runtime::web::check_path;
///
/// assert_eq!(check_path("GET", "/store/<sid>/product"), None);
/// assert!(check_path("GET", "/Store").is_some());
/// assert!(check_path("GET", "/get-store").is_some());
/// ```
pub fn check_path(_method: &str, path: &str) -> Option<String> {
    if path == "/" {
        return None;
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Some("a path starts with /".into());
    };
    for segment in rest.split('/') {
        if let Some(var) = segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
            let mut chars = var.chars();
            let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && var.len() >= 2
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Some(format!(
                    "invalid path variable <{var}>: lower case, digits and _ only, no converter"
                ));
            }
            continue;
        }
        for word in segment.split('-') {
            let mut chars = word.chars();
            let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && word.len() >= 2
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !ok {
                return Some(format!(
                    "invalid path segment \"{segment}\": lower-case words joined by -"
                ));
            }
            if ["get", "post", "put", "patch", "delete"].contains(&word) {
                return Some(format!(
                    "path segment \"{segment}\" names a method: the method says it"
                ));
            }
        }
    }
    None
}
