//! The fixture corpus is the recogniser's spec: every `tests/fixtures/*.eml`
//! has one line in `expected.jsonl` giving the labels it must get. Only the
//! keys present on a line are compared; `codes` must be a subset of the
//! verdict's reason codes; `causes`, required for every fake, must be
//! exactly the reasons against it (its real causes, no more, no fewer);
//! `a.b` compares field `b` of the nested object `a`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use vigie::messages::Lang;
use vigie::notice::{Rules, recognise};
use vigie::report::ScanRecord;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn expectations() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("expected.jsonl")).expect("expected.jsonl is readable");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("expected.jsonl line {}: {e}", i + 1)))
        .collect()
}

#[test]
fn every_fixture_gets_its_expected_labels() {
    let rules = Rules::builtin();
    let mut failures = Vec::new();
    let expected = expectations();
    assert!(expected.len() >= 60, "the corpus must hold at least 60 messages, it has {}", expected.len());
    for want in &expected {
        let file = want["file"].as_str().expect("each line names its file");
        let raw = std::fs::read(fixtures().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let seen = match recognise(&raw, &rules) {
            Ok(seen) => seen,
            Err(e) => {
                failures.push(format!("{file}: not recognised as an e-mail: {e}"));
                continue;
            }
        };
        let got = serde_json::to_value(ScanRecord::new(file, &seen, Lang::En)).expect("a JSON object");
        let warnings: BTreeSet<&str> =
            seen.notice.iter().flat_map(|n| &n.reasons).filter(|r| r.is_warning()).map(|r| r.code()).collect();
        if file.starts_with("fake-") && want.get("causes").is_none() {
            failures.push(format!("{file}: a fake must list its causes; it has {warnings:?}"));
        }
        for (key, value) in want.as_object().expect("each line is an object") {
            match key.as_str() {
                "file" | "note" => {}
                "codes" => {
                    let have: BTreeSet<&str> =
                        got["codes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                    for code in value.as_array().into_iter().flatten().filter_map(Value::as_str) {
                        if !have.contains(code) {
                            failures.push(format!("{file}: reason {code} missing; got {have:?}"));
                        }
                    }
                }
                "causes" => {
                    let want: BTreeSet<&str> =
                        value.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                    if want != warnings {
                        failures.push(format!("{file}: the reasons against it are {warnings:?}, should be {want:?}"));
                    }
                }
                // "original.authenticity": a field of a nested object.
                _ if key.contains('.') => {
                    let have = key.split('.').fold(&got, |v, k| &v[k]);
                    if have != value {
                        failures.push(format!("{file}: {key} is {have} but should be {value}"));
                    }
                }
                _ if got[key] != *value => failures
                    .push(format!("{file}: {key} is {} but should be {value}; reasons: {}", got[key], got["reasons"])),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_eml_has_exactly_one_expectation() {
    let listed: Vec<String> = expectations().iter().filter_map(|v| v["file"].as_str().map(str::to_owned)).collect();
    let unique: BTreeSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "a file is listed twice in expected.jsonl");
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures())
        .expect("fixtures dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    let listed: BTreeSet<String> = listed.into_iter().collect();
    assert_eq!(on_disk, listed, "files on disk and lines in expected.jsonl differ");
}

#[test]
fn malformed_inputs_are_refused_without_panic() {
    let rules = Rules::builtin();
    let dir = fixtures().join("malformed");
    for name in ["empty.eml", "not-an-email.eml", "binary-garbage.eml"] {
        let raw = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let result = recognise(&raw, &rules);
        assert!(result.is_err(), "{name} should not be read as an e-mail: {result:?}");
    }
    // A message cut in the middle of its headers is still read as far as
    // it goes.
    let raw = std::fs::read(dir.join("truncated.eml")).expect("truncated.eml");
    assert!(recognise(&raw, &rules).is_ok());
}

#[test]
fn reasons_name_the_brand_a_lookalike_imitates_and_the_domain_that_signed() {
    let rules = Rules::builtin();
    let reasons = |file: &str| {
        let raw = std::fs::read(fixtures().join(file)).expect("fixture");
        let seen = recognise(&raw, &rules).expect("an e-mail");
        vigie::messages::reasons(seen.notice.as_ref().expect("a claim"), Lang::Fr).join(" | ")
    };
    let text = reasons("fake-assurance-maladie-info-lookalike-named-rightly.eml");
    assert!(text.contains("assurance-maladie-info.com imite l'adresse officielle assurance-maladie.fr"), "{text}");
    let text = reasons("fake-ameli-fr-com-dkim-and-dmarc-pass-for-itself.eml");
    assert!(text.contains("signé par ameli-fr.com, qui n'est pas un domaine officiel"), "{text}");
    assert!(!text.contains("aucune vérification"), "checks did pass, for the look-alike: {text}");
    let text = reasons("fake-ameli-refund-asks-rib-not-payment.eml");
    assert!(text.contains("coordonnées bancaires") && !text.contains("paiement"), "{text}");
    let text = reasons("ameli-login-date-time-unreadable.eml");
    assert!(text.contains("heure illisible, celle de l'e-mail est utilisée"), "{text}");
}
