//! MD5 (RFC 1321), for partition keys' hash keys and KPL aggregates'
//! checksums, never for security.
//!
//! `md-5`'s 64 steps are written out, 2.5 KB of the producer's `.wasm`.
//! Here they are one step function: the size build (`compact`, the
//! producer's `.wasm`) runs it in one loop, 0.6 KB gzipped smaller than
//! `md-5`; the speed build unrolls it by round. Both are tested against
//! `md-5` and RFC 1321's examples.

/// RFC 1321, 3.4: `T[i] = floor(2^32 × |sin(i + 1)|)`.
const T: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// RFC 1321, 3.4: each round's four left-rotation amounts.
const S: [[u32; 4]; 4] = [[7, 12, 17, 22], [5, 9, 14, 20], [4, 11, 16, 23], [6, 10, 15, 21]];

/// RFC 1321, 3.3.
const IV: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

/// Step `i` of 64 (RFC 1321, 3.4), in round `r` (`i / 16`), with the
/// round's function F, G, H or I and its choice of block word.
#[inline(always)]
fn step(v: &mut [u32; 4], x: &[u32; 16], r: usize, i: usize) {
    let [a, b, c, d] = *v;
    let (f, k) = match r {
        0 => ((b & c) | (!b & d), i),
        1 => ((b & d) | (c & !d), 5 * i + 1),
        2 => (b ^ c ^ d, 3 * i + 5),
        _ => (c ^ (b | !d), 7 * i),
    };
    let sum = a.wrapping_add(f).wrapping_add(x[k % 16]).wrapping_add(T[i]);
    *v = [d, b.wrapping_add(sum.rotate_left(S[r][i % 4])), b, c];
}

/// Round `R`'s 16 steps, with the round a constant: its function and word
/// choice are gone, and the optimiser unrolls the four steps of each turn.
#[inline(always)]
fn round<const R: usize>(v: &mut [u32; 4], x: &[u32; 16]) {
    for i in (16 * R..16 * R + 16).step_by(4) {
        step(v, x, R, i);
        step(v, x, R, i + 1);
        step(v, x, R, i + 2);
        step(v, x, R, i + 3);
    }
}

/// Hashes one 64-byte block into `state`. `rolled`: the 64 steps as one
/// loop, the size build's choice (about 1.5× slower natively, 1.6 KB
/// smaller in the producer's `.wasm`); otherwise four rounds that the speed build
/// unrolls, as fast as `md-5`'s.
fn compress(state: &mut [u32; 4], block: &[u8], rolled: bool) {
    let mut x = [0u32; 16];
    for (w, b) in x.iter_mut().zip(block.chunks_exact(4)) {
        *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
    let mut v = *state;
    if rolled {
        for i in 0..64 {
            step(&mut v, &x, i / 16, i);
        }
    } else {
        round::<0>(&mut v, &x);
        round::<1>(&mut v, &x);
        round::<2>(&mut v, &x);
        round::<3>(&mut v, &x);
    }
    for (s, v) in state.iter_mut().zip(&v) {
        *s = s.wrapping_add(*v);
    }
}

/// The MD5 digest of `data`, rolled up in builds for size (`compact`).
pub(crate) fn md5(data: &[u8]) -> [u8; 16] {
    md5_with(data, cfg!(feature = "compact"))
}

fn md5_with(data: &[u8], rolled: bool) -> [u8; 16] {
    let mut state = IV;
    let blocks = data.chunks_exact(64);
    let rest = blocks.remainder();
    for block in blocks {
        compress(&mut state, block, rolled);
    }
    // RFC 1321, 3.1 and 3.2: a 1 bit, zeros to 56 bytes mod 64, then the
    // length in bits, little-endian.
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let end = if rest.len() < 56 { 64 } else { 128 };
    tail[end - 8..end].copy_from_slice(&((data.len() as u64).wrapping_mul(8)).to_le_bytes());
    for block in tail[..end].chunks_exact(64) {
        compress(&mut state, block, rolled);
    }
    let mut out = [0u8; 16];
    for (o, s) in out.chunks_exact_mut(4).zip(&state) {
        o.copy_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{md5, md5_with};

    fn hex(d: [u8; 16]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn rfc_1321_examples() {
        // RFC 1321, A.5.
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(hex(md5(input.as_bytes())), want, "{input:?}");
            assert_eq!(hex(md5_with(input.as_bytes(), true)), want, "{input:?} rolled");
        }
    }

    #[test]
    fn every_padding_case_equals_md_5() {
        // Lengths around the one- and two-block tails (55, 56, 63, 64, …).
        use md5::Digest;
        for n in 0..=200 {
            let data: Vec<u8> = (0..n).map(|i| (i * 7 + n) as u8).collect();
            let want = <[u8; 16]>::from(md5::Md5::digest(&data));
            assert_eq!(md5_with(&data, false), want, "{n} bytes");
            assert_eq!(md5_with(&data, true), want, "{n} bytes, rolled");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn equals_md_5(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            use md5::Digest;
            let want = <[u8; 16]>::from(md5::Md5::digest(&data));
            proptest::prop_assert_eq!(md5_with(&data, false), want);
            proptest::prop_assert_eq!(md5_with(&data, true), want);
        }
    }
}
