//! Function summaries: what calling a crate-local function does, computed to a fixpoint over
//! the call graph.
//!
//! Each fact keeps a witness chain from the function to the operation (`calls `install`, which
//! spawns a thread here`), so rules can point at evidence across files. Direct facts come from
//! the function's own nodes and the closures it runs inline; facts of callees flow to callers
//! through sync calls (calling an `async fn` only builds a future, and thread or spawned bodies
//! run elsewhere). A worklist over reverse call edges makes this linear in practice; recursion
//! and cycles converge because facts only ever get set.
//!
//! A long-lived caller (the language server) keeps each file's direct facts and resolved calls
//! ([`Kept`]) between runs: they depend only on the file itself and on what call resolution sees
//! of every file (its functions' paths and body ids, statics, imports, crates: [`interface`]),
//! so a file whose facts are the same `Arc` as before, in a model whose interface did not change,
//! keeps them; the fixpoint (cheap) is always run again over all of them.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::VecDeque;
use std::sync::Arc;

use super::{FnRef, Model};
use crate::base::source::{FileId, TextRange};
use crate::ir::visit;
use crate::ir::{Body, BodyId, Call, Callee, FileModel, Node, Role};
use crate::vocab::{Category, CategorySet, Kind, Vocab};

/// Evidence for a fact: where it happens, possibly through a chain of calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    pub file: FileId,
    pub span: TextRange,
    /// What happens here: "spawns a thread", "calls `install`".
    pub what: String,
    /// The operation or function called here, as shown in messages (`std::fs::read`, `install`).
    pub name: String,
    /// For a call: the callee's witness.
    pub via: Option<Box<Witness>>,
}

impl Witness {
    /// The operation at the end of the chain.
    pub fn last(&self) -> &Witness {
        let mut w = self;
        while let Some(next) = &w.via {
            w = next;
        }
        w
    }

    /// Every step of the chain, first to last.
    pub fn chain(&self) -> Vec<&Witness> {
        let mut out = vec![self];
        let mut w = self;
        while let Some(next) = &w.via {
            out.push(next);
            w = next;
        }
        out
    }
}

/// The kinds of facts a summary records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fact {
    /// Starts a thread (or a pool) that may outlive the call.
    SpawnsThread,
    /// Blocks the calling thread.
    Blocks,
    /// Forks the process.
    Forks,
    /// Takes a lock.
    Locks,
    /// Does something that is not async-signal-safe (allocation, panic path, lock, non-AS-safe
    /// libc call, thread or runtime use, std::fs, Command).
    NotAsSafe,
    /// Creates an async runtime.
    CreatesRuntime,
}

impl Fact {
    pub const ALL: [Fact; 6] = [
        Fact::SpawnsThread,
        Fact::Blocks,
        Fact::Forks,
        Fact::Locks,
        Fact::NotAsSafe,
        Fact::CreatesRuntime,
    ];

    fn what(self) -> &'static str {
        match self {
            Fact::SpawnsThread => "spawns a thread here",
            Fact::Blocks => "blocks here",
            Fact::Forks => "forks here",
            Fact::Locks => "takes a lock here",
            Fact::NotAsSafe => "is not async-signal-safe here",
            Fact::CreatesRuntime => "creates an async runtime here",
        }
    }
}

/// What calling a function does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub facts: HashMap<FactKey, Witness>,
    /// Declared `-> !`.
    pub diverges: bool,
    /// The function is `async`: calling it only builds a future.
    pub is_async: bool,
    /// Running the function may fork through code that facts do not cross: an awaited `async
    /// fn` that forks (`handle(id).await`, whose sync `spawn_worker` forks), or an async block
    /// it runs in place (`rt.block_on(async { serve().await })`). Entry states follow such calls
    /// (`analysis::entry`); no rule reads it as a fork of the function itself.
    pub awaits_fork: bool,
}

/// `Fact` as a map key (kept separate so `Fact` stays a plain enum for callers).
pub type FactKey = Fact;

