//! What a load reports per store, in the three parallel arrays JS reads (`tallyStores`,
//! `tallyFacts`, `tallyBytes`): shared by the file replay and the PostgreSQL COPY load.

use igniter_log::replay::StoreTally;
use igniter_log::FactLog;

/// The stores of `log` that got facts in `tally` (indexed by store id), with their fact counts
/// and bytes at the same index; stores that got none are left out.
pub(crate) fn store_tallies(
    log: &FactLog,
    tally: &[StoreTally],
) -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let mut stores = Vec::new();
    let mut facts = Vec::new();
    let mut bytes = Vec::new();
    for (index, store) in tally.iter().enumerate() {
        if store.facts == 0 {
            continue;
        }
        stores.push(log.store_name(index as u32).unwrap_or_default().to_owned());
        facts.push(store.facts as f64);
        bytes.push(store.bytes as f64);
    }
    (stores, facts, bytes)
}
