//! From text to the codeword sequence of a QR symbol (ISO/IEC 18004 model 2,
//! §7.4–7.6): the optimal split into numeric, alphanumeric and byte segments,
//! the smallest version that holds them, padding, and Reed–Solomon blocks
//! interleaved. Non-ASCII text (UTF-8) always goes in byte mode, never in
//! Kanji mode, so readers show exactly the input.

use super::rs;
use super::EcLevel;

/// Error-correction codewords per block, by level (L, M, Q, H) and version − 1.
const EC_PER_BLOCK: [[u8; 40]; 4] = [
    [7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
    [13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    [17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];

/// Error-correction blocks, by level (L, M, Q, H) and version − 1 (not
/// shipped: [`BLOCK_STEPS`] is).
const BLOCKS: [[u8; 40]; 4] = [
    [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
    [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
    [1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
    [1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];

/// [`BLOCKS`] as steps from the version before, wrapping (`BLOCKS[l][v]` is
/// the wrapping sum of `BLOCK_STEPS[l][..=v]`): small repeated numbers that
/// compress better in the wasm than the growing counts.
static BLOCK_STEPS: [[u8; 40]; 4] = steps(BLOCKS);

const fn steps(table: [[u8; 40]; 4]) -> [[u8; 40]; 4] {
    let mut out = table;
    let mut l = 0;
    while l < 4 {
        let mut v = 1;
        while v < 40 {
            out[l][v] = table[l][v].wrapping_sub(table[l][v - 1]);
            v += 1;
        }
        l += 1;
    }
    out
}

/// The bracket of versions sharing one set of character-count widths: 1–9, 10–26, 27–40.
fn bracket_of(version: u8) -> usize {
    usize::from(version >= 10) + usize::from(version >= 27)
}

/// Character-count bits by bracket and mode (numeric, alphanumeric, byte).
const COUNT_BITS: [[u8; 3]; 3] = [[10, 9, 8], [12, 11, 16], [14, 13, 16]];

/// Cost of one character in sixths of a bit, by mode: 10/3, 11/2 and 8 bits.
const RATE: [u8; 3] = [20, 33, 48];

/// Most characters any symbol holds (numeric, version 40-L): longer text is refused before any work.
const MAX_CHARS: usize = 7089;

/// Codewords of the data region (data and error correction) of `version`: the
/// modules not taken by function patterns, format and version information,
/// over 8 (the few remainder bits are dropped).
pub(super) fn total_codewords(version: u8) -> usize {
    let v = usize::from(version);
    let mut modules = (16 * v + 128) * v + 64;
    if v >= 2 {
        let align = v / 7 + 2;
        modules -= (25 * align - 10) * align - 55;
        if v >= 7 {
            modules -= 36;
        }
    }
    modules / 8
}

/// `(blocks, error-correction codewords per block)` for `version` at `level`.
fn block_layout(version: u8, level: EcLevel) -> (usize, usize) {
    let (l, v) = (level as usize, usize::from(version) - 1);
    let mut blocks = 0u8;
    for &step in &BLOCK_STEPS[l][..=v] {
        blocks = blocks.wrapping_add(step);
    }
    (usize::from(blocks), usize::from(EC_PER_BLOCK[l][v]))
}

/// Data codewords of `version` at `level`.
pub(super) fn data_capacity(version: u8, level: EcLevel) -> usize {
    let (blocks, ec) = block_layout(version, level);
    total_codewords(version) - blocks * ec
}

/// The alphanumeric-mode value of `b` (`0-9`, `A-Z`, space, `$%*+-./:`).
fn alnum_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        _ => b" $%*+-./:".iter().position(|&s| s == b).map(|i| i as u32 + 36),
    }
}

/// Chooses the mode of every byte of `text` so that the bit stream for the
/// versions of `bracket` is as short as possible; writes them to `modes`
/// (0 numeric, 1 alphanumeric, 2 byte) and returns the stream's length in
/// bits. Dynamic programming over (position, mode of the open segment).
fn segment(text: &[u8], bracket: usize, modes: &mut Vec<u8>) -> usize {
    const NONE: u32 = u32::MAX / 4;
    let head = COUNT_BITS[bracket].map(|bits| (4 + u32::from(bits)) * 6);
    // `cost[m]`: cheapest encoding of the text so far whose last segment,
    // still open, is in mode m. Per byte, `modes` first records each mode's
    // predecessor (two bits per mode), then the backward pass overwrites it.
    let mut cost = [NONE; 3];
    modes.clear();
    for &b in text {
        let (closed, from) = cheapest(&cost);
        let closed = if cost == [NONE; 3] { 0 } else { closed };
        let allowed = [b.is_ascii_digit(), alnum_value(b).is_some(), true];
        let mut links = 0u8;
        let mut next = [NONE; 3];
        for m in 0..3 {
            if !allowed[m] {
                continue;
            }
            let (base, prev) = if cost[m] <= closed + head[m] { (cost[m], m as u8) } else { (closed + head[m], from) };
            next[m] = base + u32::from(RATE[m]);
            links |= prev << (2 * m);
        }
        cost = next;
        modes.push(links);
    }
    let (best, mut mode) = cheapest(&cost);
    for slot in modes.iter_mut().rev() {
        let prev = (*slot >> (2 * mode)) & 3;
        *slot = mode;
        mode = prev;
    }
    best as usize / 6
}

/// The cheapest of three open segments' costs once closed (rounded up to a
/// whole bit, in sixths) and its mode, the lowest mode among equals.
fn cheapest(cost: &[u32; 3]) -> (u32, u8) {
    let mut best = (u32::MAX, 0);
    for (m, &c) in cost.iter().enumerate() {
        let closed = c.div_ceil(6) * 6;
        if closed < best.0 {
            best = (closed, m as u8);
        }
    }
    best
}

/// Appends bits to a byte vector, most significant first.
struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    len: u32,
}

impl BitWriter {
    /// Appends the low `len` (at most 16) bits of `value`.
    fn put(&mut self, value: u32, len: u32) {
        self.acc = self.acc << len | u64::from(value & ((1 << len) - 1));
        self.len += len;
        while self.len >= 8 {
            self.len -= 8;
            self.bytes.push((self.acc >> self.len) as u8);
        }
    }
}

/// Writes the segments (runs of equal `modes`) of `text` for a version of `bracket`.
fn write_segments(text: &[u8], modes: &[u8], bracket: usize, out: &mut BitWriter) {
    let mut start = 0;
    while start < text.len() {
        let mode = modes[start];
        let end = modes[start..].iter().position(|&m| m != mode).map_or(text.len(), |n| start + n);
        let run = &text[start..end];
        out.put(1 << mode, 4);
        out.put(run.len() as u32, COUNT_BITS[bracket][usize::from(mode)].into());
        match mode {
            0 => {
                for group in run.chunks(3) {
                    let value = group.iter().fold(0, |acc, &d| acc * 10 + u32::from(d - b'0'));
                    out.put(value, 3 * group.len() as u32 + 1);
                }
            }
            1 => {
                for pair in run.chunks(2) {
                    let value = pair.iter().fold(0, |acc, &c| acc * 45 + alnum_value(c).unwrap_or(0));
                    out.put(value, 5 * pair.len() as u32 + 1);
                }
            }
            _ => run.iter().for_each(|&b| out.put(u32::from(b), 8)),
        }
        start = end;
    }
}

/// The smallest version (1–40) that holds `text` at `level` and its data
/// codewords (segments, terminator and padding), or `None` when even version
/// 40 is too small.
pub(super) fn encode(text: &[u8], level: EcLevel) -> Option<(u8, Vec<u8>)> {
    if text.len() > MAX_CHARS {
        return None;
    }
    let mut modes = Vec::new();
    // The segmentation depends only on the bracket: computed again when it changes.
    let (mut bracket, mut bits) = (usize::MAX, 0);
    let mut version = 1;
    loop {
        let b = bracket_of(version);
        if b != bracket {
            (bracket, bits) = (b, segment(text, b, &mut modes));
        }
        if bits <= data_capacity(version, level) * 8 {
            break;
        }
        if version == 40 {
            return None;
        }
        version += 1;
    }
    let capacity = data_capacity(version, level);
    let mut out = BitWriter { bytes: Vec::new(), acc: 0, len: 0 };
    write_segments(text, &modes, bracket, &mut out);
    // Terminator (up to 4 zero bits), zeros to the byte boundary, then the pad codewords.
    let used = out.bytes.len() * 8 + out.len as usize;
    out.put(0, (capacity * 8).saturating_sub(used).min(4) as u32);
    out.put(0, (8 - out.len) % 8);
    let mut data = out.bytes;
    let mut pad = 0xec;
    while data.len() < capacity {
        data.push(pad);
        pad ^= 0xec ^ 0x11;
    }
    Some((version, data))
}

/// Splits the data codewords of `version` at `level` into blocks, computes
/// each block's error correction, and interleaves both (§7.6).
pub(super) fn interleave(data: &[u8], version: u8, level: EcLevel) -> Vec<u8> {
    let (blocks, ec_len) = block_layout(version, level);
    let total = total_codewords(version);
    // The last `total % blocks` blocks hold one data codeword more.
    let short = blocks - total % blocks;
    let short_len = total / blocks - ec_len;
    let start = |b: usize| b * short_len + b.saturating_sub(short);
    let field = rs::Field::new();
    let gen = field.generator(ec_len);
    let mut out = vec![0u8; total];
    let mut k = 0;
    for i in 0..=short_len {
        for b in 0..blocks {
            if i < short_len || b >= short {
                out[k] = data[start(b) + i];
                k += 1;
            }
        }
    }
    // Each block's error correction: its i-th codeword follows the i-th of every block before it.
    let mut ec = [0u8; rs::MAX_DEGREE];
    for b in 0..blocks {
        field.remainder(&data[start(b)..start(b + 1)], &gen, &mut ec[..ec_len]);
        for (i, &c) in ec[..ec_len].iter().enumerate() {
            out[k + i * blocks + b] = c;
        }
    }
    out
}
