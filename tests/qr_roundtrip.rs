//! Our QR symbols decode back to their text with an independent decoder
//! (`rqrr`), and are never larger than the `qrcode` crate's, over a few
//! thousand generated payment payloads at every error-correction level.
#![cfg(not(target_arch = "wasm32"))]

use paybridge::error::ErrorCode;
use paybridge::qr::{EcLevel, QrImage, QrOptions};

const LEVELS: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick(&mut self, set: &[u8]) -> char {
        char::from(set[self.below(set.len())])
    }
}

const URL_SAFE: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~";
const EMV: &[u8] = b"0123456789012345678901234567890123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ .$%*+-/:";

/// A payment URL of 10–1000 characters.
fn url(rng: &mut Rng) -> String {
    let len = 10 + rng.below(991);
    let mut s = String::from(["weixin://wxpay/bizpayurl?pr=", "https://qr.alipay.com/bax0", "https://pay.example.com/checkout?order=", "HTTPS://QR.95516.COM/"][rng.below(4)]);
    while s.len() < len {
        match rng.below(10) {
            0 => s.push_str("&sig="),
            1 => (0..rng.below(20) + 5).for_each(|_| s.push(rng.pick(b"0123456789"))),
            _ => s.push(rng.pick(URL_SAFE)),
        }
    }
    s.truncate(len);
    s
}

/// An EMVCo-like string: tag-length-value digits with uppercase names.
fn emvco(rng: &mut Rng) -> String {
    let len = 20 + rng.below(500);
    let mut s = String::from("000201010212");
    while s.len() < len {
        let set: &[u8] = if rng.below(3) == 0 { EMV } else { b"0123456789" };
        let field: String = (0..rng.below(30) + 1).map(|_| rng.pick(set)).collect();
        s.push_str(&format!("{:02}{:02}{field}", rng.below(100), field.len()));
    }
    s.truncate(len);
    s
}

/// Chinese text with ASCII order numbers and punctuation.
fn chinese(rng: &mut Rng) -> String {
    (0..1 + rng.below(300))
        .map(|_| match rng.below(8) {
            0 => rng.pick(b"0123456789"),
            1 => ['，', '：', '。', ' '][rng.below(4)],
            _ => char::from_u32(0x4e00 + rng.below(0x5200) as u32).unwrap_or('中'),
        })
        .collect()
}

/// Any Unicode scalar values: control characters, Latin-1, CJK, emoji.
fn random_text(rng: &mut Rng) -> String {
    (0..1 + rng.below(400))
        .map(|_| {
            let top = [0x80, 0x800, 0x1_0000, 0x11_0000][rng.below(4)];
            char::from_u32(rng.below(top) as u32).unwrap_or('\u{fffd}')
        })
        .collect()
}

/// Decodes the module matrix with rqrr.
fn decode_grid(img: &QrImage) -> (rqrr::MetaData, Vec<u8>) {
    let grid = rqrr::Grid::new(rqrr::SimpleGrid::from_func(img.modules as usize, |x, y| img.is_dark(x as u32, y as u32)));
    let mut bytes = Vec::new();
    let meta = grid.decode_to(&mut bytes).expect("rqrr decodes the matrix");
    (meta, bytes)
}

/// Renders the symbol with its quiet zone at 2 px per module and decodes the picture with rqrr.
fn decode_picture(img: &QrImage) -> Vec<u8> {
    let px = 2;
    let edge = (img.modules + 2 * img.margin) * px;
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(edge as usize, edge as usize, |x, y| {
        let (mx, my) = ((x as u32 / px).wrapping_sub(img.margin), (y as u32 / px).wrapping_sub(img.margin));
        if img.is_dark(mx, my) {
            0
        } else {
            255
        }
    });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one symbol found in the picture");
    let mut bytes = Vec::new();
    grids[0].decode_to(&mut bytes).expect("rqrr decodes the picture");
    bytes
}

/// The `qrcode` crate's version for `text`, and whether it used Kanji mode
/// (for UTF-8 bytes that look like Shift JIS: readers then show other text).
fn qrcode_version(text: &str, level: EcLevel) -> Option<(u32, bool)> {
    let theirs = [qrcode::EcLevel::L, qrcode::EcLevel::M, qrcode::EcLevel::Q, qrcode::EcLevel::H][level as usize];
    let version = qrcode::bits::encode_auto(text.as_bytes(), theirs).ok()?.version();
    let qrcode::Version::Normal(v) = version else { return None };
    let kanji = qrcode::optimize::Parser::new(text.as_bytes()).optimize(version).any(|s| s.mode == qrcode::types::Mode::Kanji);
    Some((v as u32, kanji))
}

