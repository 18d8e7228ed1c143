//! The automata that read a built-in pattern's groups, or search a short
//! text with one that has no DFA, stored ahead of time like the DFAs.
//!
//! regex-automata serialises DFAs but not Thompson NFAs, and compiling one
//! (parsing, translating, the UTF-8 compiler whose 400 KB suffix cache is
//! zeroed for each Unicode class) cost every `vigie scan` process about a
//! million instructions and a hundred page faults a pattern. An NFA is a
//! list of states, and regex-automata's own NFA [`Builder`] builds one
//! state by state: `automata.bin` holds each built-in NFA's states, and
//! they are added back, in order, to a builder, which gives the same NFA
//! (same states, same identifiers: the builder renumbers only the empty
//! states a compiled NFA no longer has; a unit test compares every one
//! with the NFA compiled from its pattern).
//!
//! The NFA is searched as the `regex` crate's meta engine searches one it
//! compiled for captures only: the bounded backtracker when the text fits
//! in its memory, else the Pike VM, both leftmost-first.
//!
//! A serialised NFA, integers little endian: UTF-8 mode (u8), the
//! anchored, unanchored and pattern start states (u32 each), the groups
//! (u32 count, each a name flag (u8) and, when named, the name as a u32
//! length and bytes), then the states (u32 count), each a tag (u8) and its
//! fields: 0 byte range (start, end: u8; next: u32), 1 sparse (u32 count
//! of such ranges), 2 look (its repr, next: u32), 3 union (u32 count of
//! u32 states), 4 binary union (two u32), 5 capture (group: u32, end: u8,
//! next: u32), 6 fail, 7 match.

use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

use regex_automata::nfa::thompson::{self, Builder, NFA, State, Transition, WhichCaptures, backtrack, pikevm};
use regex_automata::util::captures::Captures;
use regex_automata::util::look::{Look, LookMatcher};
use regex_automata::util::pool::Pool;
use regex_automata::util::primitives::{NonMaxUsize, PatternID, StateID};
use regex_automata::{Input, Match};

use regex_syntax::hir::{self, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

use super::automata::{Purpose, Reader, Syntax};

/// As `compile_ascii`'s `size_limit`.
pub(super) const SIZE_LIMIT: usize = 1 << 22;

/// The groups an NFA built for `purpose` keeps.
fn which_captures(purpose: Purpose) -> WhichCaptures {
    match purpose {
        Purpose::Groups | Purpose::AsciiGroups => WhichCaptures::All,
        Purpose::Short => WhichCaptures::Implicit,
    }
}

/// As [`super::pattern::compile`] configures the meta engine's NFA.
fn config(syntax: Syntax, purpose: Purpose) -> thompson::Config {
    thompson::Config::new()
        .utf8(syntax == Syntax::Plain)
        .reverse(false)
        .nfa_size_limit(Some(SIZE_LIMIT))
        .shrink(false)
        .which_captures(which_captures(purpose))
        .look_matcher(LookMatcher::new())
}

/// The NFA of `source` for `purpose`, compiled here (a pattern of the
/// config, or the table's generator); `None` if it does not compile.
pub(crate) fn compile(source: &str, syntax: Syntax, purpose: Purpose) -> Option<NFA> {
    let mut compiler = thompson::Compiler::new();
    compiler.configure(config(syntax, purpose));
    match purpose {
        Purpose::AsciiGroups => compiler.build_from_hir(&ascii_classes(&syntax.parse(source)?)),
        Purpose::Groups | Purpose::Short => compiler.syntax(syntax.config()).build(source),
    }
    .ok()
}

/// `nfa` (one pattern) as the table holds it.
/// `hir` with every class cut to its ASCII members (a class left empty
/// matches nothing); the rest, look-arounds included, as it is.
fn ascii_classes(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7f)]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(repetition) => {
            Hir::repetition(hir::Repetition { sub: Box::new(ascii_classes(&repetition.sub)), ..repetition.clone() })
        }
        HirKind::Capture(capture) => {
            Hir::capture(hir::Capture { sub: Box::new(ascii_classes(&capture.sub)), ..capture.clone() })
        }
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(ascii_classes).collect()),
        HirKind::Alternation(branches) => Hir::alternation(branches.iter().map(ascii_classes).collect()),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => hir.clone(),
    }
}

