//! USD prices per million tokens, shipped as data (`prices.toml`) and overridable by the user.
//!
//! Cost = uncached input × input + cached input × cached_input + output × output; reasoning is
//! already inside output. A model with no price is *unpriced*: its cost is `None`, never $0.
//! A service tier (`priority`, `flex`) has its own prices where OpenAI publishes them; usage on a
//! tier without a price is unpriced too (never the standard price, never a guessed multiple).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::TokenUsage;

/// The price table shipped with rolldex.
const BUNDLED: &str = include_str!("../prices.toml");

/// The highest price accepted, USD per million tokens (the dearest model listed is far below).
pub const MAX_PRICE: f64 = 10_000.0;

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
#[derive(Debug, Clone, Default, Deserialize)]
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

/// A price entry as written: the standard prices, and a table per service tier that has its
/// own (a `source` note is allowed and ignored).
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct PriceEntry {
    input: f64,
    cached_input: Option<f64>,
    output: f64,
    /// `[models."…".priority]`: the Priority tier (Codex's Fast mode).
    #[serde(default)]
    priority: Option<TierEntry>,
    /// `[models."…".flex]`: the Flex tier.
    #[serde(default)]
    flex: Option<TierEntry>,
}

/// One tier's prices as written.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct TierEntry {
    input: f64,
    cached_input: Option<f64>,
    output: f64,
}

impl TierEntry {
    fn price(self) -> Price {
        Price {
            input: self.input,
            cached_input: self.cached_input.unwrap_or(self.input),
            output: self.output,
        }
    }

    /// The first field (`prefix` + name) that is not a plausible price, with its value.
    fn invalid_field(&self, prefix: &str) -> Option<(String, f64)> {
        [
            ("input", Some(self.input)),
            ("cached_input", self.cached_input),
            ("output", Some(self.output)),
        ]
        .into_iter()
        .find_map(|(name, value)| {
            value
                .filter(|v| !is_valid_price(*v))
                .map(|v| (format!("{prefix}{name}"), v))
        })
    }
}

impl PriceEntry {
    fn standard(&self) -> TierEntry {
        TierEntry {
            input: self.input,
            cached_input: self.cached_input,
            output: self.output,
        }
    }

    /// The first field that is not a plausible price (negative, NaN, infinite or above
    /// [`MAX_PRICE`]), named as written (`input`, `priority.output`, …), with its value.
    pub fn invalid_field(&self) -> Option<(String, f64)> {
        self.standard()
            .invalid_field("")
            .or_else(|| self.priority.and_then(|t| t.invalid_field("priority.")))
            .or_else(|| self.flex.and_then(|t| t.invalid_field("flex.")))
    }
}

/// A finite price from 0 to [`MAX_PRICE`] USD per million tokens.
pub fn is_valid_price(value: f64) -> bool {
    value.is_finite() && (0.0..=MAX_PRICE).contains(&value)
}

/// A model's prices: standard, and each tier that has a published (or configured) price.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ModelPrices {
    standard: Price,
    priority: Option<Price>,
    flex: Option<Price>,
}

/// Prices and aliases in force for this run.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    prices: HashMap<String, ModelPrices>,
    /// Aliases used for pricing only (dated snapshots of a priced model).
    aliases: HashMap<String, String>,
    /// The user's aliases: reports also group under the target name.
    renames: HashMap<String, String>,
    /// When the bundled figures were last checked.
    pub checked: Option<String>,
}

/// The prices in force for a run, made on first use: the bundled table and the user's
/// entries on top. Reading the bundled table is a TOML parse of about a million
/// instructions, and listing, searching or resuming sessions never prices anything.
#[derive(Debug, Clone)]
pub struct Prices {
    user: PriceFile,
    table: OnceLock<PriceTable>,
}

impl Prices {
    /// The bundled prices with `user`'s on top (applied when first needed).
    pub fn new(user: PriceFile) -> Prices {
        Prices {
            user,
            table: OnceLock::new(),
        }
    }
}

impl std::ops::Deref for Prices {
    type Target = PriceTable;

    fn deref(&self) -> &PriceTable {
        self.table.get_or_init(|| {
            let mut table = PriceTable::bundled();
            table.apply(self.user.clone());
            table
        })
    }
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

