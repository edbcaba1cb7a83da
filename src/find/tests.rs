//! Unit tests of [`super`].

use super::*;

#[test]
fn ranking_is_a_total_order_and_prefers_recent_near_ties() {
    let sessions: Vec<SessionInfo> = (0..2000)
        .map(|i| SessionInfo {
            id: format!("s{i:04}"),
            updated_at_ms: Some((i * 7919) % 1000),
            ..SessionInfo::default()
        })
        .collect();
    let scores: Vec<f32> = (0..sessions.len())
        .map(|i| 1.0 + ((i * 31) % 97) as f32 * 0.013)
        .collect();
    let mut ranked = scored(&sessions, &scores);
    rank_by_relevance(&mut ranked, usize::MAX); // must not panic on thousands of near-ties
    assert_eq!(ranked.len(), sessions.len());
    let best = ranked[0].0;
    assert!(scores.iter().all(|s| *s <= best * NEAR_TIE));

    let old = SessionInfo {
        id: "old".into(),
        updated_at_ms: Some(1),
        ..SessionInfo::default()
    };
    let new = SessionInfo {
        id: "new".into(),
        updated_at_ms: Some(2),
        ..SessionInfo::default()
    };
    let far = SessionInfo {
        id: "far".into(),
        updated_at_ms: Some(3),
        ..SessionInfo::default()
    };
    let sessions = [far, old, new];
    let mut ranked = scored(&sessions, &[5.0, 10.0, 10.01]);
    rank_by_relevance(&mut ranked, 3);
    let order: Vec<&str> = ranked.iter().map(|s| s.2.id.as_str()).collect();
    assert_eq!(order, ["new", "old", "far"]);
    let mut ranked = scored(&sessions, &[5.0, 10.0, 10.01]);
    rank_by_relevance(&mut ranked, 0);
    assert!(ranked.is_empty());
}

/// `n` sessions with distinct ids out of order, every `untimed`-th without a time, the others
/// at one of `times` instants (so many share one).
fn shuffled(n: u32, untimed: u32, times: u32) -> Vec<SessionKeys> {
    (0..n)
        .map(|i| SessionKeys {
            id: format!("s{:03}", (i * 37) % n),
            updated_at_ms: (i % untimed != 0).then_some(i64::from((i * 7919) % times)),
            ..SessionKeys::default()
        })
        .collect()
}

/// Each session with its score and place, in the catalog's order.
fn scored<'a, S>(sessions: &'a [S], scores: &[f32]) -> Vec<(f32, usize, &'a S)> {
    sessions
        .iter()
        .zip(scores)
        .enumerate()
        .map(|(i, (s, score))| (*score, i, s))
        .collect()
}

#[test]
fn the_best_few_are_the_start_of_the_whole_ranking() {
    // Chains of near-ties (each score within NEAR_TIE of the next), equal scores and equal
    // times: the cut before sorting must not change the first places.
    let sessions = shuffled(600, 7, 50);
    let scores: Vec<f32> = (0..600)
        .map(|i| 1.0 + ((i * 13) % 61) as f32 * 0.02)
        .collect();
    let mut whole = scored(&sessions, &scores);
    rank_by_relevance(&mut whole, usize::MAX);
    let whole: Vec<usize> = whole.iter().map(|s| s.1).collect();
    for limit in [1, 2, 3, 10, 59, 300, 599, 600, 601] {
        let mut first = scored(&sessions, &scores);
        rank_by_relevance(&mut first, limit);
        let first: Vec<usize> = first.iter().map(|s| s.1).collect();
        assert_eq!(first, whole[..limit.min(600)], "limit {limit}");
    }
}

#[test]
fn the_newest_few_are_the_start_of_the_whole_order() {
    // Many equal times (ties go by id, newest-first order reversed), some with no time.
    let keys = shuffled(500, 9, 40);
    // Worked by hand: newest time first, then the larger id.
    let mut whole: Vec<(Option<i64>, &str)> = keys
        .iter()
        .map(|k| (k.updated_at_ms, k.id.as_str()))
        .collect();
    whole.sort();
    whole.reverse();
    for limit in [1, 2, 20, 499, 500, 600] {
        let all: Vec<(usize, &SessionKeys)> = keys.iter().enumerate().collect();
        let picked = newest(all, limit);
        assert_eq!(picked.len(), limit.min(500));
        for (n, (i, k)) in picked.iter().enumerate() {
            assert_eq!(keys[*i].id, k.id, "the place goes with the session");
            assert_eq!(
                (k.updated_at_ms, k.id.as_str()),
                whole[n],
                "limit {limit}, #{n}"
            );
        }
    }
}
