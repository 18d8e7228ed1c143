//! Forwards of ameli or FranceConnect mail, for `vigie scan`: a relative
//! forwards a notice and asks whether it was genuine. An original attached
//! as `message/rfc822` is judged on its own (by its own topmost
//! `Authentication-Results`, written by the forwarder's provider); an
//! original copied into the text cannot be checked, and the verdict says
//! so.

use std::sync::LazyLock;

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
    // The first marker in the text, found in one pass.
    static MARKERS: LazyLock<Option<regex::bytes::Regex>> = LazyLock::new(|| {
        let alternatives: Vec<String> = FORWARD_MARKERS.iter().map(|m| regex::escape(m)).collect();
        regex::bytes::RegexBuilder::new(&alternatives.join("|")).unicode(false).build().ok()
    });
    let marker = match MARKERS.as_ref() {
        Some(re) => re.find(content.body_folded.as_bytes()).map(|m| m.start()),
        None => FORWARD_MARKERS.iter().filter_map(|m| content.body_folded.find(m)).min(),
    };
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
