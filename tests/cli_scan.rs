//! `vigie scan` as a user runs it: the real binary, real files.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn vigie(args: &[&str]) -> Output {
    vigie_with_stdin(args, None)
}

fn vigie_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .env_remove("VIGIE_CONFIG")
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigie runs");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.unwrap_or_default().to_vec();
    // vigie may stop reading early (a message too large): a broken pipe
    // here is expected, not a failure.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().expect("vigie finishes");
    writer.join().expect("writer thread");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const GENUINE: &[u8] = b"Authentication-Results: mx.orange.fr; dkim=pass header.d=info.ameli.fr; dmarc=pass\r\n\
From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: =?UTF-8?Q?Votre_compte_ameli_=E2=80=93_Information_de_connexion?=\r\n\
Date: Fri, 20 Nov 2026 10:15:00 +0100\r\nMessage-ID: <g1@info.ameli.fr>\r\n\r\n\
Bonjour, une connexion a votre compte ameli a eu lieu le 20 novembre 2026 a 10h14.\r\n";

const FAKE: &[u8] = b"From: Votre Assurance Maladie <contact@ameli-fr.com>\r\n\
Subject: Votre compte ameli - Information de connexion\r\n\r\n\
Une connexion suspecte a eu lieu. Cliquez ici pour securiser votre compte : https://ameli-fr.com/s\r\n";

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path.to_string_lossy().into_owned()
}

#[test]
fn genuine_notice_gets_a_french_verdict_with_paris_time_and_exit_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vigie(&["scan", &write(&dir, "a.eml", GENUINE)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("notification de connexion ameli authentique"), "{stdout}");
    assert!(stdout.contains("20/11/2026 à 10:14"), "{stdout}");
}

#[test]
fn a_fake_exits_1_and_says_why_in_english_when_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vigie(&["--lang", "en", "scan", &write(&dir, "f.eml", FAKE)]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Probably FAKE"), "{stdout}");
    assert!(stdout.contains("ameli-fr.com imitates the official ameli.fr"), "{stdout}");
}

#[test]
fn json_follows_the_contract_one_line_per_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, f) = (write(&dir, "a.eml", GENUINE), write(&dir, "f.eml", FAKE));
    let out = vigie(&["scan", "--json", &a, &f]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["file"], a.as_str());
    assert_eq!(lines[0]["claims"], "ameli");
    assert_eq!(lines[0]["kind"], "login");
    assert_eq!(lines[0]["authenticity"], "genuine");
    assert_eq!(lines[0]["login_at"], "2026-11-20T09:14:00Z");
    assert_eq!(lines[0]["login_at_source"], "body");
    assert_eq!(lines[0]["sender"], "assurance-maladie@info.ameli.fr");
    assert!(lines[0]["site"].is_null() && lines[0]["identity_provider"].is_null());
    assert_eq!(lines[1]["authenticity"], "suspicious");
    let codes = lines[1]["codes"].to_string();
    assert!(codes.contains("lookalike_domain") && codes.contains("lure_secure_account"), "{codes}");
}

#[test]
fn stdin_is_read_with_a_dash() {
    let out = vigie_with_stdin(&["scan", "--json", "-"], Some(GENUINE));
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["file"], "-");
    assert_eq!(v["authenticity"], "genuine");
}

#[test]
fn unrelated_mail_is_not_flagged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mail = b"From: Doctolib <no-reply@doctolib.fr>\r\nSubject: Rappel de votre rendez-vous\r\n\r\n\
Pensez a apporter votre carte Vitale.\r\n";
    let out = vigie(&["scan", &write(&dir, "r.eml", mail)]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("sans rapport"));
}

#[test]
fn bad_files_get_a_clear_message_and_the_others_are_still_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = write(&dir, "empty.eml", b"");
    let prose = write(&dir, "prose.eml", b"just some words with no headers at all\n");
    let good = write(&dir, "a.eml", GENUINE);
    let missing = dir.path().join("missing.eml").to_string_lossy().into_owned();
    let out = vigie(&["scan", &empty, &missing, &prose, &good]);
    assert_eq!(out.status.code(), Some(2), "unscannable files give exit 2");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("fichier vide"), "{stderr}");
    assert!(stderr.contains("fichier introuvable"), "{stderr}");
    assert!(stderr.contains("ce n'est pas un e-mail"), "{stderr}");
    assert!(text(&out.stdout).contains("authentique"), "the good file is still scanned");
}

#[test]
fn a_50_mb_message_is_refused_with_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.eml");
    let mut big = Vec::from(GENUINE);
    big.resize(50 * 1024 * 1024, b'a');
    std::fs::write(&path, &big).expect("write");
    let path = path.to_string_lossy().into_owned();
    let out = vigie(&["scan", "--json", &path]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["error"].as_str().is_some_and(|e| e.contains("trop volumineux")), "{v}");
    // Through stdin the size is not known in advance: still refused.
    let out = vigie_with_stdin(&["scan", "-"], Some(&big));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(vigie(&["scan"]).status.code(), Some(2));
    assert_eq!(vigie(&["frobnicate"]).status.code(), Some(2));
    let bad = vigie(&["--config", "/nonexistent/vigie.toml", "scan", "-"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("/nonexistent/vigie.toml"));
}