#[cfg(test)]
pub(crate) fn to_bytes(nfa: &NFA) -> Vec<u8> {
    fn u32_of(out: &mut Vec<u8>, value: usize) {
        out.extend_from_slice(&u32::try_from(value).expect("a small NFA").to_le_bytes());
    }
    let mut out = vec![u8::from(nfa.is_utf8())];
    let start = nfa.start_pattern(PatternID::ZERO).expect("one pattern");
    for id in [nfa.start_anchored(), nfa.start_unanchored(), start] {
        u32_of(&mut out, id.as_usize());
    }
    let names: Vec<Option<&str>> = nfa.group_info().pattern_names(PatternID::ZERO).collect();
    u32_of(&mut out, names.len());
    for name in names {
        out.push(u8::from(name.is_some()));
        if let Some(name) = name {
            u32_of(&mut out, name.len());
            out.extend_from_slice(name.as_bytes());
        }
    }
    u32_of(&mut out, nfa.states().len());
    let range = |out: &mut Vec<u8>, t: &Transition| {
        out.extend_from_slice(&[t.start, t.end]);
        u32_of(out, t.next.as_usize());
    };
    for state in nfa.states() {
        match state {
            State::ByteRange { trans } => {
                out.push(0);
                range(&mut out, trans);
            }
            State::Sparse(sparse) => {
                out.push(1);
                u32_of(&mut out, sparse.transitions.len());
                for t in sparse.transitions.iter() {
                    range(&mut out, t);
                }
            }
            State::Look { look, next } => {
                out.push(2);
                out.extend_from_slice(&look.as_repr().to_le_bytes());
                u32_of(&mut out, next.as_usize());
            }
            State::Union { alternates } => {
                out.push(3);
                u32_of(&mut out, alternates.len());
                for id in alternates.iter() {
                    u32_of(&mut out, id.as_usize());
                }
            }
            State::BinaryUnion { alt1, alt2 } => {
                out.push(4);
                u32_of(&mut out, alt1.as_usize());
                u32_of(&mut out, alt2.as_usize());
            }
            State::Capture { next, group_index, slot, .. } => {
                out.push(5);
                u32_of(&mut out, group_index.as_usize());
                // A group's slots are its start (even) and end (odd).
                out.push((slot.as_usize() % 2) as u8);
                u32_of(&mut out, next.as_usize());
            }
            State::Fail => out.push(6),
            State::Match { .. } => out.push(7),
            State::Dense(_) => unreachable!("a compiled NFA has no dense states"),
        }
    }
    out
}

/// The NFA `bytes` hold; `None` if they are damaged (they are part of the
/// program: a test reads each back).
pub(crate) fn from_bytes(bytes: &[u8]) -> Option<NFA> {
    let mut reader = Reader { bytes, at: 0 };
    let utf8 = reader.byte()? != 0;
    let (anchored, unanchored, start) = (reader.id()?, reader.id()?, reader.id()?);
    let mut names: Vec<Option<Arc<str>>> = Vec::new();
    for _ in 0..reader.u32()? {
        names.push(match reader.byte()? {
            0 => None,
            _ => {
                let len = reader.u32()? as usize;
                Some(Arc::from(std::str::from_utf8(reader.take(len)?).ok()?))
            }
        });
    }
    let mut builder = Builder::new();
    builder.set_utf8(utf8);
    builder.start_pattern().ok()?;
    let count = reader.u32()?;
    for expected in 0..count {
        let id = match reader.byte()? {
            0 => builder.add_range(reader.range()?),
            1 => {
                let len = reader.u32()?;
                let ranges = (0..len).map(|_| reader.range()).collect::<Option<Vec<_>>>()?;
                builder.add_sparse(ranges)
            }
            2 => {
                let look = Look::from_repr(reader.u32()?)?;
                builder.add_look(reader.id()?, look)
            }
            3 => {
                let len = reader.u32()?;
                let alternates = (0..len).map(|_| reader.id()).collect::<Option<Vec<_>>>()?;
                builder.add_union(alternates)
            }
            4 => builder.add_union(vec![reader.id()?, reader.id()?]),
            5 => {
                let group = reader.u32()?;
                let end = reader.byte()? != 0;
                let next = reader.id()?;
                match end {
                    false => builder.add_capture_start(next, group, names.get(group as usize)?.clone()),
                    true => builder.add_capture_end(next, group),
                }
            }
            6 => builder.add_fail(),
            7 => builder.add_match(),
            _ => return None,
        };
        // The builder numbers states as they come: the same as the NFA's.
        if id.ok()?.as_u32() != expected {
            return None;
        }
    }
    builder.finish_pattern(start).ok()?;
    if reader.at != bytes.len() || [anchored, unanchored, start].iter().any(|id| id.as_u32() >= count) {
        return None;
    }
    // Every state a transition names exists (the builder does not check).
    let nfa = builder.build(anchored, unanchored).ok()?;
    nfa.states().iter().all(|state| leads_within(state, count)).then_some(nfa)
}