impl Summary {
    pub fn get(&self, fact: Fact) -> Option<&Witness> {
        self.facts.get(&fact)
    }
}

/// Statistics of call resolution, for the crate-wide analysis report.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallStats {
    /// Calls resolved to a crate-local function.
    pub resolved: usize,
    /// Calls of a path or method no crate-local function matches (external APIs, std, unknown).
    pub unresolved: usize,
}

/// Bodies whose code runs when `body` runs: itself and the closures it runs inline.
pub fn inline_bodies(file: &FileModel, body: BodyId) -> Vec<BodyId> {
    inline_and_in_place(file, body).0
}

/// [`inline_bodies`], and in one walk the `Plain` async blocks those run in place
/// (`block_on(async { .. })`) with every `Plain` closure inside them: code facts do not cross
/// (`Summary::awaits_fork`).
pub fn inline_and_in_place(file: &FileModel, body: BodyId) -> (Vec<BodyId>, Vec<BodyId>) {
    let mut inline = vec![body];
    let mut in_place = Vec::new();
    let mut i = 0;
    while i < inline.len() + in_place.len() {
        let (current, inside) = match inline.get(i) {
            Some(b) => (*b, false),
            None => (in_place[i - inline.len()], true),
        };
        visit::walk(&file.body(current).block.nodes, &mut |node| {
            if let Node::Closure(id) = node {
                let child = file.body(*id);
                if child.role == Role::Plain {
                    if inside || child.is_async {
                        in_place.push(*id);
                    } else {
                        inline.push(*id);
                    }
                }
            }
            true
        });
        // (`inline` only grows while its own bodies are walked, all before the in-place ones.)
        i += 1;
    }
    (inline, in_place)
}

fn calls_of<'a>(file: &'a FileModel, bodies: &[BodyId]) -> Vec<(BodyId, &'a Call)> {
    let mut out = Vec::new();
    for id in bodies {
        visit::walk(&file.body(*id).block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                out.push((*id, &**call));
            }
            true
        });
    }
    out
}

/// A call as shown in messages: its path, or `.name()` for a method.
pub fn display_callee(callee: &Callee) -> String {
    match callee {
        Callee::Path(path) => path.clone(),
        Callee::Method { name, .. } => format!(".{name}()"),
        Callee::Unknown(Some(local)) => local.clone(),
        Callee::Unknown(None) => "this call".to_string(),
    }
}

/// The blocking-vocabulary entry a call in body `id` of `file` matches. Entries of kind
/// `io-adapter` (`std::io::copy`) block only on real I/O: one argument must be a local known to be
/// a file, socket or stdin, not an in-memory reader.
pub fn blocking_entry_in<'v>(
    vocab: &'v crate::vocab::Vocab,
    file: &FileModel,
    id: BodyId,
    call: &crate::ir::Call,
) -> Option<&'v crate::vocab::Entry> {
    if call.awaited {
        return None;
    }
    let entry = vocab.call_exact(Category::Blocking, &call.callee)?;
    if !entry.is(Kind::IoAdapter) {
        return Some(entry);
    }
    let does_io = call.args.iter().any(|arg| {
        let crate::ir::Arg::Local(name) = arg else {
            return false;
        };
        let origin = local_origin(file, id, name);
        ["read", "write"]
            .iter()
            .any(|m| vocab.method_exact(Category::Blocking, m, origin).is_some())
    });
    does_io.then_some(entry)
}

/// The origin of local `name` as seen from body `id`: its `let` (the last one in the body) or
/// parameter, else the enclosing body's (closures capture).
pub fn local_origin<'a>(
    file: &'a FileModel,
    id: BodyId,
    name: &str,
) -> Option<&'a crate::ir::Origin> {
    let body = file.body(id);
    let mut found = None;
    crate::ir::visit::walk(&body.block.nodes, &mut |node| {
        if let Node::Let(l) = node {
            if l.names.iter().any(|n| n == name) {
                found = Some(l.origin.as_ref());
            }
        }
        true
    });
    if let Some(origin) = found {
        return origin;
    }
    if let Some((_, origin)) = body.params.iter().find(|(p, _)| p == name) {
        return origin.as_ref();
    }
    local_origin(file, body.parent?, name)
}

