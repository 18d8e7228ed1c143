//! Where a pattern's matches can begin, when its prefix literals are too
//! short to be rare: a longer literal a fixed number of bytes in.
//!
//! `\b(reglez|payez|s.acquitter)\b…` begins with "s" in one branch (the
//! `.` after it ends the prefix literals): every "s" of every text would
//! be a place to search from. Every match of that branch has "acquit" two
//! bytes after its start, though, since `.` is one byte wide in folded
//! text. So the pattern is read, from its start, as the ways a match can
//! begin ([`Path`]: for each byte of a fixed-width beginning, the set of
//! bytes it can be), forking at alternations and short optional parts and
//! cut where the width stops being fixed (`\s*`, a repetition, a Unicode
//! class whose members are not all one byte wide); each way gets its
//! longest run of (almost) literal bytes, found at a known offset.
//!
//! Sound by construction: every match follows one of the ways, and every
//! byte a way states is one the match has; a way cut short only states
//! less. When some way has no literal run at all (it can begin with
//! anything), there is no list.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Beginnings shorter than this are common enough to be searched from
/// almost everywhere.
pub(crate) const RARE: usize = 3;

/// The bytes of a beginning read from the pattern: enough for a literal a
/// few one-byte classes in.
const MOST_BYTES: usize = 16;

/// The ways of beginning kept apart; past this, the ways are cut where
/// they would fork.
const MOST_WAYS: usize = 64;

/// Optional parts repeated at most this many more times than their
/// minimum are forked into each count (`(de\s+)?`, `\d{1,2}`); others end
/// the fixed-width beginning.
const MOST_FORKS: u32 = 3;

/// A byte of a beginning may be one of this many at most for the literals
/// to spell it out (`[Bb]onjour`: "Bonjou", "bonjou").
const MOST_CHOICES: u32 = 4;

/// At most this many literals for one way of beginning.
const MOST_SPELLINGS: u32 = 16;

/// The beginning's bytes are cut to this many: the anchored search checks
/// the rest.
const LONGEST: usize = 6;

/// A literal found `offset` bytes after where a match begins (0: the
/// match begins with it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Beginning {
    pub(crate) literal: Vec<u8>,
    pub(crate) offset: usize,
}

impl Beginning {
    /// A literal the matches begin with.
    pub(crate) fn prefix(literal: &[u8]) -> Beginning {
        Beginning { literal: literal.to_vec(), offset: 0 }
    }

    /// How far from a match's start the literal ends.
    pub(crate) fn span(&self) -> usize {
        self.literal.len() + self.offset
    }
}

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bytes([u128; 2]);

impl Bytes {
    fn new() -> Bytes {
        Bytes([0; 2])
    }

    fn add_range(&mut self, from: u8, to: u8) {
        for byte in from..=to {
            self.0[usize::from(byte >> 7)] |= 1 << (byte & 127);
        }
    }

    fn len(&self) -> u32 {
        self.0[0].count_ones() + self.0[1].count_ones()
    }

    fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(|&byte| self.0[usize::from(byte >> 7)] & (1 << (byte & 127)) != 0)
    }
}

/// One way a match can begin: the set of bytes at each of its first
/// bytes; `cut` when what follows is not read (of unknown width).
#[derive(Debug, Clone)]
struct Path {
    bytes: Vec<Bytes>,
    cut: bool,
}

impl Path {
    fn push(&mut self, byte: Bytes) {
        if self.cut {
            return;
        }
        if self.bytes.len() >= MOST_BYTES {
            self.cut = true;
            return;
        }
        self.bytes.push(byte);
    }

    fn cut(mut self) -> Path {
        self.cut = true;
        self
    }
}

/// The ways `hir`'s matches can begin, each with its longest literal run
/// at its offset; `None` when some way has none (its first bytes are
/// anything), or a match can be empty.
pub(crate) fn within(hir: &Hir) -> Option<Vec<Beginning>> {
    let paths = extend(vec![Path { bytes: Vec::new(), cut: false }], hir);
    let mut beginnings = Vec::new();
    for path in &paths {
        beginnings.extend(longest_run(path)?);
    }
    Some(beginnings)
}

/// `paths` followed by `hir`; cut before `hir` where they would be too
/// many.
fn extend(paths: Vec<Path>, hir: &Hir) -> Vec<Path> {
    if paths.iter().all(|p| p.cut) {
        return paths;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => paths,
        HirKind::Literal(literal) => paths
            .into_iter()
            .map(|mut path| {
                for &byte in literal.0.iter() {
                    let mut one = Bytes::new();
                    one.add_range(byte, byte);
                    path.push(one);
                }
                path
            })
            .collect(),
        HirKind::Class(class) => match one_byte(class) {
            Some(bytes) => paths
                .into_iter()
                .map(|mut path| {
                    path.push(bytes);
                    path
                })
                .collect(),
            None => paths.into_iter().map(Path::cut).collect(),
        },
        HirKind::Capture(capture) => extend(paths, &capture.sub),
        HirKind::Concat(parts) => parts.iter().fold(paths, extend),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for branch in branches {
                all.extend(extend(paths.clone(), branch));
                if all.len() > MOST_WAYS {
                    return paths.into_iter().map(Path::cut).collect();
                }
            }
            all
        }
        HirKind::Repetition(repetition) => {
            let mut done = paths.clone();
            for _ in 0..repetition.min.min(MOST_BYTES as u32 + 1) {
                done = extend(done, &repetition.sub);
            }
            if repetition.min > MOST_BYTES as u32 {
                return done.into_iter().map(Path::cut).collect();
            }
            let more = match repetition.max {
                Some(max) if max == repetition.min => return done,
                Some(max) if max - repetition.min <= MOST_FORKS => max - repetition.min,
                _ => return done.into_iter().map(Path::cut).collect(),
            };
            let mut all = done.clone();
            for _ in 0..more {
                done = extend(done, &repetition.sub);
                all.extend(done.iter().cloned());
                if all.len() > MOST_WAYS {
                    return paths.into_iter().map(Path::cut).collect();
                }
            }
            all
        }
    }
}

