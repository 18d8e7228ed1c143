//! The built-in patterns' automata, compiled ahead of time.
//!
//! Compiling builtin.toml's patterns (parsing, Thompson NFAs, prefilters,
//! then the lazy DFA's states as the first texts are searched) was most of
//! what a short `vigie scan` cost, in every process. Their automata are
//! now compiled once, into `automata.bin`, which is part of the program:
//! for each built-in pattern, where its matches can begin ([`Starts`]), a
//! DFA that finds the match beginning at one of those places (anchored),
//! and, for a pattern whose matches begin almost anywhere, a pair that
//! finds a match in one pass. A pattern whose DFA would be too large has
//! none and is compiled at run time as before, and so is any pattern of
//! the config.
//!
//! `automata.bin` is generated from the patterns themselves by the test
//! `the_precompiled_automata_are_those_of_the_builtin_patterns`, which
//! fails when the file is stale and rewrites it when run with
//! `VIGIE_REGENERATE_AUTOMATA=1`. A DFA that does not deserialise (another
//! byte order, another regex-automata format) is compiled at run time too.
//!
//! The file is a sequence of entries, integers little endian:
//! syntax (u8: 0 folded, 1 plain), source length (u32), source (UTF-8);
//! where matches start (u8: 0 at the start of the text, 1 at literals,
//! 2 anywhere), and for 1 the literal count (u32) and each literal, its
//! offset (u32: how many bytes after the match's start it begins), length
//! (u32) and bytes; then
//! the anchored DFA's kind (u8: 0 none, 1 sparse, 2 dense) and three DFAs,
//! each as its length (u32, 0 for none), padding to a multiple of 8 bytes
//! (a dense DFA is read in place, as `u32`s) and bytes: the anchored one,
//! and the unanchored forward and anchored reverse dense pair that find a
//! match anywhere in one pass (for the patterns whose matches begin almost
//! anywhere, when small).
//!
//! Then the literal sets the built-in rules search ([`super::literals`]):
//! entries of syntax 3, an empty source, the set as the literals of "where
//! matches start" (with their offsets), and its DFA as the anchored one
//! (dense; unanchored, one pattern for each length and offset, every match
//! reported).
//!
//! Last the NFAs ([`super::nfa`]) that read a built-in pattern's groups (and
//! search the short texts of a pattern anchored at the start that has no
//! DFA): entries of code 4, the pattern's source, its syntax (u8), what
//! the NFA is for (u8, [`Purpose`]) and the NFA's bytes (u32
//! length, padded as a DFA).

use std::sync::OnceLock;

use regex_automata::util::syntax;
use regex_automata::util::wire::AlignAs;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, Look};

use super::beginnings::{self, Beginning};

/// Where the matches of a pattern can begin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Starts {
    /// Only at the start of the text (the pattern begins with `^`).
    AtStart,
    /// Only `offset` bytes before where one of these literals begins.
    Literals(Vec<Beginning>),
    /// Anywhere: the pattern has no finite list of beginnings.
    Anywhere,
}

/// What text a pattern is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// Folded text (ASCII): no Unicode classes, smaller automata.
    Folded,
    /// Plain text (UTF-8, accents and case kept): Unicode classes and
    /// case folding, as the `regex` crate's defaults.
    Plain,
}

impl Syntax {
    pub(crate) fn config(self) -> syntax::Config {
        match self {
            Syntax::Folded => syntax::Config::new().unicode(false).utf8(false),
            Syntax::Plain => syntax::Config::new(),
        }
    }

    pub(crate) fn parse(self, source: &str) -> Option<Hir> {
        let folded = self == Syntax::Folded;
        regex_syntax::ParserBuilder::new().unicode(!folded).utf8(!folded).build().parse(source).ok()
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            Syntax::Folded => 0,
            Syntax::Plain => 1,
        }
    }
}

