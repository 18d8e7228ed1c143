//! What `synchronous=FULL` costs per alert (issue: the journal must keep an
//! alert recorded as shown across a system crash).
//!
//! Run: `cargo bench --bench durability`. Prints, on this machine's disk:
//! - one alert's whole path through the real journal (record the notice,
//!   evaluate, deliver to a silent sink: raise + two delivery commits);
//! - the commit of one delivery row, the same SQL, under FULL and under
//!   NORMAL, on the same file — the pragma's own price.

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

struct Silent(&'static str);

impl Alerter for Silent {
    fn channel(&self) -> &'static str {
        self.0
    }
    fn deliver(&self, _: &AlertText, _: Option<u32>) -> Delivery {
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
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(Silent("desktop")), Box::new(Silent("terminal"))];
    let loc = Location::default();
    let mut per_alert = Vec::new();
    for i in 0..rounds {
        // A distinct message each round (no Message-ID: keyed by content).
        let raw = [NOTICE, format!("ref {i}\r\n").as_bytes()].concat();
        let started = Instant::now();
        record(&journal, &rules, &Trust::Topmost, Incoming::whole("Mamie", &loc, &raw), Utc::now()).expect("record");
        evaluate(&mut journal, &MatchRules::default(), Utc::now(), &Hold::none()).expect("evaluate");
        let due = alerts_due(&journal, Utc::now(), chrono::Duration::hours(24), false).expect("due");
        deliver(&journal, &sinks, due, Lang::Fr, Utc::now()).expect("deliver");
        per_alert.push(started.elapsed());
    }
    println!("one alert, whole path (FULL): median {:?} over {rounds}", median(per_alert));
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
