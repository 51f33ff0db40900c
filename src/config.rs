//! Configuration: `forklint.toml`, `.forklint.toml`, or `[package|workspace.metadata.forklint]` in
//! a Cargo.toml, found upward from the checked path; `--config` names one, `--isolated` skips them.
//!
//! Two steps, like ast-grep: the TOML is deserialized into raw structs that keep spans
//! (`toml::Spanned`), then validated into a [`Config`]. Unknown keys, unknown rules and bad values
//! are [`ConfigError`]s that point at the key in the config text (rendered by miette, exit 2).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::driver::Level;
use crate::rules;
use crate::vocab::{Entry, RawVocab, Vocab};

/// File names searched in each directory, in order (Cargo.toml metadata comes after them).
pub const CONFIG_FILES: &[&str] = &["forklint.toml", ".forklint.toml"];

/// A validated configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where it was read from (`None`: defaults).
    pub path: Option<PathBuf>,
    /// Rule levels in file order (`all` expanded).
    pub levels: Vec<(&'static str, Level)>,
    /// `warnings = "deny"`: like `-D warnings`.
    pub deny_warnings: bool,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Vec<String>,
    /// Per-file levels: glob (relative to the config's directory), rule code, level.
    pub per_file_levels: Vec<(String, &'static str, Level)>,
    /// `[test-lints]`: levels in test code, in file order (`all` expanded), on top of the
    /// defaults (FL002 and FL003 allowed).
    pub test_levels: Vec<(&'static str, Level)>,
    /// Vocabulary extensions: category -> entries.
    pub vocab: RawVocab,
    /// `[extension] host-forks`: which crates FL008-FL010 treat as loaded by a forking host.
    pub host_forks: crate::model::HostForks,
}

impl Config {
    /// The vocabulary with this config's extensions.
    pub fn vocab(&self) -> Result<Vocab, Vec<crate::vocab::VocabError>> {
        if self.vocab.is_empty() {
            return Ok(Vocab::builtin());
        }
        let name = self
            .path
            .as_ref()
            .map_or_else(|| "config".to_string(), |p| p.display().to_string());
        Vocab::with_extensions(&[(name, self.vocab.clone())])
    }
}

/// An invalid configuration: the file, its text, the offending span and what is wrong.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub source: miette::NamedSource<String>,
    pub span: Option<std::ops::Range<usize>>,
    pub message: String,
    pub label: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid configuration in {}: {}",
            shown(&self.path),
            self.message
        )
    }
}

/// A config path as printed: relative to the current directory when below it.
fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    crate::driver::display_path(path, &cwd)
}

impl std::error::Error for ConfigError {}

impl miette::Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("forklint::config"))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.span
            .as_ref()
            .map(|_| &self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_primary_with_span(
                Some(self.label.clone()),
                (span.start, span.end - span.start),
            ),
        )))
    }
}

/// `[lints]`-shaped tables: rule -> level, both with spans.
type RawLints = BTreeMap<Spanned<String>, Spanned<String>>;

