//! `forklint server`: the built binary spoken to over stdio as an editor would (JSON-RPC with
//! `Content-Length` framing): initialize in both position encodings, diagnostics on open and on
//! unsaved changes with the crate context from disk, code actions, hover, configuration
//! reloads, close, a panic while checking, and shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Generous: the machine may be loaded by parallel builds.
const TIMEOUT: Duration = Duration::from_secs(60);

const MANIFEST: &str = "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"time\"] }\n";
const LIB: &str = "mod helper;\n\npub async fn poll() {\n    let s = \"ü𝄞\"; std::thread::sleep(std::time::Duration::from_secs(1));\n    let _ = s;\n}\n\npub async fn indirect() {\n    helper::wait();\n}\n";
const HELPER: &str =
    "pub fn wait() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n";

/// A small Cargo package: `src/lib.rs` calls into `src/helper.rs`, which blocks.
fn package() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), MANIFEST).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), LIB).unwrap();
    std::fs::write(dir.path().join("src/helper.rs"), HELPER).unwrap();
    dir
}

fn uri(path: &Path) -> String {
    let path = std::fs::canonicalize(path.parent().unwrap())
        .unwrap()
        .join(path.file_name().unwrap());
    format!("file://{}", path.display())
}

/// An LSP client over the server's stdio.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    notifications: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_forklint"))
            .arg("server")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).unwrap();
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            incoming: rx,
            notifications: Vec::new(),
            next_id: 0,
        }
    }

    /// `start`, then `initialize` with `capabilities`, then `initialized`; the result.
    fn initialized(root: &Path, capabilities: Value) -> (Client, Value) {
        let mut client = Client::start(root);
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(&root.join("Cargo.toml")).trim_end_matches("/Cargo.toml"),
                "capabilities": capabilities,
            }),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    fn send(&mut self, value: &Value) {
        let body = serde_json::to_string(value).unwrap();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Requests from the server (the watcher registration) are answered at once.
    fn answer(&mut self, value: Value) -> Value {
        if value.get("method").is_some() && value.get("id").is_some() {
            let id = value["id"].clone();
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
        }
        value
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(value) => self.answer(value),
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Sends a request and waits for its response's result (panics on an error response).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let value = self.next(deadline);
            if value.get("method").is_none() && value["id"] == json!(id) {
                assert!(value.get("error").is_none(), "{method} failed: {value}");
                return value["result"].clone();
            }
            if value.get("method").is_some() {
                self.notifications.push(value);
            }
        }
    }

    /// Waits for the first notification matching `wanted` (earlier ones included), and
    /// removes it and everything before it.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.notifications.iter().position(&wanted) {
            let found = self.notifications[at].clone();
            self.notifications.drain(..=at);
            return found;
        }
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(value) = self.incoming.recv_timeout(left) else {
                panic!("timed out waiting for {what}; saw {seen:#?}");
            };
            let value = self.answer(value);
            if value.get("method").is_some() {
                if wanted(&value) {
                    return value;
                }
                seen.push(value);
            }
        }
    }

    /// The next diagnostics published for `uri` (drops older ones for it).
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        self.diagnostics_where(uri, |_| true)
    }

    /// The first diagnostics published for `uri` that satisfy `wanted`.
    fn diagnostics_where(&mut self, uri: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let found = self.wait_for(&format!("diagnostics for {uri}"), |v| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == uri
                && wanted(v["params"]["diagnostics"].as_array().unwrap())
        });
        found["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `shutdown`, `exit`, and the exit status.
    fn shutdown(mut self) -> std::process::ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Applies LSP text edits (positions in `utf16` or UTF-8 units) to `text`.
fn apply(text: &str, edits: &[Value], utf16: bool) -> String {
    let offset = |pos: &Value| {
        let (line, character) = (
            pos["line"].as_u64().unwrap(),
            pos["character"].as_u64().unwrap(),
        );
        let start: usize = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum();
        let mut units = 0u64;
        for (i, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += if utf16 { c.len_utf16() } else { c.len_utf8() } as u64;
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}

fn position(line: u64, character: u64) -> Value {
    json!({"line": line, "character": character})
}

#[test]
fn diagnostics_in_utf16_with_related_information_from_the_crate() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let helper = uri(&dir.path().join("src/helper.rs"));
    let (mut client, init) = Client::initialized(dir.path(), json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "forklint");
    client.open(&lib, LIB);
    let diagnostics = client.diagnostics(&lib);
    assert_eq!(codes(&diagnostics), ["FL003", "FL003"], "{diagnostics:#?}");
    let first = &diagnostics[0];
    // `    let s = "ü𝄞"; std::thread::sleep`: 18 scalars, 19 UTF-16 units before the call.
    assert_eq!(first["range"]["start"], position(3, 19));
    assert_eq!(first["range"]["end"], position(3, 37));
    assert_eq!(first["severity"], 2);
    assert_eq!(first["source"], "forklint");
    assert_eq!(
        first["message"],
        "blocking call `std::thread::sleep` in async fn `poll`"
    );
    let related = first["relatedInformation"].as_array().unwrap();
    assert!(related.iter().any(
        |r| r["message"] == "this async fn runs on the async runtime"
            && r["location"]["uri"] == lib
            && r["location"]["range"]["start"] == position(2, 13)
    ));
    assert!(related
        .iter()
        .any(|r| r["message"].as_str().unwrap().starts_with("help: ")));
    // The second finding's evidence is in a file that is not open: read from disk.
    let second = &diagnostics[1];
    assert_eq!(
        second["message"],
        "`wait` blocks on `std::thread::sleep` in async fn `indirect`"
    );
    assert!(second["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["message"] == "blocks here"
            && r["location"]["uri"] == helper
            && r["location"]["range"]["start"] == position(1, 4)));
    assert!(client.shutdown().success());
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let capabilities = json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}});
    let (mut client, init) = Client::initialized(dir.path(), capabilities);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    client.open(&lib, LIB);
    let diagnostics = client.diagnostics(&lib);
    // 18 scalars, 22 bytes before the call.
    assert_eq!(diagnostics[0]["range"]["start"], position(3, 22));
    assert_eq!(diagnostics[0]["range"]["end"], position(3, 40));
    // A code action's edits are in the same encoding.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": lib}, "range": diagnostics[0]["range"],
               "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    let fix = &actions.as_array().unwrap()[0];
    let edits = fix["edit"]["changes"][&lib].as_array().unwrap();
    let fixed = apply(LIB, edits, false);
    assert!(fixed.contains("\"ü𝄞\"; tokio::time::sleep(std::time::Duration::from_secs(1)).await;"));
    assert!(client.shutdown().success());
}