/// Where the matches of `source` can begin; `Anywhere` when it does not
/// parse (it is then reported, or never matches, as before).
pub(crate) fn starts_of(source: &str, syntax: Syntax) -> Starts {
    let Some(hir) = syntax.parse(source) else {
        return Starts::Anywhere;
    };
    if hir.properties().look_set_prefix().contains(Look::Start) {
        return Starts::AtStart;
    }
    // Whole beginnings when there are few; else the bytes a match can
    // begin with (the date after an optional weekday begins with one of
    // a few letters or a digit).
    let whole = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    // (Its intermediate lists are longer than the bytes in the end.)
    let first_bytes = || {
        Extractor::new()
            .kind(ExtractKind::Prefix)
            .limit_class(256)
            .limit_literal_len(1)
            .limit_total(10_000)
            .extract(&hir)
    };
    let prefixes = [whole]
        .into_iter()
        .chain(std::iter::once_with(first_bytes))
        .find_map(|seq| {
            let literals = seq.literals()?;
            let usable = !literals.is_empty() && literals.iter().all(|l| !l.as_bytes().is_empty());
            usable.then(|| fewest(literals.iter().map(|l| Beginning::prefix(l.as_bytes()))))
        })
        // Beginnings almost anywhere (`.{0,30}x`) are no list.
        .filter(|literals| literals.len() <= MOST_FIRST_BYTES || literals.iter().any(|l| l.literal.len() > 1));
    // Beginnings too short to be rare ("s" of `s.acquitter`, every "s" of
    // every text): longer literals a fixed number of bytes in ("acquit",
    // two bytes in), when every way a match can begin has one.
    let shortest = |list: &Option<Vec<Beginning>>| list.as_ref().map_or(0, |l| shortest_literal(l));
    let prefixes = match shortest(&prefixes) {
        len if len < beginnings::RARE => {
            let within = beginnings::within(&hir).map(fewest);
            if shortest(&within) > len { within } else { prefixes }
        }
        _ => prefixes,
    };
    prefixes.map_or(Starts::Anywhere, Starts::Literals)
}

fn shortest_literal(beginnings: &[Beginning]) -> usize {
    beginnings.iter().map(|b| b.literal.len()).min().unwrap_or(0)
}

/// More first bytes than this: a match may begin almost anywhere.
const MOST_FIRST_BYTES: usize = 64;

/// Longer beginnings than this are cut: the anchored search checks the
/// rest, and a short list is quicker to build and to search for.
const BEGINNING_BYTES: usize = 6;

/// The same beginnings, cut to [`BEGINNING_BYTES`], without those that
/// begin with another at the same offset (where one begins, the shorter
/// one does too): "dossier\t", "dossier\n"… are "dossie".
fn fewest(beginnings: impl IntoIterator<Item = Beginning>) -> Vec<Beginning> {
    let mut cut: Vec<Beginning> = beginnings
        .into_iter()
        .map(|mut b| {
            b.literal.truncate(BEGINNING_BYTES);
            b
        })
        .collect();
    cut.sort();
    cut.dedup();
    let mut kept: Vec<Beginning> = Vec::with_capacity(cut.len());
    for beginning in cut {
        // Sorted: a literal's prefixes come before it.
        if !kept.iter().any(|k| k.offset == beginning.offset && beginning.literal.starts_with(&k.literal)) {
            kept.push(beginning);
        }
    }
    kept
}

/// A built-in pattern's entry in the table.
#[derive(Debug)]
pub(crate) struct Precompiled {
    pub(crate) starts: Starts,
    /// A serialised anchored DFA (little endian).
    pub(crate) dfa: Option<AnchoredBytes>,
    /// Serialised unanchored forward and anchored reverse dense DFAs,
    /// 8-byte aligned.
    pub(crate) whole: Option<(&'static [u8], &'static [u8])>,
}

static TABLE: &AlignAs<[u8], u64> = &AlignAs { _align: [], bytes: *include_bytes!("automata.bin") };

