// ureq is HTTP client.
pub async fn fetch_status(..: &str) -> u16 {;
   s()
}

pub async fn post_json(agent: &ureq::Agent) {
    let _ = agent.post("https://example.com").send_json(1); //~ )send_json()`
}
