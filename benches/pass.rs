//! One pass of the agent over a journal with a long history: 5,000 notices
//! and 5,000 own logins over two years, nothing new. Target: at most 5 ms —
//! a pass costs what the new mail costs, not what the history does.
//!
//! Run: `cargo bench --bench pass`.

use std::hint::black_box;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use vigie::journal::{Journal, Location, NewOwnLogin};
use vigie::matching::{self, LoginService, LoginSource, MatchRules, Past, Via};
use vigie::notice::{Rules, Trust};
use vigie::watch::evaluate::{Hold, alerts_due, evaluate};
use vigie::watch::record::{Incoming, record};

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const HISTORY: i64 = 5_000;

/// An ameli login notice for a login at `at` (Paris time is UTC+1 in the
/// body; the bench only needs distinct, readable times).
fn notice(i: i64, at: DateTime<Utc>) -> Vec<u8> {
    let paris = at + Duration::hours(1);
    format!(
        "Authentication-Results: mx; dkim=pass header.d=info.ameli.fr\r\n\
         From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
         Subject: Votre compte ameli - Information de connexion\r\n\
         Message-ID: <bench{i}@info.ameli.fr>\r\n\
         Date: {}\r\n\r\n\
         Connexion le {} {} {} a {:02}:{:02}.\r\n",
        at.to_rfc2822(),
        paris.day(),
        MONTHS[paris.month0() as usize],
        paris.year(),
        paris.hour(),
        paris.minute()
    )
    .into_bytes()
}

fn pass(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let rules = Rules::builtin();
    let start = DateTime::parse_from_rfc3339("2024-11-01T08:00:00Z").expect("time").with_timezone(&Utc);
    let inbox = Location { folder: Some("INBOX".into()), uid: None };
    journal
        .transaction(|j| {
            for i in 0..HISTORY {
                let at = start + Duration::minutes(i * 210);
                let login = NewOwnLogin {
                    account: "Mamie".into(),
                    service: LoginService::Ameli,
                    at: at - Duration::minutes(2),
                    via: Via::Web,
                    source: LoginSource::Launcher,
                    note: None,
                };
                j.record_own_login(&login, at - Duration::minutes(2))?;
                record(j, &rules, &Trust::Topmost, Incoming::whole("Mamie", &inbox, &notice(i, at)), at).map_err(
                    |_| vigie::journal::JournalError::Damaged { path: dir.path().into(), detail: "record".into() },
                )?;
            }
            Ok(())
        })
        .expect("history");
    let now = start + Duration::minutes(HISTORY * 210) + Duration::days(2);
    let match_rules = MatchRules::default();
    let settled = evaluate(&mut journal, &match_rules, now, &Hold::none()).expect("settle");
    assert!(settled.raised.is_empty(), "every notice is explained: {:?}", settled.raised.len());
    c.bench_function("reference: matching the whole history (the earlier pass)", |b| {
        b.iter(|| {
            let notices: Vec<_> = journal.notices().expect("notices").into_iter().map(|n| n.facts).collect();
            let logins: Vec<_> = journal.own_logins().expect("logins").into_iter().map(|(l, _)| l).collect();
            black_box(matching::find(&notices, &logins, &Past::default(), now, &match_rules))
        })
    });
    c.bench_function("evaluate only", |b| {
        b.iter(|| black_box(evaluate(&mut journal, &match_rules, now, &Hold::none()).expect("pass")))
    });
    c.bench_function("pass over 5,000 notices and 5,000 own logins", |b| {
        b.iter(|| {
            let evaluation = evaluate(&mut journal, &match_rules, now, &Hold::none()).expect("pass");
            let due = alerts_due(&journal, now, Duration::hours(24), false).expect("due");
            black_box((evaluation, due))
        })
    });
}

criterion_group!(benches, pass);
criterion_main!(benches);
