//! `new-rule FL011 some-name`: the scaffold of a rule, as clippy's `cargo dev new_lint` writes one.
//!
//! It writes the rule file (`declare_rule!` with the four doc sections and a stub `check`), a
//! firing and a clean fixture, and the registry line in `src/rules/mod.rs`, in code order. It
//! refuses a code or a name that a rule already has. Plain std, no I/O in `plan`'s output: the
//! root's tests include this file (tests/it/xtask.rs) and check what it would write.

use std::path::Path;

/// One file the scaffold writes: its path from the repository root and its whole new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub path: String,
    pub text: String,
    /// A new file (`false`: the registry, rewritten with one more line).
    pub creates: bool,
}

const REGISTRY: &str = "src/rules/mod.rs";

/// `some-name` -> `some_name`, the rule's module.
pub fn module_name(name: &str) -> String {
    name.replace('-', "_")
}

/// What `new-rule code name` would write under `root`, or why it refuses.
pub fn plan(root: &Path, code: &str, name: &str) -> Result<Vec<Edit>, String> {
    let digits = code.strip_prefix("FL").unwrap_or_default();
    if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{code}` is not a rule code (FL and three digits: FL011)"
        ));
    }
    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        || name.starts_with('-')
        || name.ends_with('-')
        || name.contains("--")
    {
        return Err(format!(
            "`{name}` is not a rule name (lowercase words joined by `-`: blocking-call-in-async)"
        ));
    }
    let registry_path = root.join(REGISTRY);
    let registry = std::fs::read_to_string(&registry_path)
        .map_err(|e| format!("{}: {e}", registry_path.display()))?;
    for (have_code, have_name) in declared_rules(root)? {
        if have_code == code {
            return Err(format!("{code} exists: it is `{have_name}`"));
        }
        if have_name == name {
            return Err(format!("a rule named `{name}` exists: {have_code}"));
        }
    }
    let module = module_name(name);
    let rule_file = format!("src/rules/{module}.rs");
    let fixtures = format!("fixtures/{code}-{name}");
    for path in [&rule_file, &fixtures] {
        if root.join(path).exists() {
            return Err(format!("{path} exists"));
        }
    }
    Ok(vec![
        Edit {
            path: REGISTRY.to_string(),
            text: with_registry_line(&registry, code, &module)?,
            creates: false,
        },
        Edit {
            path: rule_file,
            text: rule_text(code, name),
            creates: true,
        },
        Edit {
            path: format!("{fixtures}/basic.rs"),
            text: format!(
                "fn main() {{\n    hazard(); //~ {code}: TODO the message's expected words\n}}\n\n\
                 fn hazard() {{}}\n"
            ),
            creates: true,
        },
        Edit {
            path: format!("{fixtures}/clean_basic.rs"),
            text: "//@ expect: clean\nfn main() {}\n".to_string(),
            creates: true,
        },
    ])
}

/// Writes the planned files (directories included).
pub fn apply(root: &Path, plan: &[Edit]) -> Result<(), String> {
    for edit in plan {
        let path = root.join(&edit.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &edit.text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// `(code, name)` of every `static X = "FLnnn", "name", ..` under `src/rules/` (the engine's
/// FL000/FL100 in `mod.rs` included).
fn declared_rules(root: &Path) -> Result<Vec<(String, String)>, String> {
    let dir = root.join("src/rules");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for line in text.lines() {
            let line = line.trim_start();
            if !line.starts_with("pub static ") && !line.starts_with("static ") {
                continue;
            }
            let Some((_, value)) = line.split_once("= \"") else {
                continue;
            };
            let mut literals = value.split('"');
            if let (Some(code), Some(", "), Some(name)) =
                (literals.next(), literals.next(), literals.next())
            {
                if code.starts_with("FL") {
                    out.push((code.to_string(), name.to_string()));
                }
            }
        }
    }
    Ok(out)
}

/// The registry with `    CODE => module,` inserted in code order inside `rules! { .. }`.
fn with_registry_line(registry: &str, code: &str, module: &str) -> Result<String, String> {
    let lines: Vec<&str> = registry.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "rules! {")
        .ok_or_else(|| format!("{REGISTRY}: no `rules! {{` line"))?;
    let end = start
        + lines[start..]
            .iter()
            .position(|l| *l == "}")
            .ok_or_else(|| format!("{REGISTRY}: `rules! {{` is not closed"))?;
    let mut at = end;
    for (i, line) in lines.iter().enumerate().take(end).skip(start + 1) {
        let have = line.trim_start().split(' ').next().unwrap_or_default();
        if have == code {
            return Err(format!("{code} exists in the registry: `{}`", line.trim()));
        }
        if have > code {
            at = i;
            break;
        }
    }
    let new_line = format!("    {code} => {module},");
    let mut out: Vec<&str> = lines[..at].to_vec();
    out.push(&new_line);
    out.extend(&lines[at..]);
    let mut text = out.join("\n");
    if registry.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn rule_text(code: &str, name: &str) -> String {
    format!(
        r#"//! {code} {name}: TODO one line on what the rule finds.

use crate::base::diagnostic::Diagnostic;
use crate::declare_rule;
use crate::rules::RuleContext;

declare_rule! {{
    /// ### What it does
    /// TODO: what the rule finds, in the terms of docs/contexts.md.
    ///
    /// ### Why is this bad?
    /// TODO: what goes wrong at run time.
    ///
    /// ### Example
    /// ```rust
    /// // TODO: code the rule reports
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// // TODO: the same code, fixed
    /// ```
    pub static RULE = "{code}", "{name}", Warning, "TODO a one-line summary without a trailing period";
}}

/// TODO: query the shared analysis (`cx.fork_sites()`, the file's bodies and contexts) and push a
/// `Diagnostic::new(&RULE, ..)` per finding.
pub fn check(cx: &RuleContext<'_>, out: &mut Vec<Diagnostic>) {{
    let _ = (cx, out);
}}
"#
    )
}
