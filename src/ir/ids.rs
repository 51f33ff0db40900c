//! Node and block identities, assigned once after lowering.
//!
//! Analyses keep tables about particular nodes (the state at each fork call, the blocks only a
//! fork's child runs, the calls a rule already reported). Keying them by address or by span is
//! fragile: an address means nothing once the model is cloned, and two nodes can share a span.
//! So every node gets its preorder number in its file ([`NodeId`]), every block its number among
//! the file's blocks ([`BlockId`]): bodies in arena order, a node before its children, children
//! in evaluation order (the order of `visit::child_lists`). Numbers are unique in the file, so a
//! table spanning inline closures (separate bodies) needs no body id beside them. Only the kinds
//! of nodes that are keys store their number; the others are counted all the same, so that a
//! number is a position in the file's preorder whatever kinds gain a field later.

use crate::base::arena::Idx;
use crate::ir::{Block, BlockId, FileModel, Node, NodeId};

/// Numbers the nodes and blocks of every body of `file` (called once, at the end of lowering).
pub fn number(file: &mut FileModel) {
    let mut counter = Counter::default();
    for body in file.bodies.values_mut() {
        counter.block(&mut body.block);
    }
}

#[derive(Default)]
struct Counter {
    nodes: u32,
    blocks: u32,
}

impl Counter {
    fn next_node(&mut self) -> NodeId {
        let id = Idx::from_raw(self.nodes);
        self.nodes += 1;
        id
    }

    fn next_block(&mut self) -> BlockId {
        let id = Idx::from_raw(self.blocks);
        self.blocks += 1;
        id
    }

    fn block(&mut self, block: &mut Block) {
        block.id = self.next_block();
        self.nodes(&mut block.nodes);
    }

    fn nodes(&mut self, nodes: &mut [Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &mut Node) {
        let id = self.next_node();
        match node {
            Node::Call(c) => c.id = id,
            Node::Macro(m) => m.id = id,
            Node::Let(l) => {
                self.nodes(&mut l.init);
                if let Some(b) = &mut l.else_block {
                    self.block(b);
                }
            }
            Node::Assign(a) => self.nodes(&mut a.value),
            Node::If(i) => {
                i.id = id;
                self.nodes(&mut i.cond_nodes);
                self.block(&mut i.then_block);
                if let Some(b) = &mut i.else_block {
                    self.block(b);
                }
            }
            Node::Match(m) => {
                m.id = id;
                self.nodes(&mut m.scrutinee_nodes);
                for arm in &mut m.arms {
                    self.nodes(&mut arm.guard);
                    self.block(&mut arm.body);
                }
            }
            Node::Loop(l) => {
                self.nodes(&mut l.header);
                self.block(&mut l.body);
            }
            Node::Block(b) => self.block(b),
            Node::Await(_) | Node::Closure(_) | Node::Jump(_) | Node::PathRef(_) => {}
        }
    }
}

impl Node {
    /// The identity of this node, for the kinds that store one (see [`number`]).
    pub fn id(&self) -> Option<NodeId> {
        match self {
            Node::Call(c) => Some(c.id),
            Node::Macro(m) => Some(m.id),
            Node::If(i) => Some(i.id),
            Node::Match(m) => Some(m.id),
            Node::Await(_)
            | Node::Let(_)
            | Node::Assign(_)
            | Node::Loop(_)
            | Node::Block(_)
            | Node::Closure(_)
            | Node::Jump(_)
            | Node::PathRef(_) => None,
        }
    }
}
