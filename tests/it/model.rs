//! Model tests: the lowering of small sources, pinned as IR text (`ir::pretty`) with
//! `expect_test` snapshots, as rust-analyzer tests its lowering. Refresh with
//! `UPDATE_EXPECT=1 cargo test --test it model::` and review the diff.

use expect_test::{expect, Expect};
use forklint::base::source::FileId;
use forklint::syntax::{lower, parse};
use forklint::vocab::Vocab;

fn check(src: &str, expect: Expect) {
    let parsed = parse::parse_file(src).unwrap_or_else(|_| panic!("does not parse: {src}"));
    let model = lower::lower_file_with_text(
        &parsed.file,
        &parsed.text,
        FileId::from_index(0),
        "crate",
        &Vocab::builtin(),
    );
    expect.assert_eq(&forklint::ir::pretty::file(&model));
}

#[test]
fn calls_with_paths_receivers_and_origins() {
    check(
        r#"
use std::sync::Mutex;
fn f(m: &Mutex<u32>) {
    let v = Vec::new();
    std::thread::sleep(d);
    v.push(1);
    m.lock().unwrap();
    self.rx.recv();
}
"#,
        expect![[r#"
            #0 Fn f Sync Plain path=crate::f (m: std::sync::Mutex)
              let v: std::vec::Vec::new()
                init:
                  call std::vec::Vec::new()
              call std::thread::sleep(d)
              call v <std::vec::Vec::new()>.push(1)
              call m <std::sync::Mutex>.lock()
              call m <std::sync::Mutex.lock()>.unwrap()
              call self.rx.recv()
        "#]],
    );
}

#[test]
fn lets_with_guards_and_origins() {
    check(
        r#"
fn f() {
    let m = std::sync::Mutex::new(0);
    let g = m.lock().unwrap();
    let h2 = h;
    let _ = m.lock();
    let Some(x) = opt else { return };
}
"#,
        expect![[r##"
            #0 Fn f Sync Plain path=crate::f
              let m: std::sync::Mutex::new()
                init:
                  call std::sync::Mutex::new(0)
              let g: std::sync::Mutex::new().lock() guard of m
                init:
                  call m <std::sync::Mutex::new()>.lock()
                  call m <std::sync::Mutex::new().lock()>.unwrap()
              let h2 = h
              let _: std::sync::Mutex::new().lock() guard of m
                init:
                  call m <std::sync::Mutex::new()>.lock()
              let x = opt
                else (pattern TupleStruct("Some", [Binding("x")])):
                  block
                    return
        "##]],
    );
}

#[test]
fn static_guard_is_resolved_crate_wide() {
    check(
        r#"
fn f() {
    let g = crate::FORK_MTX.lock().unwrap();
}
"#,
        expect![[r#"
            #0 Fn f Sync Plain path=crate::f
              let g guard of crate::FORK_MTX (static crate::FORK_MTX.lock)
                init:
                  ref crate::FORK_MTX
                  call crate::FORK_MTX.lock()
                  call crate::FORK_MTX.unwrap()
        "#]],
    );
}

#[test]
fn if_on_a_fork_result() {
    check(
        r#"
fn f() {
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        libc::_exit(0);
    } else if pid < 0 {
        panic!("fork");
    }
}
"#,
        expect![[r##"
            #0 Fn f Sync Plain path=crate::f
              let pid: libc::fork()
                init:
                  block
                    call libc::fork()
                    => libc::fork()
              if Cmp { lhs: Local("pid"), op: Eq, rhs: Int(0) }
                then:
                  call libc::_exit(0)
                else:
                  if Cmp { lhs: Local("pid"), op: Lt, rhs: Int(0) }
                    then:
                      macro std::panic! parsed
                  => (last node)
              => (last node)
        "##]],
    );
}

#[test]
fn if_let_and_method_conditions() {
    check(
        r#"
fn f() {
    if let Ok(ForkResult::Child) = unsafe { nix::unistd::fork() } {}
    if !res.is_child() && ready {}
}
"#,
        expect![[r##"
            #0 Fn f Sync Plain path=crate::f
              if Let { pat: TupleStruct("Ok", [Path("ForkResult::Child")]), scrutinee: Call("nix::unistd::fork") }
                cond:
                  block
                    call nix::unistd::fork()
                    => nix::unistd::fork()
                then:
              if And(Not(Method { local: Some("res"), name: "is_child" }), Other)
                cond:
                  call res.is_child()
                then:
              => (last node)
        "##]],
    );
}

#[test]
fn match_with_patterns_and_guards() {
    check(
        r#"
use nix::unistd::{fork, ForkResult};
fn f() {
    match unsafe { fork() } {
        Ok(ForkResult::Child) => child(),
        Ok(ForkResult::Parent { child, .. }) if child.as_raw() > 0 => {}
        Err(_) | Ok(_) => return,
    }
}
"#,
        expect![[r##"
            #0 Fn f Sync Plain path=crate::f
              match Call("nix::unistd::fork")
                scrutinee:
                  block
                    call nix::unistd::fork()
                    => nix::unistd::fork()
                arm TupleStruct("Ok", [Path("nix::unistd::ForkResult::Child")])
                  call child()
                  => child()
                arm TupleStruct("Ok", [Struct("nix::unistd::ForkResult::Parent")])
                  guard:
                    call child.as_raw()
                arm Or([TupleStruct("Err", [Wild]), TupleStruct("Ok", [Wild])])
                  return
              => (last node)
        "##]],
    );
}

#[test]
fn loops_of_each_kind() {
    check(
        r#"
async fn f() {
    'outer: loop { break 'outer; }
    while ready() { continue; }
    while let Some(x) = rx.recv().await {}
    for h in handles { h.join()?; }
    for i in 0.. {}
}
"#,
        expect![[r##"
            #0 Fn f Async Plain path=crate::f async
              loop 'outer
                body:
                  break 'outer
              while Other
                header:
                  call ready()
                body:
                  continue
              while let Let { pat: TupleStruct("Some", [Binding("x")]), scrutinee: Other }
                header:
                  call rx.recv().await
                  await
                body:
              for h
                body:
                  call h.join()
                  ?
              for i in open range
                body:
        "##]],
    );
}

#[test]
fn closures_passed_to_thread_starts() {
    check(
        r#"
fn f() {
    let h = std::thread::spawn(move || work());
    h.join().unwrap();
    let c = || inline();
    c();
}
"#,
        expect![[r#"
            #0 Fn f Sync Plain path=crate::f
              let h: std::thread::spawn()
                init:
                  closure #1
                  call std::thread::spawn(#1)
              call h <std::thread::spawn()>.join()
              call h <std::thread::spawn().join()>.unwrap()
              let c
                init:
                  closure #2
              call <local c>()
            #1 Closure closure Sync ContextExit parent=#0
              call work()
            #2 Closure closure Sync Plain parent=#0
              call inline()
        "#]],
    );
}

#[test]
fn async_blocks_and_their_roles() {
    check(
        r#"
#[tokio::main]
async fn main() {
    tokio::spawn(async { tick().await });
    tokio::task::spawn_blocking(|| std::fs::read("x"));
    let fut = async move { 1 };
    fut.await;
}
"#,
        expect![[r##"
            #0 Fn main Async Plain path=crate::main async main=tokio::main(multi_thread)
              closure #1
              call tokio::spawn(#1)
              closure #2
              call tokio::task::spawn_blocking(#2)
              let fut
                init:
                  closure #3
              await
            #1 AsyncBlock async block Async Spawned parent=#0 async
              call tick().await
              await
            #2 Closure closure Sync ContextExit parent=#0
              call std::fs::read("..")
            #3 AsyncBlock async block Async Plain parent=#0 async
        "##]],
    );
}

#[test]
fn pre_exec_closure() {
    check(
        r#"
use std::os::unix::process::CommandExt;
fn f(cmd: &mut std::process::Command) {
    unsafe { cmd.pre_exec(|| { libc::setsid(); Ok(()) }); }
}
"#,
        expect![[r#"
            #0 Fn f Sync Plain path=crate::f (cmd: std::process::Command)
              block
                closure #1
                call cmd <std::process::Command>.pre_exec(#1)
              => (last node)
            #1 Closure closure Sync PreExec parent=#0
              block
                call libc::setsid()
                call Ok(_)
        "#]],
    );
}

#[test]
fn statics_and_lazy_initializers() {
    check(
        r#"
static POOL: std::sync::LazyLock<Pool> = std::sync::LazyLock::new(|| Pool::new());
static COUNT: AtomicUsize = AtomicUsize::new(0);
fn f() { POOL.install(job); let n = COUNT; }
"#,
        expect![[r#"
            #0 StaticInit initializer of `POOL` Sync Plain
              closure #1
              call std::sync::LazyLock::new(#1)
            #1 Closure closure Sync Plain parent=#0
              call Pool::new()
            #2 StaticInit initializer of `COUNT` Sync Plain
              call AtomicUsize::new(0)
            #3 Fn f Sync Plain path=crate::f
              ref crate::POOL
              call crate::POOL <Pool>.install(job)
              let n: AtomicUsize = COUNT
                init:
                  ref crate::COUNT
            static crate::POOL: std::sync::LazyLock lazy = #0
            static crate::COUNT: AtomicUsize = #2
        "#]],
    );
}

#[test]
fn macros_with_parsed_arguments_awaits_and_jumps() {
    check(
        r#"
async fn f() {
    println!("{}", compute());
    tokio::select! { _ = a.recv() => {}, _ = b => return }
    my_macro!(x);
}
"#,
        expect![[r#"
            #0 Fn f Async Plain path=crate::f async
              call compute()
              macro std::println! parsed
              match Other
                scrutinee:
                  call a.recv()
                  macro tokio::select! parsed has_jump
                arm Wild
                arm Wild
                  return
              macro std::my_macro! has_jump
        "#]],
    );
}

#[test]
fn methods_tests_and_diverging_functions() {
    check(
        r#"
struct S;
impl S {
    fn run(&self) -> ! { loop {} }
}
#[cfg(test)]
mod tests {
    #[test]
    fn t() {}
}
"#,
        expect![[r#"
            #0 Fn S::run Sync Plain path=crate::S::run diverges self (self: crate::S)
              loop
                body:
            #1 Fn t Sync Plain path=crate::tests::t test cfg_test
        "#]],
    );
}

#[test]
fn select_branches_lower_as_a_match_over_handlers() {
    check(
        r#"
async fn f(mut rx: Receiver) {
    tokio::select! {
        biased;
        Some(v) = rx.recv(), if ready() => { std::thread::sleep(v); }
        _ = tokio::time::sleep(d) => break,
        else => {}
    }
    tokio::join!(a(), b());
    let _ = matches!(x, Some(y) if check(y));
    my_macro!(std::fs::read(p), key = compute());
    my_dsl!(a => std::fs::read(p));
}
"#,
        expect![[r##"
            #0 Fn f Async Plain path=crate::f async (rx: Receiver)
              match Other
                scrutinee:
                  call ready()
                  call rx <Receiver>.recv()
                  call tokio::time::sleep(d)
                  macro tokio::select! parsed has_jump
                arm TupleStruct("Some", [Binding("v")])
                  call std::thread::sleep(v)
                arm Wild
                  break
                arm Wild
              call a()
              call b()
              macro tokio::join! parsed
              let _
                init:
                  call check(y)
                  macro std::matches! parsed
              call std::fs::read(p)
              call compute()
              macro std::my_macro! parsed has_jump
              macro std::my_dsl! has_jump
        "##]],
    );
}

/// `mod x;` declarations carry the `cfg(test)` and Windows gates of their line, of the inline
/// modules around them and of the file; Windows-only code keeps only its declarations.
#[test]
fn mod_declarations_carry_their_gates() {
    let lowered = |src: &str| {
        let parsed = parse::parse_file(src).unwrap_or_else(|_| panic!("does not parse: {src}"));
        lower::lower_file_with_text(
            &parsed.file,
            &parsed.text,
            FileId::from_index(0),
            "crate",
            &Vocab::builtin(),
        )
    };
    let model = lowered(
        r#"
mod plain;
#[cfg(test)]
mod tests;
#[cfg(all(test, unix))]
mod unix_tests;
#[cfg(not(test))]
mod not_test;
#[cfg(all(test, not(loom)))]
mod loom_free_tests;
#[cfg(any(feature = "std", test))]
mod std_or_test;
#[cfg(feature = "test-util")]
mod test_util;
#[cfg(windows)]
mod windows;
#[cfg(not(windows))]
mod unix;
#[cfg(any(unix, windows))]
mod both;
#[cfg(test)]
mod support {
    mod fixtures;
}
#[cfg(target_os = "windows")]
mod sys {
    #[path = "sys/service.rs"]
    mod service;
    pub fn start() { std::thread::spawn(|| {}); }
}
fn main() {}
"#,
    );
    let gates: Vec<(String, String, bool, bool)> = model
        .mod_decls
        .iter()
        .map(|d| (d.parent.clone(), d.name.clone(), d.cfg_test, d.cfg_windows))
        .collect();
    let row = |parent: &str, name: &str, test: bool, windows: bool| {
        (parent.to_string(), name.to_string(), test, windows)
    };
    assert_eq!(
        gates,
        vec![
            row("crate", "plain", false, false),
            row("crate", "tests", true, false),
            row("crate", "unix_tests", true, false),
            row("crate", "not_test", false, false),
            row("crate", "loom_free_tests", true, false),
            row("crate", "std_or_test", false, false),
            row("crate", "test_util", false, false),
            row("crate", "windows", false, true),
            row("crate", "unix", false, false),
            row("crate", "both", false, false),
            row("crate::support", "fixtures", true, false),
            row("crate::sys", "service", false, true),
        ]
    );
    assert_eq!(
        model.mod_decls[11].path_attr.as_deref(),
        Some("sys/service.rs")
    );
    let names: Vec<&str> = model.items().map(|(_, b)| b.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["main"],
        "Windows-only functions are not lowered"
    );
    // A file gated as a whole gates every declaration in it.
    let model = lowered("#![cfg(windows)]\nmod a;\nfn f() {}\n");
    assert!(model.windows_only && model.bodies.is_empty());
    assert!(model.mod_decls[0].cfg_windows);
    let model = lowered("#![cfg(test)]\nmod a;\n");
    assert!(model.test_only && model.mod_decls[0].cfg_test);
}

#[test]
fn declared_return_types() {
    // What a caller can call methods on: `Result<T, _>` is `T` (any `Result`), smart pointers
    // are their argument, `Self` is the impl's type; `Result<(), E>` says nothing.
    check(
        r#"
use std::fs::{File, OpenOptions};
fn opts() -> OpenOptions { OpenOptions::new() }
fn pid() -> std::io::Result<File> { File::open("/run/pid") }
fn nothing() -> Result<(), String> { Ok(()) }
struct Logs;
impl Logs {
    fn new() -> Self { Logs }
    fn shared(&self) -> anyhow::Result<Option<std::sync::Arc<File>>> { todo!() }
}
"#,
        expect![[r##"
            #0 Fn opts Sync Plain path=crate::opts -> std::fs::OpenOptions
              call std::fs::OpenOptions::new()
              => std::fs::OpenOptions::new()
            #1 Fn pid Sync Plain path=crate::pid -> std::fs::File
              call std::fs::File::open("..")
              => std::fs::File::open(_)
            #2 Fn nothing Sync Plain path=crate::nothing
              call Ok(_)
            #3 Fn Logs::new Sync Plain path=crate::Logs::new -> crate::Logs
              => crate::Logs
            #4 Fn Logs::shared Sync Plain path=crate::Logs::shared self (self: crate::Logs) -> std::fs::File
              macro std::todo! parsed
        "##]],
    );
}

#[test]
fn extension_entry_points() {
    // Entry points of the hosts: PyO3's (called, or run at import), magnus's registered
    // functions (a call of the registration macro), and napi's exports (Node never forks
    // without exec: an entry of the model, no extension finding starts there).
    check(
        r#"
use pyo3::prelude::*;
use napi_derive::napi;
use magnus::function;
#[pyfunction]
fn read() {}
#[pymodule]
fn ext(m: &Bound<'_, PyModule>) {}
#[napi]
fn node_read() {}
#[magnus::init]
fn init(ruby: &Ruby) {
    m.define_singleton_method("fetch", function!(fetch, 1));
}
fn fetch() {}
"#,
        expect![[r##"
            #0 Fn read Sync Plain path=crate::read entry=Call
            #1 Fn ext Sync Plain path=crate::ext entry=Import (m: Bound)
            #2 Fn node_read Sync Plain path=crate::node_read entry=NoFork
            #3 Fn init Sync Plain path=crate::init entry=Import (ruby: Ruby)
              call magnus::function(crate::fetch)
              macro magnus::function! parsed
              call m.define_singleton_method("..", _)
            #4 Fn fetch Sync Plain path=crate::fetch
        "##]],
    );
}

#[test]
fn type_aliases_of_other_crates_types_are_kept_for_the_crate() {
    // Only aliases of other crates' types are kept (the crate's other files type receivers with
    // them), a generic one when its parameter does not matter, and struct fields of such types
    // or of a crate type (`Struct::field`; a field of that field is found through it); an alias
    // of a crate type or of its parameter and a tuple alias are not.
    check(
        r#"
use std::sync::mpsc::Receiver;
pub type Jobs = Receiver<u32>;
pub type Pool = std::sync::Arc<std::sync::Mutex<Vec<u8>>>;
pub struct Queue;
pub type Local = Queue;
pub type Generic<T> = Receiver<T>;
pub type Same<T> = T;
pub type Pair = (std::sync::Mutex<u8>, std::sync::Condvar);
pub struct State { pub db: std::sync::Mutex<u8>, pub queue: Queue }
"#,
        expect![[r#"
            type crate::Generic = std::sync::mpsc::Receiver
            type crate::Jobs = std::sync::mpsc::Receiver
            type crate::Pool = std::sync::Mutex
            type crate::State::db = std::sync::Mutex
            type crate::State::queue = crate::Queue
        "#]],
    );
}

#[test]
fn inert_macro_arguments_lower_as_if_parsed() {
    // Arguments that would lower to no node are not parsed, with the same result: the macro is
    // `parsed` and nothing precedes it. A static-like name (a `PathRef`), a call (a group) or a
    // `?` makes an argument worth parsing; a tracing field's `name =` is a name, not an
    // assignment to the local `foo`.
    check(
        r#"
static STATE: u32 = 0;
fn f(a: u32, b: &S, foo: u32) {
    println!("{} {}", a, b.c);
    tracing::info!(bar = %a, baz.qux = 2, "done");
    println!("{}", STATE);
    tracing::info!(foo = 3);
    println!("{}", a.len());
}
"#,
        expect![[r#"
            #0 StaticInit initializer of `STATE` Sync Plain
            #1 Fn f Sync Plain path=crate::f (a: u32) (b: S) (foo: u32)
              macro std::println! parsed
              macro tracing::info! parsed
              ref crate::STATE
              macro std::println! parsed
              macro tracing::info! parsed
              call a <u32>.len()
              macro std::println! parsed
            static crate::STATE: u32 = #0
        "#]],
    );
}

#[test]
fn known_macro_arguments_lower_one_at_a_time() {
    // std's and the vocabulary's macros: each argument on its own, keys (`target:`), names
    // (`n = ..`, tracing's `a.b = ..`), sigils and field sets taken off, so a piece that is not
    // an expression hides nothing after it. A turbofish's `::<..>` is skipped over; any other
    // top-level `<` (generic arguments may hold a comma) parses the whole stream, up to the first
    // piece that is not an expression.
    check(
        r#"
fn f(a: u32) {
    tracing::info!(target: "t", size = ?f1(a), { b.c = %f2(a), ?a }, "{}", f3(a));
    log::warn!(target: "t", "{}", f4(a));
    println!("{n}", n = f5(a));
    println!("{}", Vec::<u8>::new(), f6(a));
    tracing::info!(n = ?"1".parse::<u64>(), "{}", f7::<u8, u16>(a), m=%f9(a));
    println!("{}", a < 2, f8(a));
}
"#,
        expect![[r#"
            #0 Fn f Sync Plain path=crate::f (a: u32)
              call f1(a)
              call f2(a)
              call f3(a)
              macro tracing::info! parsed
              call f4(a)
              macro log::warn! parsed
              call f5(a)
              macro std::println! parsed
              call std::vec::Vec::new()
              call f6(a)
              macro std::println! parsed
              call .parse()
              call f7(a)
              call f9(a)
              macro tracing::info! parsed
              call f8(a)
              macro std::println! parsed
        "#]],
    );
}

#[test]
fn guards_through_a_type_of_another_file_are_deferred() {
    // `lock()` on a receiver typed with a crate path this file does not declare (an alias of
    // another file, maybe) is a guard only if the crate declares that alias as a lock type: the
    // binding records the path; a struct of this file with a `lock` method is no guard at all.
    check(
        r#"
use crate::types::Shared;
struct Local;
impl Local { fn lock(&self) -> u32 { 0 } }
fn f(state: &Shared, local: &Local) {
    let g = state.lock().unwrap();
    let n = local.lock();
}
"#,
        expect![[r#"
            #0 Fn Local::lock Sync Plain path=crate::Local::lock self (self: crate::Local)
            #1 Fn f Sync Plain path=crate::f (state: crate::types::Shared) (local: crate::Local)
              let g: crate::types::Shared.lock() guard of state (alias crate::types::Shared.lock)
                init:
                  call state <crate::types::Shared>.lock()
                  call state <crate::types::Shared.lock()>.unwrap()
              let n: crate::Local.lock()
                init:
                  call local <crate::Local>.lock()
        "#]],
    );
}
