//! How long reading the browser histories takes: `own_logins::collect` over
//! a home with one Firefox and one Chrome profile of 100,000 visits each
//! (20,000 distinct pages, a few dozen ameli and FranceConnect visits among
//! them), WAL included for Firefox. Each read copies both databases into a
//! private directory and queries the copies. Run by hand:
//! `cargo bench --bench history`.

#[path = "../tests/history_fixtures/mod.rs"]
mod history_fixtures;

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use history_fixtures::*;
use vigie::notice::Rules;
use vigie::own_logins::{self, Limits};

const VISITS: i64 = 100_000;
const PAGES: i64 = 20_000;

fn build(home: &std::path::Path) {
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("time");
    let ff = firefox(&firefox_profile(home, "default-release"));
    let cr = chromium(&chrome_profile(home));
    for conn in [&ff, &cr] {
        conn.execute_batch("BEGIN").expect("begin");
    }
    for i in 0..VISITS {
        let at = start + Duration::seconds(i * 250);
        let url = match i % 2_000 {
            0 => "https://assure.ameli.fr/compte/redirect_uri?code=x".to_owned(),
            1 => "https://ameliconnect.ameli.fr/oauth2/authorize?client_id=a".to_owned(),
            2 => "https://oidc.franceconnect.gouv.fr/api/v2/oidc-callback?code=y".to_owned(),
            n => format!("https://site{}.example/page/{}", n % 300, i % PAGES),
        };
        firefox_visit(&ff, &url, at, FF_LINK, None);
        chromium_visit(&cr, &url, at, CR_LINK | CR_CHAIN_START | CR_CHAIN_END, None);
    }
    for conn in [&ff, &cr] {
        conn.execute_batch("COMMIT").expect("commit");
    }
    // Leave the last writes in Firefox's WAL, as a running Firefox does.
    ff.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint = 0;").expect("checkpoint");
    firefox_visit(&ff, "https://assure.ameli.fr/compte/redirect_uri?code=z", Utc::now(), FF_LINK, None);
    drop((ff, cr));
}

fn history(c: &mut Criterion) {
    let home = tempfile::tempdir().expect("home");
    build(home.path());
    let rules = Rules::builtin();
    let scratch = tempfile::tempdir().expect("scratch");
    let limits = Limits { scratch: Some(scratch.path().to_path_buf()), ..Limits::default() };
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("time");
    let read = own_logins::collect(home.path(), since, rules.browser_visits(), &limits);
    for status in &read.statuses {
        let bytes = std::fs::metadata(&status.history.path).map(|m| m.len()).unwrap_or(0);
        println!("{} ({} bytes): {:?}", status.history.path.display(), bytes, status.outcome);
    }
    let mut group = c.benchmark_group("history");
    group.sample_size(20);
    group.bench_function("collect, Firefox + Chrome, 100,000 visits each", |b| {
        b.iter(|| black_box(own_logins::collect(home.path(), since, rules.browser_visits(), &limits)))
    });
    group.finish();
}

criterion_group!(benches, history);
criterion_main!(benches);