#[test]
fn unsaved_changes_are_checked_and_close_clears() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let (mut client, _) = Client::initialized(dir.path(), json!({}));
    client.open(&lib, LIB);
    assert_eq!(codes(&client.diagnostics(&lib)), ["FL003", "FL003"]);
    // The buffer, not the disk: the indirect call is gone, the file on disk unchanged.
    let edited = LIB.replace("    helper::wait();\n", "");
    client.change(&lib, 2, &edited);
    // The unchanged helper.rs is not lowered again: its facts are kept in memory.
    let log = client.wait_for("the check's log", |v| {
        v["method"] == "window/logMessage"
            && v["params"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("checked 1 open file(s)"))
    });
    let message = log["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("(1 files reused from memory, 1 lowered)"),
        "{message}"
    );
    let diagnostics = client.diagnostics(&lib);
    assert_eq!(codes(&diagnostics), ["FL003"], "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"]["start"], position(3, 19));
    // A new blocking call typed in: a new finding.
    let typed = edited.replace(
        "pub async fn indirect() {\n",
        "pub async fn indirect() {\n    std::fs::read(\"x\").ok();\n",
    );
    client.change(&lib, 3, &typed);
    let diagnostics = client.diagnostics(&lib);
    assert_eq!(codes(&diagnostics), ["FL003", "FL003"], "{diagnostics:#?}");
    assert_eq!(diagnostics[1]["range"]["start"], position(8, 4));
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": lib}}),
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": lib}}),
    );
    assert!(client.diagnostics(&lib).is_empty());
    assert!(client.shutdown().success());
}

