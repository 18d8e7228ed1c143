//! Hostile input never panics the recogniser: arbitrary bytes, header-like
//! text, and real fixtures cut short or with bytes changed.

use std::sync::LazyLock;

use proptest::prelude::*;
use vigie::notice::{Rules, recognise};

static RULES: LazyLock<Rules> = LazyLock::new(Rules::builtin);

static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).expect("readable fixture")).collect()
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = recognise(&raw, &RULES);
    }

    #[test]
    fn header_like_text_never_panics(
        raw in "(From|Subject|Date|Authentication-Results|Content-Type|Content-Transfer-Encoding): \
                [ -~\t=?;]{0,80}\r\n{1,2}[\\PC\r\n<>&;=]{0,300}"
    ) {
        let _ = recognise(raw.as_bytes(), &RULES);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn damaged_fixtures_never_panic(
        pick in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
    ) {
        prop_assume!(!CORPUS.is_empty());
        let mut raw = pick.get(&CORPUS).clone();
        let len = cut.index(raw.len() + 1);
        raw.truncate(len);
        for (at, byte) in flips {
            if !raw.is_empty() {
                let i = at.index(raw.len());
                raw[i] = byte;
            }
        }
        let _ = recognise(&raw, &RULES);
    }
}
