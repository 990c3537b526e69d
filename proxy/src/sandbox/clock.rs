//! Time helpers shared by the sandbox gateways: the wall clock in Unix
//! milliseconds and the gateways' `yyyyMMddHHmmss` timestamps (GMT+8, the
//! time zone of every gateway here).

use crate::calendar::civil_from_days;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in eight hours: the gateways' local time is GMT+8.
const GMT8_MS: i64 = 8 * 3_600_000;

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `yyyyMMddHHmmss` in GMT+8 for a Unix millisecond time.
pub fn compact_gmt8(unix_ms: i64) -> String {
    let local_s = (unix_ms + GMT8_MS).div_euclid(1000);
    let (days, secs) = (local_s.div_euclid(86_400), local_s.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}{:02}{:02}{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// When a sandbox order was paid: the store writes the payment time into the
/// transaction id it issues (`4200{unix_ms}{6 digits}`); `None` when unpaid.
pub fn paid_at_ms(transaction_id: Option<&str>) -> Option<i64> {
    let id = transaction_id?;
    id.get(4..id.len().checked_sub(6)?)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_gmt8() {
        // 2018-04-17 01:47:29 UTC is 09:47:29 in Beijing (the seed's example time_end).
        assert_eq!(compact_gmt8(1_523_929_649_000), "20180417094729");
        assert_eq!(compact_gmt8(0), "19700101080000");
        assert_eq!(compact_gmt8(951_782_400_000 - GMT8_MS), "20000229000000");
    }

    #[test]
    fn reads_the_payment_time_back() {
        assert_eq!(paid_at_ms(Some("42001700000000123123456")), Some(1_700_000_000_123));
        assert_eq!(paid_at_ms(Some("4200")), None);
        assert_eq!(paid_at_ms(None), None);
    }
}
