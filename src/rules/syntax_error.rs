//! FL000 syntax-error: a file that does not parse. The engine reports it (there is no model to
//! check), but its docs and message text live here with the other rules.

use crate::base::diagnostic::Diagnostic;
use crate::base::source::{FileId, TextRange};
use crate::declare_rule;

declare_rule! {
    /// ### What it does
    /// Reports a file that does not parse as Rust.
    ///
    /// ### Why is this bad?
    /// forklint cannot check what it cannot parse: hazards in this file go unreported. The other
    /// files are still checked. syn parses the 2021 and 2024 editions; some 2015-edition code
    /// (bare trait objects such as `Box<Fn(u8) + Send>`) is valid for rustc but not for syn.
    ///
    /// ### Example
    /// ```rust
    /// fn main() {
    ///     let x = ;
    /// }
    /// ```
    ///
    /// ### Use instead
    /// ```rust
    /// fn main() {
    ///     let x = 1;
    /// }
    /// ```
    pub static SYNTAX_ERROR = "FL000", "syntax-error", Error, "the file does not parse";
}

/// The FL000 finding for a syn error at `range`. `hint` is (what, fix) when the construct is
/// valid 2015-edition syntax that syn cannot parse: the message then says so.
pub fn diagnostic(
    file: FileId,
    range: TextRange,
    message: String,
    hint: Option<(String, String)>,
) -> Diagnostic {
    match hint {
        Some((what, fix)) => Diagnostic::new(
            &SYNTAX_ERROR,
            file,
            range,
            format!("{what} is 2015-edition syntax, which syn cannot parse"),
        )
        .primary_label(format!("2015-edition {what}"))
        .note(format!("syn: {message}"))
        .help(format!(
            "{fix} (valid in every edition); if the crate stays on edition 2015, exclude the file \
             (`--extend-exclude`) or set FL000 to \"warn\" (`-W FL000`, or `FL000 = \"warn\"` under \
             `[lints]`)"
        )),
        None => Diagnostic::new(&SYNTAX_ERROR, file, range, message)
            .primary_label("syn cannot parse this")
            .help(
                "fix the syntax error, or exclude the file (`--extend-exclude`) if it is not Rust \
                 source",
            ),
    }
}
