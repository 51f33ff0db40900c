//! Extension modules (docs/extensions.md): Rust code that a host process loads and may then fork
//! (a Python app under gunicorn `--preload`, Celery prefork, uWSGI, `multiprocessing`'s fork start
//! method). The shared facts of FL008-FL010: whether a file is in an extension crate, its entry
//! points and what they reach, thread owners built into statics, and the fork guards a crate
//! has (a pid check at the accessor, a fork-handler registration).
//!
//! Everything here is computed on first use, per analysed file, and only for files of extension
//! crates: the other crates of a run never pay for it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::analysis::roles::is_test_code;
use crate::analysis::Cx;
use crate::base::source::{FileId, TextRange};
use crate::ir::{visit, Arg, BodyId, BodyKind, Call, Callee, EntryKind, FileModel, Node};
use crate::model::summary::{display_callee, inline_bodies, Fact};
use crate::model::{FnRef, HostForks, Package};
use crate::vocab::{Category, Kind};

mod guards;
mod recovery;

use guards::fork_handler_in;
pub use guards::{atfork_child_handlers, pid_checked, static_pid_checked, static_users};
pub use recovery::recovery_drops;

/// A piece of evidence: where, and what it is, for a label.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub file: FileId,
    pub span: TextRange,
    pub what: String,
}

/// A call that builds a thread owner (a runtime, a pool, a thread), found in code a static's
/// initializer or an import-time entry point runs.
#[derive(Clone, Debug)]
pub struct OwnerStart {
    /// The primary span: the constructing call when it is in the analysed file, else the call
    /// in the analysed file that reaches it.
    pub span: TextRange,
    /// The constructing operation, as shown in messages (`tokio::runtime::Runtime::new`).
    pub name: String,
    /// The call chain to the constructing call when it is in a crate-local helper.
    pub via: Vec<Evidence>,
}

/// The extension facts of one file (see [`facts`]).
#[derive(Debug, Default)]
pub struct ExtensionFacts {
    /// The file is in an extension crate (or `host-forks = "always"` makes it one).
    pub in_extension: bool,
    /// A fork-handler registration in the extension's crates (`pthread_atfork` with a child
    /// handler, `os.register_at_fork` through PyO3).
    pub fork_handler: Option<Evidence>,
    /// What the fork handlers reset (`None`: they guard every static), when there are any.
    resets: Option<HashSet<String>>,
    /// Crate-local functions reached from an entry point of the extension's crates -> the
    /// entry point (its name and span).
    reached: HashMap<FnRef, (FileId, TextRange, String)>,
}

impl ExtensionFacts {
    /// Whether FL008/FL009 judge this file: an extension crate whose author did not plan for the
    /// fork with a fork handler.
    pub fn unguarded(&self) -> bool {
        self.in_extension && self.fork_handler.is_none()
    }

    /// Whether the crate's fork handlers guard the static `path` read by `accessor`: they reset
    /// it, or something the accessor tests in a condition (a generation, a "forked" flag),
    /// directly or through crate-local calls; or a handler is registered that
    /// forklint cannot see into (`os.register_at_fork`), which is taken as a guard of every
    /// static. A handler that resets one static does not guard another one.
    pub fn handler_guards(&self, cx: &Cx<'_>, path: &str, accessor: Option<FnRef>) -> bool {
        if self.fork_handler.is_none() {
            return false;
        }
        let Some(resets) = &self.resets else {
            return true;
        };
        if resets.contains(path) {
            return true;
        }
        let Some(accessor) = accessor else {
            return false;
        };
        guards::statics_tested(cx, accessor)
            .iter()
            .any(|s| resets.contains(s))
    }

    /// The entry point from which the function enclosing body `id` of `file` is reached.
    pub fn entry_reaching(
        &self,
        file: &FileModel,
        id: BodyId,
    ) -> Option<&(FileId, TextRange, String)> {
        let f = enclosing_fn(file, id)?;
        self.reached.get(&FnRef {
            file: file.file,
            body: f,
        })
    }
}

