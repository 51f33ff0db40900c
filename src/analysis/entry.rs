//! Entry states: what holds on entry to a crate-local function, joined over all its call sites
//! to a fixpoint (docs/contexts.md, "Context across calls"). Summaries carry facts up from
//! callees to callers; entry states carry them down: a helper that forks is judged with the
//! threads its callers started and did not join (`main` spawns a listener, then calls
//! `spawn_worker`, which forks), with the async runtimes alive at the call, and with the lock
//! guards the caller holds across it.
//!
//! Only functions that fork (their summary says so: directly or through sync calls) or await a
//! fork (`Summary::awaits_fork`: through awaited `async fn`s and async blocks run in place)
//! receive entry states, so only the bodies that call them are interpreted here. Calls are followed
//! wherever they resolve: within a package (its lib, bins, tests, examples: the seed's
//! `main.rs` calling a helper in `lib.rs`) and into a dependency of the run (a workspace's
//! server binary calling `spawn_worker` of its worker crate). So a unit's findings can depend
//! on the units above it; the findings cache keys a unit that may fork on them (`cache`). A
//! call from test code into code that is not test code is not followed: a library function is
//! judged as the library, not by the threads of its own `#[test]`s or its dependents' (a test
//! helper, sccache's harness, is test code and is).

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::analysis::fork::{bodies_with_fork, found_forks, interp_for, is_root};
use crate::analysis::interp::{Guard, RuntimeLive, State, Step, ThreadStart};
use crate::analysis::roles::{is_test_code, is_test_fn};
use crate::analysis::wrappers::{self, ForkWrappers};
use crate::analysis::Cx;
use crate::base::source::{FileId, TextRange};
use crate::ir::{BodyId, BodyKind, Callee, FileModel, Node};
use crate::model::summary::{inline_and_in_place, Fact};
use crate::model::{FnRef, Model};
use crate::vocab::Vocab;

/// Rounds of the fixpoint at most (each round re-runs every caller with the entry states the
/// previous one found; call chains deeper than this are not followed further).
const MAX_ROUNDS: usize = 8;

/// What may hold when a function starts, on some call path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryState {
    /// Threads possibly running (started by a caller, not joined before the call).
    pub threads: Vec<ThreadStart>,
    /// Async runtimes alive at the call.
    pub runtimes: Vec<RuntimeLive>,
    /// Lock guards a caller holds across the call.
    pub guards: Vec<Guard>,
}

/// The entry states of a run's forking functions.
#[derive(Debug, Default)]
pub struct EntryStates {
    map: HashMap<FnRef, EntryState>,
    /// Rounds the fixpoint took (for `-v`).
    pub rounds: usize,
    /// The run's fork wrappers (found first: their call sites are forks).
    pub wrappers: ForkWrappers,
}

impl EntryStates {
    pub fn get(&self, f: FnRef) -> Option<&EntryState> {
        self.map.get(&f)
    }

