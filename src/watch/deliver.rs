//! Deliver: alerts → sinks → journal, and answers back.
//!
//! Each due alert goes to every sink; each attempt is written to the
//! journal, after the sink returns (a crash in between repeats an alert
//! once, never loses one). Only a desktop success counts as shown on the
//! desktop: a failed one is retried with a growing delay. A re-shown alert
//! replaces the notification shown before (one notification per finding
//! on screen, across restarts). The terminal/log gets each alert when it
//! is first raised and at each reminder, not at each desktop retry.
//!
//! An answer (a click, or `vigie answer`) goes to the journal first; then
//! the notification is closed ("C'était moi", "C'est fait") or replaced by
//! the steps ("Ce n'était pas moi").

use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use chrono::{DateTime, Duration, Utc};

use super::evaluate::{DueAlert, Showing};
use crate::alert::{AlertText, Alerter, Delivery, DesktopAlerter, DesktopEvent};
use crate::journal::{AnswerOutcome, DeliveryOutcome, DeliveryRecord, Journal, JournalError, StoredFinding};
use crate::matching::{AlertFacts, Answer, FindingKind, Urgency};
use crate::messages::{self, AlertWords, Lang};

/// First retry of a failed desktop delivery after this; doubling.
const RETRY_START: i64 = 30;
/// Retries at most this far apart.
const RETRY_CAP: i64 = 3600;

/// When to try the desktop again after `failed_attempts` failures (this
/// one included).
pub fn retry_delay(failed_attempts: u32) -> Duration {
    let exponent = failed_attempts.saturating_sub(1).min(16);
    Duration::seconds((RETRY_START << exponent).min(RETRY_CAP))
}

/// Finished text for a sink.
pub fn finished(words: AlertWords, urgency: Urgency) -> AlertText {
    AlertText {
        summary: words.summary,
        body: words.body,
        urgency,
        actions: words.actions,
        answer_line: words.answer_line,
    }
}

fn text_of(facts: &AlertFacts, lang: Lang) -> AlertText {
    finished(messages::alert_words(facts, lang), facts.finding.kind.urgency())
}

fn record(
    journal: &Journal,
    finding_id: i64,
    channel: &str,
    delivery: &Delivery,
    failed_before: u32,
    now: DateTime<Utc>,
) -> Result<(), JournalError> {
    let (record, retry_at) = match delivery {
        Delivery::Shown { notification_id, buttons } => (
            DeliveryRecord {
                channel: channel.into(),
                outcome: if *buttons { DeliveryOutcome::ShownWithButtons } else { DeliveryOutcome::Shown },
                detail: None,
                notification_id: *notification_id,
            },
            None,
        ),
        Delivery::Failed(why) => {
            tracing::warn!(finding = finding_id, channel, why, "alert not delivered");
            (
                DeliveryRecord {
                    channel: channel.into(),
                    outcome: DeliveryOutcome::Failed,
                    detail: Some(why.chars().take(300).collect()),
                    notification_id: None,
                },
                Some(now + retry_delay(failed_before + 1)),
            )
        }
    };
    journal.record_delivery(finding_id, &record, retry_at, now)
}

fn is_terminal(sink: &dyn Alerter) -> bool {
    sink.channel() == "terminal"
}

