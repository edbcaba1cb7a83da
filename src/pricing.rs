//! USD prices per million tokens, shipped as data (`prices.toml`) and overridable by the user.
//!
//! Cost = uncached input × input + cached input × cached_input + output × output; reasoning is
//! already inside output. A model with no price is *unpriced*: its cost is `None`, never $0.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::model::TokenUsage;

/// The price table shipped with rolldex.
const BUNDLED: &str = include_str!("../prices.toml");

/// One model's prices, USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Price {
    /// Uncached input.
    pub input: f64,
    /// Cached input.
    pub cached_input: f64,
    /// Output (reasoning included).
    pub output: f64,
}

impl Price {
    /// The cost of `usage` at this price.
    pub fn cost(&self, usage: &TokenUsage) -> f64 {
        let uncached = (usage.input_tokens - usage.cached_input_tokens).max(0) as f64;
        (uncached * self.input
            + usage.cached_input_tokens as f64 * self.cached_input
            + usage.output_tokens as f64 * self.output)
            / 1_000_000.0
    }
}

/// The shape of `prices.toml` and of the price part of the user's config.
#[derive(Debug, Default, Deserialize)]
pub struct PriceFile {
    /// When the bundled figures were last checked.
    #[serde(default)]
    pub checked: Option<String>,
    /// Model id → price.
    #[serde(default, alias = "prices")]
    pub models: BTreeMap<String, PriceEntry>,
    /// Model id → the model whose price it shares.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
}

/// A price entry as written (a `source` note is allowed and ignored).
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct PriceEntry {
    input: f64,
    cached_input: Option<f64>,
    output: f64,
}

/// Prices and aliases in force for this run.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    prices: HashMap<String, Price>,
    /// Aliases used for pricing only (dated snapshots of a priced model).
    aliases: HashMap<String, String>,
    /// The user's aliases: reports also group under the target name.
    renames: HashMap<String, String>,
    /// When the bundled figures were last checked.
    pub checked: Option<String>,
}

impl PriceTable {
    /// The bundled table.
    pub fn bundled() -> PriceTable {
        let file: PriceFile = toml::from_str(BUNDLED).unwrap_or_default();
        let mut table = PriceTable {
            checked: file.checked.clone(),
            ..PriceTable::default()
        };
        for (alias, target) in &file.aliases {
            table
                .aliases
                .insert(alias.to_ascii_lowercase(), target.to_ascii_lowercase());
        }
        table.apply(PriceFile {
            aliases: BTreeMap::new(),
            ..file
        });
        table
    }

    /// Adds or replaces prices, and adds the user's aliases (which rename models in reports).
    pub fn apply(&mut self, file: PriceFile) {
        for (model, entry) in file.models {
            let price = Price {
                input: entry.input,
                cached_input: entry.cached_input.unwrap_or(entry.input),
                output: entry.output,
            };
            self.prices.insert(model.to_ascii_lowercase(), price);
        }
        for (alias, target) in file.aliases {
            self.renames
                .insert(alias.to_ascii_lowercase(), target.to_ascii_lowercase());
        }
    }

    /// The model name reports group under: the user's alias target, else the name as written.
    pub fn report_name<'m>(&'m self, model: &'m str) -> &'m str {
        if self.renames.is_empty() {
            return model; // the common case, once per usage event: no allocation
        }
        self.renames
            .get(&model.to_ascii_lowercase())
            .map_or(model, String::as_str)
    }

    /// The price of `model` (after either kind of alias), if known.
    pub fn price(&self, model: &str) -> Option<Price> {
        let mut name = model.to_ascii_lowercase();
        for _ in 0..4 {
            if let Some(price) = self.prices.get(&name) {
                return Some(*price);
            }
            match self.renames.get(&name).or_else(|| self.aliases.get(&name)) {
                Some(next) => name.clone_from(next),
                None => return None,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_parses_and_prices_corpus_models() {
        let table = PriceTable::bundled();
        assert!(table.checked.is_some());
        for model in [
            "gpt-5",
            "gpt-5-codex",
            "gpt-5.1-codex",
            "gpt-5.2-codex",
            "gpt-5.3-codex",
            "gpt-5.4",
            "gpt-5.5",
        ] {
            assert!(table.price(model).is_some(), "{model} has no price");
        }
        assert!(table.price("unknown").is_none());
    }

    #[test]
    fn cost_formula() {
        let price = Price {
            input: 1.25,
            cached_input: 0.125,
            output: 10.0,
        };
        let usage = TokenUsage {
            input_tokens: 1_000_000,
            cached_input_tokens: 400_000,
            output_tokens: 100_000,
            reasoning_output_tokens: 50_000,
            total_tokens: 1_100_000,
        };
        // 600k × 1.25 + 400k × 0.125 + 100k × 10 = 0.75 + 0.05 + 1.0
        assert!((price.cost(&usage) - 1.8).abs() < 1e-9);
    }

    #[test]
    fn user_entries_override_and_alias() {
        let mut table = PriceTable::bundled();
        let file: PriceFile = toml::from_str("[prices.\"my-model\"]\ninput = 2.0\noutput = 4.0\n[aliases]\n\"Corp-GPT\" = \"gpt-5\"\n").expect("toml");
        table.apply(file);
        assert_eq!(table.price("my-model").map(|p| p.cached_input), Some(2.0));
        assert_eq!(table.price("corp-gpt"), table.price("gpt-5"));
        assert_eq!(table.report_name("Corp-GPT"), "gpt-5");
        assert_eq!(table.price("gpt-5-2025-08-07"), table.price("gpt-5"));
        assert_eq!(table.report_name("gpt-5-2025-08-07"), "gpt-5-2025-08-07");
    }
}
