//! The `rolldex` binary: parse the command line, run, exit with the code `app` chose.

use clap::Parser;

/// mimalloc: a query builds and frees tens of thousands of small strings and vectors, and each
/// process lives for milliseconds; glibc's malloc spent a fifth of that time on bookkeeping.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = rolldex::cli::Cli::parse();
    std::process::ExitCode::from(rolldex::app::run(cli))
}
