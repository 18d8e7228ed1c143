//! Does a message present itself as ameli or FranceConnect?
//!
//! An official sender domain always does, and so does a known notice
//! subject (a fake "Information de connexion" still claims ameli) or a
//! display name that is the service's own ("Votre Assurance Maladie").
//! Businesses and people are called Ameli or Amélie, so a brand word in
//! the sender's domain or name, or in the subject, counts only together
//! with a claim in the message: a claim phrase (`claims` in the rules:
//! the Assurance Maladie, the ameli account, a carte Vitale to order, a
//! reimbursement of care, a login), a known subject, or a lure only an
//! impersonator of the service would use.

use super::Service;
use super::domain::{DomainVerdict, Strength};
use super::rules::{Format, LureCategory, Rules};
use super::text::Content;

/// The service `content` presents itself as, if any.
pub(crate) fn claimed_service(
    content: &Content,
    rules: &Rules,
    verdict: Option<&DomainVerdict>,
    format: Option<&Format>,
    lures: &[LureCategory],
) -> Option<Service> {
    if let Some(DomainVerdict::Official(s)) = verdict {
        return Some(*s);
    }
    if let Some(f) = format.filter(|f| f.subject_claims) {
        return Some(f.service);
    }
    if let Some(s) = rules.display_name_of(&content.sender_name_folded) {
        return Some(s);
    }
    let text = format!("{} \n {}", content.subject_folded, content.body_folded);
    let claimed_in_message = |s: Service| {
        format.is_some_and(|f| f.service == s)
            || rules.claim_phrase_in(s, &text)
            || (s == Service::Ameli && lures.iter().any(|l| l.impersonates_ameli()))
    };
    let brand_in_sender = match verdict {
        Some(DomainVerdict::Lookalike { service, strength: Strength::Strong, .. }) => Some(*service),
        _ => None,
    };
    let candidates = [
        brand_in_sender,
        rules.brand_named_in(&content.sender_name_folded),
        // A subject naming the brand (a forward of a notice does) claims
        // only with a lure.
        rules.brand_named_in(&content.subject_folded).filter(|_| lures.iter().any(|l| l.is_serious())),
        // A near miss of an official domain (amelli.fr) is a claim only
        // when the message names that same brand and makes a claim.
        match verdict {
            Some(DomainVerdict::Lookalike { service, strength: Strength::EditDistance, .. }) => {
                rules.brand_named_in(&text).filter(|s| s == service)
            }
            _ => None,
        },
        // A generic sender ("Service remboursement" at some domain)
        // whose text presents itself as the service and lures.
        rules.brand_named_in(&content.body_folded).filter(|_| lures.iter().any(|l| l.is_serious())),
    ];
    candidates.into_iter().flatten().find(|&s| claimed_in_message(s))
}
