//! A set of paths asked "is this one of them?" on every request: bucketed
//! by length, so that a look-up compares the bytes of the few paths of the
//! same length, and hashes nothing.

/// Exact paths, by length.
#[derive(Debug, Default)]
pub(crate) struct PathSet {
    /// `by_length[n]`: the paths of `n` bytes.
    by_length: Vec<Vec<&'static str>>,
}

impl PathSet {
    /// The actix patterns among these that actix matches against the very
    /// path they spell (no `{variable}`, no trailing `*`, as actix's own
    /// matcher says): a request to one of those paths is that resource's.
    pub(crate) fn of_plain_patterns(patterns: impl IntoIterator<Item = &'static str>) -> Self {
        Self::new(patterns.into_iter().filter(|pattern| {
            !pattern.contains('{')
                && actix_web::dev::ResourceDef::new(*pattern).find_match(pattern)
                    == Some(pattern.len())
        }))
    }

    /// The set of these paths.
    pub(crate) fn new(paths: impl IntoIterator<Item = &'static str>) -> Self {
        let mut by_length: Vec<Vec<&'static str>> = Vec::new();
        for path in paths {
            if by_length.len() <= path.len() {
                by_length.resize_with(path.len() + 1, Vec::new);
            }
            if !by_length[path.len()].contains(&path) {
                by_length[path.len()].push(path);
            }
        }
        PathSet { by_length }
    }

    /// Whether `path` is one of the set.
    #[inline]
    pub(crate) fn contains(&self, path: &str) -> bool {
        self.by_length
            .get(path.len())
            .is_some_and(|paths| paths.contains(&path))
    }
}

#[cfg(test)]
mod should {
    use super::PathSet;

    #[test]
    fn hold_exactly_its_paths() {
        let set = PathSet::new(["/hello", "/store", "/", "/store"]);
        for path in ["/hello", "/store", "/"] {
            assert!(set.contains(path), "{path}");
        }
        for path in ["", "/hell", "/hello/", "/Hello", "/stores", "//", "/storf"] {
            assert!(!set.contains(path), "{path}");
        }
        assert!(!PathSet::default().contains("/"));
    }

    #[test]
    fn take_only_the_patterns_actix_matches_as_spelt() {
        let set = PathSet::of_plain_patterns(["/hello", "/a/{b}", "/files*", "/x/{tail}*", "/"]);
        assert!(set.contains("/hello") && set.contains("/"));
        // actix reads these as patterns: "/files*" matches nothing at all.
        for path in ["/a/{b}", "/files*", "/x/{tail}*"] {
            assert!(!set.contains(path), "{path}");
        }
    }
}
