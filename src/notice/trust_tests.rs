//! Which `Authentication-Results` count, and what leaves `notice`: the
//! rules of DESIGN "Rules" (first bullet) and "Security", end to end
//! through [`recognise_for`].

use super::{Authenticity, Notice, Recognition, Rules, RulesExtension, Trust, recognise, recognise_for};

const PAYMENT_BODY: &str = "From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: Information de paiement\r\n\r\nBonjour\r\n";

/// A message from `headers` (each a whole header line) then an ameli
/// payment notice.
fn mail(headers: &[&str]) -> Vec<u8> {
    let mut raw = String::new();
    for h in headers {
        raw.push_str(h);
        raw.push_str("\r\n");
    }
    raw.push_str(PAYMENT_BODY);
    raw.into_bytes()
}

fn seen(raw: &[u8], trust: &Trust) -> Recognition {
    recognise_for(raw, &Rules::builtin(), trust).expect("an e-mail")
}

fn notice(raw: &[u8], trust: &Trust) -> Notice {
    seen(raw, trust).notice.expect("claims ameli")
}

fn codes(n: &Notice) -> Vec<&'static str> {
    n.reasons.iter().map(|r| r.code()).collect()
}

const GOOGLE_PASS: &str = "Authentication-Results: mx.google.com; dkim=pass header.i=@info.ameli.fr header.s=s1; \
                           spf=pass smtp.mailfrom=info.ameli.fr; dmarc=pass (p=REJECT) header.from=info.ameli.fr";
const FORGED_PASS: &str = "Authentication-Results: mx.attacker.example; dkim=pass header.d=info.ameli.fr; dmarc=pass";

#[test]
fn the_topmost_authentication_results_is_trusted_by_scan() {
    let raw = mail(&["Authentication-Results: relay.example; dkim=fail header.d=info.ameli.fr", GOOGLE_PASS]);
    let seen = recognise(&raw, &Rules::builtin()).expect("mail");
    assert_eq!(seen.notice.expect("ameli").authenticity, Authenticity::Suspicious);
    assert_eq!(seen.checked_by.as_deref(), Some("relay.example"), "scan says whose verdict it reports");
}

#[test]
fn a_configured_recognition_authserv_id_picks_which_header_to_trust() {
    let raw = mail(&["Authentication-Results: relay.example; dkim=fail header.d=info.ameli.fr", GOOGLE_PASS]);
    let extra = RulesExtension { trusted_authserv_ids: vec!["mx.google.com".into()], ..Default::default() };
    let rules = Rules::with_extension(&extra).expect("rules");
    assert_eq!(recognise(&raw, &rules).expect("mail").notice.expect("ameli").authenticity, Authenticity::Genuine);
}

#[test]
fn the_trusted_server_header_counts_wherever_it_is() {
    // Gmail puts its header below its own Received line and below
    // anything the sender wrote: position proves nothing either way.
    let raw = mail(&[
        FORGED_PASS,
        "Received: from mail.info.ameli.fr by mx.google.com with ESMTPS; Fri, 20 Nov 2026 10:14:05 +0100",
        GOOGLE_PASS,
    ]);
    let trust = Trust::servers(["mx.google.com"]);
    let seen = seen(&raw, &trust);
    assert_eq!(seen.checked_by.as_deref(), Some("mx.google.com"));
    assert_eq!(seen.notice.expect("ameli").authenticity, Authenticity::Genuine);
}

#[test]
fn a_forged_pass_from_the_sender_does_not_make_a_spoof_genuine() {
    // The receiving server found nothing; the sender added its own header.
    let raw = mail(&[
        "Authentication-Results: mx.google.com; dkim=none; spf=softfail smtp.mailfrom=evil.example; \
         dmarc=fail header.from=info.ameli.fr",
        "Authentication-Results: mx.attacker.example; dkim=pass header.d=franceconnect.gouv.fr; dmarc=pass",
    ]);
    let n = notice(&raw, &Trust::servers(["mx.google.com"]));
    assert_eq!(n.authenticity, Authenticity::Suspicious);
    assert!(!codes(&n).contains(&"dkim_pass"), "{:?}", n.reasons);
}

