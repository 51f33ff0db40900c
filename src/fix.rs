//! Fixes: applying machine-applicable edits to source text, and showing them as unified diffs.
//!
//! Edits of one pass never overlap: a fix whose edits would overlap an edit already taken waits
//! for the next pass (the CLI re-checks after writing). Applying is pure; the CLI writes files.

use std::collections::BTreeMap;

use crate::base::diagnostic::{Applicability, Edit};
use crate::base::source::FileId;
use crate::driver::Report;

/// The fixed text of every file that has machine-applicable fixes, and how many fixes each got.
#[derive(Debug, Default)]
pub struct Plan {
    /// File id -> (fixed text, number of fixes applied).
    pub files: BTreeMap<FileId, (String, usize)>,
}

impl Plan {
    pub fn fixes(&self) -> usize {
        self.files.values().map(|(_, n)| n).sum()
    }
}

/// Chooses non-overlapping machine-applicable fixes from `report` and applies them in memory.
pub fn plan(report: &Report) -> Plan {
    let mut edits: BTreeMap<FileId, (Vec<Edit>, usize)> = BTreeMap::new();
    for diag in &report.diagnostics {
        let Some(fix) = &diag.fix else {
            continue;
        };
        if fix.applicability != Applicability::MachineApplicable || fix.edits.is_empty() {
            continue;
        }
        let overlaps = fix.edits.iter().any(|edit| {
            edits.get(&edit.file).is_some_and(|(taken, _)| {
                taken.iter().any(|t| {
                    t.range.start < edit.range.end && edit.range.start < t.range.end
                        || (t.range.start == edit.range.start)
                })
            })
        });
        if overlaps {
            continue;
        }
        for edit in &fix.edits {
            edits.entry(edit.file).or_default().0.push(edit.clone());
        }
        if let Some(first) = fix.edits.first() {
            edits.entry(first.file).or_default().1 += 1;
        }
    }
    let mut plan = Plan::default();
    for (file, (mut list, count)) in edits {
        list.sort_by_key(|e| (e.range.start, e.range.end));
        let text = &report.source(file).text;
        plan.files.insert(file, (apply(text, &list), count));
    }
    plan
}

/// Applies sorted, non-overlapping edits to `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0usize;
    for edit in edits {
        let start = (edit.range.start as usize).clamp(at, text.len());
        let end = (edit.range.end as usize).clamp(start, text.len());
        out.push_str(&text[at..start]);
        out.push_str(&edit.content);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

const CONTEXT: usize = 3;

/// A unified diff of `old` -> `new` for `path` (empty when equal).
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    // Changed regions: a line-level diff over the common prefix/suffix of each region is enough
    // for fixes (few, local edits); regions come from a greedy walk of matching lines.
    let regions = changed_regions(&old_lines, &new_lines);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let mut index = 0;
    while index < regions.len() {
        // Merge regions whose context overlaps into one hunk.
        let mut last = index;
        while last + 1 < regions.len() && regions[last + 1].0 <= regions[last].1 + 2 * CONTEXT {
            last += 1;
        }
        let (old_from, _, new_from, _) = regions[index];
        let (_, old_to, _, new_to) = regions[last];
        let lead = old_from.min(CONTEXT);
        let trail = (old_lines.len() - old_to).min(CONTEXT);
        let hunk_old = (old_from - lead, old_to + trail);
        let hunk_new = (new_from - lead, new_to + trail);
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range_header(hunk_old.0, hunk_old.1 - hunk_old.0),
            range_header(hunk_new.0, hunk_new.1 - hunk_new.0)
        ));
        let mut old_at = hunk_old.0;
        for region in &regions[index..=last] {
            while old_at < region.0 {
                push_line(&mut out, ' ', old_lines[old_at]);
                old_at += 1;
            }
            for line in &old_lines[region.0..region.1] {
                push_line(&mut out, '-', line);
            }
            for line in &new_lines[region.2..region.3] {
                push_line(&mut out, '+', line);
            }
            old_at = region.1;
        }
        while old_at < hunk_old.1 {
            push_line(&mut out, ' ', old_lines[old_at]);
            old_at += 1;
        }
        index = last + 1;
    }
    out
}

fn range_header(start: usize, len: usize) -> String {
    if len == 0 {
        format!("{start},0")
    } else {
        format!("{},{len}", start + 1)
    }
}

fn push_line(out: &mut String, sign: char, line: &str) {
    out.push(sign);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// Changed regions as (old_from, old_to, new_from, new_to) half-open line ranges.
///
/// Walks both sides; at a mismatch, looks ahead for the nearest resynchronising pair of equal
/// lines (bounded window), which is exact for the small local edits fixes make.
fn changed_regions(old: &[&str], new: &[&str]) -> Vec<(usize, usize, usize, usize)> {
    const WINDOW: usize = 200;
    let mut regions = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            i += 1;
            j += 1;
            continue;
        }
        let mut best: Option<(usize, usize)> = None;
        'search: for distance in 1..=2 * WINDOW {
            for di in 0..=distance.min(WINDOW) {
                let dj = distance - di;
                if dj > WINDOW {
                    continue;
                }
                let (a, b) = (i + di, j + dj);
                if a < old.len() && b < new.len() && old[a] == new[b] {
                    best = Some((a, b));
                    break 'search;
                }
            }
        }
        let (a, b) = best.unwrap_or((old.len(), new.len()));
        regions.push((i, a, j, b));
        i = a;
        j = b;
    }
    regions
}
