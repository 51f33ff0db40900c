//! One vocabulary entry as written in `rules/*.toml` or a user's `[vocab]`: its typed `kind`,
//! the shape checks that turn a malformed entry into an error at its key, and the error type.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::Category;

/// The sub-kind of an entry. Typed, so a misspelt `kind` in `rules/*.toml` or a user's `[vocab]`
/// is a parse error at the value, and a kind that belongs to another category is a shape error
/// naming the category (see [`Category::kinds`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `fork`: a plain fork; the result selects the child (the default).
    Fork,
    /// `fork`: a vfork (the child shares the parent's memory until it execs).
    Vfork,
    /// `fork`: the caller continues as the forked child (daemon-style).
    Daemon,
    /// `fork`: clone-style; where the child runs is not known.
    Clone,
    /// `exec`: replaces the process image.
    Exec,
    /// `exec`: ends the process without running atexit handlers (`_exit`).
    Exit,
    /// `exec`: aborts the process.
    Abort,
    /// `thread-start`: returns a handle whose `.join()` ends the thread.
    Joinable,
    /// `thread-start`: starts no thread itself, but usually feeds one (not counted as a start).
    Hint,
    /// `runtime`: a runtime that lives in a global and is never shut down.
    Global,
    /// `blocking`: blocks only when an argument is a file, socket or stdin.
    IoAdapter,
    /// `panics`: never returns (a path reaching it ends).
    Diverges,
    /// `yield`: a macro whose arguments are `select!` branches (`pat = future => handler`).
    Select,
    /// `alloc`: allocates only in some cases (`set_current_dir` copies a long path to the heap).
    Sometimes,
    /// `extension-entry`: runs when the host imports the module.
    Import,
    /// `extension-entry`: an attribute of an `impl` block whose methods are entry points.
    Impl,
    /// `extension-entry`: a macro whose first argument is a function the host calls once it is
    /// registered (magnus's `function!`, `method!`).
    Register,
    /// `extension-entry`: an export to a host that never forks without exec (napi's `#[napi]`).
    NoFork,
}

impl Kind {
    /// The name as written in TOML.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Fork => "fork",
            Kind::Vfork => "vfork",
            Kind::Daemon => "daemon",
            Kind::Clone => "clone",
            Kind::Exec => "exec",
            Kind::Exit => "exit",
            Kind::Abort => "abort",
            Kind::Joinable => "joinable",
            Kind::Hint => "hint",
            Kind::Global => "global",
            Kind::IoAdapter => "io-adapter",
            Kind::Diverges => "diverges",
            Kind::Select => "select",
            Kind::Sometimes => "sometimes",
            Kind::Import => "import",
            Kind::Impl => "impl",
            Kind::Register => "register",
            Kind::NoFork => "no-fork",
        }
    }
}

impl Category {
    /// The kinds an entry of this category may have (none for most categories).
    pub fn kinds(self) -> &'static [Kind] {
        match self {
            Category::Fork => &[Kind::Fork, Kind::Vfork, Kind::Daemon, Kind::Clone],
            Category::Exec => &[Kind::Exec, Kind::Exit, Kind::Abort],
            Category::ThreadStart => &[Kind::Joinable, Kind::Hint],
            Category::Runtime => &[Kind::Global],
            Category::Blocking => &[Kind::IoAdapter],
            Category::Panics => &[Kind::Diverges],
            Category::Yield => &[Kind::Select],
            Category::Alloc => &[Kind::Sometimes],
            Category::ExtensionEntry => &[Kind::Import, Kind::Impl, Kind::Register, Kind::NoFork],
            _ => &[],
        }
    }
}

