//! Reading a configuration: a TOML file's directives, then every `FSA_*`
//! environment variable over them; `{ env = "VAR" }` values; every problem
//! at once.

use super::{Config, DIRECTIVES, NOT_APPLICABLE};
use crate::errors::ConfigError;
use toml::Value;

impl Config {
    /// [`from_toml_str`](Self::from_toml_str), `{ env = ... }` read from `env`.
    pub(super) fn from_toml_in(text: &str, env: &dyn Environment) -> Result<Self, ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e| ConfigError::new(format!("invalid TOML: {e}")))?;
        let mut config = Self::default();
        let directives = table.iter().map(|(k, v)| (k.clone(), v.clone(), None));
        config.apply(directives, env)?;
        Ok(config)
    }

    /// The directives of a TOML file if any (`what` names it in errors),
    /// then every `FSA_*` variable of `env`; every problem at once.
    pub(super) fn load(
        file: Option<(&std::path::Path, String)>,
        env: &dyn Environment,
    ) -> Result<Self, ConfigError> {
        let mut config = match file {
            None => Self::default(),
            Some((path, what)) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    let cwd = std::env::current_dir().unwrap_or_default();
                    ConfigError::new(format!(
                        "cannot read {what}: {e} (relative paths start at {})",
                        cwd.display()
                    ))
                })?;
                Self::from_toml_in(&text, env).map_err(|e| e.within(&path.display().to_string()))?
            }
        };
        let (overrides, mut problems) = environment_directives(env.vars().into_iter());
        if let Err(more) = config.apply(overrides.into_iter(), env) {
            problems.extend(more.problems().iter().cloned());
        }
        ConfigError::from_problems(problems)?;
        Ok(config)
    }

    /// Applies directives, collecting every problem. An environment value
    /// (`raw`) is read as TOML first, then as the plain string when that
    /// does not fit: `FSA_TOKEN_SECRET=0x1F` stays the string `0x1F`.
    fn apply(
        &mut self,
        pairs: impl Iterator<Item = Directive>,
        env: &dyn Environment,
    ) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        for (name, value, raw) in pairs {
            if !name.starts_with("FSA_") {
                continue;
            }
            let resolved = match raw {
                // `{ env = "VAR" }` in a file: VAR's value, read as an
                // environment value.
                None => resolve_env(&name, value, env),
                // In the environment itself, a value is as given.
                Some(_) if is_env_table(&value) => Err(format!(
                    "{name}: {{ env = \"...\" }} names a variable in a configuration file only: in the environment, give the value itself"
                )),
                Some(raw) => Ok(Some((value, Some(raw)))),
            };
            let (value, raw) = match resolved {
                Ok(Some(resolved)) => resolved,
                Ok(None) => continue,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            if let Some((_, setter)) = DIRECTIVES.iter().find(|(n, _)| *n == name) {
                if let Err(problem) = setter(self, &name, &value) {
                    let as_text = raw.map(Value::String).filter(|text| *text != value);
                    if as_text.is_none_or(|text| setter(self, &name, &text).is_err()) {
                        problems.push(problem);
                    }
                }
            } else if let Some((_, why)) = NOT_APPLICABLE.iter().find(|(n, _)| *n == name) {
                problems.push(format!("{name} does not apply to fsa: {why}"));
            } else {
                problems.push(format!("unexpected directive {name}{}", suggest(&name)));
            }
        }
        ConfigError::from_problems(problems)
    }
}

/// The environment a configuration reads: the process's, or a test's.
pub(super) trait Environment {
    /// The value of variable `name`, if set.
    fn var(&self, name: &str) -> Option<std::ffi::OsString>;
    /// Every variable.
    fn vars(&self) -> Vec<(std::ffi::OsString, std::ffi::OsString)>;
}

/// The process's environment.
pub(super) struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<std::ffi::OsString> {
        std::env::var_os(name)
    }
    fn vars(&self) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
        std::env::vars_os().collect()
    }
}

/// Whether a value is `{ env = ... }`.
fn is_env_table(value: &Value) -> bool {
    matches!(value, Value::Table(table) if table.contains_key("env"))
}

