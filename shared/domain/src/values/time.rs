//! Timestamps as the stores sort them.

use chrono::{DateTime, SecondsFormat, Utc};

/// Fixed-width RFC 3339 (microseconds, `Z`), so text order equals time order in
/// sort keys.
pub fn sortable(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sortable_text_orders_like_time() {
        let a = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).single().unwrap();
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(sortable(a), "2026-01-02T03:04:05.000000Z");
        assert!(sortable(a) < sortable(b));
    }
}