/// Whether a call in body `id` of `file` is a direct occurrence of `fact` by the vocabulary,
/// given the call's categories (computed once per call).
fn direct_fact_in(
    vocab: &Vocab,
    set: CategorySet,
    fact: Fact,
    file: &FileModel,
    id: BodyId,
    call: &Call,
) -> bool {
    let has = |c: Category| set & c.bit() != 0;
    match fact {
        Fact::SpawnsThread => has(Category::ThreadStart),
        Fact::Blocks => {
            has(Category::Blocking) && blocking_entry_in(vocab, file, id, call).is_some()
        }
        Fact::Forks => has(Category::Fork),
        Fact::Locks => has(Category::Lock),
        Fact::CreatesRuntime => has(Category::Runtime),
        Fact::NotAsSafe => not_as_safe_in(set, &call.callee),
    }
}

const NOT_AS_SAFE: [Category; 6] = [
    Category::Alloc,
    Category::Panics,
    Category::NotAsSafe,
    Category::Lock,
    Category::ThreadStart,
    Category::Blocking,
];

/// Whether a call is known not to be async-signal-safe, given its categories.
fn not_as_safe_in(set: CategorySet, callee: &Callee) -> bool {
    if set & Category::AsSafe.bit() != 0 {
        return false;
    }
    if NOT_AS_SAFE.iter().any(|c| set & c.bit() != 0) {
        return true;
    }
    matches!(callee, Callee::Path(p) if crate::vocab::libc_call_not_as_safe(p))
}

fn macro_fact(vocab: &Vocab, fact: Fact, path: &str) -> bool {
    match fact {
        Fact::Locks => vocab.macro_call(Category::Lock, path).is_some(),
        Fact::NotAsSafe => [
            Category::Alloc,
            Category::Panics,
            Category::NotAsSafe,
            Category::Lock,
        ]
        .iter()
        .any(|c| vocab.macro_call(*c, path).is_some()),
        Fact::SpawnsThread => vocab.macro_call(Category::ThreadStart, path).is_some(),
        _ => false,
    }
}

/// A function's direct facts and its resolved crate-local callees (with the call sites).
#[derive(Debug)]
struct Local {
    direct: HashMap<Fact, Witness>,
    callees: Vec<(FnRef, TextRange)>,
    /// Crate-local functions called in the async blocks the function runs in place (`Plain`
    /// ones: `block_on(async { .. })`), which facts do not cross (`Summary::awaits_fork`).
    awaited: Vec<FnRef>,
}

