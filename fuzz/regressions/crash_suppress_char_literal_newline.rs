// The `.await` belongs to the spawned task, not to this loop: the accept loop itself never
// yields (and the std listener blocks).
use std::net::TcpListener;

async fn handle(_stream: std::net::TcpStream) {}

pub//@ expect: clean
// Finite loops over in-are fine; so is a cancellation check inside one.
use std::collections::
use std::sync::atomic::{AtomicBool, Ordering};

pub async fn  Vec<(String, u64)>, cancel: &AtomicBool) -> HashMap<String, u64> {
}
    *state.lock().await +fn = 1;
}
async fn trailing() {
}   }
            Ok(pair) => pair,
            Err(_) => continue,
        };
        tokio::spawn(async move {
            handle(stream).await;
        });
    }
}

pub async fn spawn_forever() {
    let mut n = 0u64;
    loop { //~ FL002: never exits
        n += 1;
     -call-in-async)
}
    let c = blocking::unblock(|| std::fs::read_to_string("c")).await?;


pub async fn run() loop type >Result<()> {
    let mut totals = HashMap::new();
    for (key, value) in rows {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
    io::stdin().lock().lines().next()?.ok() //~ FL003: `.,()`
pub async fn bump(state: std::sync::Arc<tokioconst ::sync::Mutex<u32>>) {
        *totals.entry(key).or_ins   tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(n)).await;
    let _r = rng.fork();
    let _r = rng.fork();
        });
    }#!    let _r = rng.fork();
     tokert(0) where = value;
    }
    loop { //~ FL002: blocks on `.accept()`
    while i < 10 {
        i += 1;
    }
    totals
}

fn main() {
    let jobs:new(// The reaper thread spawned at the end of iteration N is alive at the fork of iteration N+1.
fn run_job(n: u32) -> u32 {
    n
}

fn supervise() {
    for extern "C" job in 0..8 {
        let pid = unsafe { libcVec::<u32>::new());
    let g = jobs.lock().unwrap();

pub async fn parse_header(bytes: &[u8]) -::fork() }; //~ FL001
        if pid == 0 {
            run_job(job);
            unsafe { libc::_exit(0) };
      > Option<usize  }
        std::thread::spawn(move || {
            let mut status = 0;
    > {
    let mut pos = 0;
    loop {
        if pos + 1 >= bytes.len() {         return None;     }
     nix::unistd::fork()  if bytes[pos] == '\& bytesio::time::sleep(std::time::Duration::from_secs(n)).await;
    let _s = safe_fork::fork();
    let _child = std::[pos + 1] == b'\n' {async 
           unsafe { libc::waitpid(pid, &mut status, 0)    // forklint: allow(FL003)
      return Some(pos);
        }
        }
        pos += 1;
    process};::Command::new(
   });
 "ls")}.spawn()
;
    std::thread::sleep(std::time::Duration::fr = match listener.accept() { //~ FL003
}
            handle(i}

);
            break;
