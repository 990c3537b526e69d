//! The payer-code recogniser: `recognise`, `channel_for` and `mask` on
//! arbitrary text. A recognised code is all digits of a documented length;
//! a mask keeps the length and shows at most 8 characters.
#![no_main]
use libfuzzer_sys::fuzz_target;
use paybridge::counter::{channel_for, mask, recognise, CodeKind};

fuzz_target!(|data: &[u8]| {
    let Ok(code) = std::str::from_utf8(data) else { return };
    let kind = recognise(code);
    let trimmed = code.trim();
    if kind != CodeKind::Unknown {
        assert!(trimmed.bytes().all(|b| b.is_ascii_digit()) && (16..=24).contains(&trimmed.len()));
    }
    assert_eq!(channel_for(code).ok(), kind.channel());
    let masked = mask(code);
    assert_eq!(masked.chars().count(), trimmed.chars().count());
    assert!(masked.chars().filter(|&c| c != '*').count() <= 8);
});