/// One vocabulary entry, as written in `rules/*.toml` or the user's `[vocab]` table.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// A function path; a final `*` matches exactly one more segment.
    pub path: Option<String>,
    /// A macro path, without the `!`.
    #[serde(rename = "macro")]
    pub macro_path: Option<String>,
    /// Method names this entry applies to.
    pub methods: Option<Vec<String>>,
    /// Receiver origins for `methods`: type paths, constructor paths, `prefix::*`, or `*`.
    pub receivers: Option<Vec<String>>,
    /// For calls like `libc::syscall(SYS_fork)`: the first argument must be one of these paths.
    pub first_arg: Option<Vec<String>>,
    /// A sub-kind; which kinds a category takes is [`Category::kinds`].
    pub kind: Option<Kind>,
    /// The help line shown with findings about this API.
    pub help: Option<String>,
    /// The help line for green tasks (may coroutines), when it differs from `help`.
    pub green_help: Option<String>,
    /// A path that replaces this one in a machine-applicable fix.
    pub replacement: Option<String>,
    /// For scoped APIs: the origin given to the closure's parameter.
    pub param: Option<String>,
    /// For exec entries: `false` when the call allocates (nix's exec wrappers).
    pub clean: Option<bool>,
    /// For `returns` entries: the type the function returns (`std::fs::OpenOptions`).
    #[serde(rename = "type")]
    pub ty: Option<String>,
}

impl Entry {
    /// Whether this entry has the given kind.
    pub fn is(&self, kind: Kind) -> bool {
        self.kind == Some(kind)
    }

    /// What is wrong with this entry's `kind` in `category`, if anything.
    pub(super) fn kind_error(&self, category: Category) -> Option<String> {
        let kind = self.kind?;
        let allowed = category.kinds();
        if allowed.contains(&kind) {
            return None;
        }
        Some(if allowed.is_empty() {
            format!(
                "`kind = \"{}\"` does not go with `{}` entries (they take no `kind`)",
                kind.name(),
                category.name()
            )
        } else {
            format!(
                "`kind = \"{}\"` does not go with `{}` entries (expected one of {})",
                kind.name(),
                category.name(),
                allowed
                    .iter()
                    .map(|k| format!("`{}`", k.name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }

    pub(super) fn shape_error(&self, category: Category) -> Option<&'static str> {
        if category.is_table() {
            return self.table_shape_error(category);
        }
        if category == Category::Returns {
            let exact_path = self.path.as_deref().is_some_and(|p| !p.ends_with("::*"));
            if !exact_path || self.ty.is_none() {
                return Some("a `returns` entry needs an exact `path` and a `type`");
            }
        } else if category == Category::GuardWait {
            if self.methods.is_none() || self.ty.is_none() {
                return Some("a `guard-wait` entry needs `methods`, `receivers` and a `type`");
            }
        } else if self.ty.is_some() {
            return Some("`type` only goes with `returns` and `guard-wait` entries");
        }
        // An empty name would match nothing (or, as a `prefix::*`, every call of a crate).
        let bad_path = |p: &String| p.split("::").any(|segment| segment.trim().is_empty());
        if self
            .path
            .iter()
            .chain(&self.macro_path)
            .chain(&self.ty)
            .any(bad_path)
            || self.first_arg.iter().flatten().any(bad_path)
            || self.replacement.iter().any(bad_path)
        {
            return Some("a path is empty or has an empty segment (`a::::b`, `a::`)");
        }
        if self.methods.iter().flatten().any(|m| m.trim().is_empty())
            || self.receivers.iter().flatten().any(|r| r.trim().is_empty())
        {
            return Some("a method or receiver name is empty");
        }
        let forms = [
            self.path.is_some(),
            self.macro_path.is_some(),
            self.methods.is_some(),
        ];
        match forms.iter().filter(|f| **f).count() {
            0 => Some("an entry needs one of `path`, `macro` or `methods`"),
            1 if self.methods.is_some() && self.receivers.is_none() => Some(
                "a `methods` entry needs `receivers` (use `[\"*\"]` only for unambiguous names)",
            ),
            1 if self.receivers.is_some() && self.methods.is_none() => {
                Some("`receivers` only goes with `methods`")
            }
            1 => None,
            _ => Some("an entry has exactly one of `path`, `macro` or `methods`"),
        }
    }
}

/// A vocabulary error: which source, which category, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VocabError {
    pub source: String,
    pub key: String,
    pub message: String,
}

impl fmt::Display for VocabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: `{}`: {}", self.source, self.key, self.message)
    }
}

/// Raw shape of a vocabulary file: category name -> entries.
pub type RawVocab = BTreeMap<String, Vec<Entry>>;
