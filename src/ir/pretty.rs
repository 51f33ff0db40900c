//! A text rendering of the IR, for tests that pin what lowering produces.
//!
//! One line per node, indented by nesting, with the facts rules read (callee, receiver, origins,
//! guards, conditions, patterns, contexts and roles) and without byte spans, so that a snapshot
//! reads like the source it came from and survives edits that only move text.

use std::fmt::Write;

use crate::ir::{
    Arg, Block, Body, Callee, FileModel, Jump, JumpKind, Loop, LoopKind, Node, Origin, Receiver,
    Value,
};

/// Every body (in id order) and every static of `file`.
pub fn file(file: &FileModel) -> String {
    let mut out = String::new();
    for (id, body) in file.bodies.iter() {
        let _ = write!(out, "#{id} ");
        header(&mut out, body);
        nodes(&mut out, &body.block.nodes, 1);
        tail(&mut out, 1, &body.block);
    }
    for st in &file.statics {
        let _ = write!(out, "static {}", st.path);
        if let Some(ty) = &st.ty {
            let _ = write!(out, ": {}", origin(ty));
        }
        if st.lazy {
            out.push_str(" lazy");
        }
        if let Some(init) = st.init {
            let _ = write!(out, " = #{init}");
        }
        out.push('\n');
    }
    for (path, ty) in &file.type_aliases {
        let _ = writeln!(out, "type {path} = {}", origin(ty));
    }
    out
}

fn header(out: &mut String, body: &Body) {
    let _ = write!(
        out,
        "{:?} {} {:?} {:?}",
        body.kind, body.name, body.context, body.role
    );
    if let Some(path) = &body.path {
        let _ = write!(out, " path={path}");
    }
    if let Some(parent) = body.parent {
        let _ = write!(out, " parent=#{parent}");
    }
    for (flag, on) in [
        ("async", body.is_async),
        ("diverges", body.diverges),
        ("self", body.has_self),
        ("test", body.attrs.test),
        ("cfg_test", body.attrs.cfg_test),
        ("ctor", body.attrs.ctor),
    ] {
        if on {
            let _ = write!(out, " {flag}");
        }
    }
    if let Some(entry) = body.attrs.entry {
        let _ = write!(out, " entry={entry:?}");
    }
    if let Some(main) = &body.attrs.async_main {
        let _ = write!(out, " main={}", main.path);
        if main.multi_thread {
            out.push_str("(multi_thread)");
        }
    }
    for (name, ty) in &body.params {
        let _ = write!(out, " ({name}");
        if let Some(ty) = ty {
            let _ = write!(out, ": {}", origin(ty));
        }
        out.push(')');
    }
    if let Some(returns) = &body.returns {
        let _ = write!(out, " -> {}", origin(returns));
    }
    out.push('\n');
}

fn origin(o: &Origin) -> String {
    let mut s = o.base.clone();
    if o.ctor {
        s.push_str("()");
    }
    for m in &o.methods {
        let _ = write!(s, ".{m}()");
    }
    s
}

fn receiver(r: &Receiver) -> String {
    let mut s = String::new();
    if let Some(local) = &r.local {
        s.push_str(local);
    }
    if let Some(path) = &r.path {
        s.push_str(path);
    }
    if let Some(field) = &r.field {
        let _ = write!(s, ".{field}");
    }
    if let Some(o) = &r.origin {
        let _ = write!(s, " <{}>", origin(o));
    }
    s
}

fn args(list: &[Arg]) -> String {
    let each: Vec<String> = list
        .iter()
        .map(|a| match a {
            Arg::Closure(id) => format!("#{id}"),
            Arg::Local(x) | Arg::Path(x) => x.clone(),
            Arg::Int(i) => i.to_string(),
            Arg::Str => "\"..\"".to_string(),
            Arg::Other => "_".to_string(),
        })
        .collect();
    each.join(", ")
}

fn line(out: &mut String, depth: usize, text: &str) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

/// A labelled list of children, omitted when empty.
fn list(out: &mut String, depth: usize, label: &str, list: &[Node]) {
    if !list.is_empty() {
        line(out, depth, label);
        nodes(out, list, depth + 1);
    }
}

fn block(out: &mut String, depth: usize, label: &str, b: &Block) {
    line(out, depth, label);
    nodes(out, &b.nodes, depth + 1);
    tail(out, depth + 1, b);
}

/// The block's value, after its nodes: `=> Ok(crate::ForkResult::Child)`.
fn tail(out: &mut String, depth: usize, b: &Block) {
    if let Some(v) = &b.tail {
        line(out, depth, &format!("=> {}", value(v)));
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Nested => "(last node)".to_string(),
        Value::Local(x) | Value::Path(x) => x.clone(),
        Value::Call(path, args) => {
            let args: Vec<String> = args.iter().map(value).collect();
            format!("{path}({})", args.join(", "))
        }
        Value::Other => "_".to_string(),
    }
}

