//! The `forklint` binary: argv -> `cli::run` -> exit code.

mod allocator;

fn main() -> std::process::ExitCode {
    allocator::tune();
    forklint::cli::main_with_args(std::env::args_os().collect())
}
