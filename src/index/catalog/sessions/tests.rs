//! Unit tests of [`super`].

use std::io::BufWriter;

use super::*;

fn info(id: &str, title: &str) -> SessionInfo {
    SessionInfo {
        id: id.into(),
        title: Some(title.into()),
        ..SessionInfo::default()
    }
}

/// `table` written as the catalog writes it (its value, then its bytes) and read back;
/// the file is gone from its folder by then, as an old commit's is.
fn through_a_file(table: &SessionTable) -> Result<SessionTable, String> {
    let value = postcard::to_stdvec(table).expect("encode");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("table");
    let mut out = BufWriter::new(File::create(&path).expect("create"));
    out.write_all(&value).expect("write");
    table.write_bytes(&mut out).expect("write");
    drop(out);
    let mut back: SessionTable = postcard::from_bytes(&value).expect("decode");
    let file = File::open(&path).expect("open");
    let len = file.metadata().expect("stat").len() - value.len() as u64;
    back.attach(file, value.len() as u64, len)?;
    Ok(back)
}

#[test]
fn sessions_round_trip_and_decode_on_demand() {
    let mut table = SessionTable::default();
    table.push(&info("a", "first"));
    table.push(&info("b", "second"));
    table.push(&info("c", "third"));
    let back = through_a_file(&table).expect("attach");
    assert_eq!(back.len(), 3);
    assert_eq!(back.keys()[1].id, "b");
    assert_eq!(back.get(1).title.as_deref(), Some("second"));
    assert_eq!(
        back.by_id("a").and_then(|s| s.title.as_deref()),
        Some("first")
    );
    // The next table keeps a and c as ranges of the file, renames b (encoded anew), and
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
        "a and c are carried as ranges of the file"
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
    let mut again = through_a_file(&next).expect("attach");
    assert_eq!(ids(&again), ["a", "b", "c", "d"]);
    // Pushed to once read from its file, a table keeps what it had.
    again.push(&info("e", "fifth"));
    let mut all = expected.to_vec();
    all.push(info("e", "fifth"));
    assert_eq!(again.all().into_iter().cloned().collect::<Vec<_>>(), all);
    assert_eq!(through_a_file(&again).expect("attach").into_infos(), all);
}

#[test]
fn bytes_that_do_not_match_the_table_fail_to_attach_and_never_panic() {
    let mut table = SessionTable::default();
    table.push(&info("a", "first"));
    table.ends[0] += 7;
    assert!(through_a_file(&table).is_err());
    // A table used without its bytes falls back to the keys.
    let bytes = postcard::to_stdvec(&table).expect("encode");
    let bare: SessionTable = postcard::from_bytes(&bytes).expect("decode");
    assert_eq!(bare.get(0).id, "a");
    assert_eq!(bare.get(0).title, None);
}
