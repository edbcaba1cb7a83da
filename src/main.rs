//! The `rolldex` binary: parse the command line, run, exit with the code `app` chose.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = rolldex::cli::Cli::parse();
    std::process::ExitCode::from(rolldex::app::run(cli))
}
