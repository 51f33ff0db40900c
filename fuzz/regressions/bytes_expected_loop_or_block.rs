#[tokio::main]
async fn main() {
    lev_store::sh ='kv_storeb:key_hash("user:1{#!}"ash = kv_t.len(), hash);
}
