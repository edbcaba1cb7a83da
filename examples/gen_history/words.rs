//! Rich vocabulary for `gen_history --vocabulary rich`, word level: identifiers, paths, hashes,
//! UUIDs, versions, quantities and timestamps (the prose built from them is in `prose.rs`).
//!
//! Why: real coding sessions are full of distinct names, so a search index over them grows with
//! the history; the plain vocabulary (a few hundred words) hides that cost. Identifiers are pure
//! functions of a 64-bit hash, drawn from a project pool, a session pool and fresh values with
//! Zipf-like weights, so the vocabulary grows with the number of sessions (as real code does)
//! while no table is ever stored. Everything here draws from the caller's text stream, so turns,
//! token counts and the truth file stay the same as with the plain vocabulary.

use super::{DIRS, IDENT, MONTHS, Rng, TYPES, civil_from_days, mix};

/// Per-session vocabulary context (cheap to copy).
#[derive(Clone, Copy)]
pub struct Vocab {
    /// Seed of the project's names and files (one project per cwd).
    pub project: u64,
    /// Seed of the names only this session uses.
    pub session: u64,
    /// 0: English prose; 1, 2, 3: Chinese, Japanese, Korean prose.
    pub cjk: u8,
}

impl Vocab {
    pub fn new(session_seed: u64, cwd: usize) -> Vocab {
        let mut r = Rng::new(mix(session_seed, 0x0C1C_0C1C));
        let cjk = if r.pm(50) { 1 + r.below(3) as u8 } else { 0 };
        Vocab {
            project: mix(0x0070_4F1E_C700, cwd as u64 + 1),
            session: mix(session_seed, 0x5E55),
            cjk,
        }
    }

    /// The language of this project's source files (0 Rust, 1 TypeScript, 2 Python, 3 Go, 4 C).
    pub fn file_lang(self, r: &mut Rng) -> u8 {
        let main = (self.project % 5) as u8;
        if r.pm(700) { main } else { r.below(5) as u8 }
    }
}

// ───────────────────────────── small writers ─────────────────────────────

/// Appending numbers and text to a `String` without allocating.
pub trait Put {
    fn u(&mut self, n: u64) -> &mut Self;
    fn p(&mut self, s: &str) -> &mut Self;
    /// `n` right-aligned in `w` columns.
    fn pad(&mut self, n: u64, w: usize) -> &mut Self;
    /// `n` with exactly two digits.
    fn d2(&mut self, n: u64) -> &mut Self;
    /// `n` random lowercase hex digits.
    fn hex(&mut self, r: &mut Rng, n: usize) -> &mut Self;
}

