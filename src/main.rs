//! The `rolldex` binary: parse the command line, run, exit with the code `app` chose.

use clap::Parser;

/// mimalloc: a query builds and frees tens of thousands of small strings and vectors, and each
/// process lives for milliseconds; glibc's malloc spent a fifth of that time on bookkeeping.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option `purge_delay` (its number in mimalloc v2's `mi_option_t`, the version
/// pinned in Cargo.toml).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
// It sits between two options the binding names: a renumbered enum fails the build.
const _: () = assert!(
    libmimalloc_sys::mi_option_eager_commit_delay + 1 == MI_OPTION_PURGE_DELAY
        && MI_OPTION_PURGE_DELAY + 1 == libmimalloc_sys::mi_option_use_numa_nodes
);

/// A query answered from the index (and the small update it may make) returns freed memory to
/// the system at once instead of 10 ms later: memory a thread frees is not reused by another,
/// so the delay kept the catalog's and the reader's freed pages resident while the writer
/// allocated its own (a new-session update peaked at 39 MB instead of 28 MB on a 2 GB
/// history). Commands that read whole histories keep the delay (`index`, `stats --no-index`,
/// `export`, `doctor`, the long-lived `mcp`): they free and allocate so much that purging at
/// once cost a build a fifth more time in the kernel, and `stats --no-index` half again. A
/// query that finds no index, or one of an older format, pays that once while it builds.
/// `MIMALLOC_PURGE_DELAY` in the environment still wins.
#[allow(unsafe_code)]
fn purge_freed_memory_at_once() {
    // SAFETY: sets one integer option's default, before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set_default(MI_OPTION_PURGE_DELAY, 0) }
}

/// Whether `command` is a query answered from the index (see [`purge_freed_memory_at_once`]).
fn answers_from_the_index(command: &rolldex::cli::Command) -> bool {
    use rolldex::cli::Command;
    match command {
        Command::Stats(args) => !args.no_index,
        Command::Search(_)
        | Command::Resume(_)
        | Command::Sessions(_)
        | Command::Show(_)
        | Command::Limits(_)
        | Command::Statusline(_)
        | Command::Pick(_) => true,
        _ => false,
    }
}

/// Starts rayon's pool: one thread per core (or `RAYON_NUM_THREADS`), as many of them as this
/// process may start, or, where it may start none (a user at their process limit, a container
/// at its pids limit), this thread alone: rayon would otherwise panic at the first parallel
/// step, and cannot be asked twice. The threads are started first and parked, and the pool is
/// made of those that started, so it cannot be refused a thread half-way. With this thread alone, the picker and `mcp` refuse to start: their threads would wait
/// for a rayon worker that never comes.
fn start_thread_pool() -> Result<(), rayon::ThreadPoolBuildError> {
    let wanted = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    // rayon's workers run on threads that have started already (see `Parked`).
    let mut parked = rolldex::threads::Parked::start(wanted);
    if parked.is_empty() {
        return rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build_global();
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(parked.len())
        .spawn_handler(move |thread| {
            parked
                .run(Box::new(move || thread.run()))
                .map_err(|_| std::io::Error::other("a started thread ended before its work"))
        })
        .build_global()
}

fn main() -> std::process::ExitCode {
    // Everything rolldex creates is private to the user, whatever the umask: the index holds
    // conversation text, and tantivy creates its files itself with the default 0666 & !umask.
    // The mask is process-wide, which suits a command-line tool; rolldex never writes
    // anything that should be shared (it only writes its index).
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = rolldex::cli::Cli::parse();
    if answers_from_the_index(&cli.command) {
        purge_freed_memory_at_once();
    }
    if let Err(e) = start_thread_pool() {
        #[allow(clippy::print_stderr)] // the front end's one message before `app` runs
        {
            eprintln!("rolldex: cannot start threads: {e}");
        }
        return std::process::ExitCode::from(2);
    }
    std::process::ExitCode::from(rolldex::app::run(cli))
}
