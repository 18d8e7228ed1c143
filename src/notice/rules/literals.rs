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

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::Input;
use regex_automata::dfa::{Automaton, dense};
use regex_automata::util::primitives::StateID;

use super::automata;
use super::beginnings::Beginning;

#[derive(Debug)]
pub(crate) struct Literals {
    search: Search,
    /// The longest [`Beginning::span`]: a start is found at most this far
    /// before the end of the literal that gives it.
    longest_span: usize,
    #[cfg(test)]
    literals: Vec<Beginning>,
}

#[derive(Debug)]
enum Search {
    Precompiled {
        dfa: Box<dense::DFA<&'static [u32]>>,
        /// The literals by length and offset: group `i` is the DFA's
        /// pattern `i`.
        groups: Vec<Group>,
    },
    /// With each literal's offset.
    Built(AhoCorasick, Vec<usize>),
}

impl Literals {
    /// The search for `literals` (none empty); `None` when the set is too
    /// large for an automaton.
    pub(crate) fn new(literals: &[Beginning]) -> Option<Literals> {
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
            Some(dfa) => Search::Precompiled { dfa: Box::new(dfa), groups: groups(literals) },
            // A DFA: a few hundred literals, built in half a millisecond,
            // and searched several times faster than an NFA.
            None => Search::Built(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::DFA))
                    .match_kind(MatchKind::Standard)
                    .build(literals.iter().map(|b| &b.literal))
                    .ok()?,
                literals.iter().map(|b| b.offset).collect(),
            ),
        };
        Some(Literals {
            search,
            longest_span: literals.iter().map(Beginning::span).max().unwrap_or(0),
            #[cfg(test)]
            literals: literals.to_vec(),
        })
    }

    /// Every occurrence in `text` of every literal, overlapping ones
    /// included, as (the literal's index, where a match would begin: its
    /// offset before it), by where they end. An occurrence nearer the
    /// start of the text than its offset gives none.
    pub(crate) fn find_overlapping<'a>(&'a self, text: &'a [u8]) -> impl Iterator<Item = (usize, usize)> + 'a {
        let (mut dfa, mut ac) = (None, None);
        match &self.search {
            Search::Precompiled { dfa: precompiled, groups } => {
                dfa = Some(ends(precompiled, text).filter_map(move |(group, end)| {
                    let group = groups.get(group)?;
                    let start = end.checked_sub(group.len)?;
                    let literal = key(text.get(start..end)?);
                    let at = group.keys.binary_search_by_key(&literal, |&(key, _)| key).ok()?;
                    Some((group.keys[at].1, start.checked_sub(group.offset)?))
                }));
            }
            Search::Built(built, offsets) => {
                ac = Some(built.find_overlapping_iter(text).filter_map(|m| {
                    let literal = m.pattern().as_usize();
                    Some((literal, m.start().checked_sub(*offsets.get(literal)?)?))
                }));
            }
        }
        dfa.into_iter().flatten().chain(ac.into_iter().flatten())
    }

    /// Where matches may begin in `text` (as [`Literals::find_overlapping`],
    /// without saying which literal), in the order the literals end.
    pub(crate) fn starts<'a>(&'a self, text: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
        let mut hits = self.hits(text);
        std::iter::from_fn(move || hits.next_until(usize::MAX))
    }

    /// Where matches may begin in `text`, in order, each once, read
    /// lazily: the literals are searched only as far as needed to know
    /// that no later one gives an earlier start.
    pub(crate) fn ordered<'a>(&'a self, text: &'a [u8]) -> Ordered<'a> {
        Ordered { hits: self.hits(text), pending: BinaryHeap::new(), last: None, longest_span: self.longest_span }
    }

    fn hits<'a>(&'a self, text: &'a [u8]) -> Hits<'a> {
        match &self.search {
            Search::Precompiled { dfa, groups } => Hits::Precompiled { ends: ends(dfa, text), groups },
            Search::Built(built, offsets) => {
                Hits::Built { matches: built.find_overlapping_iter(text), offsets, next: None }
            }
        }
    }

    /// Whether the table's DFA serves this set.
    #[cfg(test)]
    pub(crate) fn is_precompiled(&self) -> bool {
        matches!(self.search, Search::Precompiled { .. })
    }

    #[cfg(test)]
    pub(crate) fn literals(&self) -> &[Beginning] {
        &self.literals
    }
}

/// The starts the literals give, in the order the literals end.
enum Hits<'a> {
    Precompiled {
        ends: Ends<'a>,
        groups: &'a [Group],
    },
    Built {
        matches: aho_corasick::FindOverlappingIter<'a, 'a>,
        offsets: &'a [usize],
        /// The next match, read but not yet given.
        next: Option<aho_corasick::Match>,
    },
}

