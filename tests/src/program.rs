//! The example programs, run for real: built once by cargo, started on a
//! free loopback port, stopped when dropped.

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The executable of example package `name` (debug, like the tests),
/// built by cargo once per test run.
pub fn example_binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap();
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let output = Command::new(cargo)
        .args([
            "build",
            "-p",
            name,
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(workspace())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cargo build -p {name}: {e}"));
    assert!(output.status.success(), "cargo build -p {name} failed");
    let path = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["target"]["name"] == name)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo names the {name} executable"));
    built.insert(name.to_string(), path.clone());
    path
}

/// The workspace's folder.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A running program, killed when dropped.
pub struct Program {
    child: Child,
    /// `host:port` it listens on.
    pub addr: String,
    /// What it printed on its standard output so far.
    printed: Arc<Mutex<String>>,
}

impl Program {
    /// Starts `binary` with `args` in folder `dir` with `env` only among the
    /// variables starting with one of `cleared` (`FSA_` is always
    /// cleared), its standard error in file `log`, and waits (a minute at
    /// most) until it prints `<marker>http://<addr>`.
    pub fn start(
        binary: &Path,
        args: &[&str],
        dir: &Path,
        cleared: &[&str],
        env: &[(&str, &str)],
        log: &Path,
        marker: &str,
    ) -> Program {
        let mut command = Command::new(binary);
        command.args(args);
        for (name, _) in std::env::vars_os() {
            let text = name.to_string_lossy();
            if text.starts_with("FSA_") || cleared.iter().any(|c| text.starts_with(c)) {
                command.env_remove(&name);
            }
        }
        let mut child = command
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let printed = Arc::new(Mutex::new(String::new()));
        let (listening, addr) = std::sync::mpsc::channel();
        let more = printed.clone();
        let prefix = format!("{marker}http://");
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix(&prefix) {
                    let addr = rest.split_whitespace().next().unwrap_or_default();
                    let _ = listening.send(addr.to_string());
                }
                more.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let Ok(addr) = addr.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} did not start listening:\n{}\n{}",
                binary.display(),
                printed.lock().unwrap(),
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        Program {
            child,
            addr,
            printed,
        }
    }

    /// What it printed so far, once it printed `text` (or 10 s passed).
    pub fn printed(&self, text: &str) -> String {
        for _ in 0..100 {
            if self.printed.lock().unwrap().contains(text) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.printed.lock().unwrap().clone()
    }

    /// Stops the program.
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
