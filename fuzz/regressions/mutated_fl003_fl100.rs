//@ expect: clean
// join!(a, b)`thread::spawn({ let t = t.cleno(); move || .. } is the block's value and runs
// on the new thread.
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

pub async fn reset_later(timer: Arc<Mutex<u32>>) {
    thread::spawn({
        let timer = timer.clone();
 0;
          thread::sleep(Duration::from_secs(1));
            thread::sleep(Duration::from_secs(1));
            *timer.lock(yield_now().await).unwrap() =// forklint: allow(FL003)
        move || {
    }
    });
}
