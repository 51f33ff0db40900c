//! `cargo xtask`: forklint's repository tooling (the `xtask` alias in `.cargo/config.toml`).
//!
//! `cargo xtask new-rule FL011 some-name [--dry-run]` scaffolds a rule (see `new_rule`).

use std::path::PathBuf;
use std::process::ExitCode;

mod new_rule;

const USAGE: &str = "usage: cargo xtask new-rule <FLnnn> <name> [--dry-run]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dry_run = args.iter().any(|a| a == "--dry-run");
    let rest: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--dry-run")
        .collect();
    let (code, name) = match rest.as_slice() {
        ["new-rule", code, name] => (*code, *name),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The repository root: xtask/ sits in it.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent")
        .to_path_buf();
    let plan = match new_rule::plan(&root, code, name) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    for edit in &plan {
        let verb = if edit.creates { "create" } else { "update" };
        println!("{verb} {}", edit.path);
    }
    if dry_run {
        return ExitCode::SUCCESS;
    }
    if let Err(e) = new_rule::apply(&root, &plan) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    println!(
        "next: write the docs and `check` in src/rules/{}.rs, the fixtures, then \
         `FORKLINT_BLESS=1 cargo test` (docs/ARCHITECTURE.md, \"Adding a rule\")",
        new_rule::module_name(name)
    );
    ExitCode::SUCCESS
}
