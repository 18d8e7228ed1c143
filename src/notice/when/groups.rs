//! The groups of a date match, read from the match itself.
//!
//! A date pattern's match is found by its precompiled DFA; its groups
//! (day, month, year, hour…) were read by an automaton compiled at run
//! time for each pattern, most of what reading a login time cost a short
//! `vigie scan`. Here they are read by walking the pattern's parts over
//! the match, each part's choices in the order the regex engine prefers
//! them (the longer first for a greedy part, alternatives as written), so
//! that the first way through that ends where the match ends is the one
//! leftmost-first matching takes: the groups are the same.
//! `dates_are_read_as_the_regex_crate_reads_them` checks it for each
//! pattern against the regex crate.
//!
//! Folded text is ASCII and the patterns are compiled without Unicode:
//! `\s` is ASCII white space (vertical tab included), `\d` ASCII digits,
//! `\b` an ASCII word boundary, which looks at the text around the match.

use std::cell::Cell;

use super::{MONTHS, WEEKDAYS};

/// Which date pattern a match is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// `le mer. 10 dec. 2026 a 14h05`.
    MonthName,
    /// `december 10, 2026 at 2:05 pm`.
    MonthFirst,
    /// `10/12/2026 14:05`.
    Numeric,
    /// `2026-12-10 14:05`.
    Iso,
}

/// The named groups a date pattern has, as byte ranges of the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Groups {
    pub d: Option<(usize, usize)>,
    pub mon: Option<(usize, usize)>,
    pub m: Option<(usize, usize)>,
    pub s1: Option<(usize, usize)>,
    pub y: Option<(usize, usize)>,
    pub h: Option<(usize, usize)>,
    pub sep: Option<(usize, usize)>,
    pub mi: Option<(usize, usize)>,
    pub ampm: Option<(usize, usize)>,
}

/// One part of a pattern.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// `(?:\b(?:weekday)\.?\s*,?\s+)?`
    Weekday,
    /// `\b`
    Boundary,
    /// `\d{1,2}` into a group.
    OneOrTwoDigits(Slot),
    /// `\d{n}` into a group.
    Digits(usize, Slot),
    /// `(?:er|st|nd|rd|th)?`, or without `er`.
    Ordinal { er: bool },
    /// `\s+`
    Spaces,
    /// `\s*`
    MaybeSpaces,
    /// A month's spelling into `mon`.
    Month,
    /// This byte, optional.
    Maybe(u8),
    /// This byte.
    Byte(u8),
    /// `(?:\s+(?P<y>\d{4}|\d{2}\b))?`
    MaybeYear,
    /// `(?P<y>\d{4}|\d{2})`
    Year,
    /// `[/.-]`, into a group or not.
    Separator(Option<Slot>),
    /// `(?:a|at|vers|-|,)?`
    MaybeAt,
    /// `(?P<sep>heures?|h|:|\.)`
    HourSeparator,
    /// `(?P<mi>\d{2})?`
    MaybeMinutes,
    /// `(?:\s*min\b)?`
    MaybeMin,
    /// `(?::\d{2})?`
    MaybeSeconds,
    /// `(?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))?`
    MaybeAmPm,
    /// `(?:t|\s+a\s+|\s+)`
    IsoBetween,
    /// `(?P<sep>:)`
    Colon,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    D,
    M,
    S1,
    Y,
    H,
    Mi,
}

/// `TIME` in the module above.
const TIME: [Part; 13] = [
    Part::MaybeSpaces,
    Part::Maybe(b','),
    Part::MaybeSpaces,
    Part::MaybeAt,
    Part::MaybeSpaces,
    Part::OneOrTwoDigits(Slot::H),
    Part::MaybeSpaces,
    Part::HourSeparator,
    Part::MaybeSpaces,
    Part::MaybeMinutes,
    Part::MaybeMin,
    Part::MaybeSeconds,
    Part::MaybeAmPm,
];

const MONTH_NAME: [Part; 9] = [
    Part::Weekday,
    Part::Boundary,
    Part::OneOrTwoDigits(Slot::D),
    Part::Ordinal { er: true },
    Part::Spaces,
    Part::Month,
    Part::Boundary,
    Part::Maybe(b'.'),
    Part::MaybeYear,
];