/// Whether every state `state` leads to is one of the first `count`.
fn leads_within(state: &State, count: u32) -> bool {
    let ok = |id: &StateID| id.as_u32() < count;
    match state {
        State::ByteRange { trans } => ok(&trans.next),
        State::Sparse(sparse) => sparse.transitions.iter().all(|t| ok(&t.next)),
        State::Dense(dense) => dense.transitions.iter().all(ok),
        State::Look { next, .. } | State::Capture { next, .. } => ok(next),
        State::Union { alternates } => alternates.iter().all(ok),
        State::BinaryUnion { alt1, alt2 } => ok(alt1) && ok(alt2),
        State::Fail | State::Match { .. } => true,
    }
}

impl Reader<'_> {
    fn id(&mut self) -> Option<StateID> {
        StateID::new(self.u32()? as usize).ok()
    }

    fn range(&mut self) -> Option<Transition> {
        let (start, end) = (self.byte()?, self.byte()?);
        Some(Transition { start, end, next: self.id()? })
    }
}

type CreateCache = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// An NFA's search engines, with their scratch space kept from one search
/// to the next.
pub(crate) struct Engine {
    backtrack: backtrack::BoundedBacktracker,
    pikevm: pikevm::PikeVM,
    caches: Pool<Cache, CreateCache>,
}

#[derive(Debug)]
struct Cache {
    backtrack: backtrack::Cache,
    /// Made when a text is too long for the backtracker.
    pikevm: Option<pikevm::Cache>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("states", &self.backtrack.get_nfa().states().len()).finish()
    }
}

impl Engine {
    /// `None` if an engine refuses the NFA (never seen: only a Unicode
    /// word boundary without Unicode data would).
    pub(crate) fn new(nfa: NFA) -> Option<Engine> {
        let backtrack = backtrack::BoundedBacktracker::new_from_nfa(nfa.clone()).ok()?;
        let pikevm = pikevm::PikeVM::new_from_nfa(nfa).ok()?;
        let for_cache = backtrack.clone();
        let create: CreateCache = Box::new(move || Cache { backtrack: for_cache.create_cache(), pikevm: None });
        Some(Engine { backtrack, pikevm, caches: Pool::new(create) })
    }

    /// Where each group of the leftmost-first match in `input` is (its
    /// pattern is unset when there is none), as `slots` lists them.
    fn search_slots(&self, input: &Input, slots: &mut [Option<NonMaxUsize>]) -> Option<PatternID> {
        let mut cache = self.caches.get();
        // As the meta engine chooses: the backtracker when the text fits
        // in its memory (and is short, for a yes-or-no question).
        let short = !input.get_earliest() || input.haystack().len() <= 128;
        if short
            && input.get_span().len() < self.backtrack.max_haystack_len()
            && let Ok(found) = self.backtrack.try_search_slots(&mut cache.backtrack, input, slots)
        {
            return found;
        }
        let pikevm = &self.pikevm;
        let cache = cache.pikevm.get_or_insert_with(|| pikevm.create_cache());
        pikevm.search_slots(cache, input, slots)
    }

