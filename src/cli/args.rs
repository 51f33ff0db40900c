//! The command line's arguments: clap's derive types for `check`, `rule` and the other
//! subcommands (their help texts are the `--help` users read).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::driver::Level;
use crate::render::Format;

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
    /// Write a commented forklint.toml with the defaults in the current directory
    Init,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Run the language server (LSP over stdio) for editors
    Server,
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
    /// cargo's spelling: `json` (and `json-*`) means `--output-format cargo-json`
    #[arg(long, value_name = "FMT")]
    pub message_format: Option<String>,
    /// Use this configuration file (forklint.toml, or a Cargo.toml with forklint metadata)
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore all configuration files
    #[arg(long)]
    pub isolated: bool,
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
    /// Count findings per rule (suppressed ones too) instead of listing them
    #[arg(long)]
    pub statistics: bool,
    /// Apply machine-applicable fixes in place
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Show machine-applicable fixes as a unified diff, without writing (exit 1 if any)
    #[arg(long)]
    pub diff: bool,
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
    /// Neither read nor write the findings cache (`target/forklint/`, or `$FORKLINT_CACHE_DIR`)
    #[arg(long)]
    pub no_cache: bool,
    /// `-A/-W/-D` in command-line order (filled from the matches; later flags win, like rustc)
    #[arg(skip)]
    pub level_order: Vec<(String, Level)>,
    /// Worker threads (0 = one per core)
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
}
