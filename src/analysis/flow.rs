//! How control leaves a region: whether it can complete normally, and its escapes (`return`,
//! `?`, `break` out of the region, `std::process::exit`).

use crate::analysis::Cx;
use crate::base::source::{FileId, TextRange};
use crate::ir::{visit, BodyId, Call, Callee, Cond, FileModel, JumpKind, Node};
use crate::model::summary::display_callee as call_name;
use crate::vocab::{Category, Kind};

/// Whether a call never returns: `_exit`, `exec*`, `abort`, `std::process::exit`, a
/// crate-local function that never returns, or a `fn(..) -> !` local or field.
pub fn ends_process(cx: &Cx<'_>, call: &Call) -> bool {
    call.never_returns
        || cx.vocab.call(Category::Exec, &call.callee).is_some()
        || cx.vocab.call(Category::ProcessExit, &call.callee).is_some()
        || local_never_returns(cx, &call.callee, 0)
}

/// The crate-local function a call in the current file names, with its file (resolved through
/// the crate's function index: paths, re-exports, `Self::f`, `self.f()`, typed receivers).
pub fn local_fn<'m>(cx: &'m Cx<'_>, callee: &Callee) -> Option<(&'m FileModel, BodyId)> {
    let target = cx.model.resolve_callee(cx.file, callee)?;
    Some((cx.model.file(target.file)?, target.body))
}

/// Whether a crate-local function is `-> !` or ends the process on every path (the
/// interpreter asks at every call: a `-> !` function is not walked).
fn local_never_returns(cx: &Cx<'_>, callee: &Callee, depth: u32) -> bool {
    if depth > 2 {
        return false;
    }
    match local_fn(cx, callee) {
        Some((file, id)) => file.body(id).diverges || local_end(cx, file, id, depth).is_some(),
        None => false,
    }
}

/// Where a crate-local function that never returns ends the process with `std::process::exit`.
struct ExitInside {
    /// The exit call's name.
    what: String,
    /// The exit call (or the call of the helper that exits), in the function's file.
    at: (FileId, TextRange),
}

/// How a crate-local function that never returns (`-> !`, or ending the process on every
/// path) ends: `Some(Some(exit))` when one of its paths ends with `std::process::exit`,
/// `Some(None)` when none does, `None` when it may return.
fn local_end(cx: &Cx<'_>, file: &FileModel, id: BodyId, depth: u32) -> Option<Option<ExitInside>> {
    if depth > 2 {
        return None;
    }
    let body = file.body(id);
    let mut flow = Flow::new(cx, depth + 1);
    let completes = flow.seq(&body.block.nodes, 0);
    let only_exits = flow
        .escapes
        .iter()
        .all(|e| matches!(e.kind, EscapeKind::ProcessExit));
    if !body.diverges && (completes || !only_exits) {
        return None;
    }
    Some(
        flow.escapes
            .into_iter()
            .find(|e| e.kind == EscapeKind::ProcessExit)
            .map(|e| ExitInside {
                what: e.what,
                at: (file.file, e.span),
            }),
    )
}

// ------------------------------------------------------------------------------------------
// How control leaves a region.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscapeKind {
    /// `return` into the caller.
    Return,
    /// `?` into the caller.
    Try,
    /// `break`/`continue` into a loop outside the region.
    Break,
    /// `std::process::exit`: atexit handlers and inherited buffers run in the child.
    ProcessExit,
}

#[derive(Clone, Debug)]
pub struct Escape {
    pub kind: EscapeKind,
    pub span: TextRange,
    /// The exit call's name, for `ProcessExit`.
    pub what: String,
    /// For `ProcessExit` through a crate-local function that never returns (`handle_child()`
    /// ending with `std::process::exit`): that function's name, and where inside it the exit is.
    pub through: Option<(String, FileId, TextRange)>,
    /// The `exec*` call whose failure this escape follows, when [`Flow::with_failing_exec`] walks.
    pub after_exec: Option<String>,
}

/// A structural walk that finds whether a region can complete normally and how else it leaves.
pub struct Flow<'c, 'a> {
    cx: &'c Cx<'a>,
    depth: u32,
    pub escapes: Vec<Escape>,
    /// Whether an `exec*` call (`kind = "exec"`) may return: it does when it fails, and the
    /// code after it runs. Off by default (an exec ends the region).
    exec_fails: bool,
    /// The last `exec*` call passed while `exec_fails` is set.
    pub failed_exec: Option<String>,
}

impl<'c, 'a> Flow<'c, 'a> {
    pub fn new(cx: &'c Cx<'a>, depth: u32) -> Self {
        Flow {
            cx,
            depth,
            escapes: Vec::new(),
            exec_fails: false,
            failed_exec: None,
        }
    }

