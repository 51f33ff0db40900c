//! The command line: clap arguments -> engine options -> report -> exit code.
//!
//! Exit codes (INTERFACE.md): 0 clean, 1 failing findings, 2 usage/config/tool errors, 101 an
//! internal panic outside per-file analysis.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::engine::{self, Level, Options};
use crate::render::{self, Format, Style};
use crate::rules;
use crate::vocab::Vocab;

#[derive(Parser, Debug)]
#[command(
    name = "forklint",
    version,
    about = "Find fork-safety and green-task hazards in Rust code",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check files or directories (default: the current directory)
    Check(Box<CheckArgs>),
    /// Show a rule's documentation
    Rule(RuleArgs),
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// Rule code or name (FL003, blocking-call-in-async)
    pub rule: Option<String>,
    /// Show every rule
    #[arg(long, conflicts_with = "rule")]
    pub all: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub output_format: RuleFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads stdin (with --stdin-filename)
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(
        long,
        value_enum,
        env = "FORKLINT_OUTPUT_FORMAT",
        default_value = "full"
    )]
    pub output_format: Format,
    /// Write the report to this file instead of stdout
    #[arg(short = 'o', long)]
    pub output_file: Option<PathBuf>,
    /// Allow a rule (code, name, or `all`)
    #[arg(short = 'A', long = "allow", value_name = "LINT")]
    pub allow: Vec<String>,
    /// Make a rule a warning
    #[arg(short = 'W', long = "warn", value_name = "LINT")]
    pub warn: Vec<String>,
    /// Make a rule an error (`-D warnings` makes every warning fail the run)
    #[arg(short = 'D', long = "deny", value_name = "LINT")]
    pub deny: Vec<String>,
    /// Run only these rules
    #[arg(long, value_delimiter = ',', value_name = "LINT")]
    pub select: Vec<String>,
    /// Skip these rules
    #[arg(long, value_delimiter = ',', value_name = "LINT")]
    pub ignore: Vec<String>,
    /// Exclude globs (replace the defaults)
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Option<Vec<String>>,
    /// Exclude globs in addition to the defaults
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,
    /// Apply excludes even to files named on the command line
    #[arg(long)]
    pub force_exclude: bool,
    /// Do not honour .gitignore files
    #[arg(long)]
    pub no_respect_gitignore: bool,
    /// The path to report for input read from stdin
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Exit 0 even with findings (still 2 on tool errors)
    #[arg(long)]
    pub exit_zero: bool,
    /// When to use colours
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Quiet: no summary line
    #[arg(short, long)]
    pub quiet: bool,
    /// Silent: no report at all, only the exit code
    #[arg(short, long)]
    pub silent: bool,
    /// Verbose: files and timings on stderr
    #[arg(short, long)]
    pub verbose: bool,
    /// Worker threads (0 = one per core)
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
}

/// Entry point shared by `forklint` and `cargo-forklint`.
pub fn main_with_args(args: Vec<std::ffi::OsString>) -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Rule(args) => run_rule(args),
    }
}

fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
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

fn run_check(args: CheckArgs) -> ExitCode {
    let mut options = Options {
        threads: args.threads,
        ..Options::default()
    };
    options.selection.exclude = args.exclude.clone();
    options.selection.extend_exclude = args.extend_exclude.clone();
    options.selection.force_exclude = args.force_exclude;
    options.selection.respect_gitignore = !args.no_respect_gitignore;
    let select = match lint_codes(&args.select) {
        Ok(codes) => codes,
        Err(e) => return usage_error(e),
    };
    let ignore = match lint_codes(&args.ignore) {
        Ok(codes) => codes,
        Err(e) => return usage_error(e),
    };
    options.select = select;
    options.ignore = ignore;
    // Levels in the order clippy applies them: -A, then -W, then -D (later wins).
    for (names, level) in [
        (&args.allow, Level::Allow),
        (&args.warn, Level::Warn),
        (&args.deny, Level::Deny),
    ] {
        for name in names {
            if name == "warnings" && level == Level::Deny {
                options.deny_warnings = true;
                continue;
            }
            match lint_codes(std::slice::from_ref(name)) {
                Ok(codes) => options.levels.extend(codes.into_iter().map(|c| (c, level))),
                Err(e) => return usage_error(e),
            }
        }
    }
    let vocab = Vocab::builtin();

    let stdin = args.paths.len() == 1 && args.paths[0].as_os_str() == "-";
    let report = if stdin {
        let mut text = String::new();
        if let Err(err) = std::io::stdin().read_to_string(&mut text) {
            return usage_error(format!("cannot read stdin: {err}"));
        }
        let name = args
            .stdin_filename
            .as_ref()
            .map(|p| engine::display_path(p, &options.cwd))
            .unwrap_or_else(|| "<stdin>".to_string());
        engine::check_sources(vec![(name, text)], &options, &vocab)
    } else {
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        match engine::check_paths(&paths, &options, &vocab) {
            Ok(report) => report,
            Err(e) => return usage_error(e),
        }
    };

    let stdout_tty = args.output_file.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                || std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0")
        }
    };
    let style = Style {
        color,
        links: stdout_tty,
        width: if stdout_tty { None } else { Some(100) },
        quiet: args.quiet,
    };

    if args.verbose {
        eprintln!(
            "forklint: checked {} files in {} ms",
            report.files_checked, report.duration_ms
        );
        eprintln!(
            "forklint: fact model about {:.1} MB",
            report.model_bytes as f64 / 1e6
        );
    }
    let _ = render::tool_errors(&report, &mut std::io::stderr());
    if !args.silent {
        let result = match &args.output_file {
            Some(path) => std::fs::File::create(path).and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                render::render(&report, args.output_format, style, &mut out)?;
                out.flush()
            }),
            None => {
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::new(stdout.lock());
                render::render(&report, args.output_format, style, &mut out)
                    .and_then(|_| out.flush())
            }
        };
        if let Err(err) = result {
            if err.kind() != std::io::ErrorKind::BrokenPipe {
                return usage_error(format!("cannot write the report: {err}"));
            }
        }
    }
    if !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    if !args.exit_zero && engine::has_failures(&report, &options) {
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
            .try_for_each(|m| writeln!(out, "{}", rule_markdown(m))),
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

/// A rule's documentation page.
pub fn rule_markdown(meta: &rules::RuleMeta) -> String {
    let docs = meta
        .docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "# {} ({})\n\nDefault level: {}. {}.\n\n{}\n",
        meta.name,
        meta.code,
        meta.default_severity.as_str(),
        capitalize(meta.summary),
        docs.trim()
    )
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