/// The bytes a class matching exactly one byte can be; `None` for a
/// class with members of other widths (a Unicode class with non-ASCII
/// members).
fn one_byte(class: &Class) -> Option<Bytes> {
    let mut bytes = Bytes::new();
    match class {
        Class::Bytes(class) => class.ranges().iter().for_each(|r| bytes.add_range(r.start(), r.end())),
        Class::Unicode(class) => {
            for range in class.ranges() {
                let (from, to) = (u8::try_from(range.start()).ok()?, u8::try_from(range.end()).ok()?);
                if to > 0x7f {
                    return None;
                }
                bytes.add_range(from, to);
            }
        }
    }
    (bytes.len() > 0).then_some(bytes)
}

/// The literals of `path`'s longest run of bytes that are each one of a
/// few (longer first, then fewer spellings, then nearer the start), cut
/// to [`LONGEST`]; `None` when it has none.
fn longest_run(path: &Path) -> Option<Vec<Beginning>> {
    let bytes = &path.bytes;
    // (length, spellings, offset)
    let mut best: Option<(usize, u32, usize)> = None;
    for offset in 0..bytes.len() {
        let mut spellings = 1u32;
        for (index, byte) in bytes.iter().enumerate().skip(offset).take(LONGEST) {
            let choices = byte.len();
            spellings = spellings.saturating_mul(choices);
            if choices > MOST_CHOICES || spellings > MOST_SPELLINGS {
                break;
            }
            let len = index + 1 - offset;
            let better = match best {
                None => true,
                Some((l, s, _)) => len > l || (len == l && spellings < s),
            };
            if better {
                best = Some((len, spellings, offset));
            }
        }
    }
    let (len, _, offset) = best?;
    let mut literals: Vec<Vec<u8>> = vec![Vec::new()];
    for byte in &bytes[offset..offset + len] {
        literals = literals
            .iter()
            .flat_map(|literal| {
                byte.iter().map(move |b| {
                    let mut longer = literal.clone();
                    longer.push(b);
                    longer
                })
            })
            .collect();
    }
    Some(literals.into_iter().map(|literal| Beginning { literal, offset }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::rules::automata::Syntax;

    fn within_of(source: &str, syntax: Syntax) -> Option<Vec<(String, usize)>> {
        let hir = syntax.parse(source).expect("parses");
        within(&hir)
            .map(|list| list.into_iter().map(|b| (String::from_utf8(b.literal).expect("utf-8"), b.offset)).collect())
    }

    #[test]
    fn a_short_beginning_gives_way_to_a_longer_literal_a_fixed_number_of_bytes_in() {
        let payment = r"\b(reglez|payez|s.acquitter)\b.{0,60}\d+(,\d+)?\s*(eur|euros)";
        let found = within_of(payment, Syntax::Folded).expect("a list");
        assert_eq!(found, [("reglez".into(), 0), ("payez".into(), 0), ("acquit".into(), 2)]);
        // Each branch its own; optional parts fork; classes of a few
        // bytes are spelt out.
        let found = within_of(r"(?:xx|yy)?[Dd].ici\s+(24|48)", Syntax::Folded).expect("a list");
        assert_eq!(found, [("ici".into(), 2), ("ici".into(), 4), ("ici".into(), 4)]);
        let found = within_of(r"\d{1,2}h[0-5]\dpile", Syntax::Folded).expect("a list");
        assert_eq!(found, [("pile".into(), 4), ("pile".into(), 5)]);
        let found = within_of(r"[Bb]onjour", Syntax::Folded).expect("a list");
        assert_eq!(found, [("onjour".into(), 1)]);
    }

    #[test]
    fn widths_are_those_of_the_syntax() {
        // In plain (Unicode) text `.` is one to four bytes: no offset past it.
        assert_eq!(within_of(r"s.acquitter", Syntax::Plain), Some(vec![("s".into(), 0)]));
        // An ASCII class is one byte in both.
        assert_eq!(within_of(r"s[' ]acquitter", Syntax::Plain), Some(vec![("acquit".into(), 2)]));
        assert_eq!(within_of(r"é.x", Syntax::Plain), Some(vec![("\u{e9}".into(), 0)]));
    }

    #[test]
    fn a_beginning_of_unknown_width_or_anything_is_no_list() {
        assert_eq!(within_of(r"\s*acquitter", Syntax::Folded), None);
        assert_eq!(within_of(r".{0,60}acquitter", Syntax::Folded), None);
        assert_eq!(within_of(r"(a|)b?", Syntax::Folded), None);
        assert_eq!(within_of(r"x|.acquitter", Syntax::Folded).map(|l| l.len()), Some(2));
    }
}