#[test]
fn a_forged_header_bearing_the_trusted_id_cannot_contradict_it() {
    // The sender spells its header with the receiving server's own id; the
    // real one found no signature and no DMARC record.
    let raw = mail(&[
        "Authentication-Results: mx.google.com; dkim=none; spf=neutral smtp.mailfrom=evil.example; dmarc=none",
        "Authentication-Results: mx.google.com; dkim=pass header.d=info.ameli.fr; dmarc=pass header.from=info.ameli.fr",
    ]);
    let n = notice(&raw, &Trust::servers(["mx.google.com"]));
    assert_eq!(n.authenticity, Authenticity::Unverified);
    assert_eq!(codes(&n), ["no_passing_authentication"]);
}

#[test]
fn a_forged_header_alone_is_not_trusted_when_the_server_adds_none() {
    // A self-hosted server that writes no header, or a message APPENDed.
    let raw = mail(&[FORGED_PASS]);
    let n = notice(&raw, &Trust::servers(["mx.self-hosted.example"]));
    assert_eq!(n.authenticity, Authenticity::Unverified);
    assert_eq!(codes(&n), ["untrusted_authentication_results"]);
}

#[test]
fn with_no_trusted_server_a_message_is_at_best_unverified() {
    let raw = mail(&[GOOGLE_PASS]);
    let seen = seen(&raw, &Trust::Servers(vec![]));
    assert_eq!(seen.checked_by, None);
    let n = seen.notice.expect("ameli");
    assert_eq!(n.authenticity, Authenticity::Unverified);
    assert_eq!(codes(&n), ["no_trusted_server"]);
}

#[test]
fn every_header_of_the_trusted_server_is_read() {
    // ProtonMail (like OpenDKIM + OpenDMARC) writes one header per method.
    let split = |dkim: &str| {
        mail(&[
            "Authentication-Results: mail.protonmail.ch; dmarc=none (p=none dis=none) header.from=info.ameli.fr",
            "Authentication-Results: mail.protonmail.ch; spf=pass smtp.mailfrom=info.ameli.fr",
            &format!("Authentication-Results: mail.protonmail.ch; {dkim}"),
        ])
    };
    let trust = Trust::servers(["mail.protonmail.ch"]);
    let good = notice(&split("dkim=pass (2048-bit key) header.d=info.ameli.fr header.i=@info.ameli.fr"), &trust);
    assert_eq!(good.authenticity, Authenticity::Genuine, "{:?}", good.reasons);
    let bad = notice(&split("dkim=fail (bad signature) header.d=info.ameli.fr"), &trust);
    assert_eq!(bad.authenticity, Authenticity::Suspicious);
    assert!(codes(&bad).contains(&"dkim_fail"));
}

#[test]
fn icloud_split_headers_are_all_read() {
    let raw = mail(&[
        "Authentication-Results: bimi.icloud.com; bimi=none",
        "Authentication-Results: dmarc.icloud.com; dmarc=fail header.from=info.ameli.fr",
        "Authentication-Results: dkim-verifier.icloud.com; dkim=none",
        "Authentication-Results: spf.icloud.com; spf=fail smtp.mailfrom=info.ameli.fr",
    ]);
    let trust = Trust::servers(crate::providers::for_address("j@icloud.com").expect("known").authserv_ids.to_vec());
    let n = notice(&raw, &trust);
    assert_eq!(n.authenticity, Authenticity::Suspicious);
    assert!(codes(&n).contains(&"dmarc_fail") && codes(&n).contains(&"spf_fail"), "{:?}", n.reasons);
}

const PROTON_DMARC_NONE: &str =
    "Authentication-Results: mail.protonmail.ch; dmarc=none (p=none dis=none) header.from=info.ameli.fr";
const PROTON_SPF_FAIL: &str = "Authentication-Results: mail.protonmail.ch; spf=fail smtp.mailfrom=info.ameli.fr";
const PROTON_DKIM_PASS: &str = "Authentication-Results: mail.protonmail.ch; dkim=pass header.d=info.ameli.fr";

