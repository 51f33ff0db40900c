//! The API vocabulary: what forklint knows about other crates' functions, as data.
//!
//! Knowledge lives in `rules/*.toml` (embedded at build time) and in the user's `[vocab]` config,
//! never in `match` arms in the rules. An entry names a function path (`std::thread::sleep`, or a
//! one-segment wildcard `std::fs::*`), a macro path, or method names plus the receiver origins they
//! apply to (a type, a constructor path, `prefix::*`, or `*` for any receiver when the name alone is
//! unambiguous). Rules ask `vocab.call(Category::Blocking, &call)` and get the matching entry.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::ir::{Callee, Origin};

mod entry;
mod names;
mod tables;

pub use self::entry::{Entry, Kind, RawVocab, VocabError};
use self::names::hint_matches_name;
pub use self::names::{libc_call_not_as_safe, origin_names, receiver_matches, split_last};
pub use self::tables::Tables;

/// The embedded vocabulary files, in a fixed order.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("rules/fork.toml", include_str!("../../rules/fork.toml")),
    (
        "rules/threads.toml",
        include_str!("../../rules/threads.toml"),
    ),
    ("rules/async.toml", include_str!("../../rules/async.toml")),
    (
        "rules/blocking.toml",
        include_str!("../../rules/blocking.toml"),
    ),
    ("rules/locks.toml", include_str!("../../rules/locks.toml")),
    (
        "rules/signal_safety.toml",
        include_str!("../../rules/signal_safety.toml"),
    ),
    ("rules/roles.toml", include_str!("../../rules/roles.toml")),
    (
        "rules/extension.toml",
        include_str!("../../rules/extension.toml"),
    ),
    ("rules/std.toml", include_str!("../../rules/std.toml")),
];

macro_rules! categories {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// A set of API entries that one question of the rules is about.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Category { $(#[doc = $doc] $variant,)* }

        impl Category {
            pub const ALL: &'static [Category] = &[$(Category::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Category::$variant => $name,)* }
            }

            pub fn from_name(name: &str) -> Option<Category> {
                match name { $($name => Some(Category::$variant),)* _ => None }
            }

            pub fn doc(self) -> &'static str {
                match self { $(Category::$variant => $doc,)* }
            }
        }
    };
}