    /// Adds or replaces prices (an entry replaces the model's whole entry, tiers included), and
    /// adds the user's aliases (which rename models in reports).
    pub fn apply(&mut self, file: PriceFile) {
        for (model, entry) in file.models {
            let prices = ModelPrices {
                standard: entry.standard().price(),
                priority: entry.priority.map(TierEntry::price),
                flex: entry.flex.map(TierEntry::price),
            };
            self.prices.insert(model.to_ascii_lowercase(), prices);
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

    /// The standard price of `model` (after either kind of alias), if known.
    pub fn price(&self, model: &str) -> Option<Price> {
        self.price_for(model, None)
    }

    /// The price of `model` (after either kind of alias) on service tier `tier` (`None`: the
    /// standard tier), if known. A tier the model has no price for is unpriced: `None`.
    pub fn price_for(&self, model: &str, tier: Option<&str>) -> Option<Price> {
        let prices = self.model_prices(model)?;
        match tier {
            None | Some("default" | "standard" | "auto") => Some(prices.standard),
            Some("priority" | "fast") => prices.priority,
            Some("flex") => prices.flex,
            Some(_) => None,
        }
    }

    fn model_prices(&self, model: &str) -> Option<ModelPrices> {
        let mut name = model.to_ascii_lowercase();
        for _ in 0..4 {
            if let Some(prices) = self.prices.get(&name) {
                return Some(*prices);
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
    fn bundled_prices_are_valid_and_tiers_are_only_the_published_ones() {
        let file: PriceFile = toml::from_str(BUNDLED).expect("prices.toml parses");
        for (model, entry) in &file.models {
            assert_eq!(entry.invalid_field(), None, "{model}");
        }
        let table = PriceTable::bundled();
        let priority = |m: &str| table.price_for(m, Some("priority"));
        assert_eq!(
            priority("gpt-5.5"),
            Some(Price {
                input: 12.5,
                cached_input: 1.25,
                output: 75.0
            })
        );
        // A dated snapshot follows its alias, tier and all.
        assert_eq!(priority("gpt-5-2025-08-07"), priority("gpt-5"));
        assert!(priority("gpt-5").is_some());
        // Not on OpenAI's priority page: unpriced, not the standard price.
        assert_eq!(priority("gpt-5.3-codex"), None);
        assert_eq!(priority("gpt-5.2-codex"), None);
        assert!(table.price_for("gpt-5.3-codex", None).is_some());
        // No flex table is shipped; an unknown tier has no price either.
        assert_eq!(table.price_for("gpt-5", Some("flex")), None);
        assert_eq!(table.price_for("gpt-5", Some("scale")), None);
        assert_eq!(
            table.price_for("gpt-5", Some("default")),
            table.price("gpt-5")
        );
    }

    #[test]
    fn implausible_prices_are_named() {
        let entry = |text: &str| -> PriceEntry { toml::from_str(text).expect("toml") };
        assert_eq!(
            entry("input = -1\noutput = 2").invalid_field(),
            Some(("input".into(), -1.0))
        );
        let (field, value) = entry("input = 1\ncached_input = nan\noutput = 2")
            .invalid_field()
            .expect("nan");
        assert_eq!(field, "cached_input");
        assert!(value.is_nan());
        assert_eq!(
            entry("input = 1\noutput = 1e308").invalid_field(),
            Some(("output".into(), 1e308))
        );
        assert_eq!(
            entry("input = 1\noutput = 2\n[priority]\ninput = inf\noutput = 2").invalid_field(),
            Some(("priority.input".into(), f64::INFINITY))
        );
        assert_eq!(
            entry("input = 0\noutput = 10000\nsource = \"x\"").invalid_field(),
            None
        );
    }

    #[test]
    fn a_user_entry_replaces_the_tiers_too() {
        let mut table = PriceTable::bundled();
        let file: PriceFile =
            toml::from_str("[prices.\"gpt-5\"]\ninput = 1.0\noutput = 2.0\n").expect("toml");
        table.apply(file);
        assert_eq!(table.price_for("gpt-5", Some("priority")), None);
        let file: PriceFile = toml::from_str(
            "[prices.\"gpt-5\"]\ninput = 1.0\noutput = 2.0\n[prices.\"gpt-5\".priority]\ninput = 3.0\noutput = 4.0\n",
        )
        .expect("toml");
        table.apply(file);
        assert_eq!(
            table.price_for("gpt-5", Some("priority")),
            Some(Price {
                input: 3.0,
                cached_input: 3.0,
                output: 4.0
            })
        );
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
            cache_write_input_tokens: 0,
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
