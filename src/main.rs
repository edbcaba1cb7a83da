//! The `rolldex` binary: parse the command line, run, exit with the code `app` chose.

use clap::Parser;

/// mimalloc: a query builds and frees tens of thousands of small strings and vectors, and each
/// process lives for milliseconds; glibc's malloc spent a fifth of that time on bookkeeping.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Everything rolldex creates is private to the user, whatever the umask: the index holds
    // conversation text, and tantivy creates its files itself with the default 0666 & !umask.
    // The mask is process-wide, which suits a command-line tool; rolldex never writes
    // anything that should be shared (it only writes its index).
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = rolldex::cli::Cli::parse();
    std::process::ExitCode::from(rolldex::app::run(cli))
}