categories! {
    Fork => "fork": "calls that fork the process (`kind` = fork, vfork, daemon, clone)",
    ForkChild => "fork-child": "patterns and predicates that select the child of a fork result",
    ForkParent => "fork-parent": "patterns and predicates that select the parent of a fork result",
    PreExec => "pre-exec": "methods whose closure argument runs in the child between fork and exec",
    Exec => "exec": "calls that end a child properly (exec family, `_exit`, `abort`); `clean = false` when they allocate",
    ProcessExit => "process-exit": "exits that run atexit handlers and flush inherited buffers",
    ThreadStart => "thread-start": "calls that start an OS thread or a pool that outlives the call",
    ThreadJoin => "thread-join": "calls that wait for a thread started earlier",
    Scoped => "scoped": "scoped thread APIs: threads joined when the scope ends (`param` = scope type)",
    Runtime => "runtime": "calls that create an async runtime",
    ContextExit => "context-exit": "calls whose closure argument runs on a blocking-capable thread",
    GreenSpawn => "green-spawn": "calls whose closure argument runs as a green task (may coroutines)",
    AsyncSpawn => "async-spawn": "calls that hand a future to an executor",
    SingleFuture => "single-future": "executors that run one future alone on the calling thread: an async block handed to one is not shared async context",
    TestAttribute => "test-attribute": "attributes that make a function a test (test code, where FL002 and FL003 are held back by default)",
    Yield => "yield": "yield points for cooperative scheduling",
    Spin => "spin": "non-blocking polls that make a loop spin until something changes",
    Diverges => "diverges": "calls and macros that never return (a loop reaching one ends)",
    Wraps => "wraps": "constructors whose result stands for their first argument (`BufReader::new(file)` reads the file)",
    Builder => "builder": "methods that return their receiver's type (builders), so a call chain keeps the receiver's origin",
    Returns => "returns": "functions whose result is a type other than their path suggests (`File::options()` returns an `OpenOptions`): `type` names it",
    GuardWait => "guard-wait": "methods whose receiver, when its own type is unknown, has the `type` named when their first argument is a guard of `receivers` (`cvar.wait(guard)` on a `std::sync::Mutex` guard is a `Condvar` wait)",
    Blocking => "blocking": "calls that block the current thread",
    Lock => "lock": "operations that take a lock (explicitly or inside the standard library)",
    AsSafe => "as-safe": "async-signal-safe operations, allowed in a fork child",
    Alloc => "alloc": "operations that allocate on the heap",
    Panics => "panics": "operations that may panic (unwinding allocates and takes locks)",
    NotAsSafe => "not-as-safe": "other operations that are not async-signal-safe",
    Prelude => "prelude": "names in scope in every module (built in only; the name is the path's last segment)",
    SmartPointer => "smart-pointer": "types that auto-deref to their first generic argument for method lookup",
    WrapperCtor => "wrapper-ctor": "constructors whose result's origin is their first argument's (`Arc::new(x)` is `x`)",
    Lazy => "lazy": "wrapper types of a static whose initializer runs at first use",
    Drop => "drop": "functions that drop their first argument (a guard it holds is released, a runtime shut down)",
    TransparentMethod => "transparent-method": "methods whose result has their receiver's origin (`unwrap`, `clone`, `borrow`): `methods` only",
    UnwrapMethod => "unwrap-method": "methods that unwrap a `Result` or `Option` to its value (`unwrap`, `expect`), for constant operands: `methods` only",
    JoinMethod => "join-method": "methods that join the thread handle they are called on (`JoinHandle::join`): `methods` only",
    StoreMethod => "store-method": "collection methods that keep their argument (`Vec::push`): a thread handle stored there stays joinable: `methods` only",
    ExtensionEntry => "extension-entry": "attributes that make a function an extension-module entry point (`kind` = import: runs when the host loads the module; impl: on an `impl`, its methods are entry points; register: a macro whose first argument becomes an entry point, magnus's `function!`; no-fork: an export to a host that never forks without exec, napi's `#[napi]`)",
    ExtensionHost => "extension-host": "crates (`path` = the crate name as code spells it) whose dependency, with `crate-type = [\"cdylib\"]`, makes a package an extension module loaded by a host that may fork",
    GlobalPool => "global-pool": "uses of a process-wide runtime or pool that an extension cannot replace after a fork (pyo3-async-runtimes' runtime, rayon's global pool)",
    PoolInstall => "pool-install": "methods whose closure argument runs on a crate-owned pool (parallel iterators in it do not use the global pool)",
    Pid => "pid": "calls that read the process id (a pid check against a stored pid guards a static against a fork)",
    Atfork => "atfork": "fork-handler registrations (`pthread_atfork`, and the name of Python's `os.register_at_fork` called through PyO3)",
    ThreadOwner => "thread-owner": "types and constructors of values that own threads (a runtime, a pool): dropping one joins its workers",
    RuntimeShutdown => "runtime-shutdown": "calls that shut a runtime down and wait for its workers",
    StaticTake => "static-take": "methods that move a static's value out (`Option::take`/`replace`): the old value is dropped unless leaked",
    Leak => "leak": "calls that leak their argument instead of dropping it (`std::mem::forget`, `Box::leak`)",
    StaticInit => "static-init": "methods of a once-initialized static whose closure argument builds its value (`OnceLock::get_or_init`)",
    PatternMacro => "pattern-macro": "macros whose arguments are an expression, then a pattern with an optional `if` guard (`matches!`)",
    FieldMacro => "field-macro": "macros whose arguments include tracing's fields (`name = value`, `?value`, `%value`, `{ fields }`): each field's value is lowered as code",
    FieldWrapper => "field-wrapper": "names a field value of a `field-macro` may be wrapped in to choose its formatting (`x = display(&v)`): the wrapped value is the code",
}