/// The raw `forklint.toml` (or the `metadata.forklint` table), spans kept for errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    lints: Option<RawLints>,
    files: Option<RawFiles>,
    per_file_lints: Option<BTreeMap<Spanned<String>, RawLints>>,
    test_lints: Option<RawLints>,
    vocab: Option<BTreeMap<Spanned<String>, Vec<Entry>>>,
    extension: Option<RawExtension>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawExtension {
    host_forks: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFiles {
    exclude: Option<Vec<Spanned<String>>>,
    extend_exclude: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawManifest {
    package: Option<RawMetadataHolder>,
    workspace: Option<RawMetadataHolder>,
}

#[derive(Debug, Default, Deserialize)]
struct RawMetadataHolder {
    metadata: Option<RawMetadata>,
}

#[derive(Debug, Default, Deserialize)]
struct RawMetadata {
    forklint: Option<RawConfig>,
}

fn is_manifest(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "Cargo.toml")
}

/// Finds the configuration that applies to `start` (a file or directory): the nearest
/// `forklint.toml`/`.forklint.toml`, else the nearest Cargo.toml with forklint metadata.
pub fn find(start: &Path) -> Option<PathBuf> {
    Finder::default().find(start)
}

/// Config lookups for many files: the answer for each directory is remembered, so thousands of
/// files in a few directories cost a few lookups (each one reads a Cargo.toml).
#[derive(Default)]
pub struct Finder {
    dirs: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl Finder {
    /// [`find`], remembering every directory it looks at.
    pub fn find(&mut self, start: &Path) -> Option<PathBuf> {
        let start: PathBuf = if start.is_absolute() {
            start.to_path_buf()
        } else {
            std::env::current_dir().ok()?.join(start)
        }
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        let mut visited: Vec<&Path> = Vec::new();
        let mut found = None;
        while let Some(d) = dir {
            if let Some(known) = self.dirs.get(d) {
                found = known.clone();
                break;
            }
            visited.push(d);
            if let Some(config) = config_in(d) {
                found = Some(config);
                break;
            }
            dir = d.parent();
        }
        for d in visited {
            self.dirs.insert(d.to_path_buf(), found.clone());
        }
        found
    }
}

/// The configuration file in `dir` itself, if any. A `forklint.toml` that exists in any form
/// is the one (loading says what is wrong with it); so is a `Cargo.toml` that cannot be read
/// or is not a regular file (a directory, a FIFO: never opened, it would block): whether it
/// holds `[package.metadata.forklint]` is unknown, and skipping it could turn a denied rule into
/// a warning, so loading reports it with its path.
fn config_in(dir: &Path) -> Option<PathBuf> {
    for name in CONFIG_FILES {
        let candidate = dir.join(name);
        if std::fs::metadata(&candidate).is_ok() {
            return Some(candidate);
        }
    }
    let manifest = dir.join("Cargo.toml");
    let meta = std::fs::metadata(&manifest).ok()?;
    if !meta.is_file() {
        return Some(manifest);
    }
    match std::fs::read_to_string(&manifest) {
        Ok(text) if has_metadata(&text) => Some(manifest),
        Ok(_) => None,
        Err(_) => Some(manifest),
    }
}

fn has_metadata(manifest_text: &str) -> bool {
    toml::from_str::<RawManifestProbe>(manifest_text).is_ok_and(|m| {
        m.package
            .is_some_and(|p| p.metadata.is_some_and(|m| m.forklint.is_some()))
            || m.workspace
                .is_some_and(|p| p.metadata.is_some_and(|m| m.forklint.is_some()))
    })
}

/// Like [`RawManifest`] but accepting any forklint table (validation happens on load).
#[derive(Deserialize)]
struct RawManifestProbe {
    package: Option<ProbeHolder>,
    workspace: Option<ProbeHolder>,
}

#[derive(Deserialize)]
struct ProbeHolder {
    metadata: Option<ProbeMetadata>,
}

#[derive(Deserialize)]
struct ProbeMetadata {
    forklint: Option<toml::Value>,
}

/// Reads and validates the configuration file at `path`.
pub fn load(path: &Path) -> Result<Config, Box<ConfigError>> {
    // Like a source: a FIFO or /dev/zero named `forklint.toml` must not hang the run.
    let text = crate::io::read::read_file(path).map_err(|message| {
        let why = message.strip_prefix("cannot read: ").unwrap_or(&message);
        let why = why.strip_suffix(" (skipped)").unwrap_or(why);
        Box::new(ConfigError {
            path: path.to_path_buf(),
            source: miette::NamedSource::new(shown(path), String::new()),
            span: None,
            message: format!("cannot read the file: {why}"),
            label: String::new(),
        })
    })?;
    parse(path, &text)
}

/// Validates configuration text (`path` decides between forklint.toml and Cargo.toml shapes).
pub fn parse(path: &Path, text: &str) -> Result<Config, Box<ConfigError>> {
    let error = |span: Option<std::ops::Range<usize>>, message: String, label: &str| {
        Box::new(ConfigError {
            path: path.to_path_buf(),
            source: miette::NamedSource::new(shown(path), text.to_string()),
            span,
            label: if message.starts_with("unknown field") {
                "unknown key".to_string()
            } else {
                label.to_string()
            },
            message,
        })
    };
    let raw = if is_manifest(path) {
        let manifest: RawManifest = toml::from_str(text)
            .map_err(|e| error(e.span(), clean_message(e.message()), "here"))?;
        let from_package = manifest
            .package
            .and_then(|p| p.metadata)
            .and_then(|m| m.forklint);
        let from_workspace = manifest
            .workspace
            .and_then(|p| p.metadata)
            .and_then(|m| m.forklint);
        from_package.or(from_workspace).unwrap_or_default()
    } else {
        toml::from_str::<RawConfig>(text)
            .map_err(|e| error(e.span(), clean_message(e.message()), "here"))?
    };

    let mut config = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let level = |value: &Spanned<String>| {
        Level::parse(value.get_ref()).ok_or_else(|| {
            error(
                Some(value.span()),
                format!(
                    "invalid level `{}` (expected \"allow\", \"warn\" or \"deny\")",
                    value.get_ref()
                ),
                "not a level",
            )
        })
    };
    let codes = |key: &Spanned<String>| -> Result<Vec<&'static str>, Box<ConfigError>> {
        let name = key.get_ref();
        if name == "all" {
            return Ok(rules::RULES.iter().map(|r| r.meta.code).collect());
        }
        match rules::find(name) {
            Some(meta) => Ok(vec![meta.code]),
            None => Err(error(
                Some(key.span()),
                format!("unknown rule `{name}` (see `forklint rule --all`)"),
                "unknown rule",
            )),
        }
    };

    // Table order, not key order: `all = "allow"` then `FL003 = "warn"` must mean what it says.
    let mut lints: Vec<_> = raw.lints.into_iter().flatten().collect();
    lints.sort_by_key(|(key, _)| key.span().start);
    for (key, value) in &lints {
        let level = level(value)?;
        if key.get_ref() == "warnings" {
            if level != Level::Deny {
                return Err(error(
                    Some(value.span()),
                    "`warnings` can only be set to \"deny\"".to_string(),
                    "expected \"deny\"",
                ));
            }
            config.deny_warnings = true;
            continue;
        }
        config
            .levels
            .extend(codes(key)?.into_iter().map(|c| (c, level)));
    }

    if let Some(files) = raw.files {
        let globs = |list: Option<Vec<Spanned<String>>>| -> Result<Vec<String>, Box<ConfigError>> {
            let mut out = Vec::new();
            for glob in list.into_iter().flatten() {
                if let Some(message) = glob_error(glob.get_ref()) {
                    return Err(error(Some(glob.span()), message, "invalid glob"));
                }
                out.push(glob.into_inner());
            }
            Ok(out)
        };
        if files.exclude.is_some() {
            config.exclude = Some(globs(files.exclude)?);
        }
        config.extend_exclude = globs(files.extend_exclude)?;
    }

    let mut test_lints: Vec<_> = raw.test_lints.into_iter().flatten().collect();
    test_lints.sort_by_key(|(key, _)| key.span().start);
    for (key, value) in &test_lints {
        let level = level(value)?;
        config
            .test_levels
            .extend(codes(key)?.into_iter().map(|c| (c, level)));
    }

    if let Some(value) = raw.extension.and_then(|e| e.host_forks) {
        use crate::model::HostForks;
        config.host_forks = match value.get_ref().as_str() {
            "auto" => HostForks::Auto,
            "always" => HostForks::Always,
            "never" => HostForks::Never,
            other => {
                return Err(error(
                    Some(value.span()),
                    format!(
                        "invalid `host-forks` value `{other}` (expected \"auto\", \"always\" or \"never\")"
                    ),
                    "not a host-forks value",
                ))
            }
        };
    }

    let mut per_file: Vec<_> = raw.per_file_lints.into_iter().flatten().collect();
    per_file.sort_by_key(|(key, _)| key.span().start);
    for (glob, table) in per_file {
        if let Some(message) = glob_error(glob.get_ref()) {
            return Err(error(Some(glob.span()), message, "invalid glob"));
        }
        let mut entries: Vec<_> = table.into_iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in &entries {
            let level = level(value)?;
            for code in codes(key)? {
                config
                    .per_file_levels
                    .push((glob.get_ref().clone(), code, level));
            }
        }
    }

    let vocab_spans: Vec<(String, std::ops::Range<usize>)> = raw
        .vocab
        .iter()
        .flatten()
        .map(|(key, _)| (key.get_ref().clone(), key.span()))
        .collect();
    config.vocab = raw
        .vocab
        .into_iter()
        .flatten()
        .map(|(key, entries)| (key.into_inner(), entries))
        .collect();
    if let Err(errors) = config.vocab() {
        let first = &errors[0];
        let span = vocab_spans
            .iter()
            .find(|(key, _)| *key == first.key)
            .map(|(_, span)| span.clone());
        return Err(error(
            span,
            first.message.clone(),
            "in this vocabulary category",
        ));
    }
    Ok(config)
}

/// Per-file globs from the config, anchored at the config file's directory.
pub fn per_file_levels(
    config: &Config,
    cwd: &Path,
) -> Result<Vec<(globset::GlobMatcher, &'static str, Level)>, String> {
    let base = config.path.as_ref().and_then(|p| p.parent()).map(|dir| {
        if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            cwd.join(dir)
        }
    });
    let prefix = base.as_ref().and_then(|b| {
        b.strip_prefix(cwd)
            .ok()
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
    });
    let mut out = Vec::new();
    for (glob, code, level) in &config.per_file_levels {
        let patterns = match &prefix {
            Some(p) if !p.is_empty() => vec![format!("{p}/{glob}")],
            Some(_) => vec![glob.clone()],
            // Run from below the config's directory: match at any depth.
            None => vec![glob.clone(), format!("**/{glob}")],
        };
        for pattern in patterns {
            // globset's `compile_matcher` panics on a pattern too complex to compile.
            if let Some(message) = glob_error(&pattern) {
                return Err(message);
            }
            let matcher = globset::Glob::new(&pattern)
                .map_err(|e| format!("invalid glob `{pattern}`: {e}"))?
                .compile_matcher();
            out.push((matcher, *code, *level));
        }
    }
    Ok(out)
}