impl Hits<'_> {
    /// The start given by the next literal, if it ends at or before
    /// `limit`.
    fn next_until(&mut self, limit: usize) -> Option<usize> {
        loop {
            match self {
                Hits::Precompiled { ends, groups } => {
                    let (group, end) = ends.next_until(limit)?;
                    let Some(group) = groups.get(group) else { continue };
                    if let Some(start) = end.checked_sub(group.len + group.offset) {
                        return Some(start);
                    }
                }
                Hits::Built { matches, offsets, next } => {
                    let found = match next.take() {
                        Some(found) => found,
                        None => matches.next()?,
                    };
                    if found.end() > limit {
                        *next = Some(found);
                        return None;
                    }
                    let offset = offsets.get(found.pattern().as_usize()).copied().unwrap_or(usize::MAX);
                    if let Some(start) = found.start().checked_sub(offset) {
                        return Some(start);
                    }
                }
            }
        }
    }
}

/// The iterator of [`Literals::ordered`]. A literal ends at most
/// `longest_span` bytes after the start it gives, and literals are found
/// by where they end: a start is given once every literal ending before
/// it plus `longest_span` has been read.
pub(crate) struct Ordered<'a> {
    hits: Hits<'a>,
    pending: BinaryHeap<Reverse<usize>>,
    /// The last start given.
    last: Option<usize>,
    longest_span: usize,
}

impl Iterator for Ordered<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            let Some(&Reverse(first)) = self.pending.peek() else {
                let start = self.hits.next_until(usize::MAX)?;
                self.pending.push(Reverse(start));
                continue;
            };
            // A literal ending at `end` gives a start at or after
            // `end - longest_span`: only those ending before
            // `first + longest_span` can give one before `first`.
            let limit = first.saturating_add(self.longest_span.saturating_sub(1));
            if let Some(start) = self.hits.next_until(limit) {
                self.pending.push(Reverse(start));
                continue;
            }
            self.pending.pop();
            if self.last.is_some_and(|last| first <= last) {
                continue;
            }
            self.last = Some(first);
            return Some(first);
        }
    }
}

/// The literals of one length and offset, each as a number (its bytes,
/// big endian), sorted, with its index in the set.
#[derive(Debug)]
struct Group {
    len: usize,
    offset: usize,
    keys: Vec<(u64, usize)>,
}

/// The number a literal of at most 8 bytes is looked up by.
fn key(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |key, &b| (key << 8) | u64::from(b))
}

/// `literals` with their indexes, grouped by length and offset, in that
/// order.
fn groups(literals: &[Beginning]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (index, beginning) in literals.iter().enumerate() {
        let (len, offset) = (beginning.literal.len(), beginning.offset);
        let entry = (key(&beginning.literal), index);
        match groups.iter_mut().find(|group| group.len == len && group.offset == offset) {
            Some(group) => group.keys.push(entry),
            None => groups.push(Group { len, offset, keys: vec![entry] }),
        }
    }
    groups.sort_by_key(|group| (group.len, group.offset));
    for group in &mut groups {
        group.keys.sort_unstable();
    }
    groups
}

/// Where a literal of each group ends in `text`: (the group, the end), by
/// end.
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
    /// The state after the bytes before `at`.
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
        self.next_until(usize::MAX)
    }
}

impl Ends<'_> {
    /// The next literal found, if it ends at or before `limit` (the text
    /// is read only as far as that).
    fn next_until(&mut self, limit: usize) -> Option<(usize, usize)> {
        loop {
            if self.matched.start < self.matched.end {
                if self.end > limit {
                    return None;
                }
                let index = self.matched.start;
                self.matched.start += 1;
                return Some((self.dfa.match_pattern(self.state, index).as_usize(), self.end));
            }
            // Literals ending at `at` show when the byte at `at` (or the
            // end of the text) is read.
            if self.finished || self.at > limit {
                return None;
            }
            let dfa = self.dfa;
            let mut state = self.state;
            let stop = limit.saturating_add(1).min(self.text.len());
            // Match states come one byte late: literals ended before the
            // byte that led there. (No dead or quit states: the DFA is
            // unanchored, without look-around.)
            let found = first_match(dfa, &mut state, self.text.get(self.at..stop).unwrap_or_default());
            match found {
                Some(offset) => {
                    self.end = self.at + offset;
                    self.at = self.end + 1;
                }
                None if stop < self.text.len() => {
                    self.at = stop;
                    self.state = state;
                    return None;
                }
                None => {
                    self.finished = true;
                    self.at = self.text.len();
                    self.end = self.text.len();
                    state = dfa.next_eoi_state(state);
                    if !dfa.is_match_state(state) {
                        self.state = state;
                        return None;
                    }
                }
            }
            self.state = state;
            self.matched = 0..dfa.match_len(state);
        }
    }
}

