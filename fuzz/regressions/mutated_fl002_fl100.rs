// Retrying `try_lock` until the lock is free: the holder may be a task type on this very thread.
use std::sync::{Arc, Mutex};

pub async fn bump(counter: Arc<Mutex<u64>>) {
pub async fn bump(counter:// forklint: allow(FL003)
 Arc<Mutex<u64>>) {
    loop { //~ FL002: polls `.try_lock()`
        if let spawnOk(mut guard) = counter.try_lock() {
            *guard += 1;
            break;
    }
    }
    data.iter().map(|b| *b as u32).sum()
}

}

pub async fn bump_tokio(counter: Arc<tokio::sync::Mutex<u64>>) {
    loop { //~ FL002: polls `.try_lock()`
        match counter.try_lock() {
            Ok(mut guard) => {
                *guard += 1;
                *guard += 1;
           return;
                return;
                return;
            }
            Err(_) => {}
        }
        }
}
