//! Forwards of ameli or FranceConnect mail, for `vigie scan`: a relative
//! forwards a notice and asks whether it was genuine. An original attached
//! as `message/rfc822` is judged on its own (by its own topmost
//! `Authentication-Results`, written by the forwarder's provider); an
//! original copied into the text cannot be checked, and the verdict says
//! so.

use super::{Forwarded, Rules, Service, Trust, judged, text};

/// An attached original (`message/rfc822`) that concerns a service,
/// judged on its own (one level deep).
pub(crate) fn attached_original(message: &mail_parser::Message<'_>, rules: &Rules) -> Option<Forwarded> {
    message.parts.iter().find_map(|part| match &part.body {
        mail_parser::PartType::Message(original) => {
            let mut content = text::Content::of(original);
            let judged = judged(&mut content, rules, &Trust::Topmost);
            judged.notice.is_some().then(|| Forwarded::Attached(Box::new(judged)))
        }
        _ => None,
    })
}

/// A forward whose copied text names a service: that service.
pub(crate) fn inline_forward(content: &text::Content, rules: &Rules) -> Option<Service> {
    let forward_subject = ["fwd:", "fw:", "tr:", "trans:", "transfert:", "wg:"]
        .iter()
        .any(|p| content.subject_folded.trim_start().starts_with(p));
    let marker = first_marker(&content.body_folded);
    if !(forward_subject || marker.is_some()) {
        return None;
    }
    // The forwarded subject first: "Fwd: Alerte de connexion … avec
    // FranceConnect" is FranceConnect's even if the text names Ameli.fr.
    let subject = content.subject_folded.split_once(':').map_or("", |(_, rest)| rest.trim());
    let by_format = rules
        .formats
        .iter()
        .find(|f| forward_subject && f.subject.as_ref().is_some_and(|re| re.is_match(subject.as_bytes())))
        .map(|f| f.service);
    let quoted = content.body_folded.get(marker.unwrap_or(0)..).unwrap_or_default();
    by_format
        .or_else(|| forward_subject.then(|| rules.brand_named_in(subject)).flatten())
        .or_else(|| rules.brand_named_in(quoted))
}

/// Where the first of [`FORWARD_MARKERS`] begins in `text`. Every marker
/// holds "message" once, so one pass looks for that word and checks the
/// markers around each place it is found; "message" cannot overlap
/// itself, so the first place with a marker holds the first marker.
fn first_marker(text: &str) -> Option<usize> {
    memchr::memmem::find_iter(text.as_bytes(), MESSAGE).find_map(|at| {
        FORWARD_MARKERS
            .iter()
            .filter_map(|marker| {
                let start = at.checked_sub(memchr::memmem::find(marker.as_bytes(), MESSAGE)?)?;
                text.as_bytes().get(start..)?.starts_with(marker.as_bytes()).then_some(start)
            })
            .min()
    })
}

/// The word every forward marker holds.
const MESSAGE: &[u8] = b"message";

/// How mail programs introduce a forwarded message in the text (folded).
const FORWARD_MARKERS: &[&str] = &[
    "forwarded message",
    "message transfere",
    "message d'origine",
    "message original",
    "original message",
    "debut du message reexpedie",
    "begin forwarded message",
    "message reexpedie",
];

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The first marker as the one-pass regex over all of them found it.
    fn first_marker_by_regex(text: &str) -> Option<usize> {
        let alternatives: Vec<String> = FORWARD_MARKERS.iter().map(|m| regex::escape(m)).collect();
        let re =
            regex::bytes::RegexBuilder::new(&alternatives.join("|")).unicode(false).build().expect("constant regex");
        re.find(text.as_bytes()).map(|m| m.start())
    }

    #[test]
    fn every_forward_marker_holds_the_word_message_once() {
        for marker in FORWARD_MARKERS {
            assert_eq!(memchr::memmem::find_iter(marker.as_bytes(), MESSAGE).count(), 1, "{marker}");
        }
    }

    #[test]
    fn the_first_forward_marker_is_found_where_the_regex_found_it() {
        for text in [
            "",
            "message",
            "---- forwarded message ----",
            "begin forwarded message: original message",
            "le message original suit. message d'origine",
            "debut du message reexpedie :",
            "un message, puis message transfere",
            "original messag original message",
            "messagemessage reexpedie",
        ] {
            assert_eq!(first_marker(text), first_marker_by_regex(text), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn forward_markers_agree_with_the_regex_on_generated_text(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("message"), Just("messag"), Just("forwarded "), Just("original"), Just(" original"),
                    Just("message "), Just("transfere"), Just("d'origine"), Just("debut du "), Just("reexpedie"),
                    Just("begin "), Just(" "), Just("-"), Just("é"), Just("x"), Just("\n"),
                ],
                0..16,
            )
        ) {
            let text = pieces.concat();
            prop_assert_eq!(first_marker(&text), first_marker_by_regex(&text), "{:?}", text);
        }
    }
}
