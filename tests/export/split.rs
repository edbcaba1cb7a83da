//! The demo home split in two for the incremental-export test: a first export sees part of
//! it, a second the whole, and the two together must equal one full export.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::util::copy_tree;

/// The demo home split in two: `initial` lacks some sessions and has others cut at a line in
/// the middle; `finish` adds the sessions and appends the cut lines, giving the whole home.
/// Forks and their parents are left whole (a fork's events are judged against its parent's).
pub(crate) struct Split {
    pub(crate) home: PathBuf,
    withheld: Vec<(PathBuf, Vec<u8>)>,
    cut: Vec<(PathBuf, Vec<u8>)>,
}

impl Split {
    pub(crate) fn new(source: &Path, home: &Path) -> Split {
        copy_tree(source, home);
        let mut files: Vec<PathBuf> = Vec::new();
        collect_rollouts(&home.join("sessions"), &mut files);
        files.sort();
        let texts: Vec<Vec<u8>> = files
            .iter()
            .map(|f| std::fs::read(f).expect("read"))
            .collect();
        let mut related: BTreeSet<String> = BTreeSet::new();
        for text in &texts {
            let text = String::from_utf8_lossy(text);
            for part in text.split("\"forked_from_id\":\"").skip(1) {
                related.insert(part.chars().take(36).collect());
            }
        }
        let mut split = Split {
            home: home.to_path_buf(),
            withheld: Vec::new(),
            cut: Vec::new(),
        };
        for (i, (file, text)) in files.iter().zip(&texts).enumerate() {
            let name = file
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let lossy = String::from_utf8_lossy(text);
            if related.iter().any(|id| name.contains(id.as_str()))
                || lossy.contains("forked_from_id")
            {
                continue;
            }
            if i % 7 == 3 {
                std::fs::remove_file(file).expect("withhold");
                split.withheld.push((file.clone(), text.clone()));
            } else if i % 5 == 1 {
                let newlines: Vec<usize> = text
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i)
                    .collect();
                if newlines.len() < 4 {
                    continue;
                }
                let end = newlines[newlines.len() / 2] + 1;
                std::fs::write(file, &text[..end]).expect("cut");
                split.cut.push((file.clone(), text[end..].to_vec()));
            }
        }
        assert!(
            split.withheld.len() >= 2 && split.cut.len() >= 2,
            "the demo home should give sessions to add and to grow"
        );
        split
    }

    pub(crate) fn finish(&self) {
        use std::io::Write;
        for (file, text) in &self.withheld {
            std::fs::write(file, text).expect("add session");
        }
        for (file, rest) in &self.cut {
            let mut handle = std::fs::OpenOptions::new()
                .append(true)
                .open(file)
                .expect("open to append");
            handle.write_all(rest).expect("append lines");
        }
    }
}

fn collect_rollouts(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect_rollouts(&path, out);
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            out.push(path);
        }
    }
}