const MONTH_FIRST: [Part; 11] = [
    Part::Boundary,
    Part::Month,
    Part::Boundary,
    Part::Maybe(b'.'),
    Part::Spaces,
    Part::OneOrTwoDigits(Slot::D),
    Part::Ordinal { er: false },
    Part::MaybeSpaces,
    Part::Maybe(b','),
    Part::Spaces,
    Part::Digits(4, Slot::Y),
];

const NUMERIC: [Part; 7] = [
    Part::Boundary,
    Part::OneOrTwoDigits(Slot::D),
    Part::Separator(Some(Slot::S1)),
    Part::OneOrTwoDigits(Slot::M),
    Part::Separator(None),
    Part::Year,
    Part::Boundary,
];

const ISO: [Part; 10] = [
    Part::Boundary,
    Part::Digits(4, Slot::Y),
    Part::Byte(b'-'),
    Part::Digits(2, Slot::M),
    Part::Byte(b'-'),
    Part::Digits(2, Slot::D),
    Part::IsoBetween,
    Part::Digits(2, Slot::H),
    Part::Colon,
    Part::Digits(2, Slot::Mi),
];

/// The parts of a shape, in order: its own, then the time's.
fn parts(shape: Shape) -> (&'static [Part], &'static [Part]) {
    match shape {
        Shape::MonthName => (&MONTH_NAME, &TIME),
        Shape::MonthFirst => (&MONTH_FIRST, &TIME),
        Shape::Numeric => (&NUMERIC, &TIME),
        Shape::Iso => (&ISO, &[]),
    }
}

/// A way a part may end: where, and the group it sets (and to what).
type Choice = (usize, Option<GroupSlot>, Option<(usize, usize)>);

/// The groups of the match of `shape`'s pattern over `text[start..end]`
/// (a match it found: `None` only if it was not one).
pub(super) fn read(shape: Shape, text: &[u8], start: usize, end: usize) -> Option<Groups> {
    thread_local! {
        static CHOICES: Cell<Vec<Choice>> = const { Cell::new(Vec::new()) };
    }
    let (own, time) = parts(shape);
    let places = end.checked_sub(start)? + 1;
    let words = ((own.len() + time.len()) * places).div_ceil(64);
    // A date's match is short: its marks fit here.
    let (mut on_stack, mut on_heap) = ([0u64; MARK_WORDS], Vec::new());
    let failed = if words <= MARK_WORDS {
        &mut on_stack[..words]
    } else {
        on_heap.resize(words, 0);
        &mut on_heap[..]
    };
    let mut choices = CHOICES.try_with(Cell::take).unwrap_or_default();
    choices.clear();
    let mut walk = Walk { text, start, end, own, time, failed, choices };
    let mut groups = Groups::default();
    let found = walk.from(0, start, &mut groups);
    let _ = CHOICES.try_with(|kept| kept.set(std::mem::take(&mut walk.choices)));
    found.then_some(groups)
}

/// Words of marks kept on the stack: enough for a match of 400 bytes.
const MARK_WORDS: usize = 160;

struct Walk<'a> {
    text: &'a [u8],
    start: usize,
    end: usize,
    own: &'a [Part],
    time: &'a [Part],
    /// One bit for each part and place: the walk from that part at that
    /// place was tried and failed (what follows a place does not depend
    /// on how it was reached).
    failed: &'a mut [u64],
    /// The choices of the parts being walked, the innermost last.
    choices: Vec<Choice>,
}

impl Walk<'_> {
    fn part(&self, i: usize) -> Option<Part> {
        self.own.get(i).or_else(|| self.time.get(i.checked_sub(self.own.len())?)).copied()
    }

    /// Whether the parts from `i` on match from `at` to the end, the
    /// preferred way first; `groups` holds that way's groups.
    fn from(&mut self, i: usize, at: usize, groups: &mut Groups) -> bool {
        let Some(part) = self.part(i) else { return at == self.end };
        let memo = i * (self.end - self.start + 1) + (at - self.start);
        let (word, bit) = (memo / 64, 1u64 << (memo % 64));
        if self.failed.get(word).is_none_or(|w| w & bit != 0) {
            return false;
        }
        let base = self.choices.len();
        choices(self.text, self.end, part, at, &mut self.choices);
        for k in base..self.choices.len() {
            let (next, slot, span) = self.choices[k];
            if next > self.end {
                continue;
            }
            if let Some(slot) = slot {
                set(groups, slot, span);
            }
            if self.from(i + 1, next, groups) {
                return true;
            }
        }
        self.choices.truncate(base);
        if let Some(w) = self.failed.get_mut(word) {
            *w |= bit;
        }
        false
    }
}

