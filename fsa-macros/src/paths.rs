//! Route paths: Flask's `<sid>` / `<int:sid>` and actix's `{sid}`, turned
//! into actix's syntax with the converter's pattern.

use crate::diag::Errors;
use syn::LitStr;

/// A path converter, as Flask's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Converter {
    /// One segment, no `/` (the default).
    String,
    /// Digits only: `/store/x` and `/store/-1` are 404.
    Int,
    /// `digits.digits`.
    Float,
    /// Any rest of the path, slashes included.
    Path,
    /// A canonical UUID.
    Uuid,
}

impl Converter {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Self::String,
            "int" => Self::Int,
            "float" => Self::Float,
            "path" => Self::Path,
            "uuid" => Self::Uuid,
            _ => return None,
        })
    }

    /// The converter's name as written in a path.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Int => "int",
            Self::Float => "float",
            Self::Path => "path",
            Self::Uuid => "uuid",
        }
    }

    /// The actix pattern of a segment, `None` for actix's default `[^/]+`.
    fn pattern(self) -> Option<&'static str> {
        match self {
            Self::String => None,
            Self::Int => Some("[0-9]+"),
            Self::Float => Some(r"[0-9]+\.[0-9]+"),
            Self::Path => Some(".+"),
            Self::Uuid => {
                Some("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
            }
        }
    }
}

/// One variable of a path.
pub(crate) struct PathVar {
    /// The variable's name, which must be a parameter of the function.
    pub(crate) name: String,
    /// The converter written in the path, if any.
    pub(crate) converter: Option<Converter>,
    /// An actix regex written as `{name:regex}`, kept as is.
    pub(crate) regex: Option<String>,
}

enum Piece {
    Text(String),
    Var(usize),
}

/// The most variables actix's router takes in one path (its
/// `MAX_DYNAMIC_SEGMENTS`): more panics when the server starts.
const MAX_PATH_VARIABLES: usize = 16;

/// A parsed route path.
pub(crate) struct PathTemplate {
    pieces: Vec<Piece>,
    /// The variables, in order of appearance.
    pub(crate) vars: Vec<PathVar>,
}

impl PathTemplate {
    /// Parses `lit`, recording mistakes at its span.
    pub(crate) fn parse(lit: &LitStr, errors: &mut Errors) -> Self {
        let text = lit.value();
        let mut template = Self {
            pieces: Vec::new(),
            vars: Vec::new(),
        };
        if !text.starts_with('/') {
            errors.at(
                lit,
                format!("a route path starts with `/`: write \"/{text}\""),
            );
        }
        if text.ends_with('*') {
            errors.at(
                lit,
                "a route path ending in `*` is an actix pattern (a tail match, or nothing at all), not the path it spells: drop the `*`, or take the rest of the path with `<path:rest>`",
            );
        }
        let mut rest = text.as_str();
        while let Some(start) = rest.find(['<', '{']) {
            template.pieces.push(Piece::Text(rest[..start].to_string()));
            let flask = rest.as_bytes()[start] == b'<';
            let end = if flask {
                rest[start..].find('>')
            } else {
                closing_brace(&rest[start..])
            };
            let Some(len) = end else {
                let close = if flask { '>' } else { '}' };
                errors.at(lit, format!("unclosed path variable: add `{close}`"));
                return template;
            };
            let inner = &rest[start + 1..start + len];
            rest = &rest[start + len + 1..];
            let var = if flask {
                parse_flask(inner, lit, errors)
            } else {
                parse_actix(inner)
            };
            if !is_identifier(&var.name) {
                errors.at(
                    lit,
                    format!(
                        "path variable `{}` is not an identifier: write `<name>` or `<int:name>`",
                        var.name
                    ),
                );
            } else if template.vars.iter().any(|v| v.name == var.name) {
                errors.at(lit, format!("path variable `{}` appears twice", var.name));
            } else if let Some(problem) = var.regex_problem() {
                errors.at(lit, problem);
            }
            template.pieces.push(Piece::Var(template.vars.len()));
            template.vars.push(var);
        }
        template.pieces.push(Piece::Text(rest.to_string()));
        if template.vars.len() > MAX_PATH_VARIABLES {
            errors.at(
                lit,
                format!(
                    "at most {MAX_PATH_VARIABLES} path variables (actix's limit): take the rest of the path with `<path:rest>`"
                ),
            );
        } else if errors.is_empty() {
            if let Some(problem) = whole_path_problem(&template.pieces, &template.vars) {
                errors.at(lit, problem);
            }
        }
        template
    }