fn nodes(out: &mut String, list: &[Node], depth: usize) {
    for n in list {
        node(out, n, depth);
    }
}

fn node(out: &mut String, n: &Node, depth: usize) {
    match n {
        Node::Call(c) => {
            let callee = match &c.callee {
                Callee::Path(p) => p.clone(),
                Callee::Method { name, receiver: r } => format!("{}.{name}", receiver(r)),
                Callee::Unknown(Some(local)) => format!("<local {local}>"),
                Callee::Unknown(None) => "<unknown>".to_string(),
            };
            let awaited = match (c.awaited, c.never_returns) {
                (true, _) => ".await",
                (false, true) => " never-returns",
                (false, false) => "",
            };
            line(
                out,
                depth,
                &format!("call {callee}({}){awaited}", args(&c.args)),
            );
        }
        Node::Macro(m) => {
            let mut text = format!("macro {}!", m.path);
            for (flag, on) in [
                ("parsed", m.parsed),
                ("has_await", m.has_await),
                ("has_jump", m.has_jump),
            ] {
                if on {
                    let _ = write!(text, " {flag}");
                }
            }
            line(out, depth, &text);
        }
        Node::Await(_) => line(out, depth, "await"),
        Node::Let(l) => {
            let mut text = format!("let {}", l.names.join(", "));
            if l.wildcard {
                text.push('_');
            }
            if let Some(o) = &l.origin {
                let _ = write!(text, ": {}", origin(o));
            }
            if let Some(local) = &l.init_local {
                let _ = write!(text, " = {local}");
            }
            if let Some(g) = &l.guard_of {
                let _ = write!(text, " guard of {}", g.lock_name);
                if let Some((path, method)) = &g.on_static {
                    let _ = write!(text, " (static {path}.{method})");
                }
                if let Some((path, method)) = &g.on_alias {
                    let _ = write!(text, " (alias {path}.{method})");
                }
            }
            line(out, depth, &text);
            list(out, depth + 1, "init:", &l.init);
            if let Some(b) = &l.else_block {
                let label = match &l.else_pat {
                    Some(p) => format!("else (pattern {p:?}):"),
                    None => "else:".to_string(),
                };
                block(out, depth + 1, &label, b);
            }
        }
        Node::Assign(a) => {
            let mut text = format!("assign {}", a.local);
            if let Some(o) = &a.origin {
                let _ = write!(text, ": {}", origin(o));
            }
            line(out, depth, &text);
            list(out, depth + 1, "value:", &a.value);
        }
        Node::If(i) => {
            line(out, depth, &format!("if {:?}", i.cond));
            list(out, depth + 1, "cond:", &i.cond_nodes);
            block(out, depth + 1, "then:", &i.then_block);
            if let Some(b) = &i.else_block {
                block(out, depth + 1, "else:", b);
            }
        }
        Node::Match(m) => {
            line(out, depth, &format!("match {:?}", m.scrutinee));
            list(out, depth + 1, "scrutinee:", &m.scrutinee_nodes);
            for arm in &m.arms {
                line(out, depth + 1, &format!("arm {:?}", arm.pat));
                list(out, depth + 2, "guard:", &arm.guard);
                nodes(out, &arm.body.nodes, depth + 2);
                tail(out, depth + 2, &arm.body);
            }
        }
        Node::Loop(l) => loop_(out, l, depth),
        Node::Block(b) => block(out, depth, "block", b),
        Node::Closure(id) => line(out, depth, &format!("closure #{id}")),
        Node::Jump(j) => line(out, depth, &jump(j)),
        Node::PathRef(p) => line(out, depth, &format!("ref {}", p.path)),
    }
}

fn loop_(out: &mut String, l: &Loop, depth: usize) {
    let mut text = match l.kind {
        LoopKind::Loop => "loop".to_string(),
        LoopKind::While => "while".to_string(),
        LoopKind::WhileLet => "while let".to_string(),
        LoopKind::For => format!("for {}", l.bindings.join(", ")),
    };
    if let Some(label) = &l.label {
        let _ = write!(text, " '{label}");
    }
    if let Some(iter) = &l.iter_local {
        let _ = write!(text, " in {iter}");
    }
    if l.open_range {
        text.push_str(" in open range");
    }
    if let Some(cond) = &l.cond {
        let _ = write!(text, " {cond:?}");
    }
    line(out, depth, &text);
    list(out, depth + 1, "header:", &l.header);
    block(out, depth + 1, "body:", &l.body);
}

fn jump(j: &Jump) -> String {
    let kind = match j.kind {
        JumpKind::Return => "return",
        JumpKind::Break => "break",
        JumpKind::Continue => "continue",
        JumpKind::Try => "?",
    };
    let mut text = match &j.label {
        Some(label) => format!("{kind} '{label}"),
        None => kind.to_string(),
    };
    if let Some(v) = &j.value {
        let _ = write!(text, " {}", value(v));
    }
    text
}