fn analyse_body(
    vocab: &Vocab,
    model: &Model,
    file: &FileModel,
    id: BodyId,
    stats: &mut CallStats,
) -> Local {
    let (bodies, in_place) = inline_and_in_place(file, id);
    let joined = joined_spawns(vocab, file, &bodies);
    let mut direct: HashMap<Fact, Witness> = HashMap::default();
    let mut callees = Vec::new();
    for (body_id, call) in calls_of(file, &bodies) {
        let set = vocab.categories(&call.callee);
        for fact in Fact::ALL {
            if fact == Fact::SpawnsThread && joined.contains(&call.span) {
                continue;
            }
            if !direct.contains_key(&fact) && direct_fact_in(vocab, set, fact, file, body_id, call)
            {
                direct.insert(
                    fact,
                    Witness {
                        file: file.file,
                        span: call.span,
                        what: fact.what().to_string(),
                        name: display_callee(&call.callee),
                        via: None,
                    },
                );
            }
        }
        // A call the vocabulary knows (a yield point, an executor or thread hand-off) is judged
        // by the vocabulary, never by the summary of its implementation.
        let known = [
            Category::Yield,
            Category::ContextExit,
            Category::AsyncSpawn,
            Category::GreenSpawn,
        ]
        .iter()
        .any(|c| set & c.bit() != 0);
        if known {
            continue;
        }
        match model.resolve_call(file, call) {
            Some(target) => {
                stats.resolved += 1;
                callees.push((target, call.span));
            }
            None => {
                if !matches!(call.callee, Callee::Unknown(_)) {
                    stats.unresolved += 1;
                }
            }
        }
    }
    for id in &bodies {
        visit::walk(&file.body(*id).block.nodes, &mut |node| {
            if let Node::Macro(m) = node {
                for fact in Fact::ALL {
                    if !direct.contains_key(&fact) && macro_fact(vocab, fact, &m.path) {
                        direct.insert(
                            fact,
                            Witness {
                                file: file.file,
                                span: m.span,
                                what: fact.what().to_string(),
                                name: format!("{}!", m.path),
                                via: None,
                            },
                        );
                    }
                }
            }
            true
        });
    }
    // Calls in the async blocks run in place, for `Summary::awaits_fork` only (not counted in
    // the call statistics: facts do not cross them).
    let mut awaited = Vec::new();
    for (_, call) in calls_of(file, &in_place) {
        // A call the vocabulary knows is no crate-local function.
        if vocab.categories(&call.callee) != 0 || matches!(call.callee, Callee::Unknown(_)) {
            continue;
        }
        if let Some(target) = model.resolve_call(file, call) {
            awaited.push(target);
        }
    }
    Local {
        direct,
        callees,
        awaited,
    }
}

/// Spans of thread starts whose handle is joined in the same function: bound by a `let` whose
/// name is later joined, directly (`h.join()`) or through a collection (`handles.push(h)` and
/// `for h in handles { h.join() }`).
fn joined_spawns(vocab: &Vocab, file: &FileModel, bodies: &[BodyId]) -> HashSet<TextRange> {
    let mut bound: Vec<(Vec<String>, Vec<TextRange>)> = Vec::new();
    let mut joined: HashSet<String> = HashSet::default();
    let mut pushed: Vec<(String, String)> = Vec::new();
    let mut loops: Vec<(String, Vec<String>)> = Vec::new();
    for id in bodies {
        visit::walk(&file.body(*id).block.nodes, &mut |node| {
            if let Some(l) = node.as_let() {
                let mut spans = Vec::new();
                visit::walk(&l.init, &mut |n| {
                    if let Node::Call(c) = n {
                        if vocab.call(Category::ThreadStart, &c.callee).is_some() {
                            spans.push(c.span);
                        }
                    }
                    true
                });
                if !spans.is_empty() {
                    bound.push((l.names.clone(), spans));
                }
            } else if let Some(c) = node.as_call() {
                if let Callee::Method { name, receiver } = &c.callee {
                    if let Some(local) = &receiver.local {
                        if vocab.tables().has(Category::JoinMethod, name) {
                            joined.insert(local.clone());
                        }
                        if vocab.tables().has(Category::StoreMethod, name) {
                            if let Some(crate::ir::Arg::Local(item)) = c.args.first() {
                                pushed.push((item.clone(), local.clone()));
                            }
                        }
                    }
                }
            } else if let Node::Loop(l) = node {
                if let Some(iter) = &l.iter_local {
                    loops.push((iter.clone(), l.bindings.clone()));
                }
            }
            true
        });
    }
    for (collection, bindings) in &loops {
        if bindings.iter().any(|b| joined.contains(b)) {
            joined.insert(collection.clone());
        }
    }
    for (item, collection) in &pushed {
        if joined.contains(collection) {
            joined.insert(item.clone());
        }
    }
    bound
        .into_iter()
        .filter(|(names, _)| !names.is_empty() && names.iter().all(|n| joined.contains(n)))
        .flat_map(|(_, spans)| spans)
        .collect()
}

fn body_name(model: &Model, f: FnRef) -> String {
    model
        .body(f)
        .map(|b: &Body| b.name.clone())
        .unwrap_or_else(|| "a function".to_string())
}

/// One file's functions' direct facts and resolved calls, with the call statistics.
type FileLocals = Arc<(Vec<(FnRef, Local)>, CallStats)>;