/// A serialised anchored DFA: dense (a table lookup a byte) when small,
/// else sparse (a third of the size).
#[derive(Debug, Clone, Copy)]
pub(crate) enum AnchoredBytes {
    Sparse(&'static [u8]),
    /// 8-byte aligned.
    Dense(&'static [u8]),
}

/// An entry as the table holds it: its literals are read only for the
/// entries looked up.
#[derive(Debug)]
struct Entry {
    code: u8,
    source: &'static [u8],
    starts: RawStarts,
    dfa: Option<AnchoredBytes>,
    whole: Option<(&'static [u8], &'static [u8])>,
    /// An NFA's syntax and purpose codes and bytes.
    nfa: Option<(u8, u8, &'static [u8])>,
}

#[derive(Debug, Clone, Copy)]
enum RawStarts {
    AtStart,
    /// This many literals, each as its offset (u32), length (u32) and
    /// bytes.
    Literals(u32, &'static [u8]),
    Anywhere,
}

impl RawStarts {
    /// Each literal as (its offset, its bytes).
    fn literals(self) -> impl Iterator<Item = (usize, &'static [u8])> {
        let (count, bytes) = match self {
            RawStarts::Literals(count, bytes) => (count, bytes),
            _ => (0, &[][..]),
        };
        let mut reader = Reader { bytes, at: 0 };
        // Read once already by `read_table`: whole.
        (0..count).map_while(move |_| Some((reader.u32()? as usize, reader.chunk()?)))
    }

    fn decode(self) -> Starts {
        match self {
            RawStarts::AtStart => Starts::AtStart,
            RawStarts::Literals(..) => Starts::Literals(
                self.literals().map(|(offset, literal)| Beginning { literal: literal.to_vec(), offset }).collect(),
            ),
            RawStarts::Anywhere => Starts::Anywhere,
        }
    }
}

/// The table's entry for `source`, if it is a built-in pattern.
pub(crate) fn lookup(source: &str, syntax: Syntax) -> Option<Precompiled> {
    let entry = index().iter().find(|e| e.code == syntax.code() && e.source == source.as_bytes())?;
    Some(Precompiled { starts: entry.starts.decode(), dfa: entry.dfa, whole: entry.whole })
}

/// The code of a literal set's entry.
const LITERAL_SET: u8 = 3;

/// The code of an NFA's entry.
const NFA: u8 = 4;

/// What an NFA is built to do (part of its key in the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Read every group of a match.
    Groups,
    /// Read every group of an all-ASCII match: the pattern's classes cut
    /// to ASCII (see [`super::nfa`]).
    AsciiGroups,
    /// Find a match (short texts: a pattern anchored at the start that
    /// has no DFA).
    Short,
}

impl Purpose {
    pub(crate) fn code(self) -> u8 {
        match self {
            Purpose::Groups => 0,
            Purpose::AsciiGroups => 1,
            Purpose::Short => 2,
        }
    }
}

/// The serialised NFA of built-in pattern `source` for `purpose`, if the
/// table has one.
pub(crate) fn nfa(source: &str, syntax: Syntax, purpose: Purpose) -> Option<&'static [u8]> {
    let key = (syntax.code(), purpose.code());
    index().iter().find_map(|entry| match entry.nfa {
        Some((s, p, bytes)) if (s, p) == key && entry.source == source.as_bytes() => Some(bytes),
        _ => None,
    })
}

/// The precompiled DFA that finds every occurrence of `literals`, if the
/// table has one for that set: a serialised dense DFA, 8-byte aligned.
pub(crate) fn literal_set(literals: &[Beginning]) -> Option<&'static [u8]> {
    index().iter().find_map(|entry| match (entry.starts, entry.dfa) {
        (RawStarts::Literals(count, _), Some(AnchoredBytes::Dense(bytes)))
            if entry.code == LITERAL_SET
                && count as usize == literals.len()
                && entry
                    .starts
                    .literals()
                    .zip(literals)
                    .all(|((offset, literal), b)| offset == b.offset && literal == b.literal.as_slice()) =>
        {
            Some(bytes)
        }
        _ => None,
    })
}

fn index() -> &'static [Entry] {
    static INDEX: OnceLock<Vec<Entry>> = OnceLock::new();
    INDEX.get_or_init(|| read_table(&TABLE.bytes).unwrap_or_default())
}

