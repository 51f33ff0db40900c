//! Child regions: the branches or arms of a fork-result test that only the child runs
//! (`if pid == 0`, `match fork() { Ok(ForkResult::Child) => .. }`, `.is_child()`), and the code
//! after the test when every parent path has already left (hand-written daemonizing).

use crate::analysis::flow::Flow;
use crate::analysis::fork::{ChildRegion, Rest};
use crate::analysis::Cx;
use crate::ir::visit;
use crate::ir::{
    Block, Body, BodyId, BodyKind, Call, Callee, CmpOp, Cond, FileModel, Match, Node, Operand, Pat,
};
use crate::vocab::Category;

/// What a branch of a fork-result test runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Child,
    Parent,
    Error,
    /// The child or the error case (`else` of `pid > 0`): the child, unless tested again.
    ChildOrError,
    Maybe,
}

impl Side {
    fn is_not_child(self) -> bool {
        matches!(self, Side::Parent | Side::Error)
    }
}

/// Result patterns of a fork wrapper (docs/contexts.md, "Fork wrappers"), besides the
/// vocabulary's `fork-child`/`fork-parent` ones.
#[derive(Clone, Debug, Default)]
struct Pats {
    child: Vec<String>,
    parent: Vec<String>,
}

impl Pats {
    fn of(cx: &Cx<'_>, call: &Call) -> Pats {
        match cx.entries.wrappers.of_call(cx, call) {
            Some(w) => Pats {
                child: w.child.clone(),
                parent: w.parent.clone(),
            },
            None => Pats::default(),
        }
    }

    /// The side a wrapper's pattern selects (by the full path, or its last two segments).
    fn side(&self, path: &str) -> Option<Side> {
        let matches = |list: &[String]| list.iter().any(|p| p == path || tail2(p) == tail2(path));
        if matches(&self.child) {
            Some(Side::Child)
        } else if matches(&self.parent) {
            Some(Side::Parent)
        } else {
            None
        }
    }
}

/// The last two segments of a path (`ForkResult::Child`), for a result imported through a glob.
fn tail2(p: &str) -> (&str, &str) {
    let mut parts = p.rsplit("::");
    let last = parts.next().unwrap_or_default();
    let before = parts.next().unwrap_or_default();
    (before, last)
}

/// What a test is about: a local holding the fork result, or the fork call written in place.
enum Subject<'s> {
    Local(&'s str),
    Call(&'s str),
}

impl Subject<'_> {
    fn is(&self, operand: &Operand) -> bool {
        match (self, operand) {
            (Subject::Local(name), Operand::Local(l)) => l == name,
            (Subject::Call(path), Operand::Call(p)) => p == path,
            _ => false,
        }
    }
}

fn find_call<'a>(nodes: &'a [Node], target: &Call, chain: &mut Vec<(&'a [Node], usize)>) -> bool {
    for (index, node) in nodes.iter().enumerate() {
        chain.push((nodes, index));
        let hit = match node {
            Node::Call(c) => c.span == target.span && c.expr_span == target.expr_span,
            children => visit::any_child_list(children, &mut |list| find_call(list, target, chain)),
        };
        if hit {
            return true;
        }
        chain.pop();
    }
    false
}

fn contains_call(nodes: &[Node], target: &Call) -> bool {
    let mut found = false;
    crate::ir::visit::walk(nodes, &mut |node| {
        if let Node::Call(c) = node {
            if c.span == target.span {
                found = true;
            }
        }
        !found
    });
    found
}

