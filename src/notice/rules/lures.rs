//! The lure patterns and how a text is searched for them.
//!
//! No automaton for the whole set: compiling one cost most of a short
//! `vigie scan`, and its lazy DFA thrashed on long texts. Instead every
//! pattern's possible beginnings ("confirm", "carte ", "rembou"…, from the
//! precompiled table) go into one Aho-Corasick automaton; a pattern is run
//! only over a text that contains one of its beginnings, and then only
//! from where those beginnings are (anchored DFA runs, a few bytes each).
//! A beginning may be a literal a few bytes into the match ("acquit" of
//! `s.acquitter`): found by the same pass, it gives the start that many
//! bytes before it. A pattern whose matches begin almost anywhere, or that
//! has no list of beginnings, is searched over the whole text instead.

use regex_automata::Input;

use super::automata::Starts as Beginnings;
use super::beginnings::Beginning;
use super::literals::Literals;
use super::pattern::{Budget, MOST_BEGINNINGS, OutOfBudget, Pattern};
use super::{LureCategory, RulesError};

#[derive(Debug)]
pub(crate) struct Lures {
    /// In rule order (the config's first).
    patterns: Vec<(LureCategory, Pattern)>,
    /// The beginnings of the patterns that have some.
    prefilter: Option<Literals>,
    /// For each beginning of `prefilter`, the patterns it is one of.
    owners: Vec<Vec<usize>>,
    /// The patterns without a list of beginnings.
    always: Vec<usize>,
}

impl Lures {
    /// `specs`: each pattern with its category and whether it comes from
    /// the config (compiled now, so that a bad one is reported now).
    pub(super) fn new(specs: Vec<(LureCategory, String, bool)>) -> Result<Lures, RulesError> {
        let mut literals: Vec<Beginning> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        let mut patterns = Vec::with_capacity(specs.len());
        for (index, (category, source, from_config)) in specs.into_iter().enumerate() {
            let pattern = Pattern::new(source, from_config, category.code())?;
            match pattern.starts() {
                // Searched in one pass instead (beginnings almost anywhere).
                _ if pattern.has_whole() => always.push(index),
                Beginnings::Literals(prefixes) => {
                    for prefix in prefixes {
                        match literals.iter().position(|l| l == prefix) {
                            Some(at) => owners[at].push(index),
                            None => {
                                literals.push(prefix.clone());
                                owners.push(vec![index]);
                            }
                        }
                    }
                }
                Beginnings::AtStart | Beginnings::Anywhere => always.push(index),
            }
            patterns.push((category, pattern));
        }
        // Precompiled for the built-in lures.
        let prefilter = if literals.is_empty() {
            None
        } else {
            match Literals::new(&literals) {
                Some(search) => Some(search),
                None => {
                    // Too large for the automaton: run every pattern.
                    always = (0..patterns.len()).collect();
                    owners.clear();
                    None
                }
            }
        };
        Ok(Lures { patterns, prefilter, owners, always })
    }