    /// A walk in which every `exec*` call fails and returns (`_exit` and `abort` still end).
    pub fn with_failing_exec(cx: &'c Cx<'a>) -> Self {
        Flow {
            exec_fails: true,
            ..Flow::new(cx, 0)
        }
    }

    fn escape(&mut self, kind: EscapeKind, span: TextRange, what: String) {
        self.escapes.push(Escape {
            kind,
            span,
            what,
            through: None,
            after_exec: self.failed_exec.clone(),
        });
    }

    /// Whether `nodes` can complete normally; `loops` counts loops entered inside the region.
    pub fn seq(&mut self, nodes: &[Node], loops: u32) -> bool {
        nodes.iter().all(|node| self.node(node, loops))
    }

    fn node(&mut self, node: &Node, loops: u32) -> bool {
        match node {
            Node::Call(call) => {
                if self
                    .cx
                    .vocab
                    .call(Category::ProcessExit, &call.callee)
                    .is_some()
                {
                    self.escape(EscapeKind::ProcessExit, call.span, call_name(&call.callee));
                    return false;
                }
                if let Some(exec) = self.cx.vocab.call(Category::Exec, &call.callee) {
                    if self.exec_fails && exec.is(Kind::Exec) {
                        self.failed_exec = Some(call_name(&call.callee));
                        return true;
                    }
                    return false;
                }
                if call.never_returns {
                    return false;
                }
                let end = local_fn(self.cx, &call.callee)
                    .and_then(|(file, id)| local_end(self.cx, file, id, self.depth));
                match end {
                    None => true,
                    Some(None) => false,
                    Some(Some(exit)) => {
                        let name = call_name(&call.callee);
                        let short = name.rsplit("::").next().unwrap_or(&name).to_string();
                        self.escapes.push(Escape {
                            kind: EscapeKind::ProcessExit,
                            span: call.span,
                            what: exit.what,
                            through: Some((short, exit.at.0, exit.at.1)),
                            after_exec: self.failed_exec.clone(),
                        });
                        false
                    }
                }
            }
            Node::Macro(m) => self
                .cx
                .vocab
                .macro_call(Category::Panics, &m.path)
                .is_none_or(|e| !e.is(Kind::Diverges)),
            Node::Let(l) => {
                let completes = self.seq(&l.init, loops);
                if let Some(b) = &l.else_block {
                    self.seq(&b.nodes, loops);
                }
                completes
            }
            Node::Assign(a) => self.seq(&a.value, loops),
            Node::If(i) => {
                if !self.seq(&i.cond_nodes, loops) {
                    return false;
                }
                let then_completes = self.seq(&i.then_block.nodes, loops);
                let else_completes = match &i.else_block {
                    Some(b) => self.seq(&b.nodes, loops),
                    None => true,
                };
                then_completes || else_completes
            }
            Node::Match(m) => {
                if !self.seq(&m.scrutinee_nodes, loops) {
                    return false;
                }
                let mut any = false;
                for arm in &m.arms {
                    if self.seq(&arm.guard, loops) && self.seq(&arm.body.nodes, loops) {
                        any = true;
                    }
                }
                any
            }
            Node::Loop(l) => {
                if !self.seq(&l.header, loops) {
                    return false;
                }
                self.seq(&l.body.nodes, loops + 1);
                let infinite =
                    l.kind == crate::ir::LoopKind::Loop || matches!(l.cond, Some(Cond::Bool(true)));
                !infinite || breaks_out(&l.body.nodes, l.label.as_deref(), 0)
            }
            Node::Block(b) => self.seq(&b.nodes, loops),
            Node::Jump(j) => match j.kind {
                JumpKind::Return => {
                    self.escape(EscapeKind::Return, j.span, String::new());
                    false
                }
                JumpKind::Try => {
                    self.escape(EscapeKind::Try, j.span, String::new());
                    true
                }
                JumpKind::Break | JumpKind::Continue => {
                    if loops == 0 {
                        self.escape(EscapeKind::Break, j.span, String::new());
                    }
                    false
                }
            },
            Node::Await(_) | Node::Closure(_) | Node::PathRef(_) => true,
        }
    }
}

/// Whether a `loop` body contains a `break` that leaves this loop.
fn breaks_out(nodes: &[Node], label: Option<&str>, nested: u32) -> bool {
    nodes.iter().any(|node| match node {
        Node::Jump(j) => {
            j.kind == JumpKind::Break
                && match &j.label {
                    Some(l) => Some(l.as_str()) == label,
                    None => nested == 0,
                }
        }
        // A `break` in the loop's body leaves that loop, not this one (unless labelled).
        Node::Loop(l) => {
            breaks_out(&l.header, label, nested) || breaks_out(&l.body.nodes, label, nested + 1)
        }
        children => visit::any_child_list(children, &mut |list| breaks_out(list, label, nested)),
    })
}
