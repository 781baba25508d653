//! Any bytes SES could store, through everything the inbox does before storage.
#![no_main]

use helpdesk_domain::mail::inbound::parse::MailLimits;
use helpdesk_domain::mail::inbound::threading::examine;
use helpdesk_domain::mail::reply_token::ReplyKeys;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static ReplyKeys {
    static KEYS: OnceLock<ReplyKeys> = OnceLock::new();
    KEYS.get_or_init(
        || match ReplyKeys::parse("f1:00112233445566778899aabbccddeeff") {
            Ok(keys) => keys,
            Err(e) => panic!("fuzz key: {e}"),
        },
    )
}

fuzz_target!(|data: &[u8]| {
    let limits = MailLimits {
        max_bytes: 1 << 20,
        ..MailLimits::default()
    };
    // Any panic is a finding: libfuzzer-sys aborts on it.
    let _ = examine(data, &limits, keys(), "helpdesk.test");
});
