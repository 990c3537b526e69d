//! The keyboard-wedge scanner detector on arbitrary key sequences with
//! arbitrary timestamps (including NaN, infinities and time going back).
//! Input: [threshold, then per key: key selector, 2 time bytes]…
#![no_main]
use libfuzzer_sys::fuzz_target;
use paybridge::counter::Scanner;

const KEYS: &[&str] =
    &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "Z", "Enter", "Shift", "Backspace", "Tab", "ArrowLeft", "é", "中", " ", "", "Unidentified", "Process", "F1", "-"];

fuzz_target!(|data: &[u8]| {
    let [t, rest @ ..] = data else { return };
    let threshold = match t % 8 {
        0 => f64::NAN,
        1 => -1.0,
        2 => f64::INFINITY,
        _ => f64::from(*t),
    };
    let mut scanner = Scanner::new(threshold);
    let mut now = 0.0_f64;
    for step in rest.chunks(3) {
        let key = KEYS[usize::from(step[0]) % KEYS.len()];
        let dt = match step.get(1..3) {
            Some([0xff, 0xff]) => f64::NAN,
            Some([0xff, 0xfe]) => f64::INFINITY,
            Some([0xff, 0xfd]) => -1.0e9,
            Some([a, b]) => f64::from(u16::from_le_bytes([*a, *b])) / 8.0,
            _ => 0.0,
        };
        now += dt;
        if let Some(reading) = scanner.key(key, now) {
            assert!(!reading.code.is_empty() && reading.code.len() <= Scanner::MAX_LEN);
            assert!(reading.code.bytes().all(|b| b.is_ascii_alphanumeric()));
            assert!(!reading.scanned || reading.code.len() >= Scanner::MIN_SCAN_LEN);
        }
    }
});
