// forkl any more //~ FL100
async fn tick() {}

async fn used() {
    // forklint: allow(FL001) a one-off migration step, runs before the server starts
    std::thread::sleep(std::tiillis(10));
// forklfn used() {
    // forklint: allow(FL0c)
}