/// The `checked` log line of the next check (the notifications before it are dropped).
fn next_check(client: &mut Client) -> String {
    let log = client.wait_for("the check's log", |v| {
        v["method"] == "window/logMessage"
            && v["params"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("checked "))
    });
    log["params"]["message"].as_str().unwrap().to_string()
}

/// What was published since the last check's log line, by URI, up to a request answered after
/// it (the server is one thread: what the check published has been sent before the answer).
fn published_since_check(client: &mut Client) -> Vec<(String, Vec<Value>)> {
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.rs"}, "position": position(0, 0)}),
    );
    client
        .notifications
        .drain(..)
        .filter(|v| v["method"] == "textDocument/publishDiagnostics")
        .map(|v| {
            let uri = v["params"]["uri"].as_str().unwrap().to_string();
            (uri, v["params"]["diagnostics"].as_array().unwrap().clone())
        })
        .collect()
}

#[test]
fn an_edit_that_changes_a_summary_republishes_the_files_that_use_it() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let helper = uri(&dir.path().join("src/helper.rs"));
    let (mut client, _) = Client::initialized(dir.path(), json!({}));
    client.open(&lib, LIB);
    assert_eq!(codes(&client.diagnostics(&lib)), ["FL003", "FL003"]);
    client.open(&helper, HELPER);
    next_check(&mut client);
    // helper.rs is published once (no findings); lib.rs's did not change: not published again.
    assert_eq!(
        published_since_check(&mut client),
        [(helper.clone(), Vec::new())]
    );
    // `wait` no longer blocks: lib.rs, which was not edited, loses the finding through it;
    // helper.rs still has none and is not published again.
    client.change(&helper, 2, "pub fn wait() {}\n");
    // What resolution sees did not change (same functions): lib.rs's direct facts and resolved
    // calls are kept, and the summaries are computed again from them.
    let message = next_check(&mut client);
    assert!(
        message.contains("summary inputs of 1 files kept"),
        "{message}"
    );
    let published = published_since_check(&mut client);
    assert_eq!(published.len(), 1, "{published:#?}");
    assert_eq!(published[0].0, lib);
    assert_eq!(codes(&published[0].1), ["FL003"]);
    assert_eq!(
        published[0].1[0]["message"],
        "blocking call `std::thread::sleep` in async fn `poll`"
    );
    // Blocking again: the finding is back.
    client.change(&helper, 3, HELPER);
    next_check(&mut client);
    let published = published_since_check(&mut client);
    assert_eq!(published.len(), 1, "{published:#?}");
    assert_eq!(published[0].0, lib);
    assert_eq!(codes(&published[0].1), ["FL003", "FL003"]);
    assert!(client.shutdown().success());
}

#[test]
fn an_unrelated_edit_does_not_republish_the_other_files() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let helper = uri(&dir.path().join("src/helper.rs"));
    let (mut client, _) = Client::initialized(dir.path(), json!({}));
    client.open(&lib, LIB);
    assert_eq!(codes(&client.diagnostics(&lib)), ["FL003", "FL003"]);
    client.open(&helper, HELPER);
    next_check(&mut client);
    published_since_check(&mut client);
    // A finding of helper.rs's own, after `wait` (whose evidence lib.rs shows stays put):
    // helper.rs is published, lib.rs is not.
    let edited = format!(
        "{HELPER}\npub async fn own() {{\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}}\n"
    );
    client.change(&helper, 2, &edited);
    let message = next_check(&mut client);
    assert!(message.contains("1 lowered"), "{message}");
    // A new function: call resolution may change anywhere, nothing is kept.
    assert!(
        message.contains("summary inputs of 0 files kept"),
        "{message}"
    );
    let published = published_since_check(&mut client);
    assert_eq!(published.len(), 1, "{published:#?}");
    assert_eq!(published[0].0, helper);
    assert_eq!(codes(&published[0].1), ["FL003"]);
    // A comment: nothing changes, nothing is published.
    client.change(&helper, 3, &format!("{edited}// a comment\n"));
    let message = next_check(&mut client);
    assert!(
        message.contains("summary inputs of 1 files kept"),
        "{message}"
    );
    assert_eq!(published_since_check(&mut client), Vec::new());
    assert!(client.shutdown().success());
}