#[test]
fn scan_says_whose_verdict_it_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(&dir, "a.eml", GENUINE);
    let out = vigie(&["scan", &file]);
    assert!(text(&out.stdout).contains("celles du serveur « mx.orange.fr »"), "{}", text(&out.stdout));
    let out = vigie(&["scan", "--json", &file]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["checked_by"], "mx.orange.fr");
}

#[test]
fn nothing_from_a_mail_or_a_file_name_reaches_the_terminal_raw() {
    // An escape sequence and a right-to-left override in the subject, the
    // sender's name, its domain (which IDNA cannot convert) and the file
    // name.
    let hostile = "From: =?UTF-8?Q?Ameli_=1B[2J=1B]0;Rien_=C3=A0_signaler=07?= <x@evil\u{202e}rf.ilema\u{1b}[32m.example>\r\n\
Subject: =?UTF-8?Q?Votre_remboursement_ameli_=1B]8;;https://evil.example=07ici=E2=80=AE?=\r\n\r\n\
Confirmez vos coordonnees bancaires : https://evil.example/x\r\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(&dir, "a\u{1b}]0;titre\u{7}\u{202e}.eml", hostile.as_bytes());
    for args in [vec!["scan", file.as_str()], vec!["scan", "--json", file.as_str()], vec!["scan", "nope\u{1b}[2J.eml"]]
    {
        let out = vigie(&args);
        for stream in [text(&out.stdout), text(&out.stderr)] {
            assert!(!stream.chars().any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}'), "{args:?}: {stream:?}");
        }
    }
}

#[test]
fn a_link_rewritten_by_the_mail_provider_is_judged_by_the_url_it_wraps() {
    let mail = b"Authentication-Results: spf=pass (sender IP is 192.0.2.41) smtp.mailfrom=info.ameli.fr; dkim=pass \
(signature was verified) header.d=info.ameli.fr;dmarc=pass action=none header.from=info.ameli.fr;compauth=pass reason=100\r\n\
From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: Votre compte ameli - Information de connexion\r\n\
Date: Wed, 09 Dec 2026 08:31:00 +0100\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>Une connexion a votre compte ameli a eu lieu le mer. 9 d&eacute;c. 2026 &agrave; 08:30.</p>\
<p><a href=\"https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fassure.ameli.fr%2FPortailAS&amp;data=05%7C02&amp;reserved=0\">https://assure.ameli.fr</a></p>\r\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(&dir, "safelinks.eml", mail);
    let out = vigie(&["scan", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("authentique"), "{stdout}");
    assert!(stdout.contains("lien réécrit par votre messagerie vers assure.ameli.fr"), "{stdout}");
    assert!(stdout.contains("09/12/2026 à 08:30"), "{stdout}");
}

const FORWARD_WITH_FAKE_ATTACHED: &[u8] = b"From: Jeanne Martin <mamie@orange.fr>\r\n\
Subject: TR: Votre carte Vitale\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nC'est normal ?\r\n\
--b\r\nContent-Type: message/rfc822\r\n\r\n\
From: Votre Assurance Maladie <contact@ameli-fr.com>\r\n\
Subject: Votre carte Vitale 2026 est prete\r\n\r\n\
Cliquez sur JE COMMANDE MA CARTE : https://ameli-fr.com/carte\r\n\
--b--\r\n";

#[test]
fn a_forward_with_the_original_attached_is_judged_by_its_original() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(&dir, "fwd.eml", FORWARD_WITH_FAKE_ATTACHED);
    let out = vigie(&["scan", &file]);
    assert_eq!(out.status.code(), Some(1), "a fake original needs attention");
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains("sans rapport"), "the forward itself claims nothing: {stdout}");
    assert!(lines[1].contains("l'original est joint") && lines[1].contains("FAUX probable"), "{stdout}");
    let out = vigie(&["scan", "--json", &file]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(v["claims"].is_null());
    assert_eq!(v["forwarded"], "attached");
    assert_eq!(v["forwarded_claims"], "ameli");
    assert_eq!(v["original"]["claims"], "ameli");
    assert_eq!(v["original"]["authenticity"], "suspicious");
}

#[test]
fn an_inline_forward_says_its_original_sender_cannot_be_checked() {
    let mail = "From: Jeanne Martin <mamie@orange.fr>\r\n\
Subject: Fwd: Votre compte ameli – Information de connexion\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
---------- Forwarded message ---------\r\nDe : Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Une connexion à votre compte ameli a eu lieu le 20 novembre 2026 à 10h14.\r\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(&dir, "inline.eml", mail.as_bytes());
    let out = vigie(&["scan", &file]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("son expéditeur ne peut pas être vérifié"), "{}", text(&out.stdout));
    let out = vigie(&["scan", "--json", &file]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!((v["forwarded"].as_str(), v["original"].is_null()), (Some("inline"), true));
}
