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
    let scores: FxHashMap<&str, f32> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), 1.0 + ((i * 31) % 97) as f32 * 0.013))
        .collect();
    let mut refs: Vec<&SessionInfo> = sessions.iter().collect();
    rank_by_relevance(&mut refs, &scores); // must not panic on thousands of near-ties
    let best = scores[refs[0].id.as_str()];
    assert!(scores.values().all(|s| *s <= best * NEAR_TIE));

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
    let scores: FxHashMap<&str, f32> = [("old", 10.0), ("new", 10.01), ("far", 5.0)]
        .into_iter()
        .collect();
    let mut refs = vec![&far, &old, &new];
    rank_by_relevance(&mut refs, &scores);
    let order: Vec<&str> = refs.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(order, ["new", "old", "far"]);
}

#[test]
fn the_newest_few_are_the_start_of_the_whole_order() {
    // Many equal times (ties go by id, newest-first order reversed), some with no time.
    let keys: Vec<SessionKeys> = (0..500)
        .map(|i| SessionKeys {
            id: format!("s{:03}", (i * 37) % 500),
            updated_at_ms: (i % 9 != 0).then_some(i64::from((i * 7919) % 40)),
            ..SessionKeys::default()
        })
        .collect();
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