/// Per-file facts kept between runs by a long-lived caller (see the module docs).
#[derive(Debug, Default)]
pub struct Kept {
    /// The model's [`interface`] and the vocabulary fingerprint they were computed with.
    key: (u64, u64),
    /// Per file: the facts they were computed from, and them.
    files: Vec<Option<(Arc<crate::ir::FileModel>, FileLocals)>>,
    /// Files whose facts were reused by the last run.
    pub reused: usize,
}

/// What call resolution sees of the model: every file's crate, functions (path, body id),
/// statics and module scopes, and the packages' and crates' names and dependencies. Two models
/// with the same interface resolve a call in a given file to the same function.
pub fn interface(model: &Model) -> u64 {
    use rayon::prelude::*;
    use std::hash::{Hash, Hasher};
    let per_file: Vec<u64> = model
        .files
        .par_iter()
        .enumerate()
        .map(|(id, file)| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            id.hash(&mut h);
            model.crate_of.get(id).hash(&mut h);
            if let Some(file) = file {
                for (body_id, body) in file.items() {
                    (body_id.index(), &body.path).hash(&mut h);
                }
                file.statics
                    .iter()
                    .for_each(|s| (&s.path, &s.ty).hash(&mut h));
                file.modules.hash(&mut h);
            }
            h.finish()
        })
        .collect();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    per_file.hash(&mut h);
    for package in &model.packages {
        (&package.lib_name, &package.dependencies).hash(&mut h);
    }
    for krate in &model.crates {
        (krate.package, krate.kind, krate.root_file.index()).hash(&mut h);
    }
    model.ambiguous_libs.hash(&mut h);
    h.finish()
}

/// Computes every function's summary; returns call-resolution statistics.
pub fn compute(model: &mut Model, vocab: &Vocab) -> CallStats {
    compute_kept(model, vocab, None)
}

/// [`compute`], reusing and updating `kept` (the same vocabulary's `fingerprint` each run).
pub fn compute_with(
    model: &mut Model,
    vocab: &Vocab,
    fingerprint: u64,
    kept: &mut Kept,
) -> CallStats {
    let key = (interface(model), fingerprint);
    if kept.key != key {
        kept.files.clear();
    }
    kept.key = key;
    compute_kept(model, vocab, Some(kept))
}

