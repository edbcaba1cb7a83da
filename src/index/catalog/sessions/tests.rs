//! Unit tests of [`super`].

use std::path::Path;

use super::*;

fn info(id: &str, title: &str) -> SessionInfo {
    SessionInfo {
        id: id.into(),
        title: Some(title.into()),
        ..SessionInfo::default()
    }
}

/// `table` saved as a commit saves it (its value, and its bytes in pack `last` or a new one,
/// numbered `generation`) and read back; gives the pack it went to.
fn through_a_pack(
    table: &mut SessionTable,
    dir: &Path,
    generation: u64,
    last: u64,
) -> Result<(SessionTable, u64), String> {
    let (carried, runs) = table.carried();
    let pack = PackWriter::for_commit(dir, generation, last, carried, runs).expect("pack");
    let saved = table.save_bytes(&pack).expect("save");
    let value = postcard::to_stdvec(&*table).expect("encode");
    let mut back: SessionTable = postcard::from_bytes(&value).expect("decode");
    back.attach(pack.reader().expect("reader"), saved)?;
    Ok((back, pack.number()))
}

#[test]
fn sessions_round_trip_and_decode_on_demand() {
    let mut table = SessionTable::default();
    table.push(&info("a", "first"));
    table.push(&info("b", "second"));
    table.push(&info("c", "third"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (back, pack) = through_a_pack(&mut table, dir.path(), 1, 0).expect("attach");
    assert_eq!(pack, 1);
    assert_eq!(back.len(), 3);
    assert_eq!(back.keys()[1].id, "b");
    assert_eq!(back.get(1).title.as_deref(), Some("second"));
    assert_eq!(
        back.by_id("a").and_then(|s| s.title.as_deref()),
        Some("first")
    );
    // The next table keeps a and c as runs of the pack, renames b (encoded anew), and
    // adds d.
    let name = "named".to_owned();
    let (keys, carried) = back.into_carried();
    let mut next = SessionTable::carrying(&carried, 4, 0);
    for (i, keys) in keys.into_iter().enumerate() {
        let rename = (keys.id == "b").then_some(&name);
        next.carry(keys, &carried, i, rename);
    }
    next.push(&info("d", "fourth"));
    assert!(
        matches!(&next.bytes, Blob::Made { list, .. } if list.own_bytes().is_none()),
        "a and c are carried as runs of the pack"
    );
    drop(carried);
    let expected = [
        info("a", "first"),
        SessionInfo {
            thread_name: Some("named".into()),
            ..info("b", "second")
        },
        info("c", "third"),
        info("d", "fourth"),
    ];
    let ids = |t: &SessionTable| t.keys().iter().map(|k| k.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&next), ["a", "b", "c", "d"]);
    // Before it is written (read into memory), once written, and read back.
    assert_eq!(
        next.all().into_iter().cloned().collect::<Vec<_>>(),
        expected
    );
    let (mut again, pack) = through_a_pack(&mut next, dir.path(), 2, 1).expect("attach");
    assert_eq!(
        pack, 1,
        "the bytes made are appended to the pack carried from"
    );
    assert_eq!(ids(&again), ["a", "b", "c", "d"]);
    assert_eq!(
        again.all().into_iter().cloned().collect::<Vec<_>>(),
        expected
    );
    // Pushed to once read from its pack, a table keeps what it had.
    again.push(&info("e", "fifth"));
    let mut all = expected.to_vec();
    all.push(info("e", "fifth"));
    assert_eq!(again.all().into_iter().cloned().collect::<Vec<_>>(), all);
    let (mut last, pack) = through_a_pack(&mut again, dir.path(), 3, 1).expect("attach");
    // Runs: a, b renamed (appended by commit 2), c, then d and e (appended one after the
    // other by commits 2 and 3).
    assert_eq!((pack, last.carried().1), (1, 4));
    // Written anew (its pack gone): the same sessions, in one run of pack 4.
    let (carried, _) = last.carried();
    let pack = PackWriter::for_commit(dir.path(), 4, 1, carried, usize::MAX).expect("pack");
    let saved = last.save_bytes(&pack).expect("save");
    assert_eq!((pack.number(), saved.count()), (4, 1));
    std::fs::remove_file(dir.path().join("pack-1.bin")).expect("remove");
    let value = postcard::to_stdvec(&last).expect("encode");
    let mut back: SessionTable = postcard::from_bytes(&value).expect("decode");
    back.attach(pack.reader().expect("reader"), saved)
        .expect("attach");
    assert_eq!(back.into_infos(), all);
}

#[test]
fn bytes_that_do_not_match_the_table_fail_to_attach_and_never_panic() {
    let mut table = SessionTable::default();
    table.push(&info("a", "first"));
    table.ends[0] += 7;
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(through_a_pack(&mut table, dir.path(), 1, 0).is_err());
    // A table used without its bytes falls back to the keys.
    let bytes = postcard::to_stdvec(&table).expect("encode");
    let bare: SessionTable = postcard::from_bytes(&bytes).expect("decode");
    assert_eq!(bare.get(0).id, "a");
    assert_eq!(bare.get(0).title, None);
}