/// Shows every due alert on every sink and records what happened.
/// Returns the findings shown on at least one channel.
pub fn deliver(
    journal: &Journal,
    sinks: &[Box<dyn Alerter>],
    showings: Vec<Showing>,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, JournalError> {
    let mut shown = Vec::new();
    for showing in showings {
        match showing {
            Showing::One(due) => {
                if deliver_one(journal, sinks, &due, lang, now)? {
                    shown.push(due.facts.id);
                }
            }
            Showing::Summary { account, count, findings, replaces, terminal } => {
                let text = finished(
                    messages::impersonation_summary(&account, count, lang),
                    FindingKind::Impersonation.urgency(),
                );
                for &(id, _) in &findings {
                    journal.mark_showing(id, now)?;
                }
                for sink in sinks.iter().filter(|s| terminal || !is_terminal(s.as_ref())) {
                    let delivery = sink.deliver(&text, replaces);
                    if let Delivery::Shown { notification_id: Some(id), .. } = delivery {
                        journal.set_summary_notification(&account, FindingKind::Impersonation, id, now)?;
                    }
                    // The summary shows them all; each keeps its own
                    // notification id, if it ever had one.
                    let delivery = match delivery {
                        Delivery::Shown { buttons, .. } => Delivery::Shown { notification_id: None, buttons },
                        failed => failed,
                    };
                    for &(id, failed_before) in &findings {
                        record(journal, id, sink.channel(), &delivery, failed_before, now)?;
                    }
                }
                shown.extend(findings.iter().map(|&(id, _)| id));
            }
        }
    }
    Ok(shown)
}

fn deliver_one(
    journal: &Journal,
    sinks: &[Box<dyn Alerter>],
    due: &DueAlert,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<bool, JournalError> {
    // Answered or closed since it was found due (a click, `vigie answer`):
    // show it as it stands now, or not at all.
    let Some(current) = journal.finding(due.facts.id)? else { return Ok(false) };
    if !current.is_open() {
        return Ok(false);
    }
    // Two processes (`vigie check` beside the agent) never both show it;
    // a crash before the journal hears back retries it after the delay.
    if !journal.claim_showing(current.id, due.due_state, now + retry_delay(1))? {
        return Ok(false);
    }
    let facts = AlertFacts { answer: current.answer, ..due.facts.clone() };
    let text = text_of(&facts, lang);
    journal.mark_showing(due.facts.id, now)?;
    let mut any = false;
    for sink in sinks {
        if !due.terminal && is_terminal(sink.as_ref()) {
            continue;
        }
        let replaces = if is_terminal(sink.as_ref()) { None } else { current.notification_id };
        let delivery = sink.deliver(&text, replaces);
        tracing::info!(
            finding = due.facts.id,
            channel = sink.channel(),
            shown = matches!(delivery, Delivery::Shown { .. }),
            "alert"
        );
        any |= matches!(delivery, Delivery::Shown { .. });
        record(journal, due.facts.id, sink.channel(), &delivery, current.failed_attempts, now)?;
    }
    Ok(any)
}

/// Applies the user's answer to a finding (a click or `vigie answer`),
/// then closes its notification, or replaces it with the steps after "not
/// mine". Returns what the journal made of it.
pub fn apply_answer(
    journal: &mut Journal,
    sinks: &[Box<dyn Alerter>],
    finding_id: i64,
    answer: Answer,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<AnswerOutcome, JournalError> {
    let outcome = journal.answer(finding_id, answer, now)?;
    if let AnswerOutcome::Recorded(stored) = &outcome {
        update_screen(journal, sinks, stored, lang, now)?;
    }
    Ok(outcome)
}

fn update_screen(
    journal: &Journal,
    sinks: &[Box<dyn Alerter>],
    stored: &StoredFinding,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(), JournalError> {
    let Some(notification) = stored.notification_id else { return Ok(()) };
    let desktops = sinks.iter().filter(|s| !is_terminal(s.as_ref()));
    if !stored.is_open() {
        for sink in desktops {
            sink.close(notification);
        }
        return journal.forget_notification(stored.id);
    }
    let due = super::evaluate::showing_of(journal, stored.clone())?;
    let text = text_of(&due.facts, lang);
    for sink in desktops {
        let delivery = sink.deliver(&text, Some(notification));
        record(journal, stored.id, sink.channel(), &delivery, stored.failed_attempts, now)?;
    }
    Ok(())
}

/// The answer a button's action key stands for.
pub fn answer_for_action(key: &str) -> Option<Answer> {
    match key {
        messages::ACTION_MINE => Some(Answer::Mine),
        messages::ACTION_NOT_MINE => Some(Answer::NotMine),
        messages::ACTION_HANDLED => Some(Answer::Handled),
        _ => None,
    }
}

/// A click on a notification's button: the answer it stands for, applied
/// to the finding that notification shows. `None` when the click is not
/// an answer (the notification body, an unknown notification).
pub fn on_click(
    journal: &mut Journal,
    sinks: &[Box<dyn Alerter>],
    notification_id: u32,
    key: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Option<AnswerOutcome>, JournalError> {
    let Some(answer) = answer_for_action(key) else { return Ok(None) };
    let Some(stored) = journal.finding_by_notification(notification_id)? else { return Ok(None) };
    let outcome = apply_answer(journal, sinks, stored.id, answer, lang, now)?;
    if let AnswerOutcome::Refused(_) = outcome {
        // Closed elsewhere (`vigie answer`): off the screen. Still open (a
        // stale button, "mine" after "not mine"): servers close a
        // notification on any click, so show it again as it stands.
        if let Some(current) = journal.finding(stored.id)? {
            update_screen(journal, sinks, &current, lang, now)?;
        }
    }
    Ok(Some(outcome))
}

/// The agent's one listener for the clicks on every notification it shows:
/// each click on a button is an answer, applied through the journal (which
/// then closes or replaces the notification). Returns when the desktop
/// sink goes away.
pub fn listen_for_clicks(events: Receiver<DesktopEvent>, data_dir: PathBuf, lang: Lang) {
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(DesktopAlerter::new(true))];
    for event in events {
        let DesktopEvent::Action { id, key } = event else { continue };
        // A click can beat the journal write of the notification's id by a
        // few milliseconds: look again briefly before giving up on it.
        for attempt in 0..5 {
            let outcome = Journal::open_in(&data_dir)
                .and_then(|mut journal| on_click(&mut journal, &sinks, id, &key, lang, Utc::now()));
            match outcome {
                Ok(Some(outcome)) => {
                    tracing::info!(notification = id, key, ?outcome, "answer from the desktop");
                    break;
                }
                Ok(None) if attempt < 4 && answer_for_action(&key).is_some() => {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(notification = id, error = %e, "cannot record the answer");
                    break;
                }
            }
        }
    }
}
