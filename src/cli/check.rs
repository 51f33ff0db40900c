//! `forklint check`: configuration, options, the groups of files by their nearest config, the
//! run, progress on stderr and the report on stdout or `-o`.

use super::*;

/// Whether to colour output: `--color` first; under `auto`, a set `NO_COLOR` turns colour off,
/// a set `CLICOLOR_FORCE` (not `0`) turns it on, and otherwise only a terminal gets colour.
pub fn use_color(
    choice: ColorChoice,
    is_tty: bool,
    no_color: Option<&std::ffi::OsStr>,
    clicolor_force: Option<&std::ffi::OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if no_color.is_some_and(|v| !v.is_empty()) {
                false
            } else if clicolor_force.is_some_and(|v| !v.is_empty() && v != "0") {
                true
            } else {
                is_tty
            }
        }
    }
}

/// The output format after `--message-format` (cargo's flag, which wins when given).
pub(super) fn output_format(args: &CheckArgs) -> Result<Format, String> {
    let Some(message_format) = &args.message_format else {
        return Ok(args.output_format);
    };
    let first = message_format.split(',').next().unwrap_or("").trim();
    match first {
        f if f.starts_with("json") => Ok(Format::CargoJson),
        "human" => Ok(Format::Full),
        "short" => Ok(Format::Concise),
        other => Err(format!(
            "unsupported --message-format `{other}` (use `json`, or --output-format)"
        )),
    }
}

pub(super) fn print_config_error(err: &config::ConfigError) {
    let color = use_color(
        ColorChoice::Auto,
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("CLICOLOR_FORCE").as_deref(),
    );
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut text = String::new();
    if handler.render_report(&mut text, err).is_err() {
        text = err.to_string();
    }
    eprintln!("{text}");
}

/// The configuration for this run: `--config`, else the nearest one, else defaults.
pub(super) fn load_config(args: &CheckArgs, start: &Path) -> Result<Config, ExitCode> {
    if args.isolated {
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(path) => {
            let problem = match std::fs::metadata(path) {
                Ok(meta) if meta.is_file() => None,
                Ok(_) => Some("is not a regular file".to_string()),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    Some("does not exist".to_string())
                }
                Err(err) => Some(format!("cannot be read: {}", driver::io_message(&err))),
            };
            if let Some(problem) = problem {
                return Err(usage_error(format!(
                    "configuration file {} {problem}",
                    path.display()
                )));
            }
            path.clone()
        }
        None => match config::find(start) {
            Some(path) => path,
            None => return Ok(Config::default()),
        },
    };
    config::load(&path).map_err(|err| {
        print_config_error(&err);
        ExitCode::from(2)
    })
}

pub(super) fn forklint_cache_location(paths: &[PathBuf], cwd: &std::path::Path) -> PathBuf {
    crate::cache::location(paths, cwd)
}

pub(super) fn build_options(args: &CheckArgs, config: &Config) -> Result<Options, String> {
    let mut options = Options {
        threads: args.threads,
        ..Options::default()
    };
    options.selection.exclude = args.exclude.clone().or_else(|| config.exclude.clone());
    options.selection.extend_exclude = config
        .extend_exclude
        .iter()
        .chain(&args.extend_exclude)
        .cloned()
        .collect();
    options.selection.force_exclude = args.force_exclude;
    options.selection.base = Some(driver::normalize(Path::new(""), &options.cwd));
    options.measure_model = args.verbose;
    options.selection.respect_gitignore = !args.no_respect_gitignore;
    options.select = lint_codes(&args.select)?;
    options.ignore = lint_codes(&args.ignore)?;
    options.levels = config.levels.clone();
    options.deny_warnings = config.deny_warnings;
    options.host_forks = config.host_forks;
    options.per_file_levels = config::per_file_levels(config, &options.cwd)?;
    options
        .test_levels
        .extend(config.test_levels.iter().copied());
    // Levels in command-line order, later wins (rustc and clippy do the same); without the
    // order (a library caller), -A, then -W, then -D.
    let fallback: Vec<(String, Level)> = [
        (&args.allow, Level::Allow),
        (&args.warn, Level::Warn),
        (&args.deny, Level::Deny),
    ]
    .into_iter()
    .flat_map(|(names, level)| names.iter().map(move |n| (n.clone(), level)))
    .collect();
    let order = if args.level_order.is_empty() {
        &fallback
    } else {
        &args.level_order
    };
    for (name, level) in order {
        if name == "warnings" {
            options.deny_warnings = *level == Level::Deny;
            continue;
        }
        let codes = lint_codes(std::slice::from_ref(name))?;
        options
            .levels
            .extend(codes.into_iter().map(|c| (c, *level)));
    }
    Ok(options)
}

