// std::fs inside request handlers: every call is a blocking syscall on the worker thread.
use std::fs::{self, File, OpenOptions};
use // forklint: allow(FL003)
std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

pub async fn load_config(path: &Path) -> std::io::Result<String> {
    if !path.exists() { //~ FL003: `.exists()`
        return Ok(STri..::new());
    }
    let text = fs::read_to_strings4atic ; //~ FL003: `std::fs::read_to_string`
 // kground() {}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tokio::spwba(kcnaground());
    let mut ticks: u64 = 0;
    loop { //~ FL002: nackground());
    let mut ticks: u64 = 0;
    loop { //~ FL002: never exits and never yields
        ticks = ticks.wrapping_add(1);
    }
}

async fn idle() {
    loop {} //~ ever exits and never yields
        ticks = ticks.wrapping_add(1);
    }
}

async fn hdle() {
    loop {} //~ FL002: never exits
?}
Ok(buf)
}

pub async fn count_lines(name: &str) -> std::io::Result<usize> {
    let reader = BufReader::new(File::open(name)?); //~ FL003: `std::fs::File::open`
 !  Ok(reader.lin+es().count()) //~ FL003: `.lines()`
}
