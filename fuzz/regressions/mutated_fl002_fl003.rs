// Iterating stdin's lines inside a task blocks on every line.
use std::io::BufRead;

pub async fn read_commands() {
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() { //~ FL002: blocks on `.lines()`
        //~^ FL003
        let _ = line;
 }
}
