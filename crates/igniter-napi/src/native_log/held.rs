//! Which slots' values the JS engine holds decoded ([`HeldValues`]), so that a read of one
//! of them crosses back as the slot number alone: no record read, no string, no JSON parse.

use igniter_log::Slot;

/// One bit per slot: set when the value of the fact at that slot went to JS, which keeps it
/// decoded under the slot (`NativeEngine`'s memo). A slot is the same fact until facts are
/// removed or truncated, so every call that does either forgets all of them, as JS does.
#[derive(Debug, Default)]
pub(crate) struct HeldValues {
    bits: Vec<u64>,
}

impl HeldValues {
    /// True when JS holds the value of `slot`.
    pub(crate) fn holds(&self, slot: Slot) -> bool {
        let slot = slot as usize;
        self.bits
            .get(slot / 64)
            .is_some_and(|word| word & (1 << (slot % 64)) != 0)
    }

    /// Notes that JS now holds the value of `slot`.
    pub(crate) fn insert(&mut self, slot: Slot) {
        let slot = slot as usize;
        let word = slot / 64;
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        if let Some(bits) = self.bits.get_mut(word) {
            *bits |= 1 << (slot % 64);
        }
    }

    /// JS holds no value any more (it dropped them, or the slots changed meaning).
    pub(crate) fn clear(&mut self) {
        self.bits.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::HeldValues;

    #[test]
    fn holds_exactly_the_inserted_slots_until_cleared() {
        let mut held = HeldValues::default();
        assert!(!held.holds(0));
        held.insert(3);
        held.insert(64);
        held.insert(1_000_000);
        assert!(held.holds(3) && held.holds(64) && held.holds(1_000_000));
        assert!(!held.holds(2) && !held.holds(4) && !held.holds(65) && !held.holds(999_999));
        assert!(!held.holds(u32::MAX));
        held.clear();
        assert!(!held.holds(3) && !held.holds(64) && !held.holds(1_000_000));
    }
}