#[derive(Default, Debug)]
struct CategoryIndex {
    paths: HashMap<String, Vec<usize>>,
    wildcards: Vec<(String, usize)>,
    macros: HashMap<String, Vec<usize>>,
    /// The macro entries that are `*::name` suffix patterns, by `name` (a miss looks here only
    /// when there is one).
    suffix_macros: HashMap<String, Vec<usize>>,
    methods: HashMap<String, Vec<usize>>,
}

/// The compiled vocabulary: every category indexed for O(1) lookups.
#[derive(Debug)]
pub struct Vocab {
    entries: Vec<Entry>,
    index: HashMap<Category, CategoryIndex>,
    /// Every exact path and macro known to any category, for glob-import resolution.
    known_paths: HashMap<String, ()>,
    /// First segments of every known path (`libc`, `nix`, `tokio`, ...) plus `std`/`core`/`alloc`:
    /// extern crates, which a crate-local glob import never captures.
    crate_roots: HashSet<String>,
    /// Every category an exact path belongs to, as a bit set (one lookup per call).
    path_sets: HashMap<String, CategorySet>,
    /// Same for `prefix::*` wildcards, keyed by prefix.
    wildcard_sets: HashMap<String, CategorySet>,
    /// The categories with a wildcard (a path lookup that misses looks for one only then).
    wildcard_categories: CategorySet,
    /// Method name -> (entry, category) pairs, to test receivers once per call.
    method_sets: HashMap<String, Vec<(usize, Category)>>,
    /// The most `::`-separated segments of any method receiver hint: a receiver whose origin
    /// has at least this many methods after its base can match none of them but `*`.
    max_receiver_segments: usize,
    /// The name tables (see [`Tables`]).
    tables: Tables,
}

/// A set of categories (bit `c as u32` for category `c`).
pub type CategorySet = u64;

impl Category {
    pub fn bit(self) -> CategorySet {
        1 << (self as u32)
    }
}

impl Vocab {
    /// The built-in vocabulary. The embedded files are validated by a test, so this cannot fail
    /// at run time unless that test is failing too.
    pub fn builtin() -> Vocab {
        Vocab::with_extensions(&[]).expect("embedded rules/*.toml are valid (see tests)")
    }

    /// A hash of every entry (built-in and extensions), for the findings cache key.
    pub fn fingerprint(&self) -> u64 {
        fn sorted<V: std::fmt::Debug>(map: &HashMap<String, V>) -> String {
            let mut list: Vec<_> = map.iter().collect();
            list.sort_by(|a, b| a.0.cmp(b.0));
            format!("{list:?}")
        }
        let mut categories: Vec<String> = self
            .index
            .iter()
            .map(|(category, index)| {
                format!(
                    "{category:?} {} {:?} {} {}",
                    sorted(&index.paths),
                    index.wildcards,
                    sorted(&index.macros),
                    sorted(&index.methods)
                )
            })
            .collect();
        categories.sort();
        xxhash_rust::xxh3::xxh3_64(format!("{:?} {categories:?}", self.entries).as_bytes())
    }

