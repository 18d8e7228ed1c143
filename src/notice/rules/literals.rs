//! Where the literals of a set begin in a text: every occurrence of each,
//! overlapping ones included (a pattern's beginnings, the lures'
//! prefilter).
//!
//! A set the built-in rules search has its DFA compiled ahead of time, in
//! `automata.bin` ([`super::automata`]), read in place: one pattern for
//! each length, the alternation of the literals of that length, every
//! match reported (`MatchKind::All`), so that where a literal begins is
//! known from where it ends; which literal it is, when asked, is looked up
//! among those of its length. (One pattern a literal would say which, but
//! its DFA must also remember which literals ended one byte back: up to
//! ten times larger.) Building an Aho-Corasick
//! automaton for each set on first use was a tenth of a short
//! `vigie scan`. A set that is not in the table (the config added lures)
//! gets an Aho-Corasick DFA built here, as before.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::Input;
use regex_automata::dfa::{Automaton, dense};
use regex_automata::util::primitives::StateID;

use super::automata;

#[derive(Debug)]
pub(crate) struct Literals {
    search: Search,
    #[cfg(test)]
    literals: Vec<Vec<u8>>,
}

#[derive(Debug)]
enum Search {
    Precompiled {
        dfa: Box<dense::DFA<&'static [u32]>>,
        /// The literals by length, shortest first: group `i` is the DFA's
        /// pattern `i`.
        by_len: Vec<Group>,
    },
    Built(AhoCorasick),
}

impl Literals {
    /// The search for `literals` (none empty); `None` when the set is too
    /// large for an automaton.
    pub(crate) fn new(literals: &[Vec<u8>]) -> Option<Literals> {
        // (The table's sets are of literals of at most 8 bytes.)
        let precompiled = automata::literal_set(literals).and_then(|bytes| {
            // SAFETY: `bytes` is part of this program: written by
            // `automata::generate` with this version of regex-automata
            // (the test that compares automata.bin with what it generates
            // today fails otherwise) and deserialised with the checked
            // `from_bytes` by `every_literal_set_in_the_table_loads`. The
            // header (format version, byte order, alignment) is still
            // checked here; only the tables' validation is skipped.
            unsafe { dense::DFA::from_bytes_unchecked(bytes) }.ok().map(|(dfa, _)| dfa)
        });
        let search = match precompiled {
            Some(dfa) => Search::Precompiled { dfa: Box::new(dfa), by_len: by_len(literals) },
            // A DFA: a few hundred literals, built in half a millisecond,
            // and searched several times faster than an NFA.
            None => Search::Built(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::DFA))
                    .match_kind(MatchKind::Standard)
                    .build(literals)
                    .ok()?,
            ),
        };
        Some(Literals {
            search,
            #[cfg(test)]
            literals: literals.to_vec(),
        })
    }

    /// Every occurrence in `text` of every literal, overlapping ones
    /// included, as (the literal's index, where it begins), by where
    /// they end.
    pub(crate) fn find_overlapping<'a>(&'a self, text: &'a [u8]) -> impl Iterator<Item = (usize, usize)> + 'a {
        let (mut dfa, mut ac) = (None, None);
        match &self.search {
            Search::Precompiled { dfa: precompiled, by_len } => {
                dfa = Some(ends(precompiled, text).filter_map(move |(group, end)| {
                    let group = by_len.get(group)?;
                    let start = end.checked_sub(group.len)?;
                    let literal = key(text.get(start..end)?);
                    let at = group.keys.binary_search_by_key(&literal, |&(key, _)| key).ok()?;
                    Some((group.keys[at].1, start))
                }));
            }
            Search::Built(built) => {
                ac = Some(built.find_overlapping_iter(text).map(|m| (m.pattern().as_usize(), m.start())));
            }
        }
        dfa.into_iter().flatten().chain(ac.into_iter().flatten())
    }

    /// Where each occurrence in `text` of each literal begins (as
    /// [`Literals::find_overlapping`], without saying which literal).
    pub(crate) fn starts<'a>(&'a self, text: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
        let (mut dfa, mut ac) = (None, None);
        match &self.search {
            Search::Precompiled { dfa: precompiled, by_len } => {
                dfa = Some(
                    ends(precompiled, text).filter_map(move |(group, end)| end.checked_sub(by_len.get(group)?.len)),
                );
            }
            Search::Built(built) => ac = Some(built.find_overlapping_iter(text).map(|m| m.start())),
        }
        dfa.into_iter().flatten().chain(ac.into_iter().flatten())
    }

    /// Whether the table's DFA serves this set.
    #[cfg(test)]
    pub(crate) fn is_precompiled(&self) -> bool {
        matches!(self.search, Search::Precompiled { .. })
    }

    #[cfg(test)]
    pub(crate) fn literals(&self) -> &[Vec<u8>] {
        &self.literals
    }
}

/// The literals of one length, each as a number (its bytes, big endian),
/// sorted, with its index in the set.
#[derive(Debug)]
struct Group {
    len: usize,
    keys: Vec<(u64, usize)>,
}

/// The number a literal of at most 8 bytes is looked up by.
fn key(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |key, &b| (key << 8) | u64::from(b))
}

