//! One string spelling per enum value in the journal's columns, read back
//! strictly: a value vigie does not know is a damaged row, never a default
//! (an unknown finding kind must not become an unknown-login alert, nor a
//! bad time 1970).

use chrono::{DateTime, Utc};
use rusqlite::Row;
use rusqlite::types::Type;

use crate::matching::{Answer, FindingKind, LoginService, LoginSource, Resolution, Via};
use crate::notice::{Authenticity, Kind, Service, TimeSource};

/// An enum stored as text.
pub(crate) trait Spelled: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn spelling(self) -> &'static str;
    fn from_spelling(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.spelling() == s)
    }
}

macro_rules! spelled {
    ($($ty:ty => $all:expr),+ $(,)?) => {$(
        impl Spelled for $ty {
            const ALL: &'static [Self] = $all;
            fn spelling(self) -> &'static str {
                self.as_str()
            }
        }
    )+};
}

spelled! {
    Service => &[Service::Ameli, Service::FranceConnect],
    Kind => &[Kind::Login, Kind::Payment, Kind::Settings, Kind::SecurityCode, Kind::Other],
    Authenticity => &[Authenticity::Genuine, Authenticity::Unverified, Authenticity::Suspicious],
    TimeSource => &[TimeSource::Body, TimeSource::DateHeader],
    LoginService => &[LoginService::Ameli, LoginService::FranceConnect, LoginService::Any],
    Via => &[Via::Web, Via::App, Via::AppFingerprint],
    LoginSource => &[LoginSource::Cli, LoginSource::Launcher, LoginSource::AcknowledgedAlert,
        LoginSource::Import,
        LoginSource::Browser,
    ],
    FindingKind => &FindingKind::ALL,
    Answer => &Answer::ALL,
    Resolution => &Resolution::ALL,
    DeliveryOutcome => &[DeliveryOutcome::Shown, DeliveryOutcome::ShownWithButtons, DeliveryOutcome::Failed],
}

/// What became of one attempt to show an alert on a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Shown,
    ShownWithButtons,
    Failed,
}

impl DeliveryOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Shown => "shown",
            DeliveryOutcome::ShownWithButtons => "shown_with_buttons",
            DeliveryOutcome::Failed => "failed",
        }
    }
}

/// A value in a row that vigie does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown value {value:?} in column {column}")]
pub(crate) struct BadValue {
    pub column: String,
    pub value: String,
}

fn bad(row: &Row, index: usize, value: &str) -> rusqlite::Error {
    let column = row.as_ref().column_name(index).map(str::to_owned).unwrap_or_else(|_| index.to_string());
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(BadValue { column, value: value.into() }))
}

/// Reads an enum column.
pub(crate) fn enum_at<T: Spelled>(row: &Row, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    T::from_spelling(&text).ok_or_else(|| bad(row, index, &text))
}

/// Reads a nullable enum column.
pub(crate) fn opt_enum_at<T: Spelled>(row: &Row, index: usize) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(index)? {
        None => Ok(None),
        Some(text) => T::from_spelling(&text).map(Some).ok_or_else(|| bad(row, index, &text)),
    }
}

/// Reads a time column (RFC 3339 UTC text).
pub(crate) fn time_at(row: &Row, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(index)?;
    parse_time(&text).ok_or_else(|| bad(row, index, &text))
}

/// Reads a nullable time column.
pub(crate) fn opt_time_at(row: &Row, index: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match row.get::<_, Option<String>>(index)? {
        None => Ok(None),
        Some(text) => parse_time(&text).map(Some).ok_or_else(|| bad(row, index, &text)),
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// A time as the journal writes it.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Spelled + PartialEq + std::fmt::Debug>() {
        for v in T::ALL {
            assert_eq!(T::from_spelling(v.spelling()), Some(*v));
        }
        assert_eq!(T::from_spelling("no-such-value"), None);
    }

    #[test]
    fn every_enum_has_one_spelling_that_reads_back() {
        round_trips::<Service>();
        round_trips::<Kind>();
        round_trips::<Authenticity>();
        round_trips::<TimeSource>();
        round_trips::<LoginService>();
        round_trips::<Via>();
        round_trips::<LoginSource>();
        round_trips::<FindingKind>();
        round_trips::<Answer>();
        round_trips::<Resolution>();
        round_trips::<DeliveryOutcome>();
    }
}
