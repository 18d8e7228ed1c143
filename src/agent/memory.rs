//! What an idle agent keeps resident. `vigie run` spends its life waiting
//! in IDLE; what it touched to start, log in and sync (the command line,
//! the config and rules parsers, TLS, SQLite, recognition) stays mapped
//! and counted as its memory, although none of it is needed until mail
//! comes. Before each wait the agent gives that back:
//!
//! - the allocator's free memory ([`libc::malloc_trim`]), and one malloc
//!   arena for every thread instead of one per thread (set once at start);
//! - the pages of the program's own code and read-only data: they are
//!   clean copies of the executable file, so unmapping them loses nothing
//!   and the kernel maps them again, from its page cache, on the next use.
//!   Unmapped, they are also the first pages the kernel may reclaim when
//!   memory is short, which mapped executable pages are not.
//!
//! Never touched: writable and relocated data (`.data`, `.data.rel.ro`,
//! which would lose their relocations), the heap's live objects, and other
//! files' mappings (shared libraries are shared with other programs).
//!
//! Only on Linux with glibc; elsewhere these are no-ops.

/// One malloc arena for the whole process: the agent's threads are idle
/// nearly all the time, and each extra arena keeps its own free memory
/// (about 0.8 MiB resident measured with seven threads). Call before any
/// thread is spawned.
pub fn one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of glibc's allocator; M_ARENA_MAX
    // is a valid parameter and 1 a valid value.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Gives back what waiting does not need: free heap memory, and the
/// program's code and read-only data pages (mapped again when used).
/// Cheap (about a tenth of a millisecond), safe to call from any thread.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only returns free memory to the system.
        unsafe {
            libc::malloc_trim(0);
        }
        if let Ok(maps) = std::fs::read_to_string("/proc/self/maps") {
            for range in clean_image_ranges(&maps, own_addresses()) {
                // SAFETY: `range` is a whole mapping of our own executable,
                // private, file-backed and never writable (checked by
                // clean_image_ranges): its pages are the file's bytes, so
                // dropping them changes no memory content the program can
                // see; the next access maps the same bytes again.
                unsafe {
                    libc::madvise(range.start as *mut libc::c_void, range.end - range.start, libc::MADV_DONTNEED);
                }
            }
        }
    }
}

/// A byte of read-only data: its address finds the executable's read-only
/// segment (`.rodata`), as a function's address finds its code.
static READ_ONLY_MARKER: [u8; 4] = *b"vgie";

/// Addresses inside the executable's code and read-only data segments.
fn own_addresses() -> [usize; 2] {
    [give_back as fn() as usize, std::hint::black_box(&READ_ONLY_MARKER).as_ptr() as usize]
}

/// The mappings of `/proc/self/maps` (text in `maps`) that hold one of
/// `addresses` and may be dropped: private (`p`), not writable, mapped from
/// a file (an inode), and from the same file as the first address (the
/// executable's code). A range that fails any check is left alone.
fn clean_image_ranges(maps: &str, addresses: [usize; 2]) -> Vec<std::ops::Range<usize>> {
    let mappings: Vec<Mapping> = maps.lines().filter_map(Mapping::parse).collect();
    let Some(code) = mappings.iter().find(|m| m.range.contains(&addresses[0])) else { return vec![] };
    let mut ranges = Vec::new();
    for address in addresses {
        let Some(i) = mappings.iter().position(|m| m.range.contains(&address)) else { continue };
        let m = &mappings[i];
        // RELRO: data relocated at start, then made read-only, lies just
        // below the writable data of the same file. Its pages are private
        // copies, not the file's bytes.
        let relro = mappings
            .get(i + 1)
            .is_some_and(|next| next.range.start == m.range.end && next.perms.contains('w') && next.path == m.path);
        let clean = !relro
            && m.perms.starts_with('r')
            && !m.perms.contains('w')
            && m.perms.ends_with('p')
            && m.inode != "0"
            && m.inode == code.inode
            && m.path == code.path
            && !m.path.is_empty();
        if clean && !ranges.contains(&m.range) {
            ranges.push(m.range.clone());
        }
    }
    ranges
}

/// One line of `/proc/PID/maps`: `start-end perms offset dev inode path`.
struct Mapping<'a> {
    range: std::ops::Range<usize>,
    perms: &'a str,
    inode: &'a str,
    path: &'a str,
}