impl ExtensionFacts {
    /// The entry point reaching a function (in any file of the extension's crates) that uses the
    /// static `path`, by name or as a method receiver.
    pub fn user_reached(
        &self,
        model: &crate::model::Model,
        path: &str,
    ) -> Option<(FileId, TextRange, String)> {
        let mut reached: Vec<(&FnRef, &(FileId, TextRange, String))> =
            self.reached.iter().collect();
        reached.sort_by_key(|(f, _)| **f);
        reached.into_iter().find_map(|(f, entry)| {
            let file = model.file(f.file)?;
            let uses = inline_bodies(file, f.body).into_iter().any(|b| {
                visit::any(&file.body(b).block.nodes, &mut |node| {
                    let by_ref = matches!(node, Node::PathRef(p) if p.path == path);
                    let by_call = node.as_call().is_some_and(|c| {
                        matches!(&c.callee, Callee::Method { receiver, .. } if receiver.path.as_deref() == Some(path))
                    });
                    by_ref || by_call
                })
            });
            uses.then(|| entry.clone())
        })
    }
}

/// Computes the extension facts of the analysed file.
pub fn facts(cx: &Cx<'_>) -> ExtensionFacts {
    let in_extension = in_extension_crate(cx);
    if !in_extension {
        return ExtensionFacts::default();
    }
    let crates = related_crates(cx);
    let files: Vec<&FileModel> = cx
        .model
        .files
        .iter()
        .flatten()
        .map(|f| &**f)
        .filter(|f| {
            cx.model
                .crate_of
                .get(f.file.index())
                .is_some_and(|k| crates.contains(k))
        })
        .collect();
    let fork_handler = files.iter().find_map(|f| fork_handler_in(cx, f));
    ExtensionFacts {
        in_extension,
        resets: fork_handler
            .as_ref()
            .and_then(|_| guards::handler_resets(cx, &files)),
        fork_handler,
        reached: reached_from_entries(cx, &files),
    }
}

/// Whether the analysed file is in an extension crate, per `[extension] host-forks`.
fn in_extension_crate(cx: &Cx<'_>) -> bool {
    let model = cx.model;
    let id = cx.file.file.index();
    let in_lib = model.in_lib.get(id).copied().unwrap_or(false);
    match model.host_forks {
        HostForks::Never => false,
        HostForks::Always => in_lib || loose(cx),
        HostForks::Auto => {
            let krate = model.crate_of.get(id).copied();
            if crate_declares_module(cx, krate) {
                return true;
            }
            let Some(package) = model
                .package_of
                .get(id)
                .and_then(|p| model.packages.get(*p))
            else {
                return false;
            };
            if !in_lib {
                return false;
            }
            if package_is_extension(cx, package) {
                return true;
            }
            // A helper lib crate of the run that an extension package depends on.
            let Some(name) = &package.lib_name else {
                return false;
            };
            model.packages.iter().any(|p| {
                !std::ptr::eq(p, package)
                    && p.lib_dependencies.iter().any(|d| d == name)
                    && package_is_extension(cx, p)
            })
        }
    }
}

/// A lone file outside any module tree (a fixture, `forklint check file.rs`).
fn loose(cx: &Cx<'_>) -> bool {
    cx.model
        .crate_of
        .get(cx.file.file.index())
        .and_then(|k| cx.model.crates.get(*k))
        .is_some_and(|k| k.kind == crate::model::TargetKind::Loose)
}

/// Whether a file of crate `krate` declares an extension module (`#[pymodule]`).
fn crate_declares_module(cx: &Cx<'_>, krate: Option<usize>) -> bool {
    if cx.file.extension_module {
        return true;
    }
    krate.is_some_and(|k| cx.model.module_crates.contains(&k))
}

/// Whether a package is an extension module from its manifest (`cdylib` and a host binding
/// crate, or a maturin `pyproject.toml`) or its code (`#[pymodule]` in its lib crate).
fn package_is_extension(cx: &Cx<'_>, package: &Package) -> bool {
    if package.maturin
        || package.cdylib
            && package
                .dependencies
                .iter()
                .any(|d| cx.vocab.path(Category::ExtensionHost, d).is_some())
    {
        return true;
    }
    package.files.iter().any(|f| {
        cx.model.file(*f).is_some_and(|m| m.extension_module)
            && cx.model.in_lib.get(f.index()).copied().unwrap_or(false)
    })
}

/// The crates whose entry points and fork handlers count for the analysed file: its own, and
/// the lib crates of extension packages that depend on its package.
fn related_crates(cx: &Cx<'_>) -> HashSet<usize> {
    let model = cx.model;
    let id = cx.file.file.index();
    let mut out = HashSet::default();
    if let Some(k) = model.crate_of.get(id) {
        out.insert(*k);
    }
    let package = model
        .package_of
        .get(id)
        .and_then(|p| model.packages.get(*p));
    if let Some(name) = package.and_then(|p| p.lib_name.as_ref()) {
        for (index, p) in model.packages.iter().enumerate() {
            if p.lib_dependencies.iter().any(|d| d == name) && package_is_extension(cx, p) {
                if let Some(k) = model.lib_crates.get(&index) {
                    out.insert(*k);
                }
            }
        }
    }
    out
}