/// A client that registers file watchers dynamically, and the watchers the server asked for.
fn watched_client(root: &Path) -> (Client, Vec<Value>) {
    let capabilities =
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let (mut client, _) = Client::initialized(root, capabilities);
    let registration = client.wait_for("the watcher registration", |v| {
        v["method"] == "client/registerCapability"
    });
    let watchers = registration["params"]["registrations"][0]["registerOptions"]["watchers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (client, watchers)
}

#[test]
fn a_created_file_joins_the_package_after_the_watcher_says_so() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let (mut client, watchers) = watched_client(dir.path());
    // Rust files: created (1) and deleted (4), so the package's file list is listed afresh.
    assert!(watchers
        .iter()
        .any(|w| w["globPattern"] == "**/*.rs" && w["kind"] == 5));
    client.open(&lib, LIB);
    assert_eq!(codes(&client.diagnostics(&lib)), ["FL003", "FL003"]);
    // A new module on disk, and the buffer calls it.
    let extra_path = dir.path().join("src/extra.rs");
    std::fs::write(&extra_path, HELPER).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&extra_path), "type": 1}]}),
    );
    next_check(&mut client);
    let edited = format!("mod extra;\n{LIB}").replace(
        "pub async fn poll() {\n",
        "pub async fn poll() {\n    extra::wait();\n",
    );
    client.change(&lib, 2, &edited);
    let diagnostics = client.diagnostics_where(&lib, |d| d.len() == 3);
    assert_eq!(
        diagnostics[0]["message"],
        "`wait` blocks on `std::thread::sleep` in async fn `poll`"
    );
    assert!(client.shutdown().success());
}

#[test]
fn code_actions_fix_suppress_and_fix_all() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let (mut client, init) = Client::initialized(dir.path(), json!({}));
    let kinds = &init["capabilities"]["codeActionProvider"]["codeActionKinds"];
    assert!(kinds
        .as_array()
        .unwrap()
        .contains(&json!("source.fixAll.forklint")));
    client.open(&lib, LIB);
    let diagnostics = client.diagnostics(&lib);
    let range = diagnostics[0]["range"].clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": lib}, "range": range,
               "context": {"diagnostics": [diagnostics[0]]}}),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "use `tokio::time::sleep(..).await`",
            "suppress FL003 on this line",
            "suppress FL003 in this file",
            "apply all forklint fixes",
        ]
    );
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[0]["diagnostics"][0]["code"], "FL003");
    assert_eq!(actions[3]["kind"], "source.fixAll.forklint");
    let edits = |action: &Value| action["edit"]["changes"][&lib].as_array().unwrap().clone();

    // The fix: applied by the client, the finding goes away.
    let fixed = apply(LIB, &edits(&actions[0]), true);
    assert!(fixed.contains("\"ü𝄞\"; tokio::time::sleep(std::time::Duration::from_secs(1)).await;"));
    client.change(&lib, 2, &fixed);
    let after = client.diagnostics_where(&lib, |d| d.len() == 1);
    assert!(after[0]["message"].as_str().unwrap().contains("indirect"));

    // Suppress on this line: the finding is gone and the directive is used (no FL100).
    let line = apply(LIB, &edits(&actions[1]), true);
    assert!(line.contains(
        "std::thread::sleep(std::time::Duration::from_secs(1)); // forklint: allow(FL003)\n"
    ));
    // (Back to two findings first: the same findings are not published twice.)
    client.change(&lib, 3, LIB);
    client.diagnostics_where(&lib, |d| d.len() == 2);
    client.change(&lib, 4, &line);
    let after = client.diagnostics(&lib);
    assert_eq!(codes(&after), ["FL003"], "{after:#?}");
    assert!(after[0]["message"].as_str().unwrap().contains("indirect"));

    // Suppress in this file: nothing left.
    let file = apply(LIB, &edits(&actions[2]), true);
    assert!(file.starts_with("// forklint: allow-file(FL003)\nmod helper;\n"));
    client.change(&lib, 5, &file);
    assert!(client.diagnostics(&lib).is_empty());

    // Fix all, asked for as a source action: one edit, the fixed file.
    client.change(&lib, 6, LIB);
    client.diagnostics_where(&lib, |d| d.len() == 2);
    let all = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": lib}, "range": {"start": position(0, 0), "end": position(0, 0)},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["title"], "apply all forklint fixes");
    assert_eq!(apply(LIB, &edits(&all[0]), true), fixed);
    // Edits are returned, never written.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap(),
        LIB
    );
    assert!(client.shutdown().success());
}