/// `{ env = "ACME_SECRET" }` takes the value from the environment, read as
/// an `FSA_*` variable is (TOML, else the plain text); when the variable
/// is unset, the `default` key if any, else the directive's default. A
/// variable that is not UTF-8 is a problem, never taken as unset.
fn resolve_env(
    name: &str,
    value: Value,
    env: &dyn Environment,
) -> Result<Option<(Value, Option<String>)>, String> {
    if !is_env_table(&value) {
        return Ok(Some((value, None)));
    }
    let Value::Table(table) = value else {
        return Ok(None);
    };
    let Some(Value::String(var)) = table.get("env") else {
        return Err(format!(
            "{name}: `env` names an environment variable: {{ env = \"ACME_SECRET\" }}"
        ));
    };
    match env.var(var).map(std::ffi::OsString::into_string) {
        None => Ok(table.get("default").cloned().map(|value| (value, None))),
        Some(Ok(text)) => Ok(Some((parse_env_value(&text), Some(text)))),
        Some(Err(_)) => Err(format!(
            "{name}: environment variable {var} is not valid UTF-8"
        )),
    }
}

/// A directive to apply: its name, its value, and the text it was read
/// from when it came from the environment.
type Directive = (String, Value, Option<String>);

/// The `FSA_*` variables of an environment as directives (name, value,
/// text), and a problem for each one that is not UTF-8; other variables
/// are the application's, whatever their bytes.
fn environment_directives(
    vars: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> (Vec<Directive>, Vec<String>) {
    let (mut directives, mut problems) = (Vec::new(), Vec::new());
    for (name, value) in vars {
        if !name.as_encoded_bytes().starts_with(b"FSA_") {
            continue;
        }
        match (name.into_string(), value.into_string()) {
            (Ok(name), Ok(value)) => {
                directives.push((name, parse_env_value(&value), Some(value)));
            }
            (Ok(name), Err(_)) => {
                problems.push(format!("environment variable {name} is not valid UTF-8"))
            }
            (Err(name), _) => problems.push(format!(
                "environment variable {} has a name that is not valid UTF-8",
                name.to_string_lossy()
            )),
        }
    }
    (directives, problems)
}

/// An environment value: TOML when it parses as a TOML value (`true`,
/// `42`, `["token", "basic"]`, `{ ttl = 60 }`), else the plain string.
fn parse_env_value(text: &str) -> Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(text.to_string()))
}

