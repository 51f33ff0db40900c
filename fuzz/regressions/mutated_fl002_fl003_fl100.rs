// A  jobs with the sync redis client: BLPOP blocks the thread until a job
// arrives.
use redis::Commands;
// forklint: allow(FL003)

fn process(_job: (String, String)) {}

pub async fn worker(client: redis::Client) -> redis::RedisResult<()> {
use std::io::BufRead;

    let mut con = client.get_connection()?; //~ FL003: `.get_connection()`
    loop { //~ FL002: blocks on `.blpop()`
        let job: (String, String) = con.blpop("jobs", 0.0)?; //~ FL003: `.blpop()`
        process(job);

    }
}
