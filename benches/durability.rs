//! What keeping alerts across a system crash costs per alert: the journal
//! syncs the commits that follow what the user saw or did (an alert about
//! to be shown, an alert shown), and only orders the others.
//!
//! Run: `cargo bench --bench durability`. Prints, on this machine's disk:
//! - one alert's path through the real journal (record the notice,
//!   evaluate, deliver to a silent sink): until the sink is called (what
//!   push -> alert waits for: one synced commit), and whole (two);
//! - the commit of one delivery row, the same SQL, under FULL and under
//!   NORMAL, on the same file — the pragma's own price.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use vigie::alert::{AlertText, Alerter, Delivery};
use vigie::journal::{Journal, Location};
use vigie::matching::MatchRules;
use vigie::messages::Lang;
use vigie::notice::{Rules, Trust};
use vigie::watch::deliver::deliver;
use vigie::watch::evaluate::{Hold, alerts_due, evaluate};
use vigie::watch::record::{Incoming, record};

struct Silent(&'static str, Arc<Mutex<Option<Instant>>>);

impl Alerter for Silent {
    fn channel(&self) -> &'static str {
        self.0
    }
    fn deliver(&self, _: &AlertText, _: Option<u32>) -> Delivery {
        if let Ok(mut first) = self.1.lock() {
            first.get_or_insert_with(Instant::now);
        }
        Delivery::Shown { notification_id: Some(1), buttons: false }
    }
}

const NOTICE: &[u8] = b"Authentication-Results: mx; dkim=pass header.d=info.ameli.fr\r\n\
From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: Votre compte ameli - Information de connexion\r\n\r\n\
Connexion le 20 novembre 2026 a 10:14.\r\n";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let rounds = 100;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let rules = Rules::builtin();
    let called = Arc::new(Mutex::new(None));
    let sinks: Vec<Box<dyn Alerter>> =
        vec![Box::new(Silent("desktop", called.clone())), Box::new(Silent("terminal", called.clone()))];
    let loc = Location::default();
    let (mut per_alert, mut until_shown) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // A distinct message each round (no Message-ID: keyed by content).
        let raw = [NOTICE, format!("ref {i}\r\n").as_bytes()].concat();
        *called.lock().expect("lock") = None;
        let started = Instant::now();
        record(&journal, &rules, &Trust::Topmost, Incoming::whole("Mamie", &loc, &raw), Utc::now()).expect("record");
        evaluate(&mut journal, &MatchRules::default(), Utc::now(), &Hold::none()).expect("evaluate");
        let due = alerts_due(&journal, Utc::now(), chrono::Duration::hours(24), false).expect("due");
        deliver(&journal, &sinks, due, Lang::Fr, Utc::now()).expect("deliver");
        per_alert.push(started.elapsed());
        until_shown.push(called.lock().expect("lock").expect("shown").duration_since(started));
    }
    println!("one alert, until the sink is called: median {:?} over {rounds}", median(until_shown));
    println!("one alert, whole path: median {:?} over {rounds}", median(per_alert));
    drop(journal);

    let conn = rusqlite::Connection::open(dir.path().join(vigie::journal::FILE_NAME)).expect("sqlite");
    for level in ["FULL", "NORMAL"] {
        conn.execute_batch(&format!("PRAGMA journal_mode=WAL; PRAGMA synchronous={level};")).expect("pragma");
        let mut samples = Vec::new();
        for _ in 0..rounds {
            let started = Instant::now();
            conn.execute(
                "INSERT INTO alert (finding_id, channel, outcome, at) VALUES (1, 'desktop', 'shown', '2026-11-26T00:00:00Z')",
                [],
            )
            .expect("insert");
            samples.push(started.elapsed());
        }
        println!("one delivery commit, synchronous={level}: median {:?}", median(samples));
    }
}
