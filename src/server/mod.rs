//! `forklint server`: a language server (LSP 3.17 over stdio), so an editor shows forklint's
//! findings as the user types, beside rust-analyzer (which keeps its own `cargo check`).
//!
//! One thread, one loop (rust-analyzer's `lsp-server`: synchronous, crossbeam channels). The
//! open buffers overlay the disk; each check runs the driver over all of them with their
//! packages from disk as context (`driver::check_overlays`) and re-publishes the buffers whose
//! diagnostics changed. Checks run at once on open and save, and [`DEBOUNCE`] after the last
//! change. The server never writes a file: fixes and suppressions are edits for the client.
//!
//! `documents`: buffers, URIs, position encodings; `check`: one check of the open buffers;
//! `diagnostics`: findings as LSP diagnostics; `actions`: code actions; `hover`: rule docs.

mod actions;
mod check;
mod diagnostics;
mod documents;
mod hover;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Exit, LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, HoverRequest, RegisterCapability, Request as _, Shutdown,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, Diagnostic,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, InitializeResult, LogMessageParams, MessageType,
    PositionEncodingKind, PublishDiagnosticsParams, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri, WatchKind,
};

use check::{check_open, Checked, Memos};
use documents::{uri_to_path, Documents, Encoding};

/// How long after the last change a buffer is checked again.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// The files whose change re-reads the configuration, lists the packages afresh and re-checks
/// the open buffers: configurations and manifests on any change, Rust files when one is created
/// or deleted (a rename is both), which changes a package's file list.
const WATCHED: &[(&str, Option<WatchKind>)] = &[
    ("**/forklint.toml", None),
    ("**/.forklint.toml", None),
    ("**/Cargo.toml", None),
    ("**/*.rs", Some(WatchKind::Create.union(WatchKind::Delete))),
];

/// Runs the server on stdin/stdout until `exit`: status 0 after `shutdown`, 1 without it
/// (LSP's rule), 2 if the client never initialized.
pub fn run() -> ExitCode {
    install_panic_hook();
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: forklint server: {message}");
            ExitCode::from(2)
        }
    };
    drop(connection);
    let _ = io_threads.join();
    code
}

/// A panic is logged to stderr and the server goes on (the check that panicked is caught);
/// panics in per-file analysis on the driver's workers are tool errors, reported already.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        crate::syntax::scratch::suspend();
        if rayon::current_thread_index().is_some() {
            return;
        }
        eprintln!("forklint server: {info} (this is a bug, please report it)");
    }));
}

fn serve(connection: &Connection) -> Result<ExitCode, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let encoding = negotiate(&params);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "forklint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(connection, encoding, root(&params));
    if params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false)
    {
        server.register_watchers();
    }
    Ok(server.main_loop(&connection.receiver))
}

/// UTF-8 when the client offers it, else UTF-16 (LSP's default and the only one required).
fn negotiate(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::fix_all_kind()]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The directory paths are printed and per-file globs matched against: the first workspace
/// folder, else the process's current directory.
fn root(params: &InitializeParams) -> PathBuf {
    #[allow(deprecated)]
    let root_uri = params.root_uri.clone();
    params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone())
        .or(root_uri)
        .and_then(|uri| uri_to_path(&uri))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"))
}

struct Server<'a> {
    connection: &'a Connection,
    encoding: Encoding,
    root: PathBuf,
    docs: Documents,
    /// The last check of each open buffer.
    checked: HashMap<String, Checked>,
    /// What was last published, per URI (buffers and configuration files).
    published: HashMap<String, Vec<Diagnostic>>,
    /// Configuration files that had diagnostics (cleared once they load again).
    configs: Vec<PathBuf>,
    /// Lowered files kept between checks.
    memos: Memos,
    /// When the debounced check is due.
    due: Option<Instant>,
    shutdown: bool,
    next_id: i32,
}

impl<'a> Server<'a> {
    fn new(connection: &'a Connection, encoding: Encoding, root: PathBuf) -> Self {
        Server {
            connection,
            encoding,
            root,
            docs: Documents::default(),
            checked: HashMap::new(),
            published: HashMap::new(),
            configs: Vec::new(),
            memos: Memos::default(),
            due: None,
            shutdown: false,
            next_id: 0,
        }
    }

    fn main_loop(&mut self, receiver: &Receiver<Message>) -> ExitCode {
        loop {
            let timer = match self.due {
                Some(due) => crossbeam_channel::at(due),
                None => crossbeam_channel::never(),
            };
            select! {
                recv(receiver) -> message => match message {
                    Ok(message) => {
                        if let Some(code) = self.handle(message) {
                            return code;
                        }
                    }
                    // The client went away without `exit`.
                    Err(_) => return ExitCode::from(1),
                },
                recv(timer) -> _ => {
                    self.due = None;
                    self.check();
                }
            }
        }
    }

