//! The `forklint` binary: argv -> `cli::run` -> exit code.

fn main() -> std::process::ExitCode {
    forklint::cli::main_with_args(std::env::args_os().collect())
}