fn suggest(name: &str) -> String {
    let all = DIRECTIVES
        .iter()
        .map(|(n, _)| *n)
        .chain(NOT_APPLICABLE.iter().map(|(n, _)| *n));
    all.min_by_key(|known| distance(name, known))
        .filter(|known| distance(name, known) <= 3)
        .map(|known| format!(": did you mean {known}?"))
        .unwrap_or_default()
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod should {
    use super::*;
    use std::ffi::OsString;

    /// A test's environment: these variables only.
    struct Vars(Vec<(OsString, OsString)>);

    impl Vars {
        fn of(pairs: &[(&str, &[u8])]) -> Self {
            let os = |bytes: &[u8]| -> OsString {
                #[cfg(unix)]
                {
                    std::os::unix::ffi::OsStringExt::from_vec(bytes.to_vec())
                }
                #[cfg(not(unix))]
                {
                    String::from_utf8_lossy(bytes).into_owned().into()
                }
            };
            Vars(pairs.iter().map(|(n, v)| (n.into(), os(v))).collect())
        }
    }

    impl Environment for Vars {
        fn var(&self, name: &str) -> Option<OsString> {
            self.0
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        }
        fn vars(&self) -> Vec<(OsString, OsString)> {
            self.0.clone()
        }
    }

    const NONE: Vars = Vars(Vec::new());

    #[test]
    fn keep_environment_strings_that_look_like_numbers() {
        let env = |name: &str, text: &str| {
            (
                name.to_string(),
                parse_env_value(text),
                Some(text.to_string()),
            )
        };
        let mut config = Config::default();
        config
            .apply(
                [
                    env("FSA_TOKEN_SECRET", "0x1F"),
                    env("FSA_REALM", "1_000"),
                    env("FSA_SECURE", "false"),
                ]
                .into_iter(),
                &NONE,
            )
            .unwrap();
        assert_eq!(config.token_secret.as_deref(), Some("0x1F"));
        assert_eq!(config.realm.as_deref(), Some("1_000"));
        assert!(!config.secure);
        assert!(config
            .apply([env("FSA_SECURE", "maybe")].into_iter(), &NONE)
            .is_err());
    }

    #[test]
    fn read_environment_values_as_toml_when_they_parse() {
        assert_eq!(parse_env_value("true"), Value::Boolean(true));
        assert_eq!(
            parse_env_value("[\"a\"]"),
            Value::Array(vec![Value::String("a".into())])
        );
        assert_eq!(parse_env_value("dev"), Value::String("dev".into()));
        assert_eq!(parse_env_value("a = 1"), Value::String("a = 1".into()));
        let table = parse_env_value("{ origins = [\"https://a.example\"] }");
        assert_eq!(table["origins"][0].as_str(), Some("https://a.example"));
        let mut config = Config::default();
        let opts = "{ origins = [\"https://a.example\"], supports_credentials = true }";
        config
            .apply(
                [(
                    "FSA_CORS_OPTS".into(),
                    parse_env_value(opts),
                    Some(opts.into()),
                )]
                .into_iter(),
                &NONE,
            )
            .unwrap();
        assert_eq!(
            config.cors_opts["supports_credentials"],
            Value::Boolean(true)
        );
    }

    #[cfg(unix)]
    #[test]
    fn read_only_fsa_variables_and_name_those_that_are_not_utf8() {
        let vars = Vars::of(&[
            ("X", b"a\xffb"),
            ("FSA_MODE", b"dev"),
            ("FSA_REALM", b"r\xff"),
        ]);
        let (directives, problems) = environment_directives(vars.vars().into_iter());
        assert_eq!(directives.len(), 1);
        assert_eq!(directives[0].0, "FSA_MODE");
        assert_eq!(
            problems,
            ["environment variable FSA_REALM is not valid UTF-8"]
        );
        // with the other problems, all at once
        let vars = Vars::of(&[("FSA_REALM", b"r\xff"), ("FSA_MODE", b"loud")]);
        let error = Config::load(None, &vars).unwrap_err();
        assert_eq!(error.problems().len(), 2, "{error}");
    }

    #[test]
    fn read_files_then_the_environment_naming_each_in_errors() {
        let dir = std::env::temp_dir().join(format!("fsa-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let load = |path: &std::path::Path, vars: &Vars| {
            Config::load(Some((path, path.display().to_string())), vars)
        };
        let good = file(
            "good.toml",
            "FSA_AUTH = \"basic\"\nFSA_REALM = \"from-file\"",
        );
        let config = load(&good, &NONE).unwrap();
        assert_eq!(config.realm.as_deref(), Some("from-file"));
        assert_eq!(config.auth, ["token", "basic", "none"]);
        let config = load(&good, &Vars::of(&[("FSA_REALM", b"from-env")])).unwrap();
        assert_eq!(config.realm.as_deref(), Some("from-env"));
        let bad = file("bad.toml", "FSA_MODE = \"loud\"");
        let problem = load(&bad, &NONE).unwrap_err().problems()[0].clone();
        assert!(
            problem.starts_with(&format!("{}: FSA_MODE", bad.display())),
            "{problem}"
        );
        let missing = dir.join("missing.toml");
        let problem = load(&missing, &NONE).unwrap_err().problems()[0].clone();
        assert!(problem.contains("relative paths start at"), "{problem}");
        let unset = "FSA_TEST_SURELY_UNSET_CONFIG";
        let problem = Config::from_env_or(unset, &missing).unwrap_err().problems()[0].clone();
        assert!(
            problem.contains("the default of FSA_TEST_SURELY_UNSET_CONFIG, which is unset"),
            "{problem}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn take_values_from_the_environment_when_asked() {
        let text = "FSA_TOKEN_SECRET = { env = \"UNSET\" }\nFSA_REALM = { env = \"UNSET\", default = \"r\" }\nFSA_SECURE = { env = \"SECURE\" }\nFSA_MODE = { env = \"MODE\" }";
        let vars = Vars::of(&[("SECURE", b"false"), ("MODE", b"dev")]);
        let config = Config::from_toml_in(text, &vars).unwrap();
        assert_eq!(config.token_secret, None);
        assert_eq!(config.realm.as_deref(), Some("r"));
        assert!(!config.secure, "read as an environment value: a boolean");
        assert_eq!(config.mode, crate::config::Mode::Dev);
    }

    #[cfg(unix)]
    #[test]
    fn refuse_a_named_variable_that_is_not_utf8_rather_than_take_the_default() {
        let text = "FSA_TOKEN_SECRET = { env = \"SECRET\", default = \"a dev secret\" }";
        let vars = Vars::of(&[("SECRET", b"s\xff")]);
        let error = Config::from_toml_in(text, &vars).unwrap_err();
        assert_eq!(
            error.problems(),
            ["FSA_TOKEN_SECRET: environment variable SECRET is not valid UTF-8"]
        );
    }

    #[test]
    fn refuse_env_tables_in_the_environment_itself() {
        let vars = Vars::of(&[("FSA_TOKEN_SECRET", b"{ env = \"ACME_SECRET\" }")]);
        let error = Config::load(None, &vars).unwrap_err();
        assert!(
            error.problems()[0].contains("in a configuration file only"),
            "{error}"
        );
    }
}
