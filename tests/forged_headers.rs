//! Forged `Authentication-Results` bearing the trusted authserv-id, and
//! sentences passed off as site names: the two breaks found by the attack
//! campaign of 2026-11-26 (branch `attack`), checked through the public API.

use vigie::notice::{Authenticity, Rules, Trust, plain_name, recognise_for};

const FORGED_SAME_ID: &str = "Authentication-Results: mx.google.com; dkim=pass header.d=info.ameli.fr header.s=s1; \
     spf=pass smtp.mailfrom=info.ameli.fr; dmarc=pass header.from=info.ameli.fr";

fn ameli_login(real_header: &str) -> Vec<u8> {
    format!(
        "Received: from mx.spoof.example by mx.google.com; Wed, 25 Nov 2026 09:10:05 +0100\r\n\
         {real_header}\r\n{FORGED_SAME_ID}\r\n\
         From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
         Subject: Votre compte ameli \u{2013} Information de connexion\r\n\
         Date: Wed, 25 Nov 2026 09:10:00 +0100\r\nMessage-ID: <f2@info.ameli.fr>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Bonjour, une connexion \u{e0} votre compte ameli a \u{e9}t\u{e9} effectu\u{e9}e le 25 novembre 2026 \u{e0} 09:10.\r\n"
    )
    .into_bytes()
}

/// The real server's header (topmost with the trusted id) gives no verdict;
/// the sender's own header below it, spelt with the same id, says pass. The
/// topmost trusted header is complete (`none`, or several methods) or
/// starts a one-method run that a several-method header cannot join.
#[test]
fn a_sender_header_spelt_with_the_trusted_id_below_the_servers_own_is_not_read() {
    let trust = Trust::servers(["mx.google.com"]);
    for real in [
        "Authentication-Results: mx.google.com; none",
        "Authentication-Results: mx.google.com; arc=none",
        "Authentication-Results: mx.google.com; dkim=temperror header.d=info.ameli.fr; dmarc=temperror header.from=info.ameli.fr",
        "Authentication-Results: mx.google.com; dkim=neutral (no key) header.d=info.ameli.fr; dmarc=none (p=NONE) header.from=info.ameli.fr",
    ] {
        let seen = recognise_for(&ameli_login(real), &Rules::builtin(), &trust).expect("an e-mail");
        let n = seen.notice.expect("claims ameli");
        assert_ne!(n.authenticity, Authenticity::Genuine, "real header {real:?} + forged pass → {:?}", n.reasons);
    }
}

/// A name with a phone number in it is not shown in an alert (campaign
/// `h4`, `h12`).
#[test]
fn a_name_with_a_phone_number_is_not_a_plain_name() {
    for s in ["Rappel urgent au 01 23 45 67 89", "Conseiller Ameli au 0612345678", "Appelez le 3646"] {
        assert_eq!(plain_name(s), None, "{s:?} would be shown in an alert");
    }
}
