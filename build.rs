//! Links the `rolldex` binary as a fixed-address executable on Linux (glibc, dynamically
//! linked: the usual build).
//!
//! A position-independent executable is relocated by the dynamic loader at every start: about
//! 63,000 relocations that write to 1.6 MB of pointer tables (vtables, static text tables),
//! about 400 page faults and a millisecond of a query that otherwise takes ten. A fixed-address
//! executable has those pointers resolved when it is linked. The cost is that the executable's
//! own image is not placed at a random address (libraries, heap, stack and mappings still
//! are); for a command-line tool that reads local files this is the better trade.
//!
//! Only the binaries are linked this way (`rustc-link-arg-bins`): build scripts, proc macros
//! and the test harnesses keep the default.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ROLLDEX_PIE");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    // Dynamically linked glibc builds only: a static build (musl's default, or glibc with
    // `crt-static`) is linked as a static PIE, and `-no-pie` beside `-static-pie` gives a
    // binary that crashes at start. `ROLLDEX_PIE=1` keeps the default everywhere (a linker
    // older than gcc 6 does not know the flag).
    let dynamic_glibc = var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && !var("CARGO_CFG_TARGET_FEATURE")
            .split(',')
            .any(|f| f == "crt-static");
    if dynamic_glibc && var("ROLLDEX_PIE") != "1" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