impl Put for String {
    fn u(&mut self, n: u64) -> &mut Self {
        let mut b = [0u8; 20];
        let mut i = 20;
        let mut n = n;
        loop {
            i -= 1;
            b[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &c in &b[i..] {
            self.push(char::from(c));
        }
        self
    }
    fn p(&mut self, s: &str) -> &mut Self {
        self.push_str(s);
        self
    }
    fn pad(&mut self, n: u64, w: usize) -> &mut Self {
        let mut digits = 1;
        let mut x = n;
        while x >= 10 {
            x /= 10;
            digits += 1;
        }
        for _ in digits..w {
            self.push(' ');
        }
        self.u(n)
    }
    fn d2(&mut self, n: u64) -> &mut Self {
        self.push(char::from(b'0' + (n / 10 % 10) as u8));
        self.push(char::from(b'0' + (n % 10) as u8));
        self
    }
    fn hex(&mut self, r: &mut Rng, n: usize) -> &mut Self {
        let mut left = n;
        while left > 0 {
            let mut x = r.next();
            for _ in 0..left.min(16) {
                self.push(char::from(super::HEX[(x & 15) as usize]));
                x >>= 4;
            }
            left -= left.min(16);
        }
        self
    }
}

// ───────────────────────────── identifiers ─────────────────────────────

const SYL: &[&str] = &[
    "ka", "ro", "mi", "tel", "van", "dor", "sif", "lu", "pra", "nex", "qua", "zo", "bri", "mon",
    "tes", "gal", "vor", "ix", "ul", "ren", "sha", "tri", "pol", "dex", "mar", "fen", "cor", "lin",
    "sta", "vel", "nor", "gru", "hap", "jin", "kel", "lom", "mu", "nib", "ost", "pex", "quo",
    "rad", "sol", "tam", "ub", "vex", "wyn", "yor", "zel", "ark", "bel", "cyr", "dun", "eph",
    "fal", "gor", "hel", "ina", "jor", "kru", "lep", "mav", "nol", "opi", "pyr", "rus", "sen",
    "tor", "umb", "vil", "wes", "xan", "yev", "zim", "al", "bo", "ce", "di", "fu", "ga", "ho",
    "ja", "ki", "le", "ma", "ne", "pi", "ra", "si", "tu", "va", "we", "yo", "zu", "ex", "om",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Snake,
    Camel,
    Pascal,
    Screaming,
    Kebab,
}

/// A coined word of 2–3 syllables (the part of the vocabulary that keeps growing).
fn coin(q: &mut Rng, t: &mut String) {
    for _ in 0..q.range(2, 3) {
        t.push_str(q.pick(SYL));
    }
}

/// The identifier named by `h`, in `case`; the same `h` always gives the same name.
pub fn ident_from(t: &mut String, h: u64, case: Case) {
    let mut q = Rng::new(h);
    let parts = 1 + q.weighted(&[22, 46, 24, 8]);
    for i in 0..parts {
        if i > 0 {
            match case {
                Case::Snake | Case::Screaming => t.push('_'),
                Case::Kebab => t.push('-'),
                Case::Camel | Case::Pascal => {}
            }
        }
        let start = t.len();
        if q.pm(550) {
            t.push_str(q.pick(IDENT));
        } else {
            coin(&mut q, t);
        }
        match case {
            Case::Screaming => t[start..].make_ascii_uppercase(),
            Case::Pascal => t[start..=start].make_ascii_uppercase(),
            Case::Camel if i > 0 => t[start..=start].make_ascii_uppercase(),
            _ => {}
        }
    }
    if q.pm(140) {
        if matches!(case, Case::Snake | Case::Screaming) {
            t.push('_');
        }
        t.u(q.logish(1, 1000));
    }
}

/// A name from the session's pools: mostly the project's (Zipf-like), then this session's own,
/// then a fresh one.
pub fn ident_hash(v: Vocab, r: &mut Rng) -> u64 {
    match r.below(100) {
        0..=69 => mix(v.project, r.logish(1, 20_000)),
        70..=96 => mix(v.session, r.logish(1, 400)),
        _ => r.next(),
    }
}

pub fn ident(v: Vocab, r: &mut Rng, t: &mut String, case: Case) {
    let h = ident_hash(v, r);
    ident_from(t, h, case);
}

/// A type name: a well-known one or a project type.
pub fn type_name(v: Vocab, r: &mut Rng, t: &mut String) {
    if r.pm(300) {
        t.push_str(r.pick(TYPES));
    } else {
        ident(v, r, t, Case::Pascal);
    }
}

/// The usual case of a variable or function name in language `lang`.
pub fn var_case(lang: u8) -> Case {
    match lang {
        1 | 3 => Case::Camel,
        _ => Case::Snake,
    }
}

// ───────────────────────────── paths ─────────────────────────────

const EXT: [&str; 5] = ["rs", "ts", "py", "go", "c"];

/// A source file of the project: `crates/foo-bar/src/baz_qux.rs`. Returns its language.
pub fn path(v: Vocab, r: &mut Rng, t: &mut String) -> u8 {
    let k = r.logish(1, 5000);
    path_from(v, t, mix(v.project ^ 0xF11E, k))
}

pub fn path_from(v: Vocab, t: &mut String, h: u64) -> u8 {
    let mut q = Rng::new(h);
    let lang = v.file_lang(&mut q);
    let sub = |q: &mut Rng, t: &mut String| {
        if q.pm(500) {
            t.push_str(q.pick(DIRS));
        } else {
            ident_from(t, mix(v.project, q.logish(1, 300)), Case::Snake);
        }
        t.push('/');
    };
    let test = q.pm(150);
    match lang {
        0 => {
            if q.pm(300) {
                t.push_str("crates/");
                ident_from(t, mix(v.project, q.logish(1, 40)), Case::Kebab);
                t.push('/');
            }
            t.push_str(if test { "tests/" } else { "src/" });
        }
        1 => t.push_str(q.pick(&["src/", "src/", "packages/ui/src/", "app/", "web/src/"])),
        2 => {
            if test {
                t.push_str("tests/");
            } else {
                ident_from(t, mix(v.project, 7), Case::Snake);
                t.push('/');
            }
        }
        3 => t.push_str(q.pick(&["internal/", "pkg/", "cmd/"])),
        _ => t.push_str(q.pick(&["src/", "lib/", "include/"])),
    }
    for _ in 0..q.below(3) {
        sub(&mut q, t);
    }
    if lang == 2 && test {
        t.push_str("test_");
    }
    let case = if lang == 1 && q.pm(400) {
        Case::Kebab
    } else if lang == 1 && q.pm(300) {
        Case::Pascal
    } else {
        Case::Snake
    };
    ident_from(t, mix(h, 1), case);
    if lang == 1 && test {
        t.push_str(".test");
    } else if lang == 3 && test {
        t.push_str("_test");
    }
    t.push('.');
    t.push_str(if lang == 1 && q.pm(300) {
        "tsx"
    } else if lang == 4 && q.pm(300) {
        "h"
    } else {
        EXT[lang as usize]
    });
    lang
}

/// `path:LINE:COL`
pub fn path_pos(v: Vocab, r: &mut Rng, t: &mut String) -> u8 {
    let lang = path(v, r, t);
    t.p(":").u(r.logish(1, 3000)).p(":").u(r.range(1, 80));
    lang
}

// ───────────────────────────── numbers and ids ─────────────────────────────

pub fn uuid(r: &mut Rng, t: &mut String) {
    t.hex(r, 8).p("-").hex(r, 4).p("-4").hex(r, 3).p("-");
    t.push(r.pick(&['8', '9', 'a', 'b']));
    t.hex(r, 3).p("-").hex(r, 12);
}

pub fn version(r: &mut Rng, t: &mut String) {
    t.u(r.below(5))
        .p(".")
        .u(r.logish(1, 120) - 1)
        .p(".")
        .u(r.below(40));
    match r.below(20) {
        0 => {
            t.p("-beta.").u(r.range(1, 9));
        }
        1 => {
            t.p("-rc").u(r.range(1, 4));
        }
        _ => {}
    }
}

/// A short prose number: a count, a duration or a size.
pub fn quantity(r: &mut Rng, t: &mut String) {
    let n = r.logish(1, 200_000);
    t.u(n);
    t.push_str(r.pick(&[
        " ms", "ms", " s", " MB", " KiB", " bytes", " rows", " files", "%", " tests", " lines", "",
    ]));
}

/// `YYYY-MM-DDThh:mm:ss.mmmZ` (with `sep` between date and time, `frac` decimals, `z` suffix).
pub fn timestamp(t: &mut String, ms: i64, sep: char, frac: bool, z: bool) {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    let rem = ms.rem_euclid(86_400_000) as u64;
    t.u(y as u64)
        .p("-")
        .d2(u64::from(m))
        .p("-")
        .d2(u64::from(d));
    t.push(sep);
    t.d2(rem / 3_600_000)
        .p(":")
        .d2(rem / 60_000 % 60)
        .p(":")
        .d2(rem / 1000 % 60);
    if frac {
        t.p(".").d2(rem % 1000 / 10).u(rem % 10);
    }
    if z {
        t.push('Z');
    }
}

pub fn month_day(r: &mut Rng, t: &mut String) {
    t.p(r.pick(MONTHS)).p(" ").pad(r.range(1, 28), 2);
}
