//! End-to-end tests of the `rolldex` binary (one test binary; the modules live in
//! `tests/integration/`). Expected numbers come from `testdata/fixtures/README.md`, where they are
//! worked out by hand line by line, never from rolldex's own output.

mod util;

mod integration {
    mod demo;
    mod errors;
    mod hostile;
    mod index;
    mod paths;
    mod ranking;
    mod real_corpus;
    mod resume;
    mod search;
    mod signal;
    mod stats;
}