#[test]
fn generated_payloads_decode_to_their_text_and_are_never_larger_than_qrcode() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let generators: [fn(&mut Rng) -> String; 4] = [url, emvco, chinese, random_text];
    let (mut checked, mut smaller, mut too_long, mut kanji) = (0, 0, 0, 0);
    for round in 0..150 {
        for (g, generate) in generators.iter().enumerate() {
            for level in LEVELS {
                let text = generate(&mut rng);
                let options = QrOptions { level, ..QrOptions::default() };
                let theirs = qrcode_version(&text, level);
                let img = match QrImage::new(&text, &options) {
                    Ok(img) => img,
                    Err(e) => {
                        assert_eq!(e.code, ErrorCode::QrTooLong, "{text:?}");
                        assert!(theirs.map_or(true, |(_, k)| k), "qrcode fits what we refuse: {text:?} {level:?}");
                        too_long += 1;
                        continue;
                    }
                };
                let (meta, bytes) = decode_grid(&img);
                assert_eq!(bytes, text.as_bytes(), "{level:?}");
                assert_eq!(meta.version.0 as u32, img.version);
                assert_eq!(meta.ecc_level, [1, 0, 3, 2][level as usize], "{level:?}");
                if (round + g) % 60 == 0 {
                    assert_eq!(decode_picture(&img), text.as_bytes(), "{level:?}");
                }
                match theirs {
                    Some((v, false)) => {
                        assert!(img.version <= v, "version {} > qrcode's {v} for {text:?} at {level:?}", img.version);
                        smaller += usize::from(img.version < v);
                    }
                    Some((_, true)) => kanji += 1,
                    None => {}
                }
                checked += 1;
            }
        }
    }
    eprintln!("{checked} decoded, {smaller} smaller than qrcode's, {too_long} too long, {kanji} where qrcode used Kanji mode");
    assert!(checked > 2000);
}

/// The longest text of `unit` repeated (cut to `len` bytes) that fits `max_version` at `level`.
fn longest(unit: &str, level: EcLevel, max_version: u32) -> usize {
    let fits = |len: usize| QrImage::new(&unit.repeat(len / unit.len() + 1)[..len], &QrOptions { level, ..QrOptions::default() }).is_ok_and(|i| i.version <= max_version);
    let (mut lo, mut hi) = (1, 8000);
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[test]
fn full_symbols_at_every_count_width_decode() {
    // Each mode at the capacity of versions 9, 26 and 40, where the
    // character-count field is closest to overflowing.
    for unit in ["0123456789", "HTTPS://PAY.EXAMPLE.COM/ORDER/", "https://pay.example.com/"] {
        for level in LEVELS {
            for max_version in [9, 26, 40] {
                let len = longest(unit, level, max_version);
                let text = &unit.repeat(len / unit.len() + 1)[..len];
                let img = QrImage::new(text, &QrOptions { level, ..QrOptions::default() }).unwrap();
                assert_eq!(img.version, max_version, "{unit} {level:?}");
                assert_eq!(decode_grid(&img).1, text.as_bytes(), "{unit} {level:?} v{max_version}");
                if max_version == 40 {
                    let longer = &unit.repeat(len / unit.len() + 2)[..len + 1];
                    assert_eq!(QrImage::new(longer, &QrOptions { level, ..QrOptions::default() }).unwrap_err().code, ErrorCode::QrTooLong);
                }
            }
        }
    }
}

#[test]
fn huge_and_odd_inputs_are_refused_or_encoded_without_panicking() {
    for text in ["\0", "\u{10ffff}", &"9".repeat(7089), &"9".repeat(7090), &"x".repeat(1_000_000), &"中".repeat(2000)] {
        match QrImage::new(text, &QrOptions { level: EcLevel::L, ..QrOptions::default() }) {
            Ok(img) => assert_eq!(decode_grid(&img).1, text.as_bytes()),
            Err(e) => assert_eq!(e.code, ErrorCode::QrTooLong),
        }
    }
}
