//! The module matrix (ISO/IEC 18004 §7.7–7.9): function patterns, codeword
//! placement, the eight data masks scored by the four penalty rules, and the
//! BCH-coded format and version information.

use super::EcLevel;

/// Cell bit: the module is dark.
const DARK: u8 = 1;
/// Cell bit: the module belongs to a function pattern (never masked).
const FUNCTION: u8 = 2;

/// A square of modules, one byte each, row-major.
struct Matrix {
    size: usize,
    cells: Vec<u8>,
}

impl Matrix {
    /// Sets the function module at column `x`, row `y`.
    fn set(&mut self, x: usize, y: usize, dark: bool) {
        self.cells[y * self.size + x] = FUNCTION | u8::from(dark);
    }

    /// The square of `radius` around column `cx`, row `cy` as concentric
    /// rings, light where bit d of `light` is set for the ring at Chebyshev
    /// distance d, else dark; modules outside the symbol are skipped.
    fn rings(&mut self, cx: usize, cy: usize, radius: usize, light: u32) {
        for dy in 0..=2 * radius {
            for dx in 0..=2 * radius {
                let (x, y) = ((cx + dx).wrapping_sub(radius), (cy + dy).wrapping_sub(radius));
                let dist = dx.abs_diff(radius).max(dy.abs_diff(radius));
                if x < self.size && y < self.size {
                    self.set(x, y, light >> dist & 1 == 0);
                }
            }
        }
    }

    /// Finder, separator, timing and alignment patterns, and the version
    /// information, with the format areas reserved.
    fn function_patterns(version: u8) -> Matrix {
        let size = usize::from(version) * 4 + 17;
        let mut m = Matrix { size, cells: vec![0; size * size] };
        for i in 0..size {
            m.set(6, i, i % 2 == 0);
            m.set(i, 6, i % 2 == 0);
        }
        // Each finder with its light separator: rings at Chebyshev distance 2 and 4 are light.
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            m.rings(cx, cy, 4, 0b10100);
        }
        // Alignment patterns (none in version 1): `count` centres per axis, the
        // first at 6, the last at `size - 7`, evenly `step` apart from the
        // last back to the second; none under a finder.
        if version >= 2 {
            let v = usize::from(version);
            let count = v / 7 + 2;
            let step = (v * 8 + count * 3 + 5) / (count * 4 - 4) * 2;
            let centre = |i: usize| if i == 0 { 6 } else { size - 7 - (count - 1 - i) * step };
            let last = count - 1;
            for i in 0..count {
                for j in 0..count {
                    if !(i == 0 && (j == 0 || j == last) || i == last && j == 0) {
                        m.rings(centre(j), centre(i), 2, 0b10);
                    }
                }
            }
        }
        m.reserve_format();
        if version >= 7 {
            let bits = bch(u32::from(version), 12, 0x1f25);
            for i in 0..18 {
                let (a, b) = (size - 11 + i % 3, i / 3);
                m.set(a, b, bits >> i & 1 != 0);
                m.set(b, a, bits >> i & 1 != 0);
            }
        }
        m
    }

    /// Reserves the format information areas and draws the dark module.
    fn reserve_format(&mut self) {
        for i in 0..15 {
            for (x, y) in format_modules(self.size, i) {
                self.set(x, y, false);
            }
        }
        self.set(8, self.size - 8, true);
    }

    /// Places the codewords' bits in the two-column zigzag from the bottom
    /// right, skipping function modules; remainder modules stay light.
    fn place(&mut self, codewords: &[u8]) {
        let size = self.size;
        // The next bit to place, counted from the first codeword's most significant.
        let mut bit = 0;
        let mut right = size - 1;
        while right >= 1 {
            if right == 6 {
                right = 5; // the vertical timing pattern
            }
            let upward = (right + 1) & 2 == 0;
            for vert in 0..size {
                let y = if upward { size - 1 - vert } else { vert };
                for x in [right, right - 1] {
                    let cell = &mut self.cells[y * size + x];
                    if *cell & FUNCTION == 0 {
                        *cell = codewords.get(bit / 8).map_or(0, |&c| c >> (7 - bit % 8) & 1);
                        bit += 1;
                    }
                }
            }
            right = right.saturating_sub(2);
        }
    }
}

/// `MASKS[y % 12][x % 6]` has bit k set when mask pattern k inverts the data
/// module at column `x`, row `y` (every pattern repeats within 6 columns and 12 rows).
static MASKS: [[u8; 6]; 12] = masks();

const fn masks() -> [[u8; 6]; 12] {
    let mut table = [[0u8; 6]; 12];
    let mut y = 0;
    while y < 12 {
        let mut x = 0;
        while x < 6 {
            let rules = [
                (x + y) % 2 == 0,
                y % 2 == 0,
                x % 3 == 0,
                (x + y) % 3 == 0,
                (x / 3 + y / 2) % 2 == 0,
                x * y % 2 + x * y % 3 == 0,
                (x * y % 2 + x * y % 3) % 2 == 0,
                ((x + y) % 2 + x * y % 3) % 2 == 0,
            ];
            let mut k = 0;
            while k < 8 {
                table[y][x] |= (rules[k] as u8) << k;
                k += 1;
            }
            x += 1;
        }
        y += 1;
    }
    table
}

