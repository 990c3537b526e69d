//! Reed–Solomon error correction over GF(256) with the QR field polynomial
//! x⁸ + x⁴ + x³ + x² + 1 (ISO/IEC 18004 §7.5.2).

/// The longest generator polynomial QR uses (30 error-correction codewords per block).
pub(super) const MAX_DEGREE: usize = 30;

/// `EXP[i]` is αⁱ, and `LOG[αⁱ]` is `i` (`LOG[0]` is unused), built at compile time.
static EXP: [u8; 255] = tables().0;
static LOG: [u8; 256] = tables().1;

const fn tables() -> ([u8; 255], [u8; 256]) {
    let mut exp = [0u8; 255];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        i += 1;
    }
    (exp, log)
}

/// The product of `a` and `α^log_b` (a logarithm in 0..255).
fn mul_exp(a: u8, log_b: u8) -> u8 {
    if a == 0 {
        return 0;
    }
    let s = usize::from(LOG[usize::from(a)]) + usize::from(log_b);
    EXP[if s >= 255 { s - 255 } else { s }]
}

/// The generator polynomial (x − α⁰)(x − α¹)…(x − α^(degree−1)) without its
/// leading 1, highest power first, as logarithms of its coefficients (none is
/// zero for the degrees QR uses). `degree` is at most [`MAX_DEGREE`].
pub(super) fn generator(degree: usize) -> [u8; MAX_DEGREE] {
    let mut coef = [0u8; MAX_DEGREE];
    let degree = degree.min(MAX_DEGREE);
    // Multiply by (x − αⁱ) one factor at a time; `coef[..degree]` holds the
    // polynomial's lower coefficients, highest power first, as field values.
    coef[degree.saturating_sub(1)] = 1;
    for i in 0..degree {
        for j in 0..degree {
            let next = if j + 1 < degree { coef[j + 1] } else { 0 };
            coef[j] = mul_exp(coef[j], i as u8) ^ next;
        }
    }
    coef.map(|c| LOG[usize::from(c)])
}

/// Writes into `ec` (whose length is the generator's degree) the remainder of
/// `data`·x^degree divided by the generator `gen` from [`generator`].
pub(super) fn remainder(data: &[u8], gen: &[u8; MAX_DEGREE], ec: &mut [u8]) {
    ec.fill(0);
    let n = ec.len();
    for &byte in data {
        // Shift the remainder one codeword up while adding factor × generator.
        let factor = byte ^ ec[0];
        for j in 0..n {
            let next = if j + 1 < n { ec[j + 1] } else { 0 };
            ec[j] = next ^ mul_exp(factor, gen[j]);
        }
    }
}