/// Where the report goes: `-o` or stdout.
pub(super) fn write_output(
    output_file: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ExitCode> {
    let result = match output_file {
        Some(path) => std::fs::File::create(path).and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            write(&mut out)?;
            out.flush()
        }),
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            write(&mut out).and_then(|_| out.flush())
        }
    };
    match result {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(usage_error(format!("cannot write the report: {err}")))
        }
        _ => Ok(()),
    }
}

/// One configuration's share of a run: the files it applies to, and the options and
/// vocabulary built from it (the command line's flags on top).
pub(super) struct Group {
    config: Config,
    files: Vec<PathBuf>,
    options: Options,
    vocab: crate::vocab::Vocab,
}

impl Group {
    fn new(args: &CheckArgs, config: Config, files: Vec<PathBuf>) -> Result<Group, ExitCode> {
        let options = build_options(args, &config).map_err(usage_error)?;
        let vocab = config.vocab().map_err(|errors| {
            usage_error(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?;
        Ok(Group {
            config,
            files,
            options,
            vocab,
        })
    }
}

/// Whether `check` reads stdin, after ruff: `--stdin-filename` always means stdin (other paths
/// are ignored with a warning), and so does a `-` path; `-` beside other paths without
/// `--stdin-filename` is a usage error (ruff would look for a file named `-`).
pub(super) fn reads_stdin(args: &CheckArgs) -> Result<bool, String> {
    let dash = |p: &PathBuf| p.as_os_str() == "-";
    let others: Vec<&PathBuf> = args.paths.iter().filter(|p| !dash(p)).collect();
    if args.stdin_filename.is_some() {
        for path in others {
            eprintln!(
                "warning: ignoring {} in favor of standard input (--stdin-filename)",
                path.display()
            );
        }
        return Ok(true);
    }
    match (args.paths.iter().any(dash), others.is_empty()) {
        (true, true) => Ok(true),
        (true, false) => Err(
            "`-` (standard input) cannot be combined with other paths; check stdin alone \
             (with --stdin-filename) or the files alone"
                .to_string(),
        ),
        (false, _) => Ok(false),
    }
}

/// The groups of a run over `paths`: every discovered file with its nearest configuration
/// (looked up once per directory), or all of them with `--config`/`--isolated`; each
/// configuration's excludes applied to its own files. Also the discovery problems.
pub(super) fn plan_groups(
    args: &CheckArgs,
    paths: &[PathBuf],
) -> Result<(Vec<Group>, Vec<driver::ToolError>), ExitCode> {
    let base = build_options(args, &Config::default()).map_err(usage_error)?;
    let (found, errors) = driver::discover_paths(paths, &base).map_err(usage_error)?;
    let fixed = args.isolated || args.config.is_some();
    let mut by_config: Vec<(Option<PathBuf>, Vec<crate::discover::Found>)> = Vec::new();
    if fixed {
        by_config.push((None, found));
    } else {
        let mut finder = config::Finder::default();
        let mut index: std::collections::HashMap<Option<PathBuf>, usize> = Default::default();
        for file in found {
            let config = finder.find(&driver::normalize(&file.path, &base.cwd));
            let at = *index.entry(config.clone()).or_insert_with(|| {
                by_config.push((config, Vec::new()));
                by_config.len() - 1
            });
            by_config[at].1.push(file);
        }
        if by_config.is_empty() {
            // Nothing to check: the configuration of the first path still applies (its vocab
            // and globs are validated as before).
            let start = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
            by_config.push((
                finder.find(&driver::normalize(&start, &base.cwd)),
                Vec::new(),
            ));
        }
    }
    let mut groups = Vec::with_capacity(by_config.len());
    for (path, found) in by_config {
        let config = if fixed {
            load_config(args, Path::new("."))?
        } else {
            match &path {
                Some(path) => config::load(path).map_err(|err| {
                    print_config_error(&err);
                    ExitCode::from(2)
                })?,
                None => Config::default(),
            }
        };
        let mut group = Group::new(args, config, Vec::new())?;
        let found = crate::discover::apply_excludes(found, &group.options.selection)
            .map_err(usage_error)?;
        group.files = found.into_iter().map(|f| f.path).collect();
        if !args.no_cache {
            group.options.cache_dir = Some(forklint_cache_location(paths, &group.options.cwd));
            // Fixes are never taken from the cache: what gets written is recomputed from the text.
            group.options.reuse_cache = !args.fix && !args.diff;
        }
        groups.push(group);
    }
    Ok((groups, errors))
}

pub(super) fn run_check(args: CheckArgs) -> ExitCode {
    let format = match output_format(&args) {
        Ok(format) => format,
        Err(e) => return usage_error(e),
    };
    let stdin = match reads_stdin(&args) {
        Ok(stdin) => stdin,
        Err(e) => return usage_error(e),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (groups, discovery_errors) = if stdin {
        let start = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("."));
        let group = load_config(&args, &start).and_then(|c| Group::new(&args, c, Vec::new()));
        match group {
            Ok(group) => (vec![group], Vec::new()),
            Err(code) => return code,
        }
    } else {
        match plan_groups(&args, &paths) {
            Ok(planned) => planned,
            Err(code) => return code,
        }
    };
    if args.verbose {
        for group in &groups {
            match &group.config.path {
                Some(path) => eprintln!("forklint: configuration {}", path.display()),
                None => eprintln!("forklint: no configuration file"),
            }
        }
    }
    let cache_used = groups.iter().any(|g| g.options.cache_dir.is_some());

    let mut stdin_text = String::new();
    if stdin {
        // The limit of files read from disk: one byte more tells a larger input apart.
        let mut bytes = Vec::new();
        if let Err(err) = std::io::stdin()
            .take(driver::MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
        {
            return usage_error(format!("cannot read stdin: {err}"));
        }
        if bytes.len() as u64 > driver::MAX_FILE_SIZE {
            return usage_error(format!(
                "stdin: input too large (more than {} MiB)",
                driver::MAX_FILE_SIZE >> 20
            ));
        }
        match String::from_utf8(bytes) {
            Ok(text) => stdin_text = text,
            Err(e) => {
                return usage_error(format!(
                    "stdin: not valid UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ))
            }
        }
    }
    // The report, and whether it fails the run (each group by its own `warnings = "deny"`).
    let check = |stdin_text: &str| -> (Report, bool) {
        let mut failed = false;
        let mut reports = Vec::with_capacity(groups.len());
        for group in &groups {
            let report = if stdin {
                match &args.stdin_filename {
                    Some(path) => driver::check_stdin(
                        path,
                        stdin_text.to_string(),
                        &group.options,
                        &group.vocab,
                    ),
                    None => driver::check_sources(
                        vec![("<stdin>".to_string(), stdin_text.to_string())],
                        &group.options,
                        &group.vocab,
                    ),
                }
            } else {
                driver::check_found(group.files.clone(), &group.options, &group.vocab)
            };
            failed |= driver::has_failures(&report, &group.options);
            reports.push(report);
        }
        let mut report = driver::merge(reports);
        report.errors.extend(discovery_errors.iter().cloned());
        report.errors.sort();
        (report, failed)
    };
    let progress = Progress::start(!args.quiet && !args.silent && !stdin);
    let (mut report, mut failed) = check(&stdin_text);
    progress.finish();

    if args.diff {
        let plan = crate::fix::plan(&report);
        let mut diff = String::new();
        for (file, (fixed, _)) in &plan.files {
            let source = report.source(*file);
            diff.push_str(&crate::fix::unified_diff(
                &source.display,
                &source.text,
                fixed,
            ));
        }
        let _ = render::tool_errors(&report, &mut std::io::stderr());
        if let Err(code) = write_output(args.output_file.as_deref(), |out| {
            out.write_all(diff.as_bytes())
        }) {
            return code;
        }
        if !args.quiet && !args.silent {
            eprintln!("would fix {}", findings(plan.fixes()));
        }
        return if !report.errors.is_empty() {
            ExitCode::from(2)
        } else if plan.fixes() > 0 && !args.exit_zero {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
    }

    if args.fix {
        let mut fixed = 0;
        // Files that could not be written: each a tool error, left as it was and not retried;
        // every other file is still fixed and the report still printed.
        let mut unwritable: Vec<(PathBuf, driver::ToolError)> = Vec::new();
        // A fix can make room for another (overlapping edits wait a pass): repeat, bounded.
        for _ in 0..10 {
            let mut plan = crate::fix::plan(&report);
            plan.files.retain(|file, _| {
                let path = &report.source(*file).path;
                !unwritable.iter().any(|(p, _)| p == path)
            });
            let mut wrote = false;
            for (file, (text, count)) in &plan.files {
                let source = report.source(*file);
                if stdin {
                    stdin_text = text.clone();
                } else if let Err(err) = crate::io::atomic::replace(&source.path, text.as_bytes()) {
                    unwritable.push((
                        source.path.clone(),
                        driver::ToolError {
                            path: source.display.clone(),
                            message: format!("cannot write the fixes: {err}"),
                        },
                    ));
                    continue;
                }
                fixed += count;
                wrote = true;
            }
            if !wrote {
                break;
            }
            (report, failed) = check(&stdin_text);
        }
        report
            .errors
            .extend(unwritable.into_iter().map(|(_, error)| error));
        report.errors.sort();
        if !args.quiet && !args.silent {
            eprintln!("fixed {}", findings(fixed));
        }
        if stdin {
            // Editors pipe the buffer through `--fix`: stdout is the fixed text.
            let _ = render::tool_errors(&report, &mut std::io::stderr());
            if let Err(code) = write_output(args.output_file.as_deref(), |out| {
                out.write_all(stdin_text.as_bytes())
            }) {
                return code;
            }
            return exit_code(&report, failed, args.exit_zero);
        }
    }

    let stdout_tty = args.output_file.is_none() && std::io::stdout().is_terminal();
    let color = !format.is_machine()
        && use_color(
            args.color,
            stdout_tty,
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("CLICOLOR_FORCE").as_deref(),
        );
    let style = Style {
        color,
        links: stdout_tty,
        width: if stdout_tty { None } else { Some(100) },
        quiet: args.quiet,
    };

    if args.verbose {
        for source in &report.sources {
            eprintln!("forklint: checked {}", source.display);
        }
        eprintln!(
            "forklint: checked {} files in {} ms; {} calls resolved to crate-local functions, {} left unknown",
            report.files_checked,
            report.duration_ms,
            report.call_stats.resolved,
            report.call_stats.unresolved
        );
        eprintln!(
            "forklint: fact model about {:.1} MB",
            report.model_bytes as f64 / 1e6
        );
        eprintln!(
            "forklint:   {} files lowered again under their module-tree path",
            report.relowered
        );
        eprintln!(
            "forklint:   {} files compiled only for tests, {} only for Windows (their own `cfg` or a `mod` line's)",
            report.test_gated, report.windows_gated
        );
        if cache_used && !stdin {
            eprintln!(
                "forklint:   cache: {} units from the cache, {} analysed",
                report.cache_hits, report.cache_misses
            );
            if let Some(note) = &report.cache_note {
                eprintln!("forklint:   cache: {note}");
            }
        }
        for (phase, ms) in &report.timings {
            eprintln!("forklint:   {phase}: {ms} ms");
        }
    }
    let _ = render::tool_errors(&report, &mut std::io::stderr());
    if !args.silent {
        let result = write_output(args.output_file.as_deref(), |out| {
            if args.statistics {
                match format {
                    Format::Json | Format::JsonLines => {
                        render::statistics::render_json(&report, out)
                    }
                    _ => render::statistics::render_text(&report, out),
                }
            } else {
                render::render(&report, format, style, out)
            }
        });
        if let Err(code) = result {
            return code;
        }
    }
    exit_code(&report, failed, args.exit_zero)
}

pub(super) fn findings(n: usize) -> String {
    if n == 1 {
        "1 finding".to_string()
    } else {
        format!("{n} findings")
    }
}

/// A spinner on stderr for long runs: only on a terminal, never in CI, and only after a pause so
/// quick runs print nothing. The line is erased when the run ends.
pub(super) struct Progress {
    done: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(wanted: bool) -> Progress {
        let on_terminal = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if !wanted || !on_terminal {
            return Progress {
                done: None,
                thread: None,
            };
        }
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let delay = std::time::Duration::from_millis(700);
            if wait.recv_timeout(delay).is_ok() {
                return;
            }
            let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            for frame in frames.iter().cycle() {
                eprint!(
                    "\r{frame} forklint: checking ({}s)",
                    started.elapsed().as_secs()
                );
                if !matches!(
                    wait.recv_timeout(std::time::Duration::from_millis(100)),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                ) {
                    break;
                }
            }
            eprint!("\r\x1b[2K");
        });
        Progress {
            done: Some(done),
            thread: Some(thread),
        }
    }

    fn finish(mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
