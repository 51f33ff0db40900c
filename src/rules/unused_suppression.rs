//! FL100 unused-suppression: a suppression directive that hid nothing. The engine reports it
//! after suppressions are applied (driver, levels stage); its docs and text live here.

use crate::base::diagnostic::Diagnostic;
use crate::base::source::{FileId, TextRange};
use crate::declare_rule;

declare_rule! {
    /// ### What it does
    /// Reports a `// forklint: allow(..)` directive that suppressed nothing. A directive over
    /// code no rule analysed is not judged: a Windows-only file or item (`#[cfg(windows)]`,
    /// `cfg(target_os = "windows")`, also through its `mod` line), whose code may need it on
    /// Windows; a file-wide directive in a file with such code is not judged either. A
    /// directive for a finding that test code holds back (`[test-lints]`) counts as used.
    ///
    /// ### Why is this bad?
    /// A stale suppression hides nothing today but will silently hide a real finding tomorrow,
    /// and it misleads readers about where the hazards are.
    ///
    /// ### Example
    /// ```rust
    /// // forklint: allow(FL003) nothing blocks here any more
    /// async fn tick() {}
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// async fn tick() {}
    /// ```
    pub static UNUSED_SUPPRESSION = "FL100", "unused-suppression", Warning, "a suppression directive suppressed nothing";
}

/// The FL100 finding for the directive at `range` suppressing `codes` (level set by the caller).
pub fn diagnostic(file: FileId, range: TextRange, codes: &[&str]) -> Diagnostic {
    let names = codes.join(", ");
    Diagnostic::new(
        &UNUSED_SUPPRESSION,
        file,
        range,
        format!("unused suppression of {names}"),
    )
    .primary_label("nothing here is reported by these rules")
    .help("remove the directive")
}
