//! The one child walker over the IR.
//!
//! Which node lists a node owns is written down once, here, in [`child_lists`] (rust-analyzer's
//! `walk_child_exprs`, syn's `Visit`). Traversals that only need "every node below" use [`walk`]
//! or [`child_lists`] and never spell out the variants, so a new variant is handled in one place;
//! traversals that need the structure (the interpreter, control flow) match on [`Node`]
//! exhaustively, with no `_ =>` arm, so that adding a variant is a compile error wherever it must
//! be thought about (a meta test checks the absence outside this directory).

use crate::ir::Node;

/// The node lists directly owned by `node`, in evaluation order: a `let`'s initializer then its
/// `else` block, an `if`'s condition then its branches, a `match`'s scrutinee then each arm's
/// guard and body, a loop's header then its body, a block's nodes. Closures own none: their
/// bodies are separate bodies.
pub fn child_lists<'a>(node: &'a Node, f: &mut dyn FnMut(&'a [Node])) {
    match node {
        Node::Let(l) => {
            f(&l.init);
            if let Some(b) = &l.else_block {
                f(&b.nodes);
            }
        }
        Node::Assign(a) => f(&a.value),
        Node::If(i) => {
            f(&i.cond_nodes);
            f(&i.then_block.nodes);
            if let Some(b) = &i.else_block {
                f(&b.nodes);
            }
        }
        Node::Match(m) => {
            f(&m.scrutinee_nodes);
            for arm in &m.arms {
                f(&arm.guard);
                f(&arm.body.nodes);
            }
        }
        Node::Loop(l) => {
            f(&l.header);
            f(&l.body.nodes);
        }
        Node::Block(b) => f(&b.nodes),
        Node::Call(_)
        | Node::Macro(_)
        | Node::Await(_)
        | Node::Closure(_)
        | Node::Jump(_)
        | Node::PathRef(_) => {}
    }
}

/// [`child_lists`] for a pass that rewrites nodes in place (the same lists, in the same order;
/// as vectors, so that a pass may also shrink them).
pub fn child_lists_mut(node: &mut Node, f: &mut dyn FnMut(&mut Vec<Node>)) {
    match node {
        Node::Let(l) => {
            f(&mut l.init);
            if let Some(b) = &mut l.else_block {
                f(&mut b.nodes);
            }
        }
        Node::Assign(a) => f(&mut a.value),
        Node::If(i) => {
            f(&mut i.cond_nodes);
            f(&mut i.then_block.nodes);
            if let Some(b) = &mut i.else_block {
                f(&mut b.nodes);
            }
        }
        Node::Match(m) => {
            f(&mut m.scrutinee_nodes);
            for arm in &mut m.arms {
                f(&mut arm.guard);
                f(&mut arm.body.nodes);
            }
        }
        Node::Loop(l) => {
            f(&mut l.header);
            f(&mut l.body.nodes);
        }
        Node::Block(b) => f(&mut b.nodes),
        Node::Call(_)
        | Node::Macro(_)
        | Node::Await(_)
        | Node::Closure(_)
        | Node::Jump(_)
        | Node::PathRef(_) => {}
    }
}

/// Visits every node of `nodes` and below, mutably, in preorder (not entering closures' bodies).
pub fn walk_mut(nodes: &mut [Node], f: &mut dyn FnMut(&mut Node)) {
    for node in nodes {
        f(node);
        child_lists_mut(node, &mut |list| walk_mut(list, f));
    }
}

/// Visits every node of `nodes` and below in preorder (a node, then its children in evaluation
/// order), not entering closures' bodies. `f` returns `false` to skip a node's children.
pub fn walk<'a>(nodes: &'a [Node], f: &mut dyn FnMut(&'a Node) -> bool) {
    for node in nodes {
        if f(node) {
            child_lists(node, &mut |list| walk(list, f));
        }
    }
}

/// Whether `pred` holds for some node of `nodes` or below (preorder, stopping at the first).
pub fn any<'a>(nodes: &'a [Node], pred: &mut dyn FnMut(&'a Node) -> bool) -> bool {
    let mut found = false;
    walk(nodes, &mut |node| {
        if found {
            return false;
        }
        if pred(node) {
            found = true;
            return false;
        }
        true
    });
    found
}

/// Whether `f` holds for one of the node lists directly owned by `node` (in the order of
/// [`child_lists`], stopping at the first).
pub fn any_child_list<'a>(node: &'a Node, f: &mut dyn FnMut(&'a [Node]) -> bool) -> bool {
    let mut found = false;
    child_lists(node, &mut |list| {
        if !found {
            found = f(list);
        }
    });
    found
}