    /// The actix path, each variable with the pattern of its converter.
    pub(crate) fn actix_path(&self, converters: &[Option<Converter>]) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Var(i) => {
                    let var = &self.vars[*i];
                    let pattern = var.regex.clone().or_else(|| {
                        converters[*i]
                            .and_then(Converter::pattern)
                            .map(String::from)
                    });
                    match pattern {
                        Some(p) => out.push_str(&format!("{{{}:{}}}", var.name, p)),
                        None => out.push_str(&format!("{{{}}}", var.name)),
                    }
                }
            }
        }
        out
    }
}

fn parse_flask(inner: &str, lit: &LitStr, errors: &mut Errors) -> PathVar {
    match inner.split_once(':') {
        None => PathVar {
            name: inner.trim().to_string(),
            converter: None,
            regex: None,
        },
        Some((conv, name)) => {
            let converter = Converter::from_name(conv.trim());
            if converter.is_none() {
                errors.at(
                    lit,
                    format!(
                        "unknown converter `{conv}` in `<{inner}>`: expected `string`, `int`, `float`, `path` or `uuid`"
                    ),
                );
            }
            PathVar {
                name: name.trim().to_string(),
                converter,
                regex: None,
            }
        }
    }
}

fn parse_actix(inner: &str) -> PathVar {
    let (name, regex) = match inner.split_once(':') {
        Some((name, regex)) => (name, Some(regex.to_string())),
        None => (inner, None),
    };
    PathVar {
        name: name.trim().to_string(),
        converter: None,
        regex,
    }
}

/// Where the `{` starting `text` is closed, counting the braces in
/// between as actix does (a regex may hold `{8}`).
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

impl PathVar {
    /// Why actix would refuse this variable's own regex when the server
    /// starts (or, for a named group, panic on a request), as a compile
    /// error to show instead.
    ///
    /// The regex must compile alone (so that it cannot close actix's group
    /// around it, nor set a flag beyond it) with both of actix's engines:
    /// regex-lite, and regex's syntax when actix-web's `unicode` is on.
    fn regex_problem(&self) -> Option<String> {
        let regex = self.regex.as_deref()?;
        let name = &self.name;
        let compiled = match regex_lite::Regex::new(regex) {
            Ok(compiled) => compiled,
            Err(error) => {
                return Some(format!(
                    "the regex of path variable `{name}` does not compile: {error}"
                ))
            }
        };
        let hir = match regex_syntax::Parser::new().parse(regex) {
            Ok(hir) => hir,
            Err(error) => {
                return Some(format!(
                    "the regex of path variable `{name}` does not compile with actix-web's `unicode` feature: {error}"
                ))
            }
        };
        if hir.properties().look_set().contains_anchor() {
            return Some(format!(
                "the regex of path variable `{name}` has an anchor (`^`, `$`, `\\A`, `\\z`), which matches no request inside a path: drop it (actix anchors the whole path)"
            ));
        }
        let group = compiled.capture_names().flatten().next()?;
        Some(format!(
            "the regex of path variable `{name}` names a group `{group}`, which actix takes for one more path variable: write `(?:...)` for a group"
        ))
    }
}