/// Why `pattern` cannot be used as a glob, if it cannot: a syntax error, or a pattern whose
/// regex exceeds the matcher's size limit (which globset reports as `error building NFA` with
/// no pattern, or panics on, when matchers are compiled later).
pub fn glob_error(pattern: &str) -> Option<String> {
    let glob = match globset::Glob::new(pattern) {
        Ok(glob) => glob,
        Err(e) => return Some(format!("invalid glob `{pattern}`: {}", e.kind())),
    };
    let mut set = globset::GlobSetBuilder::new();
    set.add(glob);
    // Discovery also matches it below any directory (`**/` prefix): the larger regex.
    if let Ok(deep) = globset::Glob::new(&format!("**/{pattern}")) {
        set.add(deep);
    }
    set.build().err().map(|_| {
        "invalid glob: too complex to match (its regex exceeds the size limit)".to_string()
    })
}

/// toml's messages end with a newline and sometimes a period; ours do not.
fn clean_message(message: &str) -> String {
    message.trim().trim_end_matches('.').to_string()
}

/// The commented configuration `forklint init` writes.
pub fn default_file() -> String {
    let mut out = String::from(
        "# forklint configuration (docs/configuration.md). Command-line flags override this file.\n\
         # forklint looks for forklint.toml or .forklint.toml upward from the checked path, then for\n\
         # [package.metadata.forklint] or [workspace.metadata.forklint] in a Cargo.toml.\n\n\
         [lints]\n\
         # Levels: \"allow\", \"warn\" or \"deny\"; keys are rule codes or names, or `all`.\n\
         # `warnings = \"deny\"` makes every warning fail the run (like `-D warnings`).\n\
         # The defaults:\n",
    );
    for rule in rules::RULES {
        let meta = rule.meta;
        let level = match meta.default_severity {
            crate::base::diagnostic::Severity::Error => "deny",
            crate::base::diagnostic::Severity::Warning => "warn",
        };
        out.push_str(&format!(
            "# {} = \"{level}\"  # {}: {}\n",
            meta.code, meta.name, meta.summary
        ));
    }
    out.push_str(
        "\n[files]\n\
         # Globs, matched against paths relative to where forklint runs (and at any depth).\n\
         # Cargo target directories, hidden directories and .gitignore'd files are always skipped.\n\
         # exclude = []                        # replaces the default excludes\n\
         # extend-exclude = [\"benches/**\"]     # adds to them\n\n\
         [per-file-lints]\n\
         # \"examples/**\" = { FL003 = \"allow\" }\n\n\
         [test-lints]\n\
         # Levels inside test code (test functions, `#[cfg(test)]`, tests/ and benches/ crates),\n\
         # above -A/-W/-D and below [per-file-lints]. The defaults: blocking in a test's setup\n\
         # stalls nothing a user runs; the fork rules keep their levels there.\n\
         # FL002 = \"allow\"\n\
         # FL003 = \"allow\"\n\n\
         [extension]\n\
         # Which crates FL008-FL010 treat as loaded by a host that forks (docs/extensions.md):\n\
         # \"auto\" extension crates only (a cdylib with pyo3, pyo3-ffi, magnus or rb-sys, a\n\
         # `#[pymodule]`, a maturin pyproject.toml); \"always\" every lib crate; \"never\" none.\n\
         # host-forks = \"auto\"\n\n\
         [vocab]\n\
         # Teach the rules about your own APIs (same shape as forklint's rules/*.toml entries).\n\
         # blocking = [{ path = \"crate::db::query_sync\" }]\n\
         # thread-start = [{ path = \"metrics::start_exporter\" }]\n\
         # context-exit = [{ path = \"crate::rt::offload\" }]\n",
    );
    out
}
