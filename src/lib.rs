//! vigie watches a mailbox for ameli and FranceConnect login notices, tells
//! genuine ones from fakes, and alerts when a login is not the user's own.
//!
//! The flow runs one way: mailbox → [`notice`] (recognise, pure) → journal →
//! [`matching`] (pure) → alerts. [`watch`] holds the middle: record,
//! evaluate, deliver. This crate is the library behind the `vigie`
//! binary; [`cli`] holds one module per subcommand.

pub mod agent;
pub mod agent_status;
pub mod alert;
pub mod cli;
pub mod config;
pub mod journal;
pub mod mailbox;
pub mod matching;
pub mod messages;
pub mod notice;
pub mod own_logins;
pub mod private_fs;
pub mod providers;
pub mod report;
pub mod secrets;
pub mod watch;

/// Process exit codes, shared by every subcommand (see DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// All is well.
    Ok = 0,
    /// Something needs the user's attention.
    Attention = 1,
    /// Bad usage or configuration.
    Usage = 2,
    /// The mailbox could not be read.
    Mailbox = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}
