//! Reed–Solomon error correction over GF(256) with the QR field polynomial
//! x⁸ + x⁴ + x³ + x² + 1 (ISO/IEC 18004 §7.5.2).

/// The longest generator polynomial QR uses (30 error-correction codewords per block).
pub(super) const MAX_DEGREE: usize = 30;

/// The field's exponent and logarithm tables, built at run time (a few
/// hundred steps per symbol) rather than shipped as 511 bytes of wasm data.
pub(super) struct Field {
    /// `exp[i]` is αⁱ for i in 0..510 (twice round, so a sum of two logarithms needs no reduction).
    exp: [u8; 510],
    /// `log[αⁱ]` is `i` (`log[0]` is unused).
    log: [u8; 256],
}

impl Field {
    /// Builds both tables.
    pub(super) fn new() -> Field {
        let mut f = Field { exp: [0; 510], log: [0; 256] };
        let mut x: u32 = 1;
        for i in 0..510 {
            f.exp[i] = x as u8;
            f.log[x as usize] = (i % 255) as u8;
            x <<= 1;
            if x & 0x100 != 0 {
                x ^= 0x11d;
            }
        }
        f
    }

    /// The product of `a` and `α^log_b` (a logarithm in 0..255).
    fn mul_exp(&self, a: u8, log_b: u8) -> u8 {
        if a == 0 {
            return 0;
        }
        self.exp[usize::from(self.log[usize::from(a)]) + usize::from(log_b)]
    }

    /// The generator polynomial (x − α⁰)(x − α¹)…(x − α^(degree−1)) without its
    /// leading 1, highest power first, as logarithms of its coefficients (none is
    /// zero for the degrees QR uses). `degree` is at most [`MAX_DEGREE`].
    pub(super) fn generator(&self, degree: usize) -> [u8; MAX_DEGREE] {
        let mut coef = [0u8; MAX_DEGREE];
        let degree = degree.min(MAX_DEGREE);
        // Multiply by (x − αⁱ) one factor at a time; `coef[..degree]` holds the
        // polynomial's lower coefficients, highest power first, as field values.
        coef[degree.saturating_sub(1)] = 1;
        for i in 0..degree {
            for j in 0..degree {
                let next = if j + 1 < degree { coef[j + 1] } else { 0 };
                coef[j] = self.mul_exp(coef[j], i as u8) ^ next;
            }
        }
        coef.map(|c| self.log[usize::from(c)])
    }

    /// Writes into `ec` (whose length is the generator's degree) the remainder of
    /// `data`·x^degree divided by the generator `gen` from [`Field::generator`].
    pub(super) fn remainder(&self, data: &[u8], gen: &[u8; MAX_DEGREE], ec: &mut [u8]) {
        ec.fill(0);
        let n = ec.len();
        for &byte in data {
            // Shift the remainder one codeword up while adding factor × generator.
            let factor = byte ^ ec[0];
            for j in 0..n {
                let next = if j + 1 < n { ec[j + 1] } else { 0 };
                ec[j] = next ^ self.mul_exp(factor, gen[j]);
            }
        }
    }
}