/// Where `part` may end from `at` (the match ending at `end`), the
/// preferred first, pushed onto `out`.
fn choices(t: &[u8], end: usize, part: Part, at: usize, out: &mut Vec<Choice>) {
    let digits =
        |from: usize, n: usize| t.get(from..end).is_some_and(|r| r.len() >= n && r[..n].iter().all(u8::is_ascii_digit));
    let spaces = |from: usize| t.get(from..end).map_or(0, |r| r.iter().take_while(|&&b| is_space(b)).count());
    // The first byte first: most words are not there.
    let starts =
        |from: usize, word: &[u8]| t.get(from..end).is_some_and(|r| r.first() == word.first() && r.starts_with(word));
    let at_boundary = |pos: usize| boundary(t, pos);
    let base = out.len();
    match part {
        Part::Weekday => {
            let letter = t.get(at..end).and_then(<[u8]>::first).is_some_and(u8::is_ascii_lowercase);
            for day in weekdays().iter().filter(|_| letter && at_boundary(at)) {
                if !starts(at, day.as_bytes()) {
                    continue;
                }
                let after = at + day.len();
                for dot in maybe(starts(after, b"."), after) {
                    for before_comma in (dot..=dot + spaces(dot)).rev() {
                        for comma in maybe(starts(before_comma, b","), before_comma) {
                            for end in (comma + 1..=comma + spaces(comma)).rev() {
                                push_once(out, base, end);
                            }
                        }
                    }
                }
            }
            push_once(out, base, at);
        }
        Part::Boundary => {
            if at_boundary(at) {
                out.push((at, None, None));
            }
        }
        Part::OneOrTwoDigits(slot) => {
            for n in [2, 1] {
                if digits(at, n) {
                    out.push((at + n, Some(GroupSlot::Of(slot)), Some((at, at + n))));
                }
            }
        }
        Part::Digits(n, slot) => {
            if digits(at, n) {
                out.push((at + n, Some(GroupSlot::Of(slot)), Some((at, at + n))));
            }
        }
        Part::Ordinal { er } => {
            let words: &[&[u8]] = if er { &[b"er", b"st", b"nd", b"rd", b"th"] } else { &[b"st", b"nd", b"rd", b"th"] };
            for word in words {
                if starts(at, word) {
                    out.push((at + word.len(), None, None));
                }
            }
            out.push((at, None, None));
        }
        Part::Spaces => {
            for end in (at + 1..=at + spaces(at)).rev() {
                out.push((end, None, None));
            }
        }
        Part::MaybeSpaces => {
            for end in (at..=at + spaces(at)).rev() {
                out.push((end, None, None));
            }
        }
        Part::Month => {
            for month in months() {
                if starts(at, month.as_bytes()) {
                    out.push((at + month.len(), Some(GroupSlot::Mon), Some((at, at + month.len()))));
                }
            }
        }
        Part::Maybe(b) => {
            if starts(at, &[b]) {
                out.push((at + 1, None, None));
            }
            out.push((at, None, None));
        }
        Part::Byte(b) => {
            if starts(at, &[b]) {
                out.push((at + 1, None, None));
            }
        }
        Part::MaybeYear => {
            for from in (at + 1..=at + spaces(at)).rev() {
                if digits(from, 4) {
                    out.push((from + 4, Some(GroupSlot::Of(Slot::Y)), Some((from, from + 4))));
                }
                if digits(from, 2) && at_boundary(from + 2) {
                    out.push((from + 2, Some(GroupSlot::Of(Slot::Y)), Some((from, from + 2))));
                }
            }
            out.push((at, Some(GroupSlot::Of(Slot::Y)), None));
        }
        Part::Year => {
            for n in [4, 2] {
                if digits(at, n) {
                    out.push((at + n, Some(GroupSlot::Of(Slot::Y)), Some((at, at + n))));
                }
            }
        }
        Part::Separator(slot) => {
            if t.get(at..end).and_then(<[u8]>::first).is_some_and(|b| matches!(b, b'/' | b'.' | b'-')) {
                out.push((at + 1, slot.map(GroupSlot::Of), Some((at, at + 1))));
            }
        }
        Part::MaybeAt => {
            for word in [&b"a"[..], b"at", b"vers", b"-", b","] {
                if starts(at, word) {
                    out.push((at + word.len(), None, None));
                }
            }
            out.push((at, None, None));
        }
        Part::HourSeparator => {
            for word in [&b"heures"[..], b"heure", b"h", b":", b"."] {
                if starts(at, word) {
                    out.push((at + word.len(), Some(GroupSlot::Sep), Some((at, at + word.len()))));
                }
            }
        }
        Part::MaybeMinutes => {
            if digits(at, 2) {
                out.push((at + 2, Some(GroupSlot::Of(Slot::Mi)), Some((at, at + 2))));
            }
            out.push((at, Some(GroupSlot::Of(Slot::Mi)), None));
        }
        Part::MaybeMin => {
            for from in (at..=at + spaces(at)).rev() {
                if starts(from, b"min") && at_boundary(from + 3) {
                    out.push((from + 3, None, None));
                }
            }
            out.push((at, None, None));
        }
        Part::MaybeSeconds => {
            if starts(at, b":") && digits(at + 1, 2) {
                out.push((at + 3, None, None));
            }
            out.push((at, None, None));
        }
        Part::MaybeAmPm => {
            for from in (at..=at + spaces(at)).rev() {
                for word in [&b"am"[..], b"pm", b"a.m.", b"p.m."] {
                    if starts(from, word) {
                        out.push((from + word.len(), Some(GroupSlot::AmPm), Some((from, from + word.len()))));
                    }
                }
            }
            out.push((at, Some(GroupSlot::AmPm), None));
        }
        Part::IsoBetween => {
            if starts(at, b"t") {
                out.push((at + 1, None, None));
            }
            for a in (at + 1..=at + spaces(at)).rev() {
                if starts(a, b"a") {
                    for end in (a + 2..=a + 1 + spaces(a + 1)).rev() {
                        out.push((end, None, None));
                    }
                }
            }
            for end in (at + 1..=at + spaces(at)).rev() {
                out.push((end, None, None));
            }
        }
        Part::Colon => {
            if starts(at, b":") {
                out.push((at + 1, Some(GroupSlot::Sep), Some((at, at + 1))));
            }
        }
    }
}