#[test]
fn a_complete_topmost_trusted_header_is_the_only_one_read() {
    // The real server found nothing; a one-method forgery below it is not
    // read either.
    let raw = mail(&[
        "Authentication-Results: mx.google.com; dkim=none; spf=softfail smtp.mailfrom=evil.example; dmarc=none",
        "Authentication-Results: mx.google.com; dkim=pass header.d=info.ameli.fr",
    ]);
    let n = notice(&raw, &Trust::servers(["mx.google.com"]));
    assert!(!codes(&n).contains(&"dkim_pass"), "{:?}", n.reasons);
    assert_ne!(n.authenticity, Authenticity::Genuine);
}

#[test]
fn a_one_method_run_stops_at_a_header_with_several_methods() {
    let raw = mail(&[
        PROTON_DMARC_NONE,
        "Authentication-Results: mail.protonmail.ch; dkim=pass header.d=info.ameli.fr; spf=pass          smtp.mailfrom=info.ameli.fr",
    ]);
    let n = notice(&raw, &Trust::servers(["mail.protonmail.ch"]));
    assert!(!codes(&n).contains(&"dkim_pass"), "{:?}", n.reasons);
    assert_ne!(n.authenticity, Authenticity::Genuine);
}

#[test]
fn a_one_method_run_stops_at_a_repeated_method() {
    // The server's own dkim=fail, then the sender's dkim=pass below it.
    let raw = mail(&[
        PROTON_DMARC_NONE,
        PROTON_SPF_FAIL,
        "Authentication-Results: mail.protonmail.ch; dkim=fail (bad signature) header.d=info.ameli.fr",
        PROTON_DKIM_PASS,
    ]);
    let n = notice(&raw, &Trust::servers(["mail.protonmail.ch"]));
    assert_eq!(n.authenticity, Authenticity::Suspicious);
    assert!(!codes(&n).contains(&"dkim_pass"), "{:?}", n.reasons);
}

#[test]
fn a_one_method_run_stops_at_a_header_of_another_server() {
    let raw = mail(&[
        PROTON_DMARC_NONE,
        PROTON_SPF_FAIL,
        "Authentication-Results: relay.example; arc=none",
        PROTON_DKIM_PASS,
    ]);
    let n = notice(&raw, &Trust::servers(["mail.protonmail.ch"]));
    assert!(!codes(&n).contains(&"dkim_pass"), "{:?}", n.reasons);
    assert_ne!(n.authenticity, Authenticity::Genuine);
}

const MICROSOFT_PASS: &str = "Authentication-Results: spf=pass (sender IP is 192.0.2.10)\r\n \
    smtp.mailfrom=info.ameli.fr; dkim=pass (signature was verified)\r\n header.d=info.ameli.fr;dmarc=pass \
    action=none header.from=info.ameli.fr;compauth=pass\r\n reason=100";

#[test]
fn microsoft_style_headers_are_trusted_for_microsoft_accounts() {
    let raw = mail(&[
        "ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=pass; dmarc=pass; dkim=pass; arc=none",
        MICROSOFT_PASS,
        "Authentication-Results-Original: mx.other.example; dkim=fail header.d=info.ameli.fr",
    ]);
    let trust = Trust::servers(["(microsoft)"]);
    let seen = seen(&raw, &trust);
    assert_eq!(seen.checked_by.as_deref(), Some("(microsoft)"));
    assert_eq!(seen.notice.expect("ameli").authenticity, Authenticity::Genuine);
}

#[test]
fn only_microsofts_own_topmost_header_counts_for_a_microsoft_account() {
    let raw = mail(&[
        "Authentication-Results: spf=fail (sender IP is 198.51.100.7) smtp.mailfrom=evil.example; dkim=none \
         (message not signed) header.d=none;dmarc=fail action=quarantine header.from=info.ameli.fr;compauth=fail \
         reason=000",
        "Authentication-Results: spf=pass smtp.mailfrom=info.ameli.fr; dkim=pass header.d=info.ameli.fr; dmarc=pass \
         header.from=info.ameli.fr",
        GOOGLE_PASS,
    ]);
    let n = notice(&raw, &Trust::servers(["(microsoft)"]));
    assert_eq!(n.authenticity, Authenticity::Suspicious);
    assert!(!codes(&n).contains(&"dkim_pass"));
}