    /// The built-in vocabulary plus extensions from configuration.
    pub fn with_extensions(extra: &[(String, RawVocab)]) -> Result<Vocab, Vec<VocabError>> {
        let mut raws = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in BUILTIN_FILES {
            match toml::from_str::<RawVocab>(text) {
                Ok(raw) => raws.push((name.to_string(), raw)),
                Err(err) => errors.push(VocabError {
                    source: name.to_string(),
                    key: String::new(),
                    message: err.message().to_string(),
                }),
            }
        }
        let builtin = raws.len();
        raws.extend(extra.iter().cloned());
        let mut vocab = Vocab {
            entries: Vec::new(),
            index: HashMap::default(),
            known_paths: HashMap::default(),
            crate_roots: ["std", "core", "alloc"]
                .into_iter()
                .map(String::from)
                .collect(),
            path_sets: HashMap::default(),
            wildcard_sets: HashMap::default(),
            wildcard_categories: 0,
            method_sets: HashMap::default(),
            max_receiver_segments: 0,
            tables: Tables::default(),
        };
        for (n, (source, raw)) in raws.into_iter().enumerate() {
            for (key, entries) in raw {
                let Some(category) = Category::from_name(&key) else {
                    errors.push(VocabError {
                        source: source.clone(),
                        key: key.clone(),
                        message: format!(
                            "unknown vocabulary category (expected one of {})",
                            Category::ALL
                                .iter()
                                .map(|c| format!("`{}`", c.name()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                    continue;
                };
                if n >= builtin && !category.user_extensible() {
                    errors.push(VocabError {
                        source: source.clone(),
                        key: key.clone(),
                        message: format!("`{key}` is built in and cannot be extended"),
                    });
                    continue;
                }
                for entry in entries {
                    let message = entry
                        .shape_error(category)
                        .map(str::to_string)
                        .or_else(|| entry.kind_error(category));
                    if let Some(message) = message {
                        errors.push(VocabError {
                            source: source.clone(),
                            key: key.clone(),
                            message,
                        });
                        continue;
                    }
                    vocab.insert(category, entry);
                }
            }
        }
        if errors.is_empty() {
            Ok(vocab)
        } else {
            Err(errors)
        }
    }

    fn insert(&mut self, category: Category, entry: Entry) {
        let id = self.entries.len();
        if category.is_table() {
            // Not indexed as calls, and no crate root: see `tables.rs`.
            for path in entry.path.iter().chain(entry.methods.iter().flatten()) {
                self.tables.insert(category, path);
            }
            self.entries.push(entry);
            return;
        }
        for path in entry.path.iter().chain(entry.macro_path.iter()) {
            if let Some((root, _)) = path.split_once("::") {
                if !matches!(root, "crate" | "self" | "super" | "Self" | "*") {
                    self.crate_roots.insert(root.to_string());
                }
            }
        }
        if let Some(path) = &entry.path {
            let sets = match path.strip_suffix("::*") {
                Some(prefix) => {
                    self.wildcard_categories |= category.bit();
                    self.wildcard_sets.entry(prefix.to_string()).or_default()
                }
                None => self.path_sets.entry(path.clone()).or_default(),
            };
            *sets |= category.bit();
        }
        for hint in entry.receivers.iter().flatten() {
            let segments = hint.split("::").count();
            self.max_receiver_segments = self.max_receiver_segments.max(segments);
        }
        for method in entry.methods.iter().flatten() {
            self.method_sets
                .entry(method.clone())
                .or_default()
                .push((id, category));
        }
        let index = self.index.entry(category).or_default();
        if let Some(path) = &entry.path {
            if let Some(prefix) = path.strip_suffix("::*") {
                index.wildcards.push((prefix.to_string(), id));
            } else {
                index.paths.entry(path.clone()).or_default().push(id);
                self.known_paths.insert(path.clone(), ());
            }
        }
        if let Some(path) = &entry.macro_path {
            if let Some(name) = path.strip_prefix("*::") {
                index
                    .suffix_macros
                    .entry(name.to_string())
                    .or_default()
                    .push(id);
            }
            index.macros.entry(path.clone()).or_default().push(id);
            self.known_paths.insert(path.clone(), ());
        }
        for method in entry.methods.iter().flatten() {
            index.methods.entry(method.clone()).or_default().push(id);
        }
        self.entries.push(entry);
    }

    /// How many methods an [`Origin`] needs to keep: one that has this many can already match
    /// no receiver hint by name ([`Vocab::method_exact`] compares `base::method::..` with whole
    /// hints, and a `prefix::*` hint never matches a chain), and every other use of an origin
    /// looks only at its base and at whether it has methods. Capping the list keeps the model
    /// of a long method chain linear in its length.
    pub fn origin_methods_kept(&self) -> usize {
        self.max_receiver_segments.max(1)
    }

    /// The entry of `category` that a function path matches.
    pub fn path(&self, category: Category, path: &str) -> Option<&Entry> {
        let index = self.index.get(&category)?;
        if let Some(ids) = index.paths.get(path) {
            return ids.first().map(|id| &self.entries[*id]);
        }
        if self.wildcard_categories & category.bit() == 0 {
            return None;
        }
        let (prefix, last) = split_last(path)?;
        if last.is_empty()
            || self
                .wildcard_sets
                .get(prefix)
                .is_none_or(|set| set & category.bit() == 0)
        {
            return None;
        }
        index
            .wildcards
            .iter()
            .find(|(p, _)| p == prefix)
            .map(|(_, id)| &self.entries[*id])
    }

    /// The name tables: the prelude, smart pointers, wrapping constructors, lazy types, `drop`.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The exit named in messages when a child's exit is not known by name: the first
    /// `process-exit` entry (`std::process::exit`, in rules/fork.toml).
    pub fn default_process_exit(&self) -> &str {
        self.entries(Category::ProcessExit)
            .first()
            .and_then(|entry| entry.path.as_deref())
            .unwrap_or_default()
    }

    /// The type a function's result has, when the vocabulary says it differs from what the path
    /// suggests (`returns`: `std::fs::File::options` -> `std::fs::OpenOptions`).
    pub fn returns(&self, path: &str) -> Option<&str> {
        self.path(Category::Returns, path)?.ty.as_deref()
    }

    /// The type of the receiver of `name(guard, ..)` whose own type is unknown, when `guard` is a
    /// lock guard the vocabulary names (`guard-wait`: `cvar.wait(g)` on a `std::sync::Mutex`
    /// guard is a `std::sync::Condvar` wait).
    pub fn guard_wait(&self, name: &str, guard: Option<&Origin>) -> Option<&str> {
        self.method_exact(Category::GuardWait, name, guard)?
            .ty
            .as_deref()
    }

    /// The entry of `category` that a macro path matches. An entry `*::name` matches every path
    /// of two or more segments ending in `name` (`#[crate::test]`, a re-exported test macro).
    pub fn macro_call(&self, category: Category, path: &str) -> Option<&Entry> {
        let index = self.index.get(&category)?;
        let ids = index.macros.get(path).or_else(|| {
            if index.suffix_macros.is_empty() {
                return None;
            }
            let (_, last) = split_last(path)?;
            index.suffix_macros.get(last)
        })?;
        ids.first().map(|id| &self.entries[*id])
    }

    /// The entry of `category` that a method call matches, given what is known of its receiver.
    pub fn method(
        &self,
        category: Category,
        name: &str,
        origin: Option<&Origin>,
    ) -> Option<&Entry> {
        let index = self.index.get(&category)?;
        let ids = index.methods.get(name)?;
        ids.iter().map(|id| &self.entries[*id]).find(|entry| {
            entry
                .receivers
                .iter()
                .flatten()
                .any(|hint| receiver_matches(hint, origin))
        })
    }

    /// Whether any entry of any category names the method `name` (what a receiver's type can
    /// matter for).
    pub fn knows_method_name(&self, name: &str) -> bool {
        self.method_sets.contains_key(name)
    }

    /// Whether some entry of `category` names the method `name`, whatever its receiver (a lock
    /// method on a receiver whose type is not known here: `crate::FORK_MTX.lock()`).
    pub fn has_method_name(&self, category: Category, name: &str) -> bool {
        self.index
            .get(&category)
            .is_some_and(|index| index.methods.contains_key(name))
    }

    /// Like [`Vocab::method`], but a receiver produced by a method chain matches only hints that
    /// name the chain (`redis::Client::get_connection` for `client.get_connection()?`), never the
    /// chain's starting type: `rx.recv()?.iter()` is not a call on the receiver `rx`.
    pub fn method_exact(
        &self,
        category: Category,
        name: &str,
        origin: Option<&Origin>,
    ) -> Option<&Entry> {
        let index = self.index.get(&category)?;
        let ids = index.methods.get(name)?;
        let names = origin.map(origin_names).unwrap_or_default();
        // A `prefix::*` hint names types, not what their methods return.
        let chained = origin.is_some_and(|o| !o.methods.is_empty());
        ids.iter().map(|id| &self.entries[*id]).find(|entry| {
            entry.receivers.iter().flatten().any(|hint| {
                hint == "*" || names.iter().any(|n| hint_matches_name(hint, n, chained))
            })
        })
    }

    /// Like [`Vocab::call`], with method receivers matched by [`Vocab::method_exact`].
    pub fn call_exact(&self, category: Category, callee: &Callee) -> Option<&Entry> {
        self.call_with(category, callee, Vocab::method_exact)
    }

    /// Every category a call matches (loose receiver matching, like [`Vocab::call`]), in one
    /// or two hash lookups: for passes that ask many questions about every call.
    pub fn categories(&self, callee: &Callee) -> CategorySet {
        match callee {
            Callee::Path(path) => {
                let mut set = self.path_sets.get(path.as_str()).copied().unwrap_or(0);
                if let Some((prefix, last)) = split_last(path) {
                    if !last.is_empty() {
                        set |= self.wildcard_sets.get(prefix).copied().unwrap_or(0);
                    }
                }
                set
            }
            Callee::Method { name, receiver } => {
                let Some(pairs) = self.method_sets.get(name.as_str()) else {
                    return 0;
                };
                let origin = receiver.origin.as_ref();
                pairs
                    .iter()
                    .filter(|(id, _)| {
                        self.entries[*id]
                            .receivers
                            .iter()
                            .flatten()
                            .any(|hint| receiver_matches(hint, origin))
                    })
                    .fold(0, |set, (_, category)| set | category.bit())
            }
            Callee::Unknown(_) => 0,
        }
    }

    /// The entry of `category` that a call matches (path or method).
    pub fn call(&self, category: Category, callee: &Callee) -> Option<&Entry> {
        self.call_with(category, callee, Vocab::method)
    }

    /// A path call by its path; a method call by `method`'s receiver matching.
    fn call_with<'a>(
        &'a self,
        category: Category,
        callee: &Callee,
        method: fn(&'a Vocab, Category, &str, Option<&Origin>) -> Option<&'a Entry>,
    ) -> Option<&'a Entry> {
        match callee {
            Callee::Path(path) => self.path(category, path),
            Callee::Method { name, receiver } => {
                method(self, category, name, receiver.origin.as_ref())
            }
            Callee::Unknown(_) => None,
        }
    }

    /// Whether `name` is the root of an extern crate the vocabulary knows (`libc`, `std`, ...).
    pub fn is_crate_root(&self, name: &str) -> bool {
        self.crate_roots.contains(name)
    }

    /// Whether any category names this exact path (used to resolve glob imports).
    pub fn knows(&self, path: &str) -> bool {
        self.known_paths.contains_key(path)
            || split_last(path).is_some_and(|(prefix, _)| self.wildcard_sets.contains_key(prefix))
    }

    /// Every entry of a category, for documentation and tests.
    pub fn entries(&self, category: Category) -> Vec<&Entry> {
        let Some(index) = self.index.get(&category) else {
            return Vec::new();
        };
        let mut ids: Vec<usize> = index
            .paths
            .values()
            .chain(index.macros.values())
            .chain(index.methods.values())
            .flatten()
            .copied()
            .chain(index.wildcards.iter().map(|(_, id)| *id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(|id| &self.entries[id]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extension(category: &str, entry: Entry) -> Result<Vocab, Vec<VocabError>> {
        let raw: RawVocab = [(category.to_string(), vec![entry])].into_iter().collect();
        Vocab::with_extensions(&[("test".to_string(), raw)])
    }

    #[test]
    fn returns_maps_a_function_to_its_result_type() {
        let vocab = Vocab::builtin();
        assert_eq!(
            vocab.returns("std::fs::File::options"),
            Some("std::fs::OpenOptions")
        );
        assert_eq!(vocab.returns("std::fs::File::open"), None);
    }

    #[test]
    fn returns_entries_need_an_exact_path_and_a_type() {
        let with = |path: &str, ty: Option<&str>| Entry {
            path: Some(path.to_string()),
            ty: ty.map(str::to_string),
            ..Entry::default()
        };
        assert!(extension("returns", with("a::B::make", Some("a::C"))).is_ok());
        for bad in [with("a::B::make", None), with("a::B::*", Some("a::C"))] {
            let errors = extension("returns", bad).unwrap_err();
            assert!(errors[0]
                .message
                .contains("needs an exact `path` and a `type`"));
        }
        let errors = extension("blocking", with("a::B::make", Some("a::C"))).unwrap_err();
        assert!(errors[0]
            .message
            .contains("`type` only goes with `returns`"));
    }
}