/// The function item enclosing body `id` (itself if it is one).
pub fn enclosing_fn(file: &FileModel, id: BodyId) -> Option<BodyId> {
    let mut current = id;
    loop {
        let body = file.body(current);
        if matches!(body.kind, BodyKind::Fn | BodyKind::StaticInit) {
            return Some(current);
        }
        current = body.parent?;
    }
}

/// Every crate-local function reached from an entry point of `files` through calls, with the
/// entry point that reaches it (the first one found, in file order).
fn reached_from_entries(
    cx: &Cx<'_>,
    files: &[&FileModel],
) -> HashMap<FnRef, (FileId, TextRange, String)> {
    let mut reached: HashMap<FnRef, (FileId, TextRange, String)> = HashMap::default();
    let mut queue: Vec<FnRef> = Vec::new();
    for file in files {
        if crate::analysis::roles::is_test_file(cx.model, file) {
            continue;
        }
        for (id, body) in file.items() {
            let host_forks = body.attrs.entry.is_some_and(|e| e != EntryKind::NoFork);
            if host_forks && !crate::analysis::roles::is_test_body(file, id) {
                let f = FnRef {
                    file: file.file,
                    body: id,
                };
                reached.insert(f, (file.file, body.span, body.name.clone()));
                queue.push(f);
            }
        }
        for f in registered_functions(cx, file) {
            let Some(target) = cx.model.file(f.file) else {
                continue;
            };
            let body = target.body(f.body);
            if let std::collections::hash_map::Entry::Vacant(e) = reached.entry(f) {
                e.insert((f.file, body.span, body.name.clone()));
                queue.push(f);
            }
        }
    }
    while let Some(f) = queue.pop() {
        let Some(file) = cx.model.file(f.file) else {
            continue;
        };
        let origin = reached[&f].clone();
        for id in inline_bodies(file, f.body) {
            visit::walk(&file.body(id).block.nodes, &mut |node| {
                if let Node::Call(call) = node {
                    if let Some(target) = cx.model.resolve_call(file, call) {
                        if let std::collections::hash_map::Entry::Vacant(e) = reached.entry(target)
                        {
                            e.insert(origin.clone());
                            queue.push(target);
                        }
                    }
                }
                true
            });
        }
    }
    reached
}

/// The crate-local functions that code of `file` outside test code registers with the host
/// through a `register` macro (magnus's `function!(fetch, 1)`, `method!(Client::get, 1)`): the
/// host calls them like `#[pyfunction]`s.
fn registered_functions(cx: &Cx<'_>, file: &FileModel) -> Vec<FnRef> {
    let mut out = Vec::new();
    for (id, body) in file.bodies.iter() {
        if crate::analysis::roles::is_test_body(file, id) {
            continue;
        }
        visit::walk(&body.block.nodes, &mut |node| {
            if let Some(Call {
                callee: Callee::Path(path),
                args,
                ..
            }) = node.as_call()
            {
                let registers = cx
                    .vocab
                    .macro_call(Category::ExtensionEntry, path)
                    .is_some_and(|e| e.is(Kind::Register));
                if let (true, Some(Arg::Path(f))) = (registers, args.first()) {
                    out.extend(cx.model.resolve_callee(file, &Callee::Path(f.clone())));
                }
            }
            true
        });
    }
    out
}

/// Whether a call starts a thread owner: a thread, a multi-thread runtime, a pool, a blocking
/// HTTP client (the vocabulary's `thread-start`, not its hints).
pub fn starts_owner(cx: &Cx<'_>, callee: &Callee) -> bool {
    cx.vocab
        .call(Category::ThreadStart, callee)
        .is_some_and(|e| !e.is(Kind::Hint))
}