/// The child region of a fork call written in `nodes` (a body's block).
pub(crate) fn child_region<'a>(cx: &Cx<'_>, nodes: &'a [Node], call: &Call) -> ChildRegion<'a> {
    // Ancestors from outermost to innermost: (slice holding the node, its index).
    let mut chain = Vec::new();
    if !find_call(nodes, call, &mut chain) {
        return ChildRegion::Unknown;
    }
    let fork_path = match &call.callee {
        Callee::Path(p) => Some(p.as_str()),
        _ => None,
    };
    let pats = Pats::of(cx, call);
    // Walk outward from the call: the innermost test that contains it decides, else the `let`
    // that binds its result names the local to look for.
    for depth in (0..chain.len().saturating_sub(1)).rev() {
        let (slice, index) = chain[depth];
        let node = &slice[index];
        match node {
            Node::If(i) if contains_call(&i.cond_nodes, call) => {
                let subject = match fork_path {
                    Some(p) => Subject::Call(p),
                    None => return ChildRegion::Unknown,
                };
                let mut deciders = Deciders::new(&pats);
                deciders.if_test(cx, i, &subject, true, &slice[index + 1..]);
                return deciders.region(cx);
            }
            Node::Match(m) if contains_call(&m.scrutinee_nodes, call) => {
                let subject = match fork_path {
                    Some(p) => Subject::Call(p),
                    None => return ChildRegion::Unknown,
                };
                let mut deciders = Deciders::new(&pats);
                deciders.match_test(cx, m, &subject, &slice[index + 1..]);
                return deciders.region(cx);
            }
            Node::Let(l) => {
                if !contains_call(&l.init, call) {
                    return ChildRegion::Unknown;
                }
                // `let ForkResult::Parent(pid) = fork()? else { child }`: the `else` is the child.
                if let (Some(pat), Some(else_block)) = (&l.else_pat, &l.else_block) {
                    match classify_pat(cx, &pats, pat) {
                        Side::Parent => {
                            return ChildRegion::Branches {
                                blocks: vec![else_block],
                                rest: None,
                            }
                        }
                        Side::Child | Side::ChildOrError | Side::Error => {
                            return ChildRegion::Unknown
                        }
                        Side::Maybe => {}
                    }
                }
                if l.wildcard || l.names.len() != 1 {
                    return ChildRegion::Unknown;
                }
                return region_of_local(cx, &pats, &l.names[0], &slice[index + 1..]);
            }
            Node::Assign(a) => {
                if !contains_call(&a.value, call) {
                    return ChildRegion::Unknown;
                }
                return region_of_local(cx, &pats, &a.local, &slice[index + 1..]);
            }
            Node::Block(_) | Node::Call(_) => continue,
            Node::Macro(_)
            | Node::Await(_)
            | Node::If(_)
            | Node::Match(_)
            | Node::Loop(_)
            | Node::Closure(_)
            | Node::Jump(_)
            | Node::PathRef(_) => return ChildRegion::Unknown,
        }
    }
    ChildRegion::Unknown
}

/// The child region selected by tests of `local` in the code that follows its binding.
fn region_of_local<'a>(
    cx: &Cx<'_>,
    pats: &Pats,
    local: &str,
    following: &'a [Node],
) -> ChildRegion<'a> {
    let subject = Subject::Local(local);
    // A later `let pid = ..` (shadowing) or `pid = ..` binds another value: the tests after it
    // are of that value (`let pid = fork(); if pid == 0 {..} let pid = fork(); ..`).
    let end = following
        .iter()
        .position(|node| {
            if let Node::Let(l) = node {
                return l.names.iter().any(|n| n == local);
            }
            matches!(node, Node::Assign(a) if a.local == local)
        })
        .unwrap_or(following.len());
    let mut deciders = Deciders::new(pats);
    deciders.scan(cx, &following[..end], &subject);
    deciders.region(cx)
}

#[derive(Default)]
struct Deciders<'a> {
    child: Vec<&'a Block>,
    /// Parent/error branches, to know whether all of them leave.
    parent: Vec<&'a Block>,
    /// The error branches among `parent` (`-1 => return Err(..)`).
    errors: Vec<&'a Block>,
    /// The code after a test whose parent branch has no `else` (the child may continue there).
    rest: Option<Rest<'a>>,
    /// A test was found.
    tested: bool,
    /// Some parent branch can fall through into `rest`.
    parent_falls_through: bool,
    /// The code after the first test.
    after: Option<Rest<'a>>,
    /// An enclosing test already excluded the child (the `else` of `pid == 0`).
    child_excluded: bool,
    /// A fork wrapper's result patterns.
    pats: Pats,
}

impl<'a> Deciders<'a> {
    fn new(pats: &Pats) -> Self {
        Deciders {
            pats: pats.clone(),
            ..Deciders::default()
        }
    }