/// The entries of a table; `None` if it is damaged (it never is: it is
/// part of the program, and a test reads it back).
fn read_table(bytes: &'static [u8]) -> Option<Vec<Entry>> {
    let mut reader = Reader { bytes, at: 0 };
    let mut entries = Vec::new();
    while reader.at < bytes.len() {
        let code = reader.byte()?;
        let source = reader.chunk()?;
        if code == NFA {
            let (syntax, purpose) = (reader.byte()?, reader.byte()?);
            let nfa = Some((syntax, purpose, reader.aligned_chunk()?));
            entries.push(Entry { code, source, starts: RawStarts::Anywhere, dfa: None, whole: None, nfa });
            continue;
        }
        let starts = match reader.byte()? {
            0 => RawStarts::AtStart,
            1 => {
                let count = reader.u32()?;
                let from = reader.at;
                for _ in 0..count {
                    reader.u32()?;
                    reader.chunk()?;
                }
                RawStarts::Literals(count, &bytes[from..reader.at])
            }
            _ => RawStarts::Anywhere,
        };
        let kind = reader.byte()?;
        let bytes = reader.aligned_chunk()?;
        let anchored = match kind {
            1 => Some(AnchoredBytes::Sparse(bytes)),
            2 => Some(AnchoredBytes::Dense(bytes)),
            _ => None,
        };
        let mut dense = || reader.aligned_chunk().map(|bytes| (!bytes.is_empty()).then_some(bytes));
        let (forward, reverse) = (dense()?, dense()?);
        entries.push(Entry { code, source, starts, dfa: anchored, whole: forward.zip(reverse), nfa: None });
    }
    Some(entries)
}

/// Reads the table's little-endian fields in order (also the NFAs' bytes,
/// in [`super::nfa`]); `None` past the end.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(taken)
    }

    pub(super) fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub(super) fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }

    fn chunk(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    /// A chunk whose bytes begin at a multiple of 8 from the table's start.
    fn aligned_chunk(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        self.at = self.at.next_multiple_of(8);
        self.take(len)
    }
}

/// The largest DFA kept; a pattern with a larger one is compiled at run
/// time (none of the built-in ones today).
#[cfg(test)]
const MAX_DFA_BYTES: usize = 2 << 20;

/// The largest unanchored pair kept: larger ones are searched from their
/// beginnings only.
#[cfg(test)]
const MAX_WHOLE_BYTES: usize = 256 << 10;

/// Whether a pattern's matches begin almost anywhere (no beginnings, or
/// one or two bytes long): one pass of an unanchored DFA then costs less
/// than an anchored search from each of them.
#[cfg(test)]
fn begins_almost_anywhere(starts: &Starts) -> bool {
    match starts {
        Starts::AtStart => false,
        Starts::Literals(literals) => shortest_literal(literals) < beginnings::RARE,
        Starts::Anywhere => true,
    }
}

/// How every precompiled DFA is built: minimised, within `size_limit`
/// bytes, a Unicode `\b` giving up on non-ASCII text (the search is then
/// made by the pattern compiled at run time).
#[cfg(test)]
fn dense_config(size_limit: usize) -> regex_automata::dfa::dense::Config {
    regex_automata::dfa::dense::Config::new()
        .minimize(true)
        .dfa_size_limit(Some(size_limit))
        .determinize_size_limit(Some(16 * size_limit))
        .unicode_word_boundary(true)
}

/// Only where matches are is asked of a DFA: no groups.
#[cfg(test)]
fn no_groups() -> regex_automata::nfa::thompson::Config {
    regex_automata::nfa::thompson::Config::new().which_captures(regex_automata::nfa::thompson::WhichCaptures::None)
}