/// The two modules of format bit `i` (0–14, 0 the least significant) in a
/// symbol of `size`, as `(x, y)`.
fn format_modules(size: usize, i: usize) -> [(usize, usize); 2] {
    // First copy around the top-left finder, skipping the timing pattern.
    let first = match i {
        0..=5 => (8, i),
        6..=7 => (8, i + 1),
        8 => (7, 8),
        _ => (14 - i, 8),
    };
    // Second copy split between the other two finders.
    let second = if i < 8 { (size - 1 - i, 8) } else { (8, size - 15 + i) };
    [first, second]
}

/// The penalty score of §7.8.3 of bit plane `k` of `cells`: runs of five or
/// more (N1), 2×2 blocks (N2), finder-like 1:1:3:1:1 patterns beside four
/// light modules (N3), and the imbalance of dark and light (N4).
fn penalty(cells: &[u8], size: usize, k: u32) -> u32 {
    let mut score = 0;
    let mut dark = 0;
    for y in 0..size {
        let start = y * size;
        // Row y, then column y (the same routine, one module or one row apart).
        score += line_penalty(cells, start, 1, size, k) + line_penalty(cells, y, size, size, k);
        for i in start..start + size {
            let c = cells[i];
            dark += u32::from(c >> k & 1);
            // A 2×2 block ending at this module (left, above, above-left).
            if i > start && y > 0 && (c ^ cells[i - 1] | c ^ cells[i - size] | c ^ cells[i - size - 1]) >> k & 1 == 0 {
                score += 3;
            }
        }
    }
    let total = (size * size) as u32;
    score + (dark * 20).abs_diff(total * 10) / total * 10
}

/// N1 and N3 for bit plane `k` of the line of `size` modules of `cells` from
/// `start`, `step` apart (a row or a column); modules outside the symbol
/// count as light.
fn line_penalty(cells: &[u8], start: usize, step: usize, size: usize, k: u32) -> u32 {
    let (mut score, mut run, mut colour, mut window) = (0, 0, 2, 0u32);
    let long_run = |run: u32| if run >= 5 { run - 2 } else { 0 };
    let finder = |window: u32| if window == 0b000_0101_1101 || window == 0b101_1101_0000 { 40 } else { 0 };
    for i in 0..size {
        let bit = cells[start + i * step] >> k & 1;
        if bit == colour {
            run += 1;
        } else {
            score += long_run(run);
            (colour, run) = (bit, 1);
        }
        // The last 11 modules: light×4 then dark-light-dark×3-light-dark, or the reverse.
        window = (window << 1 | u32::from(bit)) & 0x7ff;
        score += finder(window);
    }
    score += long_run(run);
    for _ in 0..4 {
        window = window << 1 & 0x7ff;
        score += finder(window);
    }
    score
}

/// `data` followed by its BCH remainder of `rem_bits` bits for `generator`.
fn bch(data: u32, rem_bits: u32, generator: u32) -> u32 {
    let mut rem = data;
    for _ in 0..rem_bits {
        rem = (rem << 1) ^ ((rem >> (rem_bits - 1) & 1) * generator);
    }
    data << rem_bits | rem
}

/// The dark modules, row-major, of the symbol of `version` at `level` holding
/// `codewords`, masked with the pattern of lowest penalty.
pub(super) fn build(version: u8, level: EcLevel, codewords: &[u8]) -> Vec<bool> {
    let mut m = Matrix::function_patterns(version);
    m.place(codewords);
    let size = m.size;
    // All eight masked symbols at once: bit k of a cell is the module's colour under mask k.
    let mut rows = m.cells;
    for y in 0..size {
        for x in 0..size {
            let c = &mut rows[y * size + x];
            let dark = 0u8.wrapping_sub(*c & DARK);
            *c = if *c & FUNCTION == 0 { dark ^ MASKS[y % 12][x % 6] } else { dark };
        }
    }
    // The level's two format bits are L 01, M 00, Q 11, H 10.
    let level_bits = level as u32 ^ 1;
    for i in 0..15 {
        let mut planes = 0;
        for k in 0..8 {
            let format = bch(level_bits << 3 | k, 10, 0x537) ^ 0x5412;
            planes |= ((format >> i & 1) as u8) << k;
        }
        for (x, y) in format_modules(size, i) {
            rows[y * size + x] = planes;
        }
    }
    // The lowest penalty, the lowest mask number among equals.
    let (mut best, mut lowest) = (0, u32::MAX);
    for k in 0..8 {
        let score = penalty(&rows, size, k);
        if score < lowest {
            (best, lowest) = (k, score);
        }
    }
    rows.into_iter().map(|planes| planes >> best & 1 != 0).collect()
}