fn compute_kept(model: &mut Model, vocab: &Vocab, kept: Option<&mut Kept>) -> CallStats {
    use rayon::prelude::*;
    let previous = kept.as_ref().map(|k| &k.files);
    let per_file: Vec<(FileLocals, bool)> = model
        .files
        .par_iter()
        .enumerate()
        .map(|(file_id, file)| {
            let old = previous.and_then(|p| p.get(file_id)?.as_ref());
            if let (Some(file), Some((was, locals))) = (file, old) {
                if Arc::ptr_eq(file, was) {
                    return (locals.clone(), true);
                }
            }
            let mut stats = CallStats::default();
            let mut out = Vec::new();
            if let Some(file) = file {
                for (body_id, _) in file.items() {
                    let f = FnRef {
                        file: FileId::from_index(file_id),
                        body: body_id,
                    };
                    out.push((f, analyse_body(vocab, model, file, body_id, &mut stats)));
                }
            }
            (Arc::new((out, stats)), false)
        })
        .collect();
    if let Some(kept) = kept {
        kept.reused = per_file.iter().filter(|(_, reused)| *reused).count();
        kept.files = model
            .files
            .iter()
            .zip(&per_file)
            .map(|(file, (locals, _))| Some((file.clone()?, locals.clone())))
            .collect();
    }
    let mut stats = CallStats::default();
    let mut locals: HashMap<FnRef, &Local> = HashMap::default();
    for (list, _) in &per_file {
        let (list, file_stats) = &**list;
        stats.resolved += file_stats.resolved;
        stats.unresolved += file_stats.unresolved;
        locals.extend(list.iter().map(|(f, local)| (*f, local)));
    }
    // Reverse edges for the worklist.
    let mut callers: HashMap<FnRef, Vec<FnRef>> = HashMap::default();
    for (f, local) in &locals {
        for (callee, _) in &local.callees {
            callers.entry(*callee).or_default().push(*f);
        }
    }
    let mut summaries: HashMap<FnRef, Summary> = locals
        .iter()
        .map(|(f, local)| {
            let body = model.body(*f);
            (
                *f,
                Summary {
                    facts: local.direct.clone(),
                    diverges: body.is_some_and(|b| b.diverges),
                    is_async: body.is_some_and(|b| b.is_async),
                    awaits_fork: false,
                },
            )
        })
        .collect();
    let mut keys: Vec<FnRef> = locals.keys().copied().collect();
    keys.sort();
    let mut queue: VecDeque<FnRef> = keys.into_iter().collect();
    while let Some(f) = queue.pop_front() {
        let Some(local) = locals.get(&f) else {
            continue;
        };
        let mut changed = false;
        for (callee, span) in &local.callees {
            let Some(callee_summary) = summaries.get(callee) else {
                continue;
            };
            if callee_summary.is_async {
                continue;
            }
            let mut new_facts = Vec::new();
            for (fact, witness) in &callee_summary.facts {
                if summaries
                    .get(&f)
                    .is_some_and(|s| s.facts.contains_key(fact))
                {
                    continue;
                }
                let name = body_name(model, *callee);
                new_facts.push((
                    *fact,
                    Witness {
                        file: f.file,
                        span: *span,
                        what: format!("calls `{name}`"),
                        name,
                        via: Some(Box::new(witness.clone())),
                    },
                ));
            }
            if let Some(summary) = summaries.get_mut(&f) {
                for (fact, witness) in new_facts {
                    summary.facts.insert(fact, witness);
                    changed = true;
                }
            }
        }
        if changed {
            if let Some(list) = callers.get(&f) {
                queue.extend(list.iter().copied());
            }
        }
    }
    awaits_fork(&mut summaries, &locals, &callers);
    model.summaries = summaries;
    model.reached_from_async = reached_from_async(model, &locals);
    stats
}

/// Sets `Summary::awaits_fork`, to a fixpoint: a function awaits a fork when it calls an async
/// function that forks, calls a function that awaits one, or runs an async block in place that
/// calls a function that forks or awaits a fork. `callers` are the reverse edges of the
/// functions' direct calls; those of the in-place async blocks are added here.
fn awaits_fork(
    summaries: &mut HashMap<FnRef, Summary>,
    locals: &HashMap<FnRef, &Local>,
    callers: &HashMap<FnRef, Vec<FnRef>>,
) {
    let forks = |s: &Summary| s.get(Fact::Forks).is_some();
    let mut awaited_by: HashMap<FnRef, Vec<FnRef>> = HashMap::default();
    let mut queue: VecDeque<FnRef> = VecDeque::new();
    // Seeds: callers of an async function that forks, and functions whose in-place async
    // blocks call one that forks.
    let mut seeds: Vec<FnRef> = Vec::new();
    for (f, s) in summaries.iter() {
        if s.is_async && forks(s) {
            seeds.extend(callers.get(f).into_iter().flatten().copied());
        }
    }
    for (f, local) in locals {
        for callee in &local.awaited {
            awaited_by.entry(*callee).or_default().push(*f);
            if summaries.get(callee).is_some_and(forks) {
                seeds.push(*f);
            }
        }
    }
    seeds.sort();
    queue.extend(seeds);
    while let Some(f) = queue.pop_front() {
        match summaries.get_mut(&f) {
            Some(s) if !s.awaits_fork => s.awaits_fork = true,
            _ => continue,
        }
        for list in [callers.get(&f), awaited_by.get(&f)].into_iter().flatten() {
            queue.extend(list.iter().copied());
        }
    }
}