/// Where in `bytes` the DFA, from `*state`, first enters a match state
/// (the index of the byte that led there), with `*state` left in it; else
/// `None`, with `*state` the state after the last byte. Four bytes a turn:
/// a byte at a time, the loop's own counting cost a third of the scan.
#[inline(always)]
fn first_match(dfa: &dense::DFA<&'static [u32]>, state: &mut StateID, bytes: &[u8]) -> Option<usize> {
    // SAFETY: `state` is the DFA's start state or a state its transitions
    // led to, and a valid DFA's transitions lead to valid states: the
    // table's DFAs are valid (see `Literals::new`; the library's own
    // searches, `find_fwd`, rely on the same to skip the bounds checks).
    let step = |state: StateID, byte: u8| unsafe { dfa.next_state_unchecked(state, byte) };
    // One comparison a byte: the rare special states are told apart out of
    // line (inlined, the two tests became several instructions a byte).
    let matched = |state: StateID| dfa.is_special_state(state) && is_match_state(dfa, state);
    let (quads, rest) = bytes.as_chunks::<4>();
    let mut current = *state;
    for (quad, &[b0, b1, b2, b3]) in quads.iter().enumerate() {
        let at = quad * 4;
        for (k, byte) in [b0, b1, b2, b3].into_iter().enumerate() {
            current = step(current, byte);
            if matched(current) {
                *state = current;
                return Some(at + k);
            }
        }
    }
    let at = quads.len() * 4;
    for (k, &byte) in rest.iter().enumerate() {
        current = step(current, byte);
        if matched(current) {
            *state = current;
            return Some(at + k);
        }
    }
    *state = current;
    None
}

#[cold]
#[inline(never)]
fn is_match_state(dfa: &dense::DFA<&'static [u32]>, state: StateID) -> bool {
    dfa.is_match_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `find_overlapping` must report: each literal at each place it
    /// gives a start, sorted.
    fn by_hand(literals: &[Beginning], text: &[u8]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        for (index, beginning) in literals.iter().enumerate() {
            for at in beginning.offset..text.len() {
                if text[at..].starts_with(&beginning.literal) {
                    found.push((index, at - beginning.offset));
                }
            }
        }
        found.sort_unstable();
        found
    }

    fn prefixes(literals: &[&str]) -> Vec<Beginning> {
        literals.iter().map(|l| Beginning::prefix(l.as_bytes())).collect()
    }

    #[test]
    fn every_occurrence_of_every_literal_is_found_overlapping_ones_too() {
        let literals = prefixes(&["confir", "nfirm", "fir", "s\u{17f}"]);
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

    #[test]
    fn a_literal_found_at_an_offset_gives_the_start_that_many_bytes_before_it() {
        let literals = vec![
            Beginning { literal: b"acquit".to_vec(), offset: 2 },
            Beginning::prefix(b"payez"),
            Beginning { literal: b"ici".to_vec(), offset: 2 },
        ];
        let set = Literals::new(&literals).expect("small");
        // "acquit" at 0 would give a start before the text: none.
        let text = b"acquit s'acquitter, payez d'ici";
        let mut found: Vec<_> = set.find_overlapping(text).collect();
        found.sort_unstable();
        assert_eq!(found, [(0, 7), (1, 20), (2, 26)]);
        assert_eq!(set.ordered(text).collect::<Vec<_>>(), [7, 20, 26]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// The built-in sets, precompiled, find what Aho-Corasick finds,
        /// in the same order of ends; in order, each start once.
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
                    let literal = &literals[pick % literals.len()].literal;
                    text.extend_from_slice(&literal[..literal.len().saturating_sub(*cut % 3)]);
                    text.extend_from_slice(fill.as_bytes());
                }
                let ac = AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(literals.iter().map(|b| &b.literal))
                    .expect("builds");
                let mut expected: Vec<_> = ac
                    .find_overlapping_iter(&text)
                    .filter_map(|m| Some((m.pattern().as_usize(), m.start().checked_sub(literals[m.pattern()].offset)?)))
                    .collect();
                let mut found: Vec<_> = set.find_overlapping(&text).collect();
                let end = |&(literal, start): &(usize, usize)| start + literals[literal].span();
                proptest::prop_assert_eq!(found.iter().map(end).collect::<Vec<_>>(), expected.iter().map(end).collect::<Vec<_>>());
                let mut starts: Vec<usize> = set.starts(&text).collect();
                starts.sort_unstable();
                let mut expected_starts: Vec<usize> = expected.iter().map(|&(_, start)| start).collect();
                expected_starts.sort_unstable();
                proptest::prop_assert_eq!(&starts, &expected_starts);
                expected_starts.dedup();
                proptest::prop_assert_eq!(set.ordered(&text).collect::<Vec<_>>(), expected_starts);
                found.sort_unstable();
                expected.sort_unstable();
                proptest::prop_assert_eq!(found, expected);
            }
        }

        /// Sets of literals at offsets, searched by a DFA built here
        /// (Aho-Corasick, as the config's patterns are): starts in order,
        /// each once, as found by hand.
        #[test]
        fn starts_come_in_order_from_literals_at_any_offset(
            set in proptest::collection::vec(("[abc]{1,4}", 0usize..6), 1..6),
            text in "[abcx]{0,60}",
        ) {
            let mut literals: Vec<Beginning> =
                set.into_iter().map(|(literal, offset)| Beginning { literal: literal.into_bytes(), offset }).collect();
            literals.sort();
            literals.dedup();
            let search = Literals::new(&literals).expect("small");
            let mut expected: Vec<usize> = by_hand(&literals, text.as_bytes()).into_iter().map(|(_, s)| s).collect();
            expected.sort_unstable();
            expected.dedup();
            proptest::prop_assert_eq!(search.ordered(text.as_bytes()).collect::<Vec<_>>(), expected);
        }
    }
}
