//! Links the `rolldex` binary as a fixed-address executable on Linux.
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
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