/// A dense DFA's bytes, without the padding `to_bytes_little_endian`
/// puts in front (the table aligns them itself).
#[cfg(test)]
fn dense_bytes(dfa: &regex_automata::dfa::dense::DFA<Vec<u32>>) -> Vec<u8> {
    let (bytes, pad) = dfa.to_bytes_little_endian();
    bytes[pad..].to_vec()
}

/// The unanchored forward and anchored reverse DFAs that find a match of
/// `source` anywhere in one pass, as `regex_automata::dfa::regex` pairs
/// them; `None` when they would be larger than [`MAX_WHOLE_BYTES`].
#[cfg(test)]
pub(crate) fn compile_whole(source: &str, syntax: Syntax) -> Option<(Vec<u8>, Vec<u8>)> {
    let pair = regex_automata::dfa::regex::Builder::new()
        .dense(dense_config(MAX_WHOLE_BYTES))
        .syntax(syntax.config())
        .thompson(no_groups())
        .build(source)
        .ok()?;
    Some((dense_bytes(pair.forward()), dense_bytes(pair.reverse())))
}

/// Larger anchored DFAs are kept sparse, unless the sparse one is not
/// much smaller ([`DENSE_OVER_SPARSE`]).
#[cfg(test)]
const MAX_DENSE_ANCHORED: usize = 1 << 20;

/// A dense anchored DFA at most this many times the size of its sparse
/// form is kept dense whatever its size (up to [`MAX_DFA_BYTES`]): a sparse
/// state is searched for each byte's transition (a hundred instructions a
/// byte in the lures' `.{0,60}` states, against a few in a dense one), and
/// the two lures searched from every "cliquez" and "rembours" are about
/// three times larger dense. A pattern with Unicode classes (the greeting:
/// 27 times) stays sparse.
#[cfg(test)]
const DENSE_OVER_SPARSE: usize = 4;

/// Compiles `source` as [`super::pattern`] searches it: leftmost-first,
/// anchored searches only (an unanchored DFA of `carte vitale.{0,60}(…)`
/// does not fit in memory; anchored ones are small).
#[cfg(test)]
pub(crate) fn compile_dfa(source: &str, syntax: Syntax) -> Option<regex_automata::dfa::dense::DFA<Vec<u32>>> {
    use regex_automata::dfa::{StartKind, dense};
    dense::Builder::new()
        .configure(
            dense_config(MAX_DFA_BYTES)
                .start_kind(StartKind::Anchored)
                .match_kind(regex_automata::MatchKind::LeftmostFirst),
        )
        .syntax(syntax.config())
        .thompson(no_groups())
        .build(source)
        .ok()
}

/// The DFA that finds where `literals` (none empty) end, overlapping ones
/// included: unanchored, one pattern for each length and offset (in that
/// order, shortest first), the alternation of the literals of that length
/// and offset, every match reported, as [`super::literals`] searches it.
#[cfg(test)]
pub(crate) fn compile_literals(literals: &[Beginning]) -> Option<Vec<u8>> {
    use regex_automata::dfa::{StartKind, dense};
    let group = |b: &Beginning| (b.literal.len(), b.offset);
    let mut groups: Vec<(usize, usize)> = literals.iter().map(group).collect();
    groups.sort_unstable();
    groups.dedup();
    let of = |g: (usize, usize)| {
        literals.iter().filter(|b| group(b) == g).map(|b| Hir::literal(b.literal.as_slice())).collect()
    };
    let by_len: Vec<Hir> = groups.into_iter().map(|g| Hir::alternation(of(g))).collect();
    let nfa =
        regex_automata::nfa::thompson::Compiler::new().configure(no_groups()).build_many_from_hir(&by_len).ok()?;
    let dfa = dense::Builder::new()
        .configure(
            dense_config(MAX_DFA_BYTES).start_kind(StartKind::Unanchored).match_kind(regex_automata::MatchKind::All),
        )
        .build_from_nfa(&nfa)
        .ok()?;
    Some(dense_bytes(&dfa))
}

