//! FNV-1a hashing for the core's hash maps: fast for short keys, and needs
//! no random source (std's SipHash keys need one, which the core does not
//! read). Every map hashes keys of the caller's own records or the
//! service's shards, so flooding is not a concern.

use core::hash::{BuildHasherDefault, Hasher};

/// The FNV-1a hasher.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map hashed with [`Fnv`].
pub(crate) type FnvMap<K, V> = hashbrown::HashMap<K, V, BuildHasherDefault<Fnv>>;
