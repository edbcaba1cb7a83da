//! Rich vocabulary for `gen_history --vocabulary rich`: one line of source code in Rust,
//! TypeScript, Python, Go or C, full of the session's identifiers.
//!
//! Why: patches (`apply_patch`), file views, `rg` hits and diffs are mostly code, and code is
//! where a history's identifiers come from. Draws only from the caller's text stream.

use super::prose::{code_ref, sentence};
use super::words::{Case, Put, Vocab, ident, type_name, uuid, var_case};
use super::{Rng, WORDS};

/// One line of source code in language `lang` (0 Rust, 1 TS, 2 Python, 3 Go, 4 C).
pub fn code_line(v: Vocab, r: &mut Rng, t: &mut String, lang: u8) {
    for _ in 0..r.below(4) * 4 {
        t.push(' ');
    }
    let vc = var_case(lang);
    match (lang, r.below(10)) {
        (_, 0) => {
            t.push_str(match lang {
                2 => "# ",
                _ => "// ",
            });
            if v.cjk != 0 && r.pm(300) {
                sentence(v, r, t);
            } else {
                for i in 0..r.range(3, 9) {
                    if i > 0 {
                        t.push(' ');
                    }
                    t.push_str(r.pick(WORDS));
                }
                if r.pm(300) {
                    t.push(' ');
                    code_ref(v, r, t);
                }
            }
        }
        (_, 1) => t.push('}'),
        (0, 2) => {
            t.push_str("pub fn ");
            ident(v, r, t, Case::Snake);
            t.push_str("(&self, ");
            ident(v, r, t, Case::Snake);
            t.push_str(": &");
            type_name(v, r, t);
            t.push_str(") -> Result<");
            type_name(v, r, t);
            t.push_str(", Error> {");
        }
        (0, 3) => {
            t.push_str("use crate::");
            ident(v, r, t, Case::Snake);
            t.push_str("::{");
            type_name(v, r, t);
            t.push_str(", ");
            ident(v, r, t, Case::Snake);
            t.push_str("};");
        }
        (0, 4) => {
            t.push_str("const ");
            ident(v, r, t, Case::Screaming);
            t.p(": usize = ").u(r.logish(1, 1 << 20)).p(";");
        }
        (1, 2) => {
            t.push_str("export function ");
            ident(v, r, t, Case::Camel);
            t.push_str("(props: ");
            type_name(v, r, t);
            t.push_str("Props): JSX.Element {");
        }
        (1, 3) => {
            t.push_str("import { ");
            type_name(v, r, t);
            t.push_str(", ");
            ident(v, r, t, Case::Camel);
            t.push_str(" } from '@/");
            ident(v, r, t, Case::Kebab);
            t.push_str("';");
        }
        (1, 4) => {
            t.push_str("const ");
            ident(v, r, t, Case::Camel);
            t.push_str(" = await ");
            ident(v, r, t, Case::Camel);
            t.push('.');
            ident(v, r, t, Case::Camel);
            t.push_str("({ id: '");
            uuid(r, t);
            t.push_str("' });");
        }
        (2, 2) => {
            t.push_str("def ");
            ident(v, r, t, Case::Snake);
            t.push_str("(self, ");
            ident(v, r, t, Case::Snake);
            t.push_str(": ");
            type_name(v, r, t);
            t.push_str(" | None = None) -> dict:");
        }
        (2, 3) => {
            t.push_str("from .");
            ident(v, r, t, Case::Snake);
            t.push_str(" import ");
            type_name(v, r, t);
        }
        (2, 4) => {
            t.push_str("raise ValueError(f\"bad ");
            ident(v, r, t, Case::Snake);
            t.push_str(": {");
            ident(v, r, t, Case::Snake);
            t.push_str("!r}\")");
        }
        (3, 2) => {
            t.push_str("func (s *");
            type_name(v, r, t);
            t.push_str(") ");
            ident(v, r, t, Case::Pascal);
            t.push_str("(ctx context.Context, ");
            ident(v, r, t, Case::Camel);
            t.push_str(" string) error {");
        }
        (3, 3) => {
            t.push_str("if err != nil {\n\t\treturn fmt.Errorf(\"");
            ident(v, r, t, Case::Camel);
            t.push_str(": %w\", err)");
        }
        (4, 2) => {
            t.push_str("static int ");
            ident(v, r, t, Case::Snake);
            t.push_str("(struct ");
            ident(v, r, t, Case::Snake);
            t.push_str(" *");
            ident(v, r, t, Case::Snake);
            t.push_str(", size_t n) {");
        }
        (4, 3) => {
            t.push_str("#include \"");
            ident(v, r, t, Case::Snake);
            t.push_str(".h\"");
        }
        (_, 5) => {
            t.push_str("if ");
            ident(v, r, t, vc);
            t.p(if lang == 2 { " > " } else { " >= " })
                .u(r.logish(1, 65_536));
            t.push_str(if lang == 2 { ":" } else { " {" });
        }
        (_, 6) => {
            t.push_str("return ");
            ident(v, r, t, vc);
            t.push('.');
            ident(v, r, t, vc);
            t.push('(');
            ident(v, r, t, vc);
            t.p(", ").u(r.below(4096)).p(")");
            if lang != 2 {
                t.push(';');
            }
        }
        (_, 7) => {
            t.push_str(match lang {
                0 => "let ",
                1 => "const ",
                _ => "",
            });
            ident(v, r, t, vc);
            t.push_str(if lang == 3 { " := " } else { " = " });
            ident(v, r, t, vc);
            t.push('[');
            ident(v, r, t, vc);
            t.push(']');
            if lang != 2 && lang != 3 {
                t.push(';');
            }
        }
        (_, 8) => {
            t.push_str(match lang {
                0 => "assert_eq!(",
                2 => "assert (",
                _ => "expect(",
            });
            ident(v, r, t, vc);
            t.p(if lang == 2 { ") == " } else { ", " })
                .u(r.logish(1, 100_000));
            t.push_str(if lang == 2 { "" } else { ");" });
        }
        _ => {}
    }
    t.push('\n');
}