/// `literals` with their indexes, grouped by length, shortest first.
fn by_len(literals: &[Vec<u8>]) -> Vec<Group> {
    let mut by_len: Vec<Group> = Vec::new();
    for (index, literal) in literals.iter().enumerate() {
        let entry = (key(literal), index);
        match by_len.iter_mut().find(|group| group.len == literal.len()) {
            Some(group) => group.keys.push(entry),
            None => by_len.push(Group { len: literal.len(), keys: vec![entry] }),
        }
    }
    by_len.sort_by_key(|group| group.len);
    for group in &mut by_len {
        group.keys.sort_unstable();
    }
    by_len
}

/// Where a literal of each length ends in `text`: (the length's group,
/// the end), by end.
fn ends<'a>(dfa: &'a dense::DFA<&'static [u32]>, text: &'a [u8]) -> Ends<'a> {
    let start = dfa.start_state_forward(&Input::new(text));
    let finished = start.is_err();
    let state = start.unwrap_or(StateID::ZERO);
    Ends { dfa, text, at: 0, state, finished, matched: 0..0, end: 0 }
}

/// The scan behind [`ends`]: one pass, a byte at a time (the library's
/// overlapping search, called again for each match, cost as much again in
/// its calls).
struct Ends<'a> {
    dfa: &'a dense::DFA<&'static [u32]>,
    text: &'a [u8],
    /// The next byte to read.
    at: usize,
    state: StateID,
    /// The end of the text has been read.
    finished: bool,
    /// The patterns of `state` still to report, ending at `end`.
    matched: std::ops::Range<usize>,
    end: usize,
}

impl Iterator for Ends<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        loop {
            if let Some(index) = self.matched.next() {
                return Some((self.dfa.match_pattern(self.state, index).as_usize(), self.end));
            }
            if self.finished {
                return None;
            }
            let dfa = self.dfa;
            let mut state = self.state;
            // Match states come one byte late: literals ended before the
            // byte that led there. (No dead or quit states: the DFA is
            // unanchored, without look-around.)
            let found = self.text.get(self.at..).unwrap_or_default().iter().position(|&byte| {
                state = dfa.next_state(state, byte);
                dfa.is_special_state(state) && dfa.is_match_state(state)
            });
            match found {
                Some(offset) => {
                    self.end = self.at + offset;
                    self.at = self.end + 1;
                }
                None => {
                    self.finished = true;
                    self.end = self.text.len();
                    state = dfa.next_eoi_state(state);
                    if !dfa.is_match_state(state) {
                        return None;
                    }
                }
            }
            self.state = state;
            self.matched = 0..dfa.match_len(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `find_overlapping` must report: each literal at each place it
    /// begins, sorted.
    fn by_hand(literals: &[Vec<u8>], text: &[u8]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        for (index, literal) in literals.iter().enumerate() {
            for start in 0..text.len() {
                if text[start..].starts_with(literal) {
                    found.push((index, start));
                }
            }
        }
        found.sort_unstable();
        found
    }

    #[test]
    fn every_occurrence_of_every_literal_is_found_overlapping_ones_too() {
        let literals: Vec<Vec<u8>> = ["confir", "nfirm", "fir", "s\u{17f}"].map(|l| l.as_bytes().to_vec()).into();
        let set = Literals::new(&literals).expect("small");
        let text = "confirmez, confirmer, firs\u{17f}".as_bytes();
        let mut found: Vec<_> = set.find_overlapping(text).collect();
        found.sort_unstable();
        assert_eq!(found, by_hand(&literals, text));
        let mut starts: Vec<_> = set.starts(text).collect();
        starts.sort_unstable();
        let mut expected: Vec<_> = by_hand(&literals, text).into_iter().map(|(_, start)| start).collect();
        expected.sort_unstable();
        assert_eq!(starts, expected);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// The built-in sets, precompiled, find what Aho-Corasick finds,
        /// in the same order of ends.
        #[test]
        fn a_precompiled_literal_set_finds_what_aho_corasick_finds(
            picks in proptest::collection::vec((0usize..1000, 0usize..8), 0..30),
            filler in proptest::collection::vec(proptest::sample::select(vec![" ", "x", "e", "\n", "é", "s"]), 30),
        ) {
            let rules = crate::notice::Rules::builtin();
            for set in rules.literal_sets() {
                proptest::prop_assert!(set.is_precompiled());
                let literals = set.literals();
                let mut text = Vec::new();
                for ((pick, cut), fill) in picks.iter().zip(&filler) {
                    let literal = &literals[pick % literals.len()];
                    text.extend_from_slice(&literal[..literal.len().saturating_sub(*cut % 3)]);
                    text.extend_from_slice(fill.as_bytes());
                }
                let ac = AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).build(literals).expect("builds");
                let mut expected: Vec<_> = ac.find_overlapping_iter(&text).map(|m| (m.pattern().as_usize(), m.start())).collect();
                let mut found: Vec<_> = set.find_overlapping(&text).collect();
                let end = |&(literal, start): &(usize, usize)| start + literals[literal].len();
                proptest::prop_assert_eq!(found.iter().map(end).collect::<Vec<_>>(), expected.iter().map(end).collect::<Vec<_>>());
                let mut starts: Vec<usize> = set.starts(&text).collect();
                starts.sort_unstable();
                let mut expected_starts: Vec<usize> = expected.iter().map(|&(_, start)| start).collect();
                expected_starts.sort_unstable();
                proptest::prop_assert_eq!(starts, expected_starts);
                found.sort_unstable();
                expected.sort_unstable();
                proptest::prop_assert_eq!(found, expected);
            }
        }
    }
}
