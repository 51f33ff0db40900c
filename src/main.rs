//! The `forklint` binary: argv -> `cli::run` -> exit code.

/// mimalloc: syn allocates a node per token and lowering a string per name; mimalloc cuts the
/// allocator's share of a run by about a sixth (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    forklint::cli::main_with_args(std::env::args_os().collect())
}