impl<'a> Mapping<'a> {
    fn parse(line: &'a str) -> Option<Mapping<'a>> {
        let mut fields = line.split_ascii_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let perms = fields.next()?;
        let (_offset, _dev) = (fields.next()?, fields.next()?);
        let inode = fields.next()?;
        let path = fields.next().unwrap_or("");
        let range = usize::from_str_radix(start, 16).ok()?..usize::from_str_radix(end, 16).ok()?;
        Some(Mapping { range, perms, inode, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPS: &str = "\
55d0a0000000-55d0a0500000 r--p 00000000 fe:00 123 /usr/bin/vigie
55d0a0500000-55d0a1000000 r-xp 00500000 fe:00 123 /usr/bin/vigie
55d0a1000000-55d0a1100000 r--p 01000000 fe:00 123 /usr/bin/vigie
55d0a1100000-55d0a1110000 rw-p 01100000 fe:00 123 /usr/bin/vigie
55d0a2000000-55d0a2100000 rw-p 00000000 00:00 0 [heap]
7f0000000000-7f0000100000 r-xp 00028000 fe:00 456 /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000200000-7f0000201000 r--p 00000000 00:00 0
";

    #[test]
    fn the_executables_code_and_read_only_data_are_given_back() {
        let ranges = clean_image_ranges(MAPS, [0x55d0a0600000, 0x55d0a0001000]);
        assert_eq!(ranges, vec![0x55d0a0500000..0x55d0a1000000, 0x55d0a0000000..0x55d0a0500000]);
    }

    #[test]
    fn relocated_or_writable_data_is_never_given_back() {
        // An address in the relocated read-only data (RELRO, just below the
        // writable data) or in .data: refused; the code is still given back.
        for data in [0x55d0a1000100, 0x55d0a1100100] {
            assert_eq!(clean_image_ranges(MAPS, [0x55d0a0600000, data]), vec![0x55d0a0500000..0x55d0a1000000]);
        }
    }

    #[test]
    fn other_files_and_anonymous_memory_are_never_given_back() {
        // An address in libc or in an anonymous mapping: only the code of
        // the executable (the first address) counts.
        assert_eq!(clean_image_ranges(MAPS, [0x55d0a0600000, 0x7f0000000100]), vec![0x55d0a0500000..0x55d0a1000000]);
        assert_eq!(clean_image_ranges(MAPS, [0x55d0a0600000, 0x7f0000200100]), vec![0x55d0a0500000..0x55d0a1000000]);
        assert_eq!(clean_image_ranges(MAPS, [0x55d0a0600000, 0x55d0a2000100]), vec![0x55d0a0500000..0x55d0a1000000]);
        // Code that is not ours (the first address unmapped): nothing.
        assert!(clean_image_ranges(MAPS, [0x1000, 0x55d0a0001000]).is_empty());
    }

    /// Resident KiB of the mapping that holds `address`, from smaps.
    fn resident_kib(address: usize) -> Option<u64> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            if let Some(m) = Mapping::parse(line) {
                inside = m.range.contains(&address);
            } else if inside && let Some(kib) = line.strip_prefix("Rss:") {
                return kib.trim().trim_end_matches("kB").trim().parse().ok();
            }
        }
        None
    }

    /// The tests that give back run one at a time: one's give-back between
    /// the other's two measures would spoil them.
    static GIVING_BACK: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn the_idle_agent_keeps_fewer_code_pages_resident() {
        let _alone = GIVING_BACK.lock().unwrap_or_else(|e| e.into_inner());
        // Touch plenty of code first: formatting, parsing, collections.
        let touched: Vec<String> = (0..1000).map(|i| format!("{i:?} {:.3}", f64::from(i) / 7.0)).collect();
        assert_eq!(touched.len(), 1000);
        let code = give_back as fn() as usize;
        let before = resident_kib(code).expect("the code mapping is in smaps");
        give_back();
        let after = resident_kib(code).expect("the code mapping is in smaps");
        // Reading smaps maps a few pages back; other tests running beside
        // this one may too, but never what the binary had resident.
        assert!(after < before, "code resident before {before} KiB, after {after} KiB");
    }

    #[test]
    fn giving_back_keeps_the_program_working() {
        let _alone = GIVING_BACK.lock().unwrap_or_else(|e| e.into_inner());
        one_arena();
        give_back();
        // Code, read-only data and the heap are all usable afterwards.
        let text: String = ["vigie", " ", "idle"].concat();
        assert_eq!(text, "vigie idle");
        assert_eq!(&READ_ONLY_MARKER, b"vgie");
        give_back();
        assert_eq!(format!("{}", 42), "42");
    }
}
