//! Feeds arbitrary bytes to the recogniser: it must never panic.
//! Run with `cargo fuzz run recognise` (needs RUSTC_BOOTSTRAP=1 on a
//! stable toolchain).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use vigie::notice::{Rules, recognise};

static RULES: LazyLock<Rules> = LazyLock::new(Rules::builtin);

fuzz_target!(|data: &[u8]| {
    let _ = recognise(data, &RULES);
});
