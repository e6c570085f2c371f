//! Smooth seeded noise for terrain: value noise on a square lattice with quintic fade, summed over
//! octaves. Only `+ - * floor` on f64, so the same seed gives the same field on every platform.

use crate::rng::mix;

/// A 2D value-noise field in [-1, 1].
#[derive(Debug, Clone, Copy)]
pub struct ValueNoise {
    seed: u64,
}

fn fade(t: f64) -> f64 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

impl ValueNoise {
    /// A field for one seed.
    pub fn new(seed: u64) -> ValueNoise {
        ValueNoise { seed: mix(seed) }
    }

    fn lattice(&self, ix: i64, iy: i64) -> f64 {
        let h = mix(self.seed
            ^ (ix as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (iy as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F));
        (h >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0
    }

    /// One octave with features about `wavelength_m` across.
    pub fn at(&self, x: f64, y: f64, wavelength_m: f64) -> f64 {
        let u = x / wavelength_m;
        let v = y / wavelength_m;
        let (fu, fv) = (u.floor(), v.floor());
        let (ix, iy) = (fu as i64, fv as i64);
        let (tu, tv) = (fade(u - fu), fade(v - fv));
        let a = self.lattice(ix, iy);
        let b = self.lattice(ix + 1, iy);
        let c = self.lattice(ix, iy + 1);
        let d = self.lattice(ix + 1, iy + 1);
        let top = a + (b - a) * tu;
        let bottom = c + (d - c) * tu;
        top + (bottom - top) * tv
    }

    /// `octaves` octaves from `wavelength_m` down, each half the size and amplitude, normalised
    /// to [-1, 1].
    pub fn fbm(&self, x: f64, y: f64, wavelength_m: f64, octaves: u32) -> f64 {
        let (mut sum, mut norm, mut amp, mut wl) = (0.0, 0.0, 1.0, wavelength_m);
        for k in 0..octaves {
            // Offset each octave so lattice points do not line up.
            let off = 1000.0 * f64::from(k);
            sum += amp * self.at(x + off, y - off, wl);
            norm += amp;
            amp *= 0.5;
            wl *= 0.5;
        }
        sum / norm
    }

    /// A 1D profile along chainage.
    pub fn along(&self, s: f64, wavelength_m: f64) -> f64 {
        self.at(s, 0.5 * wavelength_m, wavelength_m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_in_range_and_is_continuous() {
        let n = ValueNoise::new(3);
        let mut prev = n.fbm(0.0, 0.0, 100.0, 3);
        for k in 1..2000 {
            let v = n.fbm(k as f64 * 0.5, 7.0, 100.0, 3);
            assert!((-1.0..=1.0).contains(&v));
            assert!((v - prev).abs() < 0.1);
            prev = v;
        }
    }
}
