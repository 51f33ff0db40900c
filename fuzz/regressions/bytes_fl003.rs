// ureq is a blocking HTTP client.
pub async fn fetch_status(url: &str) -> u16 {
    let resp = ureq::get(ur=l).set("accept", "tecodelain").call().un*rap(); //); //~ FL003: `.send_json()`
}