    /// Finds tests of `subject` in `nodes`, in order (not inside closures).
    fn scan(&mut self, cx: &Cx<'_>, nodes: &'a [Node], subject: &Subject<'_>) {
        for (index, node) in nodes.iter().enumerate() {
            match node {
                Node::If(i) if cond_mentions(&i.cond, subject) => {
                    self.if_test(cx, i, subject, false, &nodes[index + 1..]);
                }
                Node::Match(m) if subject.is(&m.scrutinee) => {
                    self.match_test(cx, m, subject, &nodes[index + 1..]);
                }
                Node::Let(l) => self.scan(cx, &l.init, subject),
                Node::If(i) => {
                    self.scan(cx, &i.then_block.nodes, subject);
                    if let Some(b) = &i.else_block {
                        self.scan(cx, &b.nodes, subject);
                    }
                }
                Node::Match(m) => {
                    for arm in &m.arms {
                        self.scan(cx, &arm.body.nodes, subject);
                    }
                }
                Node::Loop(l) => self.scan(cx, &l.body.nodes, subject),
                Node::Block(b) => self.scan(cx, &b.nodes, subject),
                Node::Call(_)
                | Node::Macro(_)
                | Node::Await(_)
                | Node::Assign(_)
                | Node::Closure(_)
                | Node::Jump(_)
                | Node::PathRef(_) => {}
            }
        }
    }

    fn add(
        &mut self,
        cx: &Cx<'_>,
        side: Side,
        block: &'a Block,
        subject: &Subject<'_>,
        child_elsewhere: bool,
    ) {
        let side = match side {
            Side::ChildOrError if self.child_excluded => Side::Error,
            other => other,
        };
        let nested = || Deciders {
            child_excluded: child_elsewhere || self.child_excluded,
            pats: self.pats.clone(),
            ..Deciders::default()
        };
        match side {
            Side::Child => self.child.push(block),
            Side::ChildOrError => {
                // Tested again inside (`else if pid == 0`): the nested test decides.
                let mut inner = nested();
                inner.scan(cx, &block.nodes, subject);
                if inner.tested {
                    self.merge(inner);
                } else {
                    self.child.push(block);
                }
            }
            Side::Parent => self.parent.push(block),
            Side::Error => {
                self.parent.push(block);
                self.errors.push(block);
            }
            Side::Maybe => {
                let mut inner = nested();
                inner.scan(cx, &block.nodes, subject);
                self.merge(inner);
            }
        }
    }

    fn merge(&mut self, other: Deciders<'a>) {
        self.tested |= other.tested;
        self.child.extend(other.child);
        self.parent.extend(other.parent);
        self.errors.extend(other.errors);
        if self.rest.is_none() {
            self.rest = other.rest;
        }
        self.parent_falls_through |= other.parent_falls_through;
    }

    fn if_test(
        &mut self,
        cx: &Cx<'_>,
        i: &'a crate::ir::If,
        subject: &Subject<'_>,
        direct: bool,
        after: &'a [Node],
    ) {
        let Some((then_side, else_side)) = classify_cond(cx, &self.pats, &i.cond, subject, direct)
        else {
            return;
        };
        self.tested = true;
        let after = Rest {
            after: i.id,
            nodes: after,
            parents_exit: false,
        };
        self.after.get_or_insert(after);
        self.add(
            cx,
            then_side,
            &i.then_block,
            subject,
            else_side == Side::Child,
        );
        match &i.else_block {
            Some(b) => self.add(cx, else_side, b, subject, then_side == Side::Child),
            None => {
                // `if pid > 0 { exit(0) }`: when the parent side leaves, the child continues
                // after the test.
                if then_side.is_not_child() && matches!(else_side, Side::Child | Side::ChildOrError)
                {
                    let mut flow = Flow::new(cx, 0);
                    if flow.seq(&i.then_block.nodes, 0) {
                        self.parent_falls_through = true;
                    } else if self.rest.is_none() {
                        self.rest = Some(after);
                    }
                }
            }
        }
    }

    fn match_test(&mut self, cx: &Cx<'_>, m: &'a Match, subject: &Subject<'_>, after: &'a [Node]) {
        let mut seen_child = false;
        let mut seen_parent = false;
        let mut sides = Vec::new();
        for arm in &m.arms {
            let mut side = classify_pat(cx, &self.pats, &arm.pat);
            if !arm.guard.is_empty() && side == Side::Child {
                side = Side::Maybe;
            }
            let side = match side {
                Side::Maybe
                    if matches!(arm.pat, Pat::Wild | Pat::Binding(_)) && arm.guard.is_empty() =>
                {
                    if seen_child {
                        Side::Parent
                    } else if seen_parent {
                        Side::ChildOrError
                    } else {
                        Side::Maybe
                    }
                }
                other => other,
            };
            seen_child |= side == Side::Child;
            seen_parent |= side == Side::Parent;
            sides.push(side);
        }
        if !sides.iter().any(|s| *s != Side::Maybe) {
            return;
        }
        self.tested = true;
        self.after.get_or_insert(Rest {
            after: m.id,
            nodes: after,
            parents_exit: false,
        });
        for (arm, side) in m.arms.iter().zip(sides) {
            self.add(cx, side, &arm.body, subject, seen_child);
        }
    }