    /// Lure categories found in `folded` text, in rule order, once each.
    /// A match closely preceded by a negation ("… jamais …") does not
    /// count.
    pub(crate) fn found_in(&self, folded: &str) -> Vec<LureCategory> {
        let text = folded.as_bytes();
        // For each pattern, how many beginnings it has in the text
        // (`ANYWHERE`: to be searched whole), and every (pattern, start)
        // in one list: a few allocations a text, not a few a pattern.
        let mut counts = vec![0; self.patterns.len()];
        for &index in &self.always {
            counts[index] = ANYWHERE;
        }
        let mut hits: Vec<(usize, usize)> = Vec::with_capacity(64);
        if let Some(prefilter) = &self.prefilter {
            // More beginnings than this: one search over the whole text
            // (the lists stay small, whatever the text).
            let most = MOST_BEGINNINGS;
            for (literal, start) in prefilter.find_overlapping(text) {
                for &index in self.owners.get(literal).map(Vec::as_slice).unwrap_or_default() {
                    let count = &mut counts[index];
                    if *count == ANYWHERE {
                        continue;
                    } else if *count >= most {
                        *count = ANYWHERE;
                    } else {
                        *count += 1;
                        hits.push((index, start));
                    }
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        let mut rest = hits.as_slice();
        let mut found: Vec<LureCategory> = Vec::new();
        for (index, ((category, pattern), count)) in self.patterns.iter().zip(counts).enumerate() {
            // What is left begins with this pattern's starts, in order.
            let (at, later) = rest.split_at(rest.iter().take_while(|&&(i, _)| i == index).count());
            rest = later;
            if count == 0 || found.contains(category) {
                continue;
            }
            let not_negated = |start: usize| !negated(folded.get(..start).unwrap_or_default());
            let anywhere = || {
                let mut at = 0;
                loop {
                    match pattern.find_at(text, at) {
                        Ok(Some((start, _))) if not_negated(start) => return true,
                        Ok(Some((start, end))) => at = end.max(start + 1),
                        Ok(None) => return false,
                        Err(OutOfBudget) => {
                            return pattern.regex_for(text).is_some_and(|re| {
                                re.find_iter(Input::new(text).range(at..)).any(|m| not_negated(m.start()))
                            });
                        }
                    }
                    if at > text.len() {
                        return false;
                    }
                }
            };
            let hit = match count {
                ANYWHERE => anywhere(),
                _ => {
                    // What `find_iter` would report: every match starts at
                    // one of `at`, and after a match the search resumes at
                    // its end.
                    let mut budget = Budget::for_text(text);
                    let mut resume = 0;
                    let mut hit = Ok(false);
                    for &(_, start) in at {
                        if start < resume {
                            continue;
                        }
                        match pattern.match_at(text, start, false, &mut budget) {
                            Ok(Some(_)) if not_negated(start) => {
                                hit = Ok(true);
                                break;
                            }
                            Ok(Some(end)) => resume = end,
                            Ok(None) => {}
                            Err(OutOfBudget) => {
                                hit = Err(OutOfBudget);
                                break;
                            }
                        }
                    }
                    hit.unwrap_or_else(|OutOfBudget| anywhere())
                }
            };
            if hit {
                found.push(*category);
            }
        }
        found
    }

    #[cfg(test)]
    pub(super) fn patterns(&self) -> impl Iterator<Item = &Pattern> {
        self.patterns.iter().map(|(_, p)| p)
    }

    #[cfg(test)]
    pub(super) fn prefilter(&self) -> Option<&Literals> {
        self.prefilter.as_ref()
    }
}

/// A pattern's count of beginnings in a text when it is searched whole
/// instead: it has no list of beginnings, or more than
/// [`MOST_BEGINNINGS`] of them are in the text.
const ANYWHERE: usize = usize::MAX;

/// The words just before a match negate it: "nous ne vous demanderons
/// jamais de communiquer votre mot de passe". ("Si vous ne confirmez pas
/// vos coordonnées…" is a threat, not a negation: a bare "ne" does not
/// count.)
fn negated(before: &str) -> bool {
    let start = before.len().saturating_sub(48);
    let start = (start..before.len()).find(|&i| before.is_char_boundary(i)).unwrap_or(before.len());
    let window = &before[start..];
    window.contains("jamais") || window.contains("aucun cas") || window.contains("never")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lure_is_found_only_where_one_of_its_beginnings_is() {
        let lures = Lures::new(vec![
            (LureCategory::Password, "(confirm|saisi)\\w* votre mot de passe".into(), true),
            (LureCategory::Deadline, "(?:x|y)?sous 24 ?h".into(), false),
        ])
        .expect("valid");
        assert_eq!(
            lures.found_in("saisissez votre mot de passe sous 24h"),
            [LureCategory::Password, LureCategory::Deadline]
        );
        assert_eq!(lures.found_in("jamais: confirmez votre mot de passe"), []);
        assert_eq!(lures.found_in("rien"), []);
    }

    /// What `found_in` must answer, the plain way: every pattern compiled
    /// and run over the whole text.
    fn found_by_reference(lures: &Lures, folded: &str) -> Vec<LureCategory> {
        let mut found = Vec::new();
        for (category, pattern) in &lures.patterns {
            let re = pattern.regex().expect("compiles");
            let hit = re.find_iter(folded.as_bytes()).any(|m| !negated(&folded[..m.start()]));
            if hit && !found.contains(category) {
                found.push(*category);
            }
        }
        found
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Texts made of the lures' own words, in any order: the
        /// beginnings, anchored DFAs and one-pass DFAs find the categories
        /// the patterns find run whole.
        #[test]
        fn the_builtin_lures_are_found_as_their_patterns_find_them(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "confirmez", "vos", "votre", "coordonnees bancaires", "mot de passe", "jamais", "rembourse",
                "ment", "de 45,20 eur", "a valider", "carte vitale", "2026", "expire", "sous 24h", "d'ici",
                "s'acquitter", "reglez", "frais", "de dossier", "cliquez", "ici pour", "securiser", "compte",
                "dossier n", "ab-123456", "scannez le qr code", "service client", "repondez a ce message",
                "copie de votre", "carte d'identite", "nouvelle procedure de", "securisation", "x", ",", ".",
            ]), 0..40),
            separators in proptest::collection::vec(proptest::sample::select(vec![" ", "", "  ", " - ", "\n"]), 40),
        ) {
            let rules = crate::notice::Rules::builtin();
            let mut text = String::new();
            for (word, separator) in words.iter().zip(&separators) {
                text.push_str(word);
                text.push_str(separator);
            }
            proptest::prop_assert_eq!(rules.lures.found_in(&text), found_by_reference(&rules.lures, &text), "{:?}", text);
        }
    }

    #[test]
    fn a_text_with_a_beginning_everywhere_is_searched_whole() {
        let lures = Lures::new(vec![(LureCategory::Password, "(confirm|saisi)\\w* votre mot de passe".into(), false)])
            .expect("valid");
        // Hundreds of thousands of beginnings, none followed by the rest,
        // then one that is: more than MOST_BEGINNINGS, so one search over
        // the whole text, and the same answer.
        let text = format!("{}confirmez votre mot de passe", "confirmez votre code ".repeat(100_000));
        assert_eq!(lures.found_in(&text), [LureCategory::Password]);
        let text = "saisissez votre identifiant ".repeat(100_000);
        assert_eq!(lures.found_in(&text), []);
        // The same with a beginning found a few bytes into the match.
        let rules = crate::notice::Rules::builtin();
        let text = "s'acquitter ".repeat(100_000);
        assert_eq!(rules.lures.found_in(&text), []);
        let text = format!("{} de 45 eur", "acquit".repeat(100_000));
        assert_eq!(rules.lures.found_in(&text), []);
        let text = format!("{}s'acquitter de 45 eur", "s ".repeat(100_000));
        assert_eq!(rules.lures.found_in(&text), [LureCategory::Payment]);
    }
}