/// The table for these patterns, literal sets and patterns whose groups
/// are read (each with the source its groups are read with), as
/// `automata.bin` holds it.
#[cfg(test)]
pub(crate) fn generate<'a>(
    patterns: impl IntoIterator<Item = (Syntax, &'a str)>,
    literal_sets: impl IntoIterator<Item = &'a [Beginning]>,
    groups: impl IntoIterator<Item = (Syntax, &'a str)>,
) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    let mut out = Vec::new();
    let mut seen: Vec<(Syntax, &str)> = Vec::new();
    // The NFAs to add: the groups' and those of the patterns anchored at
    // the start that have no DFA.
    let mut nfas: Vec<(Syntax, Purpose, &str)> = Vec::new();
    for (syntax, source) in groups {
        nfas.push((syntax, Purpose::Groups, source));
        if syntax == Syntax::Plain {
            nfas.push((syntax, Purpose::AsciiGroups, source));
        }
    }
    for (syntax, source) in patterns {
        if seen.contains(&(syntax, source)) {
            continue;
        }
        seen.push((syntax, source));
        out.push(syntax.code());
        chunk(&mut out, source.as_bytes());
        let starts = starts_of(source, syntax);
        let at_start = starts == Starts::AtStart;
        let whole = if begins_almost_anywhere(&starts) { compile_whole(source, syntax) } else { None };
        match starts {
            Starts::AtStart => out.push(0),
            Starts::Literals(literals) => {
                out.push(1);
                out.extend_from_slice(&(literals.len() as u32).to_le_bytes());
                for beginning in &literals {
                    out.extend_from_slice(&(beginning.offset as u32).to_le_bytes());
                    chunk(&mut out, &beginning.literal);
                }
            }
            Starts::Anywhere => out.push(2),
        }
        let (kind, anchored) = match compile_dfa(source, syntax) {
            None => {
                if at_start {
                    nfas.push((syntax, Purpose::Short, source));
                }
                (0, Vec::new())
            }
            Some(dfa) => {
                let dense = dense_bytes(&dfa);
                let sparse = || dfa.to_sparse().map(|s| s.to_bytes_little_endian()).unwrap_or_default();
                if dense.len() <= MAX_DENSE_ANCHORED {
                    (2, dense)
                } else {
                    let sparse = sparse();
                    match dense.len() <= sparse.len().saturating_mul(DENSE_OVER_SPARSE) {
                        true => (2, dense),
                        false => (1, sparse),
                    }
                }
            }
        };
        out.push(kind);
        let (forward, reverse) = whole.unwrap_or_default();
        for dfa in [anchored, forward, reverse] {
            out.extend_from_slice(&(dfa.len() as u32).to_le_bytes());
            out.resize(out.len().next_multiple_of(8), 0);
            out.extend_from_slice(&dfa);
        }
    }
    let mut seen: Vec<&[Beginning]> = Vec::new();
    for set in literal_sets {
        if seen.contains(&set) {
            continue;
        }
        seen.push(set);
        // Looked up as numbers (`super::literals`): at most 8 bytes.
        if set.iter().any(|b| b.literal.len() > 8) {
            continue;
        }
        let Some(dfa) = compile_literals(set) else { continue };
        out.push(LITERAL_SET);
        chunk(&mut out, b"");
        out.push(1);
        out.extend_from_slice(&(set.len() as u32).to_le_bytes());
        for beginning in set {
            out.extend_from_slice(&(beginning.offset as u32).to_le_bytes());
            chunk(&mut out, &beginning.literal);
        }
        out.push(2);
        for dfa in [dfa, Vec::new(), Vec::new()] {
            out.extend_from_slice(&(dfa.len() as u32).to_le_bytes());
            out.resize(out.len().next_multiple_of(8), 0);
            out.extend_from_slice(&dfa);
        }
    }
    let mut seen = Vec::new();
    for (syntax, purpose, source) in nfas {
        if seen.contains(&(syntax, purpose, source)) {
            continue;
        }
        seen.push((syntax, purpose, source));
        let Some(nfa) = super::nfa::compile(source, syntax, purpose) else { continue };
        let bytes = super::nfa::to_bytes(&nfa);
        out.push(NFA);
        chunk(&mut out, source.as_bytes());
        out.extend_from_slice(&[syntax.code(), purpose.code()]);
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.resize(out.len().next_multiple_of(8), 0);
        out.extend_from_slice(&bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::rules::{Pattern, Rules};

    /// Every built-in pattern: the rules' and the login time's.
    fn builtin(rules: &Rules) -> Vec<&Pattern> {
        let login_time = crate::notice::when::patterns().map(|p| -> &Pattern { p });
        rules.patterns().chain(login_time).collect()
    }

    /// Every built-in pattern whose groups are read: the date's (made by
    /// `builtin`) and the formats' extracts, as (syntax, groups' source).
    fn builtin_groups(rules: &Rules) -> Vec<(Syntax, String)> {
        let mut groups = crate::notice::rules::capture::builtin_groups();
        for extract in rules.formats.iter().flat_map(|f| &f.extract) {
            groups.push(extract.groups_key());
        }
        groups
    }

    const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/notice/rules/automata.bin");

    #[test]
    fn the_precompiled_automata_are_those_of_the_builtin_patterns() {
        let rules = Rules::builtin();
        let sets = rules.literal_sets();
        let patterns = builtin(&rules);
        let groups = builtin_groups(&rules);
        let fresh = generate(
            patterns.iter().map(|p| (p.syntax(), p.source())),
            sets.iter().map(|s| s.literals()),
            groups.iter().map(|(syntax, source)| (*syntax, source.as_str())),
        );
        if std::env::var_os("VIGIE_REGENERATE_AUTOMATA").is_some() {
            std::fs::write(PATH, &fresh).expect("automata.bin is writable");
            return;
        }
        assert!(
            fresh == TABLE.bytes,
            "src/notice/rules/automata.bin is stale (builtin.toml or regex-automata changed): \
             run `VIGIE_REGENERATE_AUTOMATA=1 cargo test --lib precompiled_automata` and commit it"
        );
    }

    #[test]
    fn every_builtin_pattern_is_in_the_table_with_a_dfa_that_loads() {
        let rules = Rules::builtin();
        let mut without = Vec::new();
        for pattern in builtin(&rules) {
            let entry = lookup(pattern.source(), pattern.syntax())
                .unwrap_or_else(|| panic!("{:?} not in the table", pattern.source()));
            assert_eq!(entry.starts, starts_of(pattern.source(), pattern.syntax()));
            if let Some((forward, reverse)) = entry.whole {
                for dfa in [forward, reverse] {
                    assert!(regex_automata::dfa::dense::DFA::from_bytes(dfa).is_ok(), "{:?}", pattern.source());
                }
            }
            match entry.dfa {
                Some(AnchoredBytes::Sparse(dfa)) => {
                    assert!(regex_automata::dfa::sparse::DFA::from_bytes(dfa).is_ok(), "{:?}", pattern.source())
                }
                Some(AnchoredBytes::Dense(dfa)) => {
                    assert!(regex_automata::dfa::dense::DFA::from_bytes(dfa).is_ok(), "{:?}", pattern.source())
                }
                None => without.push(pattern.source()),
            }
        }
        // ameli's official-looking display names: `.{0,30}` on both sides
        // of a brand word does not determinise in bounded memory. Compiled
        // at run time, and only for a name with a brand word in it.
        assert_eq!(without.len(), 1, "{without:?}");
        assert!(without[0].contains(r"(ameli|assurance maladie|cpam|caisse primaire)\b.{0,30}"), "{without:?}");
    }

    #[test]
    fn every_literal_set_in_the_table_loads() {
        let mut sets = 0;
        for entry in index() {
            if entry.code != LITERAL_SET {
                continue;
            }
            let starts = entry.starts.decode();
            let Some(AnchoredBytes::Dense(dfa)) = entry.dfa else { panic!("a dense DFA for {starts:?}") };
            assert!(regex_automata::dfa::dense::DFA::from_bytes(dfa).is_ok(), "{starts:?}");
            sets += 1;
        }
        let rules = Rules::builtin();
        let mut distinct: Vec<&[Beginning]> = Vec::new();
        for set in rules.literal_sets() {
            if !distinct.contains(&set.literals()) {
                distinct.push(set.literals());
            }
        }
        assert_eq!(sets, distinct.len());
    }

    #[test]
    fn every_nfa_in_the_table_is_the_one_compiled_from_its_pattern() {
        let mut nfas = 0;
        for entry in index() {
            let Some((syntax, purpose, bytes)) = entry.nfa else { continue };
            let source = std::str::from_utf8(entry.source).expect("UTF-8");
            let syntax = [Syntax::Folded, Syntax::Plain].into_iter().find(|s| s.code() == syntax).expect("a syntax");
            let purpose = [Purpose::Groups, Purpose::AsciiGroups, Purpose::Short]
                .into_iter()
                .find(|p| p.code() == purpose)
                .expect("a purpose");
            let compiled = super::super::nfa::compile(source, syntax, purpose).expect("compiles");
            let tabled = super::super::nfa::from_bytes(bytes).expect("reads back");
            assert_eq!(tabled.states(), compiled.states(), "{source:?}");
            assert_eq!(tabled.start_anchored(), compiled.start_anchored());
            assert_eq!(tabled.group_info().all_group_len(), compiled.group_info().all_group_len());
            nfas += 1;
        }
        // The date's four, the extracts' five (each with its cut to ASCII),
        // ameli's widest display name.
        assert_eq!(nfas, 4 + 2 * 5 + 1);
    }

    #[test]
    fn a_pattern_begins_at_the_start_after_its_prefix_literals_or_anywhere() {
        let starts_of = |source| starts_of(source, Syntax::Folded);
        assert_eq!(starts_of("^(?:ab|cd)$"), Starts::AtStart);
        let Starts::Literals(literals) = starts_of(r"\b(dossier|ref)\s*\d") else { panic!("finite") };
        // Cut to six bytes, those that begin with another left out.
        assert_eq!(literals[0], Beginning::prefix(b"dossie"));
        assert!(literals[1..].iter().all(|l| l.literal.starts_with(b"ref") && l.span() == 4), "{literals:?}");
        let Starts::Literals(literals) = starts_of(r"(reference|ref)s?\b") else { panic!("finite") };
        assert_eq!(literals, [Beginning::prefix(b"ref")]);
        // Too many beginnings: the bytes they begin with.
        let Starts::Literals(first) = starts_of(r"\b[a-p]{2,}x|\d{2}y") else { panic!("first bytes") };
        let expected: Vec<Beginning> = (b'0'..=b'9').chain(b'a'..=b'p').map(|b| Beginning::prefix(&[b])).collect();
        assert_eq!(first, expected);
        assert_eq!(starts_of(r".{0,30}\bameli"), Starts::Anywhere);
        assert_eq!(starts_of(r"(a|)b?"), Starts::Anywhere);
        assert_eq!(starts_of(r"(unclosed"), Starts::Anywhere);
    }

    #[test]
    fn a_damaged_table_is_refused_not_read_past_its_end() {
        let patterns = [(Syntax::Folded, "^abc$"), (Syntax::Plain, "x(y|é)")];
        let literals = [Beginning::prefix(b"ab"), Beginning { literal: b"b".to_vec(), offset: 2 }];
        let good: &'static [u8] =
            Box::leak(generate(patterns, [&literals[..]], [(Syntax::Plain, "(?P<x>é)")]).into_boxed_slice());
        // Two NFAs: the groups' and theirs cut to ASCII (the pattern
        // anchored at the start has a DFA, so no NFA).
        assert_eq!(read_table(good).map(|t| t.len()), Some(5));
        for cut in [1, 5, 9, good.len() / 2] {
            let damaged: &'static [u8] = Box::leak(good[..cut].to_vec().into_boxed_slice());
            assert!(read_table(damaged).is_none(), "cut at {cut}");
        }
    }
}
