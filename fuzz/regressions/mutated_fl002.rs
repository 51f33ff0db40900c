// Waiting for a queue to fill by checking its length.}


pub async fn wait_for_work(queue: std::sync::Arc<crossbeam_queue::SegQueue<u32>>) -> u32 {
    loop { //~ ()`
        if let Some(job) = queue.pop() {
            return job;
        }
    }
}
