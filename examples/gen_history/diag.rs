//! Rich vocabulary for `gen_history --vocabulary rich`: diagnostics — rustc / gcc / tsc build
//! output, cargo test / jest / pytest runs with their failures and stack traces, and linters.
//!
//! Why: compiler and test output is a large part of real tool output and the densest in
//! distinct tokens (names, `path:line:col`, numbers). Draws only from the caller's text stream.

use super::code::code_line;
use super::words::{Case, Put, Vocab, ident, path, path_pos, type_name, version};
use super::{CRATES, Rng, WORDS};

pub fn build(v: Vocab, r: &mut Rng, t: &mut String) {
    match r.below(12) {
        0..=3 => {
            t.p(r.pick(&["   Compiling ", "    Checking "]));
            if r.pm(500) {
                t.p(r.pick(CRATES));
            } else {
                ident(v, r, t, Case::Kebab);
            }
            t.p(" v");
            version(r, t);
            t.push('\n');
        }
        4..=6 => {
            t.p("warning: ").p(r.pick(&[
                "unused variable: `",
                "unused import: `",
                "field is never read: `",
                "function is never used: `",
            ]));
            ident(v, r, t, Case::Snake);
            t.p("`\n  --> ");
            path_pos(v, r, t);
            let l = r.logish(1, 3000);
            t.p("\n   |\n").pad(l, 4).p(" |");
            code_line(v, r, t, 0);
            t.p("   |     ^^^^^^ help: if this is intentional, prefix it with an underscore\n\n");
        }
        7 | 8 => {
            t.p("error[E0")
                .u(r.range(100, 799))
                .p("]: mismatched types\n   --> ");
            path_pos(v, r, t);
            t.p("\n    |\n");
            code_line(v, r, t, 0);
            t.p("    |     expected `");
            type_name(v, r, t);
            t.p("`, found `&");
            type_name(v, r, t);
            t.p("`\n\n");
        }
        9 => {
            path_pos(v, r, t);
            t.p(r.pick(&[
                ": error: '",
                ": warning: unused variable '",
                ": note: in definition of '",
            ]));
            ident(v, r, t, Case::Snake);
            t.p(r.pick(&[
                "' undeclared (first use in this function)\n",
                "' [-Wunused-variable]\n",
                "'\n",
            ]));
        }
        10 => {
            path(v, r, t);
            t.p("(")
                .u(r.logish(1, 900))
                .p(",")
                .u(r.range(1, 80))
                .p("): error TS");
            t.u(r.range(2000, 2999)).p(": Property '");
            ident(v, r, t, Case::Camel);
            t.p("' does not exist on type '");
            type_name(v, r, t);
            t.p("'.\n");
        }
        _ => {
            t.p("    Finished `dev` profile [unoptimized + debuginfo] target(s) in ");
            t.u(r.below(90)).p(".").d2(r.below(100)).p("s\n");
        }
    }
}

pub fn test(v: Vocab, r: &mut Rng, t: &mut String, lang: u8) {
    let fail = r.pm(40);
    match lang {
        0 | 4 => {
            t.p("test ");
            ident(v, r, t, Case::Snake);
            t.p("::tests::");
            ident(v, r, t, Case::Snake);
            t.p(if fail { " ... FAILED\n" } else { " ... ok\n" });
            if fail {
                t.p("\n---- ");
                ident(v, r, t, Case::Snake);
                t.p(" stdout ----\nthread '");
                ident(v, r, t, Case::Snake);
                t.p("' panicked at ");
                path_pos(v, r, t);
                t.p(":\nassertion `left == right` failed\n  left: ")
                    .u(r.logish(1, 99_999));
                t.p("\n right: ")
                    .u(r.logish(1, 99_999))
                    .p("\nstack backtrace:\n");
                for i in 0..r.range(2, 6) {
                    t.pad(i, 4).p(": ");
                    ident(v, r, t, Case::Snake);
                    t.p("::");
                    ident(v, r, t, Case::Snake);
                    t.p("\n             at ./");
                    path_pos(v, r, t);
                    t.push('\n');
                }
            }
            if r.pm(30) {
                t.p("\ntest result: ok. ")
                    .u(r.logish(1, 900))
                    .p(" passed; 0 failed; ");
                t.u(r.below(4))
                    .p(" ignored; finished in ")
                    .u(r.below(20))
                    .p(".")
                    .d2(r.below(100));
                t.p("s\n\n");
            }
        }
        1 => {
            if r.pm(60) {
                t.p(if fail { "FAIL " } else { "PASS " });
                path(v, r, t);
                t.p(" (").u(r.below(30)).p(".").u(r.below(1000)).p(" s)\n");
            }
            t.p(if fail { "  ✕ " } else { "  ✓ " });
            for i in 0..r.range(2, 5) {
                if i > 0 {
                    t.push(' ');
                }
                t.push_str(r.pick(WORDS));
            }
            t.push(' ');
            ident(v, r, t, Case::Camel);
            t.p(" (").u(r.logish(1, 900)).p(" ms)\n");
            if fail {
                t.p("\n    TypeError: Cannot read properties of undefined (reading '");
                ident(v, r, t, Case::Camel);
                t.p("')\n");
                for _ in 0..r.range(2, 5) {
                    t.p("      at ");
                    type_name(v, r, t);
                    t.push('.');
                    ident(v, r, t, Case::Camel);
                    t.p(" (");
                    path_pos(v, r, t);
                    t.p(")\n");
                }
            }
        }
        _ => {
            path(v, r, t);
            t.p("::test_");
            ident(v, r, t, Case::Snake);
            t.p(if fail { " FAILED" } else { " PASSED" });
            t.p(" [").pad(r.below(101), 3).p("%]\n");
            if fail {
                t.p("Traceback (most recent call last):\n");
                for _ in 0..r.range(2, 5) {
                    t.p("  File \"/home/dev/proj/");
                    path(v, r, t);
                    t.p("\", line ").u(r.logish(1, 2000)).p(", in ");
                    ident(v, r, t, Case::Snake);
                    t.p("\n    ");
                    code_line(v, r, t, 2);
                }
                t.p(r.pick(&[
                    "KeyError: '",
                    "AttributeError: '",
                    "AssertionError: assert '",
                ]));
                ident(v, r, t, Case::Snake);
                t.p("'\n");
            }
        }
    }
}

pub fn lint(v: Vocab, r: &mut Rng, t: &mut String) {
    path_pos(v, r, t);
    match r.below(3) {
        0 => {
            t.p("  error  '");
            ident(v, r, t, Case::Camel);
            t.p("' is assigned a value but never used  @typescript-eslint/no-unused-vars\n");
        }
        1 => {
            t.p(": error: Argument 1 to \"");
            ident(v, r, t, Case::Snake);
            t.p("\" has incompatible type \"");
            type_name(v, r, t);
            t.p("\"; expected \"");
            type_name(v, r, t);
            t.p("\"  [arg-type]\n");
        }
        _ => {
            t.p(": F401 [*] `");
            ident(v, r, t, Case::Snake);
            t.p("` imported but unused\n");
        }
    }
}