/// Sync crate-local functions that async or green code calls, directly or through other sync
/// functions, each with the call chain from the async code (FL007: a fork in a sync helper
/// reached from async code still forks on the runtime's worker thread).
///
/// Chains follow calls into dependencies of the run (a dependent's async code calling a
/// dependency's sync helper that forks: the fork is the dependency's), except from test code:
/// a library is judged as the library, not by its dependents' tests (within a package, its own
/// async tests do reach its helpers). The findings cache keys a unit that may fork on the units
/// above it for this and for entry states (`cache`).
fn reached_from_async(model: &Model, locals: &HashMap<FnRef, &Local>) -> HashMap<FnRef, Witness> {
    use rayon::prelude::*;
    let package = |file: FileId| model.package_of.get(file.index()).copied();
    let mut reached: HashMap<FnRef, Witness> = HashMap::default();
    let mut queue: VecDeque<FnRef> = VecDeque::new();
    // The sync functions each file's async and green bodies call (the first call of each), found
    // file by file in parallel, then taken in file order: the witnesses and the queue of one
    // serial walk over every file.
    let found: Vec<Vec<(FnRef, Witness)>> = model
        .files
        .par_iter()
        .map(|file| {
            let mut out = Vec::new();
            let Some(file) = file else { return out };
            let mut seen: HashSet<FnRef> = HashSet::default();
            for (index, body) in file.bodies.iter() {
                if body.context == crate::ir::Context::Sync {
                    continue;
                }
                visit::walk(&body.block.nodes, &mut |node| {
                    let Node::Call(call) = node else { return true };
                    let Some(target) = model.resolve_call(file, call) else {
                        return true;
                    };
                    let sync = model.body(target).is_some_and(|b| !b.is_async);
                    let followed = package(target.file) == package(file.file)
                        || !crate::model::roles::is_test_fn(
                            model,
                            FnRef {
                                file: file.file,
                                body: index,
                            },
                        );
                    if sync && followed && seen.insert(target) {
                        let root = async_root_name(file, index);
                        out.push((
                            target,
                            Witness {
                                file: file.file,
                                span: call.span,
                                what: format!("called from {root} here"),
                                name: body_name(model, target),
                                via: None,
                            },
                        ));
                    }
                    true
                });
            }
            out
        })
        .collect();
    for (target, witness) in found.into_iter().flatten() {
        if let std::collections::hash_map::Entry::Vacant(slot) = reached.entry(target) {
            slot.insert(witness);
            queue.push_back(target);
        }
    }
    while let Some(f) = queue.pop_front() {
        let Some(local) = locals.get(&f) else {
            continue;
        };
        let Some(witness) = reached.get(&f).cloned() else {
            continue;
        };
        for (callee, span) in &local.callees {
            if reached.contains_key(callee)
                || model.body(*callee).is_none_or(|b| b.is_async)
                || (package(callee.file) != package(f.file)
                    && crate::model::roles::is_test_fn(model, f))
            {
                continue;
            }
            let mut chain = witness.clone();
            let mut tail = &mut chain;
            while tail.via.is_some() {
                tail = tail.via.as_mut().expect("checked above");
            }
            tail.via = Some(Box::new(Witness {
                file: f.file,
                span: *span,
                what: format!("calls `{}`", body_name(model, *callee)),
                name: body_name(model, *callee),
                via: None,
            }));
            reached.insert(*callee, chain);
            queue.push_back(*callee);
        }
    }
    reached
}

/// "async fn `main`", "an async block", "a green task": where a body's context comes from.
fn async_root_name(file: &FileModel, id: BodyId) -> String {
    let mut current = id;
    loop {
        let body = file.body(current);
        if body.context == crate::ir::Context::Green {
            return "a green task".to_string();
        }
        if body.is_async {
            return match body.kind {
                crate::ir::BodyKind::Fn => format!("async fn `{}`", body.name),
                crate::ir::BodyKind::AsyncBlock => "an async block".to_string(),
                _ => "an async closure".to_string(),
            };
        }
        match body.parent {
            Some(parent) => current = parent,
            None => return "async code".to_string(),
        }
    }
}
