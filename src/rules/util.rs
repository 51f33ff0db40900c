//! Helpers shared by rule passes: walking bodies, naming calls, finding enclosing contexts.

use crate::ir::{Body, Callee, Context};
use crate::rules::RuleContext;

/// How a call is shown in messages: `std::thread::sleep` or `.recv()`.
pub fn call_name(callee: &Callee) -> String {
    crate::model::summary::display_callee(callee)
}

/// What to call a context root in labels: "this async fn", "this async block", "this green task".
pub fn context_description(body: &Body) -> &'static str {
    match (body.context, body.kind) {
        (Context::Green, _) => "this green task runs on may's scheduler",
        (_, crate::ir::BodyKind::Fn) => "this async fn runs on the async runtime",
        (_, crate::ir::BodyKind::AsyncBlock) => "this async block runs on the async runtime",
        _ => "this closure runs inside async code",
    }
}

/// Whether two spans are close enough that one snippet shows both: evidence far away adds a
/// second snippet and more noise than help, so rules mention it in the message instead.
pub fn near(a: crate::base::source::TextRange, b: crate::base::source::TextRange) -> bool {
    a.start.abs_diff(b.start) < 400
}

/// Evidence labels for a fact of a crate-local callee: each step of its witness chain
/// (`calls `start``, `spawns a thread here`), possibly in other files.
pub fn witness_labels(
    cx: &RuleContext<'_>,
    call: &crate::ir::Call,
    fact: crate::model::summary::Fact,
) -> Vec<(
    crate::base::source::FileId,
    crate::base::source::TextRange,
    String,
)> {
    let Some((_, summary)) = cx.model.callee_summary(cx.file, call) else {
        return Vec::new();
    };
    let Some(witness) = summary.get(fact) else {
        return Vec::new();
    };
    witness
        .chain()
        .into_iter()
        .map(|step| (step.file, step.span, step.what.clone()))
        .collect()
}