/// A group a choice sets.
#[derive(Debug, Clone, Copy)]
enum GroupSlot {
    Of(Slot),
    Mon,
    Sep,
    AmPm,
}

fn set(groups: &mut Groups, slot: GroupSlot, span: Option<(usize, usize)>) {
    let place = match slot {
        GroupSlot::Of(Slot::D) => &mut groups.d,
        GroupSlot::Of(Slot::M) => &mut groups.m,
        GroupSlot::Of(Slot::S1) => &mut groups.s1,
        GroupSlot::Of(Slot::Y) => &mut groups.y,
        GroupSlot::Of(Slot::H) => &mut groups.h,
        GroupSlot::Of(Slot::Mi) => &mut groups.mi,
        GroupSlot::Mon => &mut groups.mon,
        GroupSlot::Sep => &mut groups.sep,
        GroupSlot::AmPm => &mut groups.ampm,
    };
    *place = span;
}

/// `at` first if `present`, then `at` itself: an optional byte.
fn maybe(present: bool, at: usize) -> impl Iterator<Item = usize> {
    present.then_some(at + 1).into_iter().chain([at])
}

/// A choice with no group, unless one ending there is already listed
/// since `base` (the rest of the walk from a place does not depend on
/// how it was reached).
fn push_once(out: &mut Vec<Choice>, base: usize, end: usize) {
    if !out[base..].iter().any(|(e, _, _)| *e == end) {
        out.push((end, None, None));
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// An ASCII word boundary at `pos` of `text`.
fn boundary(text: &[u8], pos: usize) -> bool {
    let before = pos.checked_sub(1).and_then(|p| text.get(p)).is_some_and(|&b| is_word(b));
    let after = text.get(pos).is_some_and(|&b| is_word(b));
    before != after
}

/// The spellings in the order the pattern's alternation lists them.
fn weekdays() -> &'static [&'static str] {
    static ORDER: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| super::alternation_order(WEEKDAYS.iter().copied()));
    &ORDER
}

fn months() -> &'static [&'static str] {
    static ORDER: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| super::alternation_order(MONTHS.iter().map(|(m, _)| *m)));
    &ORDER
}
