//! `resume WORD`'s ranking does not depend on its scope: `--cwd` (or the default of hiding
//! `codex exec` sessions) filters the sessions ranked, it adds nothing to their scores.
//!
//! Until 2026-12 the scope was a clause of the query, and a clause scores: with `--cwd`, every
//! matching message of a session in scope added 1 to the session's sum, so a session with many
//! weak matches overtook one with a single strong match, but only when a directory was given.

use super::index::{Rx, lines};

const MANY: &str = "019d0000-0000-7000-8000-0000000000a1";
const ONE: &str = "019d0000-0000-7000-8000-0000000000a2";
const OTHER: &str = "019d0000-0000-7000-8000-0000000000b1";

/// A long message (401 words) that says "kestrel" once, among words said nowhere else.
fn weak(n: usize) -> String {
    let filler: Vec<String> = (0..400).map(|i| format!("w{n}x{i}")).collect();
    format!("kestrel {}", filler.join(" "))
}

#[test]
fn a_directory_filters_resumes_ranking_it_does_not_reorder_it() {
    let root = tempfile::tempdir().expect("tempdir");
    let home = root.path().join("codex-home");
    let (a, b) = ("/home/dev/aerie", "/home/dev/barn");
    let model = "gpt-5.2-codex";
    let cli = "\"cli\"";
    let t = |hms: &str| format!("2026-04-02T{hms}Z");
    // Worked by hand (BM25, k1 1.2, b 0.75). Eight documents (four user messages, four
    // one-word replies), four with "kestrel": idf = ln(1 + 4.5 / 4.5) = 0.693; average length
    // (3 x 401 + 3 + 4) / 8 = 151.
    // - a long message, "kestrel" once: 0.693 x 2.2 / (1 + 1.2 x (0.25 + 0.75 x 401/151)) = 0.41;
    // - ONE's "kestrel kestrel kestrel": 0.693 x 3 x 2.2 / (3 + 1.2 x (0.25 + 0.75 x 3/151)) = 1.38.
    // So ONE (1.38) > MANY (two long ones, 0.83) > OTHER (one, 0.41), no two within 5 %.
    // With 1 added per matching message in scope, MANY (2.83) would overtake ONE (2.38).
    let mut many = vec![
        lines::meta(&t("09:00:00.000"), MANY, a, "codex_cli_rs", cli, None),
        lines::context(&t("09:00:00.100"), a, model),
    ];
    for n in 0..2 {
        many.push(lines::user(&t(&format!("09:0{n}:01.000")), &weak(n)));
        many.push(lines::assistant(&t(&format!("09:0{n}:02.000")), "Noted."));
    }
    lines::write(
        &lines::rollout_path(&home, "2026-04-02T09:00:00", MANY),
        &many,
    );
    lines::write(
        &lines::rollout_path(&home, "2026-04-02T08:00:00", ONE),
        &[
            lines::meta(&t("08:00:00.000"), ONE, a, "codex_cli_rs", cli, None),
            lines::context(&t("08:00:00.100"), a, model),
            lines::user(&t("08:00:01.000"), "kestrel kestrel kestrel"),
            lines::assistant(&t("08:00:02.000"), "Noted."),
        ],
    );
    lines::write(
        &lines::rollout_path(&home, "2026-04-02T07:00:00", OTHER),
        &[
            lines::meta(&t("07:00:00.000"), OTHER, b, "codex_cli_rs", cli, None),
            lines::context(&t("07:00:00.100"), b, model),
            lines::user(&t("07:00:01.000"), &weak(9)),
            lines::assistant(&t("07:00:02.000"), "Noted."),
        ],
    );
    let rx = Rx::new(&home);
    let ranked = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["resume", "kestrel", "--limit", "10"];
        all.extend_from_slice(args);
        let out = rx.run(&all);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout.lines().map(str::to_owned).collect()
    };
    let everywhere = ranked(&[]);
    assert_eq!(everywhere, [ONE, MANY, OTHER], "every directory");
    assert_eq!(ranked(&["--cwd", a]), [ONE, MANY], "--cwd {a}");
    assert_eq!(
        ranked(&["--include-non-interactive"]),
        everywhere,
        "with the non-interactive sessions (there are none)"
    );
    assert_eq!(ranked(&["--cwd", b]), [OTHER], "--cwd {b}");
}

/// A home where a `codex exec` session (MANY) has `hidden` messages that say "kestrel" three
/// times in three words, each scoring above the shown session's (ONE) one "kestrel" among 400
/// other words (see the BM25 figures above).
fn crowded_home(hidden: usize) -> (tempfile::TempDir, Rx) {
    let root = tempfile::tempdir().expect("tempdir");
    let home = root.path().join("codex-home");
    let dir = "/home/dev/aerie";
    let model = "gpt-5.2-codex";
    let t = |n: usize| {
        format!(
            "2026-04-02T{:02}:{:02}:{:02}.000Z",
            n / 3600,
            (n / 60) % 60,
            n % 60
        )
    };
    let mut exec = vec![
        lines::meta(&t(0), MANY, dir, "codex_exec", "\"exec\"", None),
        lines::context(&t(1), dir, model),
    ];
    for n in 0..hidden {
        exec.push(lines::user(&t(2 + n), "kestrel kestrel kestrel"));
    }
    lines::write(
        &lines::rollout_path(&home, "2026-04-02T00:00:00", MANY),
        &exec,
    );
    let t1 = |s: usize| format!("2026-04-01T09:00:{s:02}.000Z");
    lines::write(
        &lines::rollout_path(&home, "2026-04-01T09:00:00", ONE),
        &[
            lines::meta(&t1(0), ONE, dir, "codex_cli_rs", "\"cli\"", None),
            lines::context(&t1(1), dir, model),
            lines::user(&t1(2), &weak(1)),
        ],
    );
    let rx = Rx::new(&home);
    (root, rx)
}

/// `search` leaves hidden sessions out of its top documents, not out of the search: when a
/// `codex exec` session's messages fill more than the first batch of top documents (`--limit 1`
/// asks tantivy for 64 at first), the batch grows until the shown session is reached.
#[test]
fn hidden_sessions_that_fill_the_top_do_not_push_a_shown_one_out() {
    let (_root, rx) = crowded_home(100);
    assert_eq!(rx.search_ids(&["kestrel", "--limit", "1"]), [ONE]);
    assert_eq!(rx.search_ids(&["kestrel"]), [ONE]);
    assert_eq!(
        rx.search_ids(&["kestrel", "--limit", "1", "--include-non-interactive"]),
        [MANY]
    );
    assert_eq!(
        rx.search_ids(&["kestrel", "--include-non-interactive"]),
        [MANY, ONE]
    );
}

/// Past the largest top `search` asks for (65,536 documents), hidden documents that fill it are
/// filtered inside the collector after all: the shown session is still found.
#[test]
fn hidden_sessions_that_fill_the_largest_top_do_not_hide_a_shown_one() {
    let (_root, rx) = crowded_home((1 << 16) + 10);
    assert_eq!(rx.search_ids(&["kestrel", "--limit", "1"]), [ONE]);
}
