//! The command line: clap arguments -> engine options -> report -> exit code.
//!
//! Exit codes (README.md, "Usage"): 0 clean, 1 failing findings, 2 usage/config/tool errors, 101 an
//! internal panic outside per-file analysis. Settings come from the config file first, then from
//! the command line (which wins). Reports go to stdout or `-o`; everything else to stderr.
//! `args`: the clap types; `check`: the `check` command; the rest is here.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::config::{self, Config};
use crate::driver::{self, Level, Options, Report};
use crate::render::{self, Format, Style};
use crate::rules;

mod args;
mod check;

pub use args::*;
use check::*;

/// Entry point shared by `forklint` and `cargo-forklint`.
pub fn main_with_args(args: Vec<std::ffi::OsString>) -> ExitCode {
    install_panic_hook();
    crate::io::atomic::ignore_file_size_signal();
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check(mut args) => {
            if let Some(("check", sub)) = matches.subcommand() {
                args.level_order = level_order(sub);
            }
            run_check(*args)
        }
        Command::Rule(args) => run_rule(args),
        Command::Init => run_init(),
        Command::Server => crate::server::run(),
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "forklint", &mut out);
            ExitCode::SUCCESS
        }
        Command::Man => {
            let mut out = std::io::stdout().lock();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => usage_error(format!("cannot write the man page: {err}")),
            }
        }
    }
}

/// `-A/-W/-D` values with their positions on the command line, sorted by position.
fn level_order(matches: &ArgMatches) -> Vec<(String, Level)> {
    let mut order = Vec::new();
    for (id, level) in [
        ("allow", Level::Allow),
        ("warn", Level::Warn),
        ("deny", Level::Deny),
    ] {
        let (Some(values), Some(indices)) =
            (matches.get_many::<String>(id), matches.indices_of(id))
        else {
            continue;
        };
        for (value, index) in values.zip(indices) {
            order.push((index, value.clone(), level));
        }
    }
    order.sort_by_key(|(index, _, _)| *index);
    order.into_iter().map(|(_, v, l)| (v, l)).collect()
}

fn run_init() -> ExitCode {
    let path = PathBuf::from("forklint.toml");
    // Never half a file (a full disk leaves none), never over an existing one.
    match crate::io::atomic::create_new(&path, config::default_file().as_bytes()) {
        Ok(()) => {
            eprintln!("wrote forklint.toml");
            ExitCode::SUCCESS
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            usage_error("forklint.toml already exists (not overwritten)")
        }
        Err(err) => usage_error(format!("cannot write forklint.toml: {err}")),
    }
}

fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        crate::syntax::scratch::suspend();
        // Panics inside per-file analysis are caught and reported as tool errors; stay quiet
        // for those (the worker threads are rayon's) and speak up for anything else.
        let on_worker = std::thread::current().name().is_none_or(|n| n != "main");
        if on_worker && rayon::current_thread_index().is_some() {
            return;
        }
        default(info);
        eprintln!(
            "error: forklint panicked; this is a bug, please report it with the command line and input"
        );
        std::process::exit(101);
    }));
}

fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn lint_codes(names: &[String]) -> Result<Vec<&'static str>, String> {
    let mut out = Vec::new();
    for name in names {
        if name == "all" {
            out.extend(rules::RULES.iter().map(|r| r.meta.code));
            continue;
        }
        match rules::find(name) {
            Some(meta) => out.push(meta.code),
            None => return Err(format!("unknown rule `{name}` (see `forklint rule --all`)")),
        }
    }
    Ok(out)
}

fn exit_code(report: &Report, failed: bool, exit_zero: bool) -> ExitCode {
    if !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    if !exit_zero && failed {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn run_rule(args: RuleArgs) -> ExitCode {
    let metas: Vec<&rules::RuleMeta> = if args.all {
        rules::RULES.iter().map(|r| r.meta).collect()
    } else {
        let Some(name) = &args.rule else {
            return usage_error("name a rule (`forklint rule FL003`) or pass --all");
        };
        match rules::find(name) {
            Some(meta) => vec![meta],
            None => {
                return usage_error(format!("unknown rule `{name}` (see `forklint rule --all`)"))
            }
        }
    };
    let mut out = std::io::stdout().lock();
    let result = match args.output_format {
        RuleFormat::Text => metas
            .iter()
            .try_for_each(|m| writeln!(out, "{}", rules::docs::markdown(m))),
        RuleFormat::Json => {
            let list: Vec<serde_json::Value> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "default_severity": m.default_severity.as_str(),
                        "summary": m.summary,
                        "url": m.url(),
                        "docs": m.docs,
                    })
                })
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            )
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}