    /// An empty set of groups for [`Engine::captures`].
    pub(crate) fn create_captures(&self) -> Captures {
        Captures::all(self.backtrack.get_nfa().group_info().clone())
    }

    /// The leftmost-first match in `input`, with its groups.
    pub(crate) fn captures(&self, input: &Input, captures: &mut Captures) {
        let found = self.search_slots(input, captures.slots_mut());
        captures.set_pattern(found);
    }

    /// The leftmost-first match in `input`.
    pub(crate) fn find(&self, input: &Input) -> Option<Match> {
        let mut slots = [None, None];
        let pattern = self.search_slots(input, &mut slots)?;
        let (start, end) = (slots[0]?.get(), slots[1]?.get());
        Some(Match::new(pattern, start..end))
    }

    /// Whether `input` holds a match.
    pub(crate) fn is_match(&self, input: &Input) -> bool {
        self.search_slots(&input.clone().earliest(true), &mut []).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_nfa_read_back_from_its_bytes_is_the_nfa_compiled() {
        for (source, syntax, purpose) in [
            (r"(?i)sur le site (?P<site>.+?) avec (?P<idp>.+?)\.(?:\s|$)", Syntax::Plain, Purpose::Groups),
            (r"\b(?P<d>\d{1,2})/(?P<m>\d{2})\b|(x)(?P<y>y)", Syntax::Folded, Purpose::Groups),
            (r"^(?:.{0,30}\b(ameli|cpam)\b.{0,30})$", Syntax::Folded, Purpose::Short),
            (r"[Bb]onjour\s+(?P<n>\p{Lu}\p{L}*)\s*,", Syntax::Plain, Purpose::Groups),
        ] {
            let nfa = compile(source, syntax, purpose).expect("compiles");
            let back = from_bytes(&to_bytes(&nfa)).expect("reads back");
            assert_eq!(back.states(), nfa.states(), "{source}");
            assert_eq!(
                (back.start_anchored(), back.start_unanchored(), back.is_utf8()),
                (nfa.start_anchored(), nfa.start_unanchored(), nfa.is_utf8())
            );
            let names = |n: &NFA| -> Vec<Option<String>> {
                n.group_info().pattern_names(PatternID::ZERO).map(|s| s.map(str::to_owned)).collect()
            };
            assert_eq!(names(&back), names(&nfa));
            let bytes = to_bytes(&nfa);
            for cut in [1, 9, bytes.len() / 2, bytes.len() - 1] {
                assert!(from_bytes(&bytes[..cut]).is_none(), "cut at {cut}");
            }
        }
    }

    #[test]
    fn the_engine_reads_the_groups_the_meta_engine_reads() {
        let source = r"(?i)sur le site (?P<site>.+?) avec (?P<idp>.+?)\.(?:\s|$)";
        let engine = Engine::new(compile(source, Syntax::Plain, Purpose::Groups).expect("compiles")).expect("engine");
        let meta = regex_automata::meta::Regex::new(source).expect("compiles");
        let long = format!("{} Sur le site impots.gouv.fr avec Ameli.fr. fin", "é".repeat(40_000));
        for text in ["sur le site a avec b. c", "rien", "SUR LE SITE x.y avec z.w.", long.as_str()] {
            let input = Input::new(text);
            let mut ours = engine.create_captures();
            engine.captures(&input, &mut ours);
            let mut theirs = meta.create_captures();
            meta.search_captures(&input, &mut theirs);
            let groups = |c: &Captures| (0..c.group_len()).map(|i| c.get_group(i)).collect::<Vec<_>>();
            assert_eq!(groups(&ours), groups(&theirs), "{text:.40}");
            assert_eq!(engine.find(&input), meta.find(input.clone()));
            assert_eq!(engine.is_match(&input), meta.is_match(input.clone()));
        }
    }
}