#[test]
fn a_header_naming_microsoft_is_not_microsoft_style() {
    let raw = mail(&["Authentication-Results: (microsoft); dkim=pass header.d=info.ameli.fr; dmarc=pass"]);
    assert_eq!(notice(&raw, &Trust::servers(["(microsoft)"])).authenticity, Authenticity::Unverified);
}

#[test]
fn yahoo_servers_each_name_themselves() {
    let raw = mail(&[
        "Authentication-Results: atlas216.free.mail.bf1.yahoo.com;\r\n dkim=pass header.i=@info.ameli.fr \
                      header.s=s1;\r\n spf=pass smtp.mailfrom=info.ameli.fr;\r\n dmarc=pass(p=REJECT) header.from=info.ameli.fr;",
    ]);
    let trust = Trust::servers(crate::providers::for_address("j@yahoo.fr").expect("known").authserv_ids.to_vec());
    assert_eq!(notice(&raw, &trust).authenticity, Authenticity::Genuine);
}

#[test]
fn text_from_a_mail_leaves_notice_without_controls_or_bidi() {
    let raw = b"Message-ID: <a\x1b[2J@evil.example>\r\n\
From: =?UTF-8?Q?Ameli_=1B]0;Rien_=C3=A0_signaler=07_=E2=80=AE?= <x@evil.example>\r\n\
Subject: =?UTF-8?Q?Votre_remboursement_ameli_=1B[32m=E2=80=AEok=0Aligne?=\r\n\r\n\
Confirmez vos coordonnees bancaires pour recevoir votre remboursement.\r\n";
    let seen = recognise(raw, &Rules::builtin()).expect("mail");
    let e = &seen.envelope;
    for text in [e.subject.as_str(), e.sender.name.as_deref().unwrap_or(""), e.message_id.as_deref().unwrap_or("")] {
        assert!(!text.chars().any(|c| c.is_control() || super::sanitise::is_bidi_control(c)), "{text:?}");
    }
    assert_eq!(e.subject, "Votre remboursement ameli [32mok ligne");
}

#[test]
fn a_site_or_identity_provider_that_is_not_a_plain_name_is_not_kept() {
    let fc = |site: &str, idp: &str| {
        format!(
            "Authentication-Results: mx.google.com; dkim=pass header.d=franceconnect.gouv.fr\r\n\
             From: FranceConnect <ne-pas-repondre@franceconnect.gouv.fr>\r\n\
             Subject: Alerte de connexion au service \"{site}\" avec FranceConnect\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n\
             Une connexion avec FranceConnect a eu lieu le 01 janvier 2026 \u{e0} 14:14 (heure de Paris) sur le site \
             {site} avec votre compte {idp}.\r\n"
        )
    };
    let plain = notice(fc("impots.gouv.fr", "L'Identité Numérique La Poste").as_bytes(), &Trust::Topmost);
    assert_eq!(plain.site.as_deref(), Some("impots.gouv.fr"));
    assert_eq!(plain.identity_provider.as_deref(), Some("L'Identité Numérique La Poste"));
    let markup = notice(fc("<a href=x>3646</a>", "<img src=https://t.example/p.gif>").as_bytes(), &Trust::Topmost);
    assert_eq!((markup.site, markup.identity_provider), (None, None));
}

#[test]
fn character_references_in_a_subject_do_not_hide_a_link() {
    let raw = "Authentication-Results: mx.google.com; dkim=pass header.d=info.ameli.fr\r\n\
               From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
               Subject: Information de paiement https&#58;&#47;&#47;evil.example\r\n\r\nBonjour\r\n";
    let n = notice(raw.as_bytes(), &Trust::Topmost);
    assert_eq!(n.authenticity, Authenticity::Suspicious);
    assert!(codes(&n).contains(&"link_not_official"), "{:?}", n.reasons);
}