    /// Handles one message; `Some(status)` when the server must stop.
    fn handle(&mut self, message: Message) -> Option<ExitCode> {
        match message {
            Message::Request(request) => self.request(request),
            Message::Notification(notification) => {
                if notification.method == Exit::METHOD {
                    return Some(if self.shutdown {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    });
                }
                self.notification(notification);
            }
            // Answers to our requests (the watcher registration): nothing to do.
            Message::Response(_) => {}
        }
        None
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            Shutdown::METHOD => {
                self.shutdown = true;
                Ok(serde_json::Value::Null)
            }
            CodeActionRequest::METHOD => {
                parse::<lsp_types::CodeActionParams>(request.params).map(|params| {
                    let actions = self.docs.get(&params.text_document.uri).and_then(|doc| {
                        let checked = self.checked.get(doc.uri.as_str())?;
                        Some(actions::code_actions(
                            doc,
                            checked,
                            params.range,
                            params.context.only.as_deref(),
                            self.encoding,
                        ))
                    });
                    serde_json::to_value(actions.unwrap_or_default()).unwrap_or_default()
                })
            }
            HoverRequest::METHOD => parse::<lsp_types::HoverParams>(request.params).map(|params| {
                let at = params.text_document_position_params;
                let hover = self.docs.get(&at.text_document.uri).and_then(|doc| {
                    hover::hover(
                        doc,
                        self.checked.get(doc.uri.as_str()),
                        at.position,
                        self.encoding,
                    )
                });
                serde_json::to_value(hover).unwrap_or_default()
            }),
            _ => Err((
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("forklint server does not handle {}", request.method),
            )),
        };
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code, message),
        };
        self.send(Message::Response(response));
    }

    fn notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) =
                    parse::<lsp_types::DidOpenTextDocumentParams>(notification.params)
                {
                    let doc = params.text_document;
                    self.docs.open(doc.uri, doc.text, doc.version);
                    // A client without file watchers still gets a fresh plan on open and save.
                    self.forget_plans();
                    self.check();
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(params) =
                    parse::<lsp_types::DidChangeTextDocumentParams>(notification.params)
                {
                    // Full synchronisation: the last change holds the whole text.
                    if let Some(change) = params.content_changes.into_iter().last() {
                        let doc = params.text_document;
                        if self.docs.change(&doc.uri, change.text, doc.version) {
                            self.due = Some(Instant::now() + DEBOUNCE);
                        }
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                self.due = None;
                self.forget_plans();
                self.check();
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) =
                    parse::<lsp_types::DidCloseTextDocumentParams>(notification.params)
                {
                    let uri = params.text_document.uri;
                    self.docs.close(&uri);
                    self.checked.remove(uri.as_str());
                    self.publish(uri.clone(), Vec::new(), None);
                    self.published.remove(uri.as_str());
                }
            }
            DidChangeWatchedFiles::METHOD => {
                // The configuration is read afresh by every check; the plan is dropped.
                self.due = None;
                self.forget_plans();
                self.check();
            }
            _ => {}
        }
    }

    /// Drops the kept package plans (the layout on disk may have changed).
    fn forget_plans(&mut self) {
        for memo in self.memos.values() {
            memo.forget_plan();
        }
    }

    /// Checks the open buffers and publishes what changed.
    fn check(&mut self) {
        if self.docs.is_empty() && self.configs.is_empty() {
            return;
        }
        let outcome = check_open(
            &self.docs,
            &self.root,
            self.encoding,
            &self.configs,
            &mut self.memos,
        );
        for message in &outcome.log {
            self.log(MessageType::ERROR, message.clone());
        }
        self.log(
            MessageType::LOG,
            format!(
                "checked {} open file(s) in {} ms ({} files reused from memory, {} lowered); summary inputs of {} files kept; {}",
                outcome.buffers.len(),
                outcome.elapsed.as_millis(),
                outcome.reused,
                outcome.lowered,
                outcome.summaries_kept,
                outcome
                    .timings
                    .iter()
                    .map(|(phase, ms)| format!("{phase} {ms} ms"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        self.configs.clear();
        for (_, (uri, diagnostics)) in outcome.configs {
            if !diagnostics.is_empty() {
                if let Some(path) = uri_to_path(&uri) {
                    self.configs.push(path);
                }
            }
            self.publish(uri, diagnostics, None);
        }
        for (key, checked) in outcome.buffers {
            let Some(doc) = self.docs.iter().find(|d| d.uri.as_str() == key) else {
                continue;
            };
            let (uri, version) = (doc.uri.clone(), doc.version);
            self.publish(uri, checked.diagnostics(), Some(version));
            self.checked.insert(key, checked);
        }
    }

    /// Publishes `diagnostics` for `uri` unless they are what was published last.
    fn publish(&mut self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let key = uri.as_str().to_string();
        if self.published.get(&key) == Some(&diagnostics) {
            return;
        }
        // An empty list is kept too: a buffer without findings is published once, not after
        // every check.
        self.published.insert(key, diagnostics.clone());
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }

    fn register_watchers(&mut self) {
        let watchers = WATCHED
            .iter()
            .map(|(glob, kind)| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: *kind,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "forklint-watched-files".to_string(),
                method: DidChangeWatchedFiles::METHOD.to_string(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        let request = Request::new(
            RequestId::from(format!("forklint-{}", self.next_id)),
            RegisterCapability::METHOD.to_string(),
            params,
        );
        self.send(Message::Request(request));
    }

    fn log(&self, typ: MessageType, message: String) {
        self.send(Message::Notification(Notification::new(
            LogMessage::METHOD.to_string(),
            LogMessageParams { typ, message },
        )));
    }

    fn send(&self, message: Message) {
        // A closed channel means the client is gone; the loop ends on the next receive.
        let _ = self.connection.sender.send(message);
    }
}

fn parse<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, (i32, String)> {
    serde_json::from_value(value)
        .map_err(|e| (lsp_server::ErrorCode::InvalidParams as i32, e.to_string()))
}
