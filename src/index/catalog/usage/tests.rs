//! Unit tests of [`super`].

use std::path::Path;

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

/// Saves `next` as commit `generation` does, its lists in pack `last` or a new one.
fn save(next: NextUsage, path: &Path, generation: u64, last: u64) -> Result<UsageFile> {
    let (carried, runs) = next.carried();
    let dir = path.parent().expect("a folder");
    let pack = PackWriter::for_commit(dir, generation, last, carried, runs)?;
    next.save(path, &pack)
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
    let mut old = NextUsage::default();
    old.push_read(&a, &[]);
    save(old, &first, 1, 0).expect("save");

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
    save(next, &second, 2, 1).expect("save");

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
    let mut file = NextUsage::default();
    file.push_read(&[event(0, "m1", None, 1)], &[]);
    file.lists[LIMITS] = Spliced::default();
    save(file, &path, 1, 0).expect("save");
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

fn snapshot(minute: i64, used: f64) -> LimitSnapshot {
    LimitSnapshot {
        time_ms: minute * 60_000,
        limit_id: "codex".into(),
        windows: vec![crate::model::LimitWindow {
            window_minutes: 300,
            used_percent: used,
            resets_at_s: Some(minute * 60 + 18_000),
        }],
        plan_type: Some("plus".into()),
        credits: None,
        reached: None,
    }
}

#[test]
fn carried_sessions_are_the_same_bytes_as_a_file_written_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |n: u32| dir.path().join(format!("usage-{n}.bin"));
    let sessions: Vec<(Vec<UsageEvent>, Vec<LimitSnapshot>)> = (0..5)
        .map(|s| {
            let events = (0..s * 3)
                .map(|i| event(s * 100 + i * 7, ["m1", "m2"][(i % 2) as usize], None, i + 1))
                .collect();
            let limits = (0..s % 3)
                .map(|i| snapshot(s * 100 + i, i as f64))
                .collect();
            (events, limits)
        })
        .collect();
    let mut old = NextUsage::default();
    for (events, limits) in &sessions {
        old.push_read(events, limits);
    }
    let saved = save(old, &path(1), 1, 0).expect("save");
    let loaded = UsageFile::load(&path(1)).expect("load");
    assert_eq!((&saved.ends, &saved.runs), (&loaded.ends, &loaded.runs));

    // The next commit keeps sessions 0, 1, 3 and 4 and reads session 2 again (grown), last.
    let mut grown = sessions[2].clone();
    grown.0.push(event(290, "m3", Some("flex"), 99));
    grown.1.push(snapshot(291, 50.0));
    let mut from = UsageFile::load(&path(1)).expect("load");
    let mut next = from.next_empty(4, 1);
    for i in [0, 1, 3, 4] {
        next.push_moved(&from, i);
    }
    next.push_read(&grown.0, &grown.1);
    // The next quarter-hour sums, made from the last commit's as a command read them.
    let last = || UsageTable::load_quarter_hours(&path(1)).expect("load");
    let mut short = last();
    short.sessions.pop();
    assert!(
        next.quarter_hours(short).is_none(),
        "not the file carried from"
    );
    let made = next.quarter_hours(last()).expect("made");
    // The commit removes the old file beside the next update: the runs are in the pack.
    std::fs::remove_file(path(1)).expect("remove");
    save(next, &path(2), 2, 1).expect("save");
    let read = UsageTable::load_quarter_hours(&path(2)).expect("load");
    assert_eq!(made.sessions, read.sessions);
    assert_eq!(read.sessions[4], quarter_hour_sums(&grown.0));

    let mut whole = NextUsage::default();
    for (events, limits) in [0, 1, 3, 4]
        .map(|i| &sessions[i])
        .into_iter()
        .chain([&grown])
    {
        whole.push_read(&events[..], &limits[..]);
    }
    save(whole, &path(3), 3, 0).expect("save");
    let lists = |n: u32| {
        let file = UsageFile::load(&path(n)).expect("load");
        [QUARTERS, EVENTS, LIMITS].map(|k| {
            let list = file.read_list(&path(n), k).expect("read");
            list.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()
        })
    };
    assert_eq!(lists(2), lists(3));

    let table = UsageTable::load(&path(2)).expect("load");
    let (usage, limits) = table.into_sessions_with_limits(vec![0, 1, 3, 4, 2]);
    for (u, l) in usage.iter().zip(&limits) {
        let expected = if u.info == 2 {
            &grown
        } else {
            &sessions[u.info]
        };
        assert_eq!(
            (&u.events, l),
            (&expected.0, &expected.1),
            "session {}",
            u.info
        );
    }

    // Written anew, in a pack of its own: the same again, in one run per list.
    let mut from = UsageFile::load(&path(2)).expect("load");
    let mut again = from.next_empty(0, 0);
    for i in 0..5 {
        again.push_moved(&from, i);
    }
    // In each list: sessions 0-1, 3-4, then session 2 as read again.
    assert_eq!(again.carried().1, 9);
    let pack = PackWriter::for_commit(dir.path(), 4, 1, 0, usize::MAX).expect("new pack");
    let anew = again.save(&path(4), &pack).expect("save");
    assert!(anew.runs.iter().all(|r| r.count() <= 1), "{:?}", anew.runs);
    std::fs::remove_file(dir.path().join("pack-1.bin")).expect("remove");
    assert_eq!(lists(4), lists(3));
}

#[test]
fn a_file_cut_short_or_grown_is_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("usage-1.bin");
    let mut file = NextUsage::default();
    file.push_read(&[event(0, "m1", None, 1)], &[snapshot(0, 1.0)]);
    save(file, &path, 1, 0).expect("save");
    let pack = dir.path().join("pack-1.bin");
    let packed = std::fs::read(&pack).expect("read");
    std::fs::write(&pack, &packed[..packed.len() - 1]).expect("write");
    assert!(UsageFile::load(&path).is_err(), "a pack cut short");
    std::fs::write(&pack, &packed).expect("write");
    let bytes = std::fs::read(&path).expect("read");
    for cut in [
        &bytes[..bytes.len() - 1],
        &[bytes.as_slice(), b"x"].concat()[..],
    ] {
        std::fs::write(&path, cut).expect("write");
        assert!(UsageFile::load(&path).is_err());
        assert!(UsageTable::load(&path).is_err());
        assert!(UsageTable::load_quarter_hours(&path).is_err());
    }
}
