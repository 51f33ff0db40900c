//! A rule's documentation page as Markdown: `forklint rule`, `docs/rules/*.md` and SARIF's
//! `rules[].help.markdown` all print this one text.

use crate::rules::RuleMeta;

/// A rule's documentation page.
pub fn markdown(meta: &RuleMeta) -> String {
    let docs = meta
        .docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "# {name} ({code})\n\nDefault level: {level}. {summary}.\n\n{docs}\n\n### Configuration\n\
         Set the level with `-A/-W/-D {code}` or in `forklint.toml` (`[lints]` `{code} = \"deny\"`; \
         in test code `[test-lints]`, where FL002 and FL003 are allowed by default); \
         silence one finding with `// forklint: allow({code}) reason` on the line before it (see \
         docs/configuration.md).\n",
        name = meta.name,
        code = meta.code,
        level = meta.default_severity.as_str(),
        summary = capitalize(meta.summary),
        docs = docs.trim()
    )
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