#[test]
fn hover_shows_the_rule_docs() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let (mut client, _) = Client::initialized(dir.path(), json!({}));
    let text = format!("{LIB}// forklint: allow(FL001) nothing forks here\n");
    client.open(&lib, &text);
    client.diagnostics(&lib);
    let on_finding = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": lib}, "position": position(3, 25)}),
    );
    assert_eq!(on_finding["contents"]["kind"], "markdown");
    let value = on_finding["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("# blocking-call-in-async (FL003)"),
        "{value}"
    );
    assert!(value.contains("### Use instead"));
    let on_directive = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": lib}, "position": position(10, 22)}),
    );
    let value = on_directive["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("# thread-before-fork (FL001)"), "{value}");
    assert_eq!(on_directive["range"]["start"], position(10, 19));
    let elsewhere = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": lib}, "position": position(0, 1)}),
    );
    assert_eq!(elsewhere, Value::Null);
    assert!(client.shutdown().success());
}

#[test]
fn config_changes_reload_and_a_bad_config_is_a_diagnostic() {
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let config_path = dir.path().join("forklint.toml");
    let config = uri(&config_path);
    let (mut client, watchers) = watched_client(dir.path());
    assert!(watchers
        .iter()
        .any(|w| w["globPattern"] == "**/forklint.toml"));
    client.open(&lib, LIB);
    assert_eq!(codes(&client.diagnostics(&lib)), ["FL003", "FL003"]);

    let changed = |client: &mut Client| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": config, "type": 2}]}),
        );
    };
    std::fs::write(&config_path, "[lints]\nFL003 = \"sometimes\"\n").unwrap();
    changed(&mut client);
    let problems = client.diagnostics(&config);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["severity"], 1);
    assert_eq!(problems[0]["range"]["start"]["line"], 1);
    assert!(problems[0]["message"]
        .as_str()
        .unwrap()
        .contains("sometimes"));

    std::fs::write(&config_path, "[lints]\nFL003 = \"allow\"\n").unwrap();
    changed(&mut client);
    assert!(client.diagnostics(&config).is_empty());
    assert!(client.diagnostics(&lib).is_empty());
    assert!(client.shutdown().success());
}

#[test]
fn a_panic_while_checking_is_logged_and_the_server_keeps_serving() {
    if !cfg!(debug_assertions) {
        return;
    }
    let dir = package();
    let lib = uri(&dir.path().join("src/lib.rs"));
    let other_path: PathBuf = dir.path().join("src/other.rs");
    std::fs::write(&other_path, "").unwrap();
    let other = uri(&other_path);
    let (mut client, _) = Client::initialized(dir.path(), json!({}));
    let marker = concat!("forklint-test-", "inject-panic");
    client.open(&other, &format!("// {marker}\npub fn f() {{}}\n"));
    client.wait_for("a logged error", |v| {
        v["method"] == "window/logMessage" && v["params"]["type"] == 1
    });
    let problems = client.diagnostics(&other);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("forklint could not check this file"));
    // Still serving: another file is checked, requests are answered.
    client.open(&lib, LIB);
    assert_eq!(codes(&client.diagnostics(&lib)), ["FL003", "FL003"]);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": lib}, "position": position(3, 25)}),
    );
    assert!(hover["contents"]["value"].is_string());
    assert!(client.shutdown().success());
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let dir = package();
    let (mut client, _) = Client::initialized(dir.path(), json!({}));
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    let status = client.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}
