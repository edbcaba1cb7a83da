//! Unit tests of [`super`].

use super::*;

fn event(minute: i64, model: &str, tier: Option<&str>, input: i64) -> UsageEvent {
    UsageEvent {
        timestamp_ms: minute * 60_000,
        model: model.into(),
        service_tier: tier.map(Into::into),
        usage: TokenUsage {
            input_tokens: input,
            total_tokens: input,
            ..TokenUsage::default()
        },
        event_key: minute as u64,
    }
}

#[test]
fn moved_and_read_sessions_come_back_whole_and_summed_by_quarter_hour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second) = (
        dir.path().join("usage-1.bin"),
        dir.path().join("usage-2.bin"),
    );
    let a = vec![
        event(0, "m1", None, 1),
        event(14, "m1", None, 2),
        event(15, "m1", None, 4),
    ];
    let mut old = UsageFile::default();
    old.push_read(&a, &[]);
    old.save(&first).expect("save");

    // The next commit carries session `a` over as bytes and reads a new one, whose second
    // model is interned after the first (so `a`'s rows still name theirs).
    let mut old = UsageFile::load(&first).expect("load");
    let mut next = old.next_empty(3, 0);
    next.push_moved(&old, 0);
    let b = vec![
        event(1, "m2", Some("priority"), 8),
        event(2, "m2", Some("priority"), 16),
        event(3, "m1", None, 32),
    ];
    next.push_read(&b, &[]);
    next.save(&second).expect("save");

    let whole = UsageTable::load(&second)
        .expect("load")
        .into_sessions(vec!["a", "b"]);
    assert_eq!(whole[0].events, a);
    assert_eq!(whole[1].events, b);

    // By hand: `a` has 1 + 2 in the first quarter-hour and 4 in the second; `b` has 8 + 16
    // on m2 (priority) and 32 on m1, all in the first.
    let sums = |s: &SessionUsage<&str>| -> Vec<(i64, String, Option<String>, i64)> {
        s.events
            .iter()
            .map(|e| {
                let tier = e.service_tier.as_deref().map(str::to_owned);
                (
                    e.timestamp_ms,
                    e.model.to_string(),
                    tier,
                    e.usage.input_tokens,
                )
            })
            .collect()
    };
    let quarters = UsageTable::load_quarter_hours(&second)
        .expect("load")
        .into_sessions(vec!["a", "b"]);
    let m = |s: &str| s.to_owned();
    assert_eq!(
        sums(&quarters[0]),
        [(0, m("m1"), None, 3), (900_000, m("m1"), None, 4)]
    );
    assert_eq!(
        sums(&quarters[1]),
        [
            (0, m("m2"), Some(m("priority")), 24),
            (0, m("m1"), None, 32)
        ]
    );
}

#[test]
fn parts_covering_different_sessions_are_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("usage-1.bin");
    let mut file = UsageFile::default();
    file.push_read(&[event(0, "m1", None, 1)], &[]);
    file.limits = Blobs::default();
    file.save(&path).expect("save");
    assert!(UsageFile::load(&path).is_err());
    assert!(UsageTable::load(&path).is_err());
}

#[test]
fn a_row_naming_no_model_is_damage() {
    let rows = encode_rows(&[event(0, "m1", None, 1)], |_| 7);
    let models: Models = vec![("m1".into(), None)];
    assert!(decode_rows(&models, &rows).is_err());
    assert!(decode_rows(&models, &rows[..rows.len() - 1]).is_err());
}
