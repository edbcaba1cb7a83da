//! The generated demo home (`testdata/demo-home`) against its truth table
//! (`testdata/demo-home.truth.tsv`: `day model input cached output reasoning total`, tab-separated,
//! an optional header line). Skipped while either is absent.

use std::collections::BTreeMap;

use crate::util::{repo_path, stats_json, usage};

#[allow(clippy::print_stdout)] // the only way to say why the test did nothing
#[test]
fn demo_home_matches_its_truth_table() {
    let home = repo_path("testdata/demo-home");
    let truth = repo_path("testdata/demo-home.truth.tsv");
    if !home.is_dir() || !truth.is_file() {
        println!("testdata/demo-home or its truth TSV is missing: skipping");
        return;
    }
    let text = std::fs::read_to_string(&truth).expect("truth TSV");
    let mut want: BTreeMap<(String, String), [i64; 5]> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let f: Vec<&str> = line.split('\t').collect();
        if chrono::NaiveDate::parse_from_str(f[0], "%Y-%m-%d").is_err() {
            continue; // header
        }
        assert!(f.len() >= 7, "short truth line: {line}");
        let n = |i: usize| f[i].trim().parse::<i64>().expect("number");
        let cell = want.entry((f[0].to_owned(), f[1].to_owned())).or_default();
        for (c, v) in cell.iter_mut().zip([n(2), n(3), n(4), n(5), n(6)]) {
            *c += v;
        }
    }
    assert!(!want.is_empty(), "empty truth table");
    let (report, _) = stats_json(&home, "UTC", &["daily"]);
    let mut got: BTreeMap<(String, String), [i64; 5]> = BTreeMap::new();
    for row in report["rows"].as_array().expect("rows") {
        let day = row["key"].as_str().expect("key");
        for (model, amount) in row["models"].as_object().expect("models") {
            got.insert((day.to_owned(), model.clone()), usage(amount));
        }
    }
    assert_eq!(got, want);
}
