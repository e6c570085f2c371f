//! The drill's randomness: SplitMix64, seeded by the script, so a drill replays exactly and never
//! changes with a crate upgrade.

/// A small, fast, seedable generator.
#[derive(Debug, Clone)]
pub struct DrillRng(u64);

impl DrillRng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> DrillRng {
        DrillRng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }
}
