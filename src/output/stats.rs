//! Renders a usage [`Report`] as a table, JSON, JSONL or CSV.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment};

use super::{Format, csv_field, money, new_table, sanitize, thousands, write_json, write_jsonl};
use crate::stats::{Amount, Report, Unpriced};

/// Writes `report` in `format`; `breakdown` adds a row per model under each row (table, CSV).
/// A table is fitted to `columns` (see [`new_table`]).
pub fn write_report(
    out: &mut dyn Write,
    report: &Report,
    format: Format,
    breakdown: bool,
    columns: Option<u16>,
) -> io::Result<()> {
    match format {
        Format::Json => write_json(out, report),
        Format::Jsonl => write_jsonl(out, &report.rows),
        Format::Csv => write_csv(out, report, breakdown),
        Format::Table => write_table(out, report, breakdown, columns),
    }
}

fn amount_cells(amount: &Amount) -> Vec<String> {
    let u = &amount.usage;
    vec![
        thousands(u.input_tokens),
        thousands(u.cached_input_tokens),
        thousands(u.output_tokens),
        thousands(u.reasoning_output_tokens),
        thousands(u.total_tokens),
        cost_cell(amount),
    ]
}

/// `$1.23`; `unpriced` when no part has a price; `≥ $1.23*` when only a part has one.
fn cost_cell(amount: &Amount) -> String {
    match amount.cost_usd {
        Some(_) if !amount.cost_complete => format!("≥ {}*", money(amount.cost_usd)),
        cost => money(cost),
    }
}

fn write_table(
    out: &mut dyn Write,
    report: &Report,
    breakdown: bool,
    columns: Option<u16>,
) -> io::Result<()> {
    if report.rows.is_empty() {
        return writeln!(out, "No usage found (tz {}).", report.tz);
    }
    let key_title = match report.group_by {
        "day" => "Date",
        "week" => "Week of",
        "month" => "Month",
        "session" => "Session",
        "model" => "Model",
        "project" => "Project",
        _ => "Client",
    };
    let mut table = new_table(
        &[
            key_title,
            "Models",
            "Input",
            "Cached",
            "Output",
            "Reasoning",
            "Total",
            "Cost",
        ],
        columns,
    );
    for column in 2..8 {
        if let Some(col) = table.column_mut(column) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    for row in &report.rows {
        // Keys (session ids, projects, clients) and model names come from the data.
        let mut cells = vec![
            sanitize(&row.key).into_owned(),
            sanitize(&model_list(row.models.keys())).into_owned(),
        ];
        cells.extend(amount_cells(&row.amount));
        table.add_row(cells);
        if breakdown && row.models.len() > 1 {
            for (model, amount) in &row.models {
                let mut cells = vec![String::new(), format!("└ {}", sanitize(model))];
                cells.extend(amount_cells(amount));
                table.add_row(cells);
            }
        }
    }
    let mut total = vec![Cell::new("Total"), Cell::new("")];
    total.extend(amount_cells(&report.totals).into_iter().map(Cell::new));
    table.add_row(total);
    writeln!(out, "{table}")?;
    writeln!(out, "Times in {}; cost in USD at API prices.", report.tz)?;
    let partial = report
        .rows
        .iter()
        .flat_map(|row| std::iter::once(&row.amount).chain(row.models.values()))
        .chain(std::iter::once(&report.totals))
        .any(|a| !a.cost_complete && a.cost_usd.is_some());
    if !report.unpriced.is_empty() {
        let names: Vec<String> = report.unpriced.iter().map(Unpriced::label).collect();
        let names = sanitize(&names.join(", ")).into_owned();
        if partial {
            writeln!(
                out,
                "* Priced part only (the cost is at least this): no price for {names}."
            )?;
        } else {
            writeln!(out, "No price for {names}.")?;
        }
    }
    Ok(())
}

/// Up to three model names, then a count of the rest.
fn model_list<'a>(models: impl ExactSizeIterator<Item = &'a String>) -> String {
    let total = models.len();
    let mut names: Vec<&str> = models.take(3).map(String::as_str).collect();
    let more = format!("+{} more", total.saturating_sub(3));
    if total > 3 {
        names.push(&more);
    }
    names.join(", ")
}

fn write_csv(out: &mut dyn Write, report: &Report, breakdown: bool) -> io::Result<()> {
    writeln!(
        out,
        "key,model,input_tokens,cached_input_tokens,cache_write_input_tokens,output_tokens,reasoning_output_tokens,total_tokens,cost_usd,cost_complete"
    )?;
    let line = |out: &mut dyn Write, key: &str, model: &str, a: &Amount| -> io::Result<()> {
        let u = &a.usage;
        let cost = a.cost_usd.map(|c| format!("{c:.6}")).unwrap_or_default();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            csv_field(key),
            csv_field(model),
            u.input_tokens,
            u.cached_input_tokens,
            u.cache_write_input_tokens,
            u.output_tokens,
            u.reasoning_output_tokens,
            u.total_tokens,
            cost,
            a.cost_complete
        )
    };
    for row in &report.rows {
        if breakdown {
            for (model, amount) in &row.models {
                line(out, &row.key, model, amount)?;
            }
        } else {
            line(out, &row.key, "", &row.amount)?;
        }
    }
    Ok(())
}
