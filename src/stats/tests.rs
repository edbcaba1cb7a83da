//! Unit tests of [`super`].

use super::*;

fn event(ts: &str, model: &str, input: i64, output: i64) -> UsageEvent {
    UsageEvent {
        timestamp_ms: chrono::DateTime::parse_from_rfc3339(ts)
            .expect("ts")
            .timestamp_millis(),
        model: model.into(),
        service_tier: None,
        usage: TokenUsage {
            input_tokens: input,
            cached_input_tokens: 0,
            output_tokens: output,
            reasoning_output_tokens: 0,
            total_tokens: input + output,
            cache_write_input_tokens: 0,
        },
        event_key: 0,
    }
}

fn query(grouping: Grouping, zone: &str) -> StatsQuery {
    StatsQuery {
        grouping,
        zone: Zone::parse(zone, &Zone::utc()).expect("zone"),
        since: None,
        until: None,
        model: None,
        cwd: None,
    }
}

#[test]
fn days_follow_the_zone_and_unpriced_usage_is_left_out() {
    let session = SessionUsage {
        info: SessionInfo {
            id: "s1".into(),
            ..SessionInfo::default()
        },
        events: vec![
            event("2026-03-05T20:00:00Z", "gpt-5", 1_000_000, 0),
            event("2026-03-05T10:00:00Z", "mystery", 10, 5),
        ],
    };
    let prices = PriceTable::bundled();
    let utc = compute(
        std::slice::from_ref(&session),
        &query(Grouping::Day, "UTC"),
        &prices,
    );
    assert_eq!(utc.rows.len(), 1);
    assert_eq!(utc.rows[0].amount.usage.total_tokens, 1_000_015);
    // The priced part (1M input of gpt-5 at $1.25), marked incomplete.
    assert_eq!(utc.rows[0].amount.cost_usd, Some(1.25));
    assert!(!utc.rows[0].amount.cost_complete);
    assert_eq!(utc.rows[0].amount.unpriced_models, ["mystery"]);
    assert_eq!(utc.rows[0].models["mystery"].cost_usd, None);
    assert!(utc.rows[0].models["gpt-5"].cost_complete);
    assert_eq!(utc.totals.cost_usd, Some(1.25));
    assert!(!utc.totals.cost_complete);
    assert_eq!(
        utc.unpriced.iter().map(Unpriced::label).collect::<Vec<_>>(),
        ["mystery"]
    );
    let nepal = compute(
        std::slice::from_ref(&session),
        &query(Grouping::Day, "Asia/Kathmandu"),
        &prices,
    );
    let keys: Vec<&str> = nepal.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["2026-03-05", "2026-03-06"]);
    assert_eq!(nepal.rows[1].amount.cost_usd, Some(1.25));
    assert!(nepal.rows[1].amount.cost_complete);
    assert_eq!(nepal.rows[0].amount.cost_usd, None);
    assert_eq!(nepal.totals.usage, utc.totals.usage);
}

#[test]
fn tiers_are_priced_apart_and_an_unpriced_tier_is_listed() {
    let tiered = |ts: &str, model: &str, tier: Option<&str>| UsageEvent {
        service_tier: tier.map(Into::into),
        ..event(ts, model, 1_000_000, 0)
    };
    let session = SessionUsage {
        info: SessionInfo {
            id: "s1".into(),
            ..SessionInfo::default()
        },
        events: vec![
            tiered("2026-03-05T10:00:00Z", "gpt-5", None),
            tiered("2026-03-05T11:00:00Z", "gpt-5", Some("priority")),
            tiered("2026-03-05T12:00:00Z", "gpt-5", Some("flex")),
        ],
    };
    let mut prices = PriceTable::default();
    let file: crate::pricing::PriceFile = toml::from_str(
        "[prices.\"gpt-5\"]\ninput = 1.0\noutput = 8.0\n[prices.\"gpt-5\".priority]\ninput = 2.0\noutput = 16.0\n",
    )
    .expect("toml");
    prices.apply(file);
    let report = compute(
        std::slice::from_ref(&session),
        &query(Grouping::Model, "UTC"),
        &prices,
    );
    // 1M input at $1 (standard) + 1M at $2 (priority); the flex million has no price.
    let row = &report.rows[0];
    assert_eq!(row.amount.usage.input_tokens, 3_000_000);
    assert_eq!(row.amount.cost_usd, Some(3.0));
    assert!(!row.amount.cost_complete);
    assert_eq!(row.amount.unpriced_models, ["gpt-5 (flex)"]);
    assert_eq!(report.totals, row.amount);
    assert_eq!(
        report.unpriced,
        [Unpriced {
            model: "gpt-5".into(),
            tier: Some("flex".into())
        }]
    );
}

#[test]
fn an_empty_report_costs_nothing_and_is_complete() {
    let report = compute::<SessionInfo>(&[], &query(Grouping::Day, "UTC"), &PriceTable::bundled());
    assert_eq!(report.totals.cost_usd, Some(0.0));
    assert!(report.totals.cost_complete);
    assert!(report.totals.unpriced_models.is_empty());
}

#[test]
fn projects_collapse_to_repository_root() {
    let mk = |cwd: &str, url: Option<&str>| SessionUsage {
        info: SessionInfo {
            cwd: Some(cwd.into()),
            git_repository_url: url.map(str::to_owned),
            ..SessionInfo::default()
        },
        events: vec![],
    };
    let sessions = [
        mk("/p/app", Some("git@x:r")),
        mk("/p", Some("git@x:r")),
        mk("/q", None),
        mk("/clone2/sub", Some("git@x:r")),
    ];
    assert_eq!(project_keys(&sessions), ["/p", "/p", "/q", "/clone2/sub"]);
}
