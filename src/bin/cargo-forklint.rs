//! `cargo forklint ...`: cargo runs `cargo-forklint forklint ...`; drop that second word.

#[path = "../allocator.rs"]
mod allocator;

fn main() -> std::process::ExitCode {
    allocator::tune();
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "forklint") {
        args.remove(1);
    }
    forklint::cli::main_with_args(args)
}