    /// Whether every parent branch (errors aside) ends the process, and there is one: the
    /// code after the test then runs only in the child (hand-written daemonizing).
    fn parents_exit(&self, cx: &Cx<'_>) -> bool {
        let mut parents = self
            .parent
            .iter()
            .filter(|b| !self.errors.iter().any(|e| e.id == b.id))
            .peekable();
        parents.peek().is_some()
            && parents.all(|b| {
                let mut flow = Flow::new(cx, 0);
                !flow.seq(&b.nodes, 0)
                    && flow
                        .escapes
                        .iter()
                        .all(|e| matches!(e.kind, crate::analysis::flow::EscapeKind::ProcessExit))
            })
    }

    fn region(self, cx: &Cx<'_>) -> ChildRegion<'a> {
        if !self.tested {
            return ChildRegion::Unknown;
        }
        if let Some(mut rest) = self.rest {
            if !self.parent_falls_through {
                rest.parents_exit = self.parents_exit(cx);
                return ChildRegion::Branches {
                    blocks: self.child,
                    rest: Some(rest),
                };
            }
        }
        if self.child.is_empty() {
            return ChildRegion::Unknown;
        }
        // Every parent path leaves (`Parent { .. } => exit(0)`): a child branch that falls off
        // continues as the daemonized process in the code after the test.
        let parents_leave = !self.parent.is_empty()
            && self
                .parent
                .iter()
                .all(|b| !Flow::new(cx, 0).seq(&b.nodes, 0));
        let child_falls_off = self.child.iter().any(|b| Flow::new(cx, 0).seq(&b.nodes, 0));
        let parents_exit = self.parents_exit(cx);
        let rest = (parents_leave && child_falls_off)
            .then_some(self.after)
            .flatten()
            .map(|rest| Rest {
                parents_exit,
                ..rest
            });
        ChildRegion::Branches {
            blocks: self.child,
            rest,
        }
    }
}

fn cond_mentions(cond: &Cond, subject: &Subject<'_>) -> bool {
    match cond {
        Cond::Cmp { lhs, rhs, .. } => subject.is(lhs) || subject.is(rhs),
        Cond::Method { local, .. } => match (subject, local) {
            (Subject::Local(name), Some(l)) => l == name,
            _ => false,
        },
        Cond::Let { scrutinee, .. } => subject.is(scrutinee),
        Cond::Not(c) => cond_mentions(c, subject),
        Cond::And(a, b) | Cond::Or(a, b) => cond_mentions(a, subject) || cond_mentions(b, subject),
        Cond::Bool(_) | Cond::Other => false,
    }
}

/// (then side, else side) of a test of the fork result.
fn classify_cond(
    cx: &Cx<'_>,
    pats: &Pats,
    cond: &Cond,
    subject: &Subject<'_>,
    direct: bool,
) -> Option<(Side, Side)> {
    match cond {
        Cond::Cmp { lhs, op, rhs } => {
            let (op, k) = match (lhs, rhs) {
                (l, Operand::Int(k)) if subject.is(l) => (*op, *k),
                (Operand::Int(k), r) if subject.is(r) => (flip(*op), *k),
                _ => return None,
            };
            Some(match (op, k) {
                (CmpOp::Eq, 0) => (Side::Child, Side::Maybe),
                (CmpOp::Ne, 0) => (Side::Parent, Side::Child),
                (CmpOp::Gt, 0) | (CmpOp::Ge, 1) => (Side::Parent, Side::ChildOrError),
                (CmpOp::Lt, 0) | (CmpOp::Le, -1) | (CmpOp::Eq, -1) => (Side::Error, Side::Maybe),
                (CmpOp::Ne, -1) | (CmpOp::Ge, 0) | (CmpOp::Gt, -1) => (Side::Maybe, Side::Error),
                (CmpOp::Le, 0) | (CmpOp::Lt, 1) => (Side::ChildOrError, Side::Parent),
                _ => return None,
            })
        }
        Cond::Method { local, name } => {
            let about = match (subject, local) {
                (Subject::Local(n), Some(l)) => l == n,
                (Subject::Call(_), None) => direct,
                _ => false,
            };
            if !about {
                return None;
            }
            if cx.vocab.method(Category::ForkChild, name, None).is_some() {
                Some((Side::Child, Side::Parent))
            } else if cx.vocab.method(Category::ForkParent, name, None).is_some() {
                Some((Side::Parent, Side::Child))
            } else {
                None
            }
        }
        Cond::Let { pat, scrutinee } if subject.is(scrutinee) => {
            match classify_pat(cx, pats, pat) {
                Side::Child => Some((Side::Child, Side::Maybe)),
                Side::Parent => Some((Side::Parent, Side::ChildOrError)),
                Side::Error => Some((Side::Error, Side::Maybe)),
                _ => None,
            }
        }
        Cond::Not(inner) => classify_cond(cx, pats, inner, subject, direct).map(|(t, e)| (e, t)),
        Cond::And(a, b) => {
            let side = classify_cond(cx, pats, a, subject, direct)
                .or_else(|| classify_cond(cx, pats, b, subject, direct))?;
            match side.0 {
                Side::Child | Side::Parent | Side::Error => Some((side.0, Side::Maybe)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// Whether `path` is named by an entry of `category` (exactly, or by its last two segments, for
/// a result type imported through a glob).
fn pattern_in(cx: &Cx<'_>, category: Category, path: &str) -> bool {
    if cx.vocab.path(category, path).is_some() {
        return true;
    }
    let tail = |p: &str| {
        let mut parts = p.rsplit("::");
        let last = parts.next().unwrap_or_default().to_string();
        let before = parts.next().unwrap_or_default().to_string();
        (before, last)
    };
    let wanted = tail(path);
    !wanted.0.is_empty()
        && cx
            .vocab
            .entries(category)
            .iter()
            .filter_map(|e| e.path.as_deref())
            .any(|p| tail(p) == wanted)
}

fn classify_pat(cx: &Cx<'_>, pats: &Pats, pat: &Pat) -> Side {
    let path = match pat {
        Pat::Path(p) | Pat::Struct(p) | Pat::TupleStruct(p, _) => Some(p.as_str()),
        _ => None,
    };
    if let Some(side) = path.and_then(|p| pats.side(p)) {
        return side;
    }
    match pat {
        Pat::Int(0) => Side::Child,
        Pat::Int(k) if *k < 0 => Side::Error,
        Pat::Int(_) => Side::Parent,
        Pat::Path(p) | Pat::Struct(p) => {
            if pattern_in(cx, Category::ForkChild, p) {
                Side::Child
            } else if pattern_in(cx, Category::ForkParent, p) {
                Side::Parent
            } else {
                Side::Maybe
            }
        }
        Pat::TupleStruct(p, inner) => {
            if p == "Ok" || p.ends_with("::Ok") {
                match inner.as_slice() {
                    [one] => classify_pat(cx, pats, one),
                    _ => Side::Maybe,
                }
            } else if p == "Err" || p.ends_with("::Err") {
                Side::Error
            } else if pattern_in(cx, Category::ForkParent, p) {
                Side::Parent
            } else if pattern_in(cx, Category::ForkChild, p) {
                Side::Child
            } else {
                Side::Maybe
            }
        }
        Pat::Or(alts) => {
            let sides: Vec<Side> = alts.iter().map(|p| classify_pat(cx, pats, p)).collect();
            if sides.iter().all(|s| s.is_not_child()) {
                Side::Parent
            } else if sides.iter().all(|s| *s == Side::Child) {
                Side::Child
            } else {
                Side::Maybe
            }
        }
        // `-1 => ..` parses as an opaque pattern; a range is a pid range in practice.
        Pat::Other => Side::Error,
        Pat::Range => Side::Parent,
        Pat::Wild | Pat::Binding(_) | Pat::Tuple(_) => Side::Maybe,
    }
}

/// The body that runs at a site (its own or the nearest item, for messages).
pub fn enclosing_item(file: &FileModel, id: BodyId) -> &Body {
    let mut current = id;
    loop {
        let body = file.body(current);
        match body.parent {
            Some(parent) if body.kind != BodyKind::Fn => current = parent,
            _ => return body,
        }
    }
}