/// The first thread-owner start that running body `id` of the analysed file does: a direct
/// start in it or in the closures it runs inline, or one in a crate-local function it calls
/// (through the summaries).
pub fn owner_start(cx: &Cx<'_>, id: BodyId, skip_global: bool) -> Option<OwnerStart> {
    let file = cx.file;
    let mut found = None;
    for body in inline_bodies(file, id) {
        visit::walk(&file.body(body).block.nodes, &mut |node| {
            if found.is_some() {
                return false;
            }
            let Node::Call(call) = node else { return true };
            if starts_owner(cx, &call.callee) {
                if skip_global && cx.vocab.call(Category::GlobalPool, &call.callee).is_some() {
                    return true;
                }
                found = Some(OwnerStart {
                    span: call.span,
                    name: display_callee(&call.callee),
                    via: Vec::new(),
                });
                return false;
            }
            if let Some((_, summary)) = cx.model.callee_summary(file, call) {
                if let Some(w) = summary.get(Fact::SpawnsThread) {
                    let last = w.last();
                    let mut via = vec![Evidence {
                        file: file.file,
                        span: call.span,
                        what: format!("calls `{}`", display_callee(&call.callee)),
                    }];
                    via.extend(w.chain().into_iter().map(|s| Evidence {
                        file: s.file,
                        span: s.span,
                        what: s.what.clone(),
                    }));
                    let span = if last.file == file.file {
                        last.span
                    } else {
                        call.span
                    };
                    found = Some(OwnerStart {
                        span,
                        name: last.name.clone(),
                        via,
                    });
                    return false;
                }
            }
            true
        });
        if found.is_some() {
            break;
        }
    }
    found
}

/// A static's initializer found at a call on the static (`RT.get_or_init(|| ..)`): the call, the
/// static's path, and the closure that builds the value.
pub struct StaticInitCall<'a> {
    pub call: &'a Call,
    pub body: BodyId,
    pub static_path: String,
    pub closure: BodyId,
}

/// Every call in the analysed file (outside test code) that initializes a static through a
/// `static-init` method with a closure argument.
pub fn static_init_calls<'a>(cx: &Cx<'a>) -> Vec<StaticInitCall<'a>> {
    let file: &'a FileModel = cx.file;
    let mut out = Vec::new();
    for (id, body) in file.bodies.iter() {
        if body.kind == BodyKind::StaticInit {
            continue;
        }
        visit::walk(&body.block.nodes, &mut |node| {
            let Node::Call(call) = node else { return true };
            let Callee::Method { receiver, .. } = &call.callee else {
                return true;
            };
            let Some(path) = &receiver.path else {
                return true;
            };
            if cx.vocab.call(Category::StaticInit, &call.callee).is_none() || !is_static(cx, path) {
                return true;
            }
            if let Some(closure) = call.args.iter().find_map(|a| match a {
                Arg::Closure(c) => Some(*c),
                _ => None,
            }) {
                if !is_test_code(cx, call.span) {
                    out.push(StaticInitCall {
                        call,
                        body: id,
                        static_path: path.clone(),
                        closure,
                    });
                }
            }
            true
        });
    }
    out
}

/// Whether `path` names a static of the analysed file's crate.
pub(super) fn is_static(cx: &Cx<'_>, path: &str) -> bool {
    cx.file.statics.iter().any(|s| s.path == path)
        || cx.model.static_type(cx.file.file, path).is_some()
}

/// The span of the static `path`'s declaration, if the analysed file declares it.
pub fn static_span(cx: &Cx<'_>, path: &str) -> Option<TextRange> {
    cx.file
        .statics
        .iter()
        .find(|s| s.path == path)
        .map(|s| s.span)
}

/// Whether body `id` runs inside a crate pool's `install` closure (so its parallel iterators
/// run on that pool, not on the global one): the closure itself or one enclosing it is the
/// argument of a `pool-install` call, or its enclosing function is only a wrapper's closure.
pub fn in_pool_install(cx: &Cx<'_>, id: BodyId) -> bool {
    let file = cx.file;
    let mut current = Some(id);
    while let Some(b) = current {
        if let Some(call) = crate::analysis::contexts::enclosing_call(file, b) {
            if cx.vocab.call(Category::PoolInstall, &call.callee).is_some() {
                return true;
            }
            // A crate-local wrapper (`with_pool(|| ..)`) that installs its argument.
            if let Some(target) = cx.model.resolve_call(file, call) {
                if let Some(tf) = cx.model.file(target.file) {
                    let installs = inline_bodies(tf, target.body).into_iter().any(|tb| {
                        visit::any(&tf.body(tb).block.nodes, &mut |n| {
                            n.as_call().is_some_and(|c| {
                                cx.vocab.call(Category::PoolInstall, &c.callee).is_some()
                            })
                        })
                    });
                    if installs {
                        return true;
                    }
                }
            }
        }
        current = file.body(b).parent;
    }
    false
}

/// Whether body `id` is an import-time entry point.
pub fn is_import_entry(file: &FileModel, id: BodyId) -> bool {
    file.body(id).attrs.entry == Some(EntryKind::Import)
}
