//! What a finding says of its rule: a rule's static description ([`RuleMeta`]) and where its
//! documentation lives. The registry of rules and their passes is `crate::rules`.

use crate::base::diagnostic::Severity;

/// forklint's repository, from its own Cargo.toml (`repository`, else `homepage`); empty when
/// neither is set, and then no format prints a url (`forklint rule CODE` prints the docs).
pub const REPOSITORY: &str = non_empty_or(env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE"));

const fn non_empty_or<'a>(first: &'a str, second: &'a str) -> &'a str {
    if first.is_empty() {
        second
    } else {
        first
    }
}

/// Static description of a rule.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub default_severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Markdown documentation with the four sections.
    pub docs: &'static str,
}

impl RuleMeta {
    /// The rule's page under the repository's `docs/rules` (`None` without a repository).
    pub fn url(&self) -> Option<String> {
        docs_url(REPOSITORY, self)
    }

    /// A documentation section's body (`What it does`, `Why is this bad?`, `Example`, `Use instead`).
    pub fn section(&self, title: &str) -> Option<&'static str> {
        let marker = format!("### {title}");
        let start = self.docs.find(&marker)? + marker.len();
        let rest = &self.docs[start..];
        let end = rest.find("\n### ").unwrap_or(rest.len());
        Some(rest[..end].trim())
    }
}

/// `<repository>/blob/main/docs/rules/FL003-blocking-call-in-async.md` (the layout of GitHub,
/// GitLab and Gitea), or `None` for an empty repository.
pub fn docs_url(repository: &str, meta: &RuleMeta) -> Option<String> {
    let base = repository.trim().trim_end_matches('/');
    let base = base.strip_suffix(".git").unwrap_or(base);
    if base.is_empty() {
        return None;
    }
    Some(format!(
        "{base}/blob/main/docs/rules/{}-{}.md",
        meta.code, meta.name
    ))
}
