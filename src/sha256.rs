//! SHA-256 and HMAC-SHA256 for SigV4, over `sha2`'s compression function.
//!
//! `sha2` does the hashing ([`sha2::compress256`]); this is only the
//! buffering, padding and HMAC around it. The `digest` crate's generic
//! wrappers (`CoreWrapper`, `CtVariableCoreWrapper`, `hmac`'s `HmacCore`)
//! did the same in 0.75 KB more of the producer's `.wasm` (0.42 KB
//! gzipped), for no speed (measured side by side).
//! Tested against `sha2::Sha256` and `hmac::Hmac` (and by every SigV4
//! vector).

/// FIPS 180-4, 5.3.3.
const IV: [u32; 8] =
    [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// A SHA-256 in progress.
#[derive(Clone)]
pub(crate) struct Sha256 {
    state: [u32; 8],
    /// Bytes of the block being filled (`len % 64` of them are used).
    block: [u8; 64],
    /// Bytes hashed so far.
    len: u64,
}

fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    sha2::compress256(state, core::slice::from_ref(block.into()));
}

impl Sha256 {
    pub(crate) fn new() -> Sha256 {
        Sha256 { state: IV, block: [0; 64], len: 0 }
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        let used = (self.len % 64) as usize;
        self.len += data.len() as u64;
        if used > 0 {
            let take = data.len().min(64 - used);
            let (head, rest) = data.split_at(take);
            self.block[used..used + take].copy_from_slice(head);
            data = rest;
            if used + take < 64 {
                return;
            }
            compress(&mut self.state, &self.block);
        }
        let mut blocks = data.chunks_exact(64);
        for b in &mut blocks {
            if let Ok(block) = <&[u8; 64]>::try_from(b) {
                compress(&mut self.state, block);
            }
        }
        let rest = blocks.remainder();
        self.block[..rest.len()].copy_from_slice(rest);
    }

    pub(crate) fn finalize(mut self) -> [u8; 32] {
        let bits = self.len.wrapping_mul(8);
        let used = (self.len % 64) as usize;
        self.block[used] = 0x80;
        self.block[used + 1..].fill(0);
        if used >= 56 {
            compress(&mut self.state, &self.block);
            self.block = [0; 64];
        }
        self.block[56..].copy_from_slice(&bits.to_be_bytes());
        compress(&mut self.state, &self.block);
        let mut out = [0u8; 32];
        for (o, s) in out.chunks_exact_mut(4).zip(&self.state) {
            o.copy_from_slice(&s.to_be_bytes());
        }
        out
    }

    /// `SHA-256(data)`.
    pub(crate) fn digest(data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(data);
        h.finalize()
    }
}

/// An HMAC-SHA256 in progress (RFC 2104). Cloning one keyed but not yet
/// fed reuses its key: both pads are already hashed.
#[derive(Clone)]
pub(crate) struct HmacSha256 {
    inner: Sha256,
    outer: Sha256,
}

impl HmacSha256 {
    /// Keyed with `key` (any length; longer than a block, it is hashed).
    pub(crate) fn new(key: &[u8]) -> HmacSha256 {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| {
            // A loop, not `k.map(…)`, whose array machinery is 0.1 KB of
            // the producer's `.wasm`.
            let mut padded = k;
            for b in &mut padded {
                *b ^= byte;
            }
            let mut h = Sha256::new();
            h.update(&padded);
            h
        };
        HmacSha256 { inner: pad(0x36), outer: pad(0x5c) }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    pub(crate) fn finalize(self) -> [u8; 32] {
        let mut outer = self.outer;
        outer.update(&self.inner.finalize());
        outer.finalize()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use hmac::Mac;
    use proptest::prelude::*;
    use sha2::Digest;

    proptest! {
        #[test]
        fn equals_sha2_and_hmac(data in proptest::collection::vec(any::<u8>(), 0..300), cuts in proptest::collection::vec(0usize..300, 0..4), key in proptest::collection::vec(any::<u8>(), 0..150)) {
            // Fed in pieces, at every kind of boundary.
            let mut h = Sha256::new();
            let mut m = HmacSha256::new(&key);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort_unstable();
            let mut from = 0;
            for c in cuts.into_iter().chain([data.len()]) {
                h.update(&data[from..c]);
                m.update(&data[from..c]);
                from = c;
            }
            prop_assert_eq!(h.finalize(), <[u8; 32]>::from(sha2::Sha256::digest(&data)));
            let mut want = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
            want.update(&data);
            prop_assert_eq!(m.finalize(), <[u8; 32]>::from(want.finalize().into_bytes()));
        }
    }

    #[test]
    fn lengths_around_the_padding_boundaries() {
        for n in 0..200 {
            let data: Vec<u8> = (0..n).map(|i| i as u8).collect();
            assert_eq!(Sha256::digest(&data), <[u8; 32]>::from(sha2::Sha256::digest(&data)), "{n}");
        }
        let big = vec![7u8; 1 << 20];
        assert_eq!(Sha256::digest(&big), <[u8; 32]>::from(sha2::Sha256::digest(&big)));
    }
}
