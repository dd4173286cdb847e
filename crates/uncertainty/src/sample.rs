//! The random numbers of one draw, and the shard a process runs.
//!
//! Draw `d`'s uniform numbers come from ChaCha20 keyed by the seed, on stream `d`: they
//! depend only on `(seed, d)`, never on the thread count, the shard or the draws before it.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The `count` uniform numbers in the open interval (0, 1) of draw `draw`.
pub fn uniforms(seed: u64, draw: u64, count: usize) -> Vec<f64> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(draw);
    (0..count).map(|_| open_unit(rng.next_u64())).collect()
}

/// A uniform number in the open interval (0, 1) from 64 random bits: the top 53, centred in
/// their interval, so never 0 and never 1.
pub(crate) fn open_unit(bits: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // 53 bits are exact in an f64
    let k = (bits >> 11) as f64;
    (k + 0.5) / 9_007_199_254_740_992.0
}

/// A deterministic share of the draws: shard `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based shard number, `< count`.
    pub index: u64,
    /// How many shards the draws are split into.
    pub count: u64,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// The draws of this shard: the `index`-th of `count` contiguous, near-equal blocks of
    /// `0..draws`.
    pub fn range(&self, draws: u64) -> Range<u64> {
        let bound = |i: u64| {
            u64::try_from(u128::from(draws) * u128::from(i) / u128::from(self.count))
                .unwrap_or(draws)
        };
        bound(self.index)..bound(self.index + 1)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "--shard {text:?}: expected I/K with 0 <= I < K, e.g. 0/4 (Slurm: \
                 $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT with --array=0-(K-1))"
            )
        };
        let (i, k) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = k.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn shards_partition_the_draws(draws in 0u64..5000, count in 1u64..64) {
            let mut next = 0;
            for index in 0..count {
                let r = Shard { index, count }.range(draws);
                prop_assert_eq!(r.start, next);
                next = r.end;
            }
            prop_assert_eq!(next, draws);
        }

        #[test]
        fn a_draws_numbers_depend_only_on_seed_and_draw(seed: u64, draw: u64, n in 1usize..20) {
            let a = uniforms(seed, draw, n);
            prop_assert_eq!(&a, &uniforms(seed, draw, n));
            prop_assert!(a.iter().all(|u| *u > 0.0 && *u < 1.0));
            // A longer request starts with the same numbers.
            prop_assert_eq!(&uniforms(seed, draw, n + 3)[..n], &a[..]);
        }
    }

    #[test]
    fn different_draws_differ() {
        assert_ne!(uniforms(1, 0, 4), uniforms(1, 1, 4));
        assert_ne!(uniforms(1, 0, 4), uniforms(2, 0, 4));
    }

    #[test]
    fn shard_text() {
        assert_eq!("3/8".parse::<Shard>(), Ok(Shard { index: 3, count: 8 }));
        for bad in ["8/8", "1/0", "x/2", "3", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