    /// Functions with a non-empty entry state.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Computes the entry states of every forking function of the model.
pub fn compute(model: &Model, vocab: &Vocab) -> EntryStates {
    let mut entries = EntryStates {
        wrappers: wrappers::find(model, vocab),
        ..EntryStates::default()
    };
    // A wrapper's fork is judged at its call sites, with the callers' states: no entry state.
    // Functions that fork through their sync calls (`Fact::Forks`), and those that await a fork
    // (`Summary::awaits_fork`: `handle(id).await`, `rt.block_on(async { serve().await })`):
    // an awaited body runs with the caller's threads and runtimes (`merge` leaves the guards
    // out for an `async fn`).
    let reaches_fork =
        |s: &crate::model::summary::Summary| s.get(Fact::Forks).is_some() || s.awaits_fork;
    let forking: HashSet<FnRef> = model
        .summaries
        .iter()
        .filter(|(f, s)| reaches_fork(s) && !entries.wrappers.is_wrapper(**f))
        .map(|(f, _)| *f)
        .collect();
    if forking.is_empty() {
        return entries;
    }
    let asyncs: HashSet<FnRef> = forking
        .iter()
        .filter(|f| model.summaries.get(*f).is_some_and(|s| s.is_async))
        .copied()
        .collect();
    let names: HashSet<&str> = forking
        .iter()
        .filter_map(|f| model.body(*f)?.path.as_deref())
        .map(|p| p.rsplit("::").next().unwrap_or(p))
        .collect();
    let callers: Vec<(FileId, Vec<BodyId>)> = model
        .files
        .par_iter()
        .filter_map(|file| {
            let file = file.as_ref()?;
            let roots: Vec<BodyId> = file
                .bodies
                .iter()
                .filter(|(id, body)| {
                    // A function that calls a forking function forks itself or awaits a fork
                    // (summaries carry both up): only those, and the bodies run apart (thread
                    // bodies, spawned futures), are scanned.
                    let candidate = body.kind != BodyKind::Fn
                        || model
                            .summaries
                            .get(&FnRef {
                                file: file.file,
                                body: *id,
                            })
                            .is_some_and(reaches_fork);
                    candidate && is_root(body) && calls_one_of(model, file, *id, &forking, &names)
                })
                .map(|(id, _)| id)
                .collect();
            (!roots.is_empty()).then_some((file.file, roots))
        })
        .collect();
    for round in 1..=MAX_ROUNDS {
        // Each caller file is interpreted on its own (in parallel); the states at its calls are
        // merged in file order, so the result does not depend on scheduling.
        let recorded: Vec<Vec<(FileId, TextRange, FnRef, State)>> = callers
            .par_iter()
            .map(|(file_id, roots)| calls_in(model, vocab, &entries, &forking, *file_id, roots))
            .collect();
        let mut next: HashMap<FnRef, EntryState> = HashMap::default();
        for (file, span, target, state) in recorded.into_iter().flatten() {
            let name = model
                .body(target)
                .map_or_else(String::new, |b| b.name.clone());
            let awaited = asyncs.contains(&target);
            merge(
                next.entry(target).or_default(),
                &state,
                file,
                span,
                &name,
                awaited,
            );
        }
        next.retain(|_, e| !e.threads.is_empty() || !e.runtimes.is_empty() || !e.guards.is_empty());
        entries.rounds = round;
        if next == entries.map {
            break;
        }
        entries.map = next;
    }
    entries
}

/// Runs the roots of one caller file and returns the states at its calls of forking functions
/// (of its package or of a dependency). A call from test code into a function that is not test
/// code is left out: a library function is judged as the library, not by the threads of tests.
fn calls_in(
    model: &Model,
    vocab: &Vocab,
    entries: &EntryStates,
    forking: &HashSet<FnRef>,
    file_id: FileId,
    roots: &[BodyId],
) -> Vec<(FileId, TextRange, FnRef, State)> {
    let Some(file) = model.file(file_id) else {
        return Vec::new();
    };
    let cx = Cx {
        model,
        vocab,
        file,
        entries,
    };
    let with_fork = bodies_with_fork(&cx);
    let found = found_forks(&cx, &with_fork);
    let mut interp = interp_for(&cx, &found).recording(entries, forking);
    for root in roots {
        let state = interp.initial_state(*root);
        interp.run_body(*root, state);
    }
    let mut out = Vec::new();
    for (span, target, state) in std::mem::take(&mut interp.at_calls) {
        if !state.reachable {
            continue;
        }
        if is_test_code(&cx, span) && !is_test_fn(model, target) {
            continue;
        }
        out.push((file_id, span, target, state));
    }
    out
}

/// Adds what holds at a call of `callee` (at `span` in `file`) to the callee's entry state: each
/// fact not there yet (by where it started), with the call appended to its chain, and without
/// what is local to the caller (a handle's name does not cross the call). For an `async fn`
/// (`awaited`), the guards stay behind: its body runs when the future is polled, and a guard
/// held at the call need not be held then.
fn merge(
    into: &mut EntryState,
    state: &State,
    file: FileId,
    span: TextRange,
    callee: &str,
    awaited: bool,
) {
    let via = |chain: &[Step], what: &str| {
        let mut out = chain.to_vec();
        out.push(Step {
            file,
            span,
            label: format!("`{callee}` is called here {what}"),
        });
        out
    };
    carry(
        &mut into.threads,
        &state.threads,
        |t| (t.file, t.span),
        |t| ThreadStart {
            handle: None,
            joinable: false,
            via: via(&t.via, "while that thread may be running"),
            ..t.clone()
        },
    );
    carry(
        &mut into.runtimes,
        &state.runtimes,
        |r| (r.file, r.span),
        |r| RuntimeLive {
            handle: None,
            via: via(&r.via, "while that runtime is alive"),
            ..r.clone()
        },
    );
    if awaited {
        return;
    }
    carry(
        &mut into.guards,
        &state.guards,
        |g| (g.file, g.span),
        |g| Guard {
            via: via(&g.via, "with the guard held"),
            ..g.clone()
        },
    );
}

/// Adds `across(fact)` for each fact of `from` whose origin is not in `into` yet.
fn carry<T>(
    into: &mut Vec<T>,
    from: &[T],
    origin: impl Fn(&T) -> (FileId, TextRange),
    across: impl Fn(&T) -> T,
) {
    for fact in from {
        if !into.iter().any(|o| origin(o) == origin(fact)) {
            into.push(across(fact));
        }
    }
}

/// Whether root `id` (with the closures it runs inline) calls one of `targets`; `names` are the
/// targets' last path segments, to resolve only calls that may match.
fn calls_one_of(
    model: &Model,
    file: &FileModel,
    id: BodyId,
    targets: &HashSet<FnRef>,
    names: &HashSet<&str>,
) -> bool {
    let mut found = false;
    // The closures it runs inline, and the async blocks it runs in place (`block_on(async {..})`),
    // which the interpreter runs with the caller's state.
    let (mut bodies, in_place) = inline_and_in_place(file, id);
    bodies.extend(in_place);
    for body in bodies {
        crate::ir::visit::walk(&file.body(body).block.nodes, &mut |node| {
            if let Node::Call(call) = node {
                let name = match &call.callee {
                    Callee::Path(p) => p.rsplit("::").next().unwrap_or(p),
                    Callee::Method { name, .. } => name.as_str(),
                    Callee::Unknown(_) => "",
                };
                if names.contains(name)
                    && model
                        .resolve_call(file, call)
                        .is_some_and(|t| targets.contains(&t))
                {
                    found = true;
                }
            }
            !found
        });
        if found {
            return true;
        }
    }
    false
}