/// Why actix's regex of the whole path, built as actix builds it
/// (actix-router's `ResourceDef::parse`), would not compile: a limit the
/// variables reach together (nesting, size).
fn whole_path_problem(pieces: &[Piece], vars: &[PathVar]) -> Option<String> {
    let mut re = String::from("((?s-m)^");
    for piece in pieces {
        match piece {
            Piece::Text(text) => re.push_str(&regex_lite::escape(text)),
            Piece::Var(i) => {
                let var = &vars[*i];
                let pattern = var.regex.as_deref().unwrap_or_else(|| {
                    var.converter
                        .and_then(Converter::pattern)
                        .unwrap_or("[^/]+")
                });
                re.push_str(&format!("(?P<{}>{pattern})", var.name));
            }
        }
    }
    re.push_str(")$");
    let error = regex_lite::Regex::new(&re).err()?;
    Some(format!(
        "actix could not compile this path's pattern: {error}"
    ))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod should {
    use super::*;

    fn template(path: &str) -> (PathTemplate, bool) {
        let mut errors = Errors::default();
        let t = PathTemplate::parse(&syn::parse_quote!(#path), &mut errors);
        (t, errors.is_empty())
    }

    #[test]
    fn translate_flask_converters_to_actix_patterns() {
        let (t, ok) = template("/store/<int:sid>/product/<name>");
        assert!(ok);
        assert_eq!(
            t.actix_path(&[Some(Converter::Int), None]),
            "/store/{sid:[0-9]+}/product/{name}"
        );
    }

    #[test]
    fn keep_actix_variables_and_regexes() {
        let (t, ok) = template("/a/{x}/{y:[a-z]+}");
        assert!(ok);
        assert_eq!(t.actix_path(&[None, None]), "/a/{x}/{y:[a-z]+}");
    }

    #[test]
    fn close_a_variable_at_its_own_brace() {
        let (t, ok) = template("/a/{x:[0-9]{3}}/b");
        assert!(ok);
        assert_eq!(t.actix_path(&[None]), "/a/{x:[0-9]{3}}/b");
    }

    #[test]
    fn reject_regexes_actix_would_refuse_or_miscount() {
        // unbalanced, not a regex, a second named group, a name twice
        // closes actix's group, leaks a flag, invalid UTF-8 for `regex`
        for path in [
            "/{x:a\\{}",
            "/{x:[}]}",
            "/{x:(}",
            "/{x:(?P<y>.)}",
            "/{x:(?P<x>.)}",
            "/{x:a)(b}",
            "/{a:[a-z]+)(?x)(}/{b:[^ ]+}",
            "/{x:(?-u:.)}",
            "/{x:^[a-z]+}",
            "/{x:[a-z]+$}",
        ] {
            assert!(!template(path).1, "{path} should be refused");
        }
        // an unnamed group is no path variable; a flag stays in its group
        assert!(template("/{x:(a|b)c}").1);
        assert!(template("/{x:(?i)[a-z]+}/B").1);
    }

    #[test]
    fn reject_a_path_whose_whole_pattern_goes_past_a_limit() {
        let regex = |n: usize| format!("{}a{}", "(?:".repeat(n), ")".repeat(n));
        let nested = |n: usize| format!("/{{x:{}}}", regex(n));
        let deepest = (1..500)
            .find(|&n| regex_lite::Regex::new(&regex(n)).is_err())
            .expect("a nesting limit")
            - 1;
        // the deepest regex that compiles alone does not inside actix's two
        // groups; two levels less does
        assert!(!template(&nested(deepest)).1);
        assert!(template(&nested(deepest - 2)).1);
    }

    #[test]
    fn reject_unknown_converters_and_bad_names() {
        assert!(!template("/a/<bad:x>").1);
        assert!(!template("/a/<1x>").1);
        assert!(!template("/a/<x").1);
        assert!(!template("a").1);
        assert!(!template("/<x>/<x>").1);
    }
}
