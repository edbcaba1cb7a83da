//! Unit tests of [`super`].

use super::*;

#[test]
fn every_row_matches_its_table() {
    let prices = PriceTable::bundled();
    let context = RowContext {
        source_id: "s",
        exported_at_ms: 0,
        prices: &prices,
        redactor: None,
        include_text: false,
    };
    let event = UsageEvent {
        timestamp_ms: 86_400_000,
        model: Arc::from("mystery"),
        usage: TokenUsage::default(),
        service_tier: None,
        event_key: 7,
    };
    let info = SessionInfo::default();
    assert_eq!(
        context.event_row("x", 7, &event).len(),
        USAGE_EVENTS.columns.len()
    );
    let row = context.session_row(&info, std::slice::from_ref(&event), "p");
    assert_eq!(row.len(), SESSIONS.columns.len());
    let mut daily = Daily::default();
    daily.add(&context, 0, "p", "c", &event);
    let rows: Vec<Vec<Cell>> = daily.rows(&context).collect();
    assert_eq!(rows[0].len(), DAILY.columns.len());
    assert_eq!(rows[0][3], Cell::Day(1));
    let message = Message {
        timestamp_ms: None,
        role: crate::model::Role::User,
        tool: None,
        text: "hi".into(),
    };
    assert_eq!(
        context.message_row("x", 0, message.clone()).len(),
        MESSAGES.columns.len()
    );
    for table in TABLES {
        assert_eq!(
            table.snapshot,
            table.columns.get(EXPORTED_AT).map(|c| c.name) == Some("exported_at")
        );
    }
}
