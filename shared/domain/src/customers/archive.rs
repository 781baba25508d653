//! One ZIP archive of files, stored without compression (what we export is
//! mostly JSON and files that are compressed already; any unzip opens it).
//! Names are made safe here: no entry can point outside the folder it is
//! unpacked in, whatever a customer named a file.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The most an archive holds: the format's plain (not ZIP64) limits, kept well
/// inside by the export's own cap.
pub const MAX_ENTRIES: usize = 60_000;
pub const MAX_BYTES: u64 = 3 * 1024 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("an archive holds at most {MAX_ENTRIES} files")]
    TooManyFiles,
    #[error("an archive holds at most {MAX_BYTES} bytes")]
    TooLarge,
}

pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: usize,
    names: std::collections::HashSet<String>,
    /// The names taken, in order (what [`ZipWriter::rollback`] gives back).
    taken: Vec<String>,
    time: u16,
    date: u16,
}

/// Where an archive stood: [`ZipWriter::rollback`] takes it back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    out: usize,
    central: usize,
    entries: usize,
    taken: usize,
}

impl ZipWriter {
    /// Every entry carries `at` as its time (MS-DOS time, to the even second, in UTC).
    pub fn new(at: DateTime<Utc>) -> Self {
        let year = u16::try_from(at.year().clamp(1980, 2107) - 1980).unwrap_or(0);
        let date = (year << 9) | ((at.month() as u16) << 5) | at.day() as u16;
        let time =
            ((at.hour() as u16) << 11) | ((at.minute() as u16) << 5) | (at.second() as u16 / 2);
        Self {
            out: Vec::new(),
            central: Vec::new(),
            entries: 0,
            names: Default::default(),
            taken: Vec::new(),
            time,
            date,
        }
    }

    /// Adds a file at `path` (folders separated by `/`; each part made safe, and
    /// a name already taken gets a number). Returns the name it was stored under.
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> Result<String, ArchiveError> {
        if self.entries >= MAX_ENTRIES {
            return Err(ArchiveError::TooManyFiles);
        }
        let size = u32::try_from(bytes.len()).map_err(|_| ArchiveError::TooLarge)?;
        if self.out.len() as u64 + bytes.len() as u64 + self.central.len() as u64 > MAX_BYTES {
            return Err(ArchiveError::TooLarge);
        }
        let name = self.unique(&safe_path(path));
        let offset = u32::try_from(self.out.len()).map_err(|_| ArchiveError::TooLarge)?;
        let crc = crc32fast::hash(bytes);
        let name_len = u16::try_from(name.len()).map_err(|_| ArchiveError::TooLarge)?;
        // Local file header.
        put32(&mut self.out, 0x0403_4b50);
        self.common(true, crc, size, name_len);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(bytes);
        // Its central directory record.
        put32(&mut self.central, 0x0201_4b50);
        put16(&mut self.central, 20); // made by: MS-DOS attributes, version 2.0
        self.common(false, crc, size, name_len);
        put16(&mut self.central, 0); // comment
        put16(&mut self.central, 0); // disk
        put16(&mut self.central, 0); // internal attributes
        put32(&mut self.central, 0); // external attributes
        put32(&mut self.central, offset);
        self.central.extend_from_slice(name.as_bytes());
        self.entries += 1;
        Ok(name)
    }

    /// The fields local header and central record share, from "version needed" on.
    fn common(&mut self, local: bool, crc: u32, size: u32, name_len: u16) {
        let out = if local {
            &mut self.out
        } else {
            &mut self.central
        };
        put16(out, 20); // version needed: 2.0
        put16(out, 0x0800); // names are UTF-8
        put16(out, 0); // stored
        put16(out, self.time);
        put16(out, self.date);
        put32(out, crc);
        put32(out, size);
        put32(out, size);
        put16(out, name_len);
        put16(out, 0); // extra field
    }

    fn unique(&mut self, name: &str) -> String {
        let mut candidate = name.to_owned();
        let mut n = 1;
        while self.names.contains(&candidate) {
            n += 1;
            candidate = match name.rsplit_once('/') {
                Some((dir, file)) => format!("{dir}/{n}-{file}"),
                None => format!("{n}-{name}"),
            };
        }
        self.names.insert(candidate.clone());
        self.taken.push(candidate.clone());
        candidate
    }

    /// Where the archive stands now.
    pub fn mark(&self) -> Mark {
        Mark {
            out: self.out.len(),
            central: self.central.len(),
            entries: self.entries,
            taken: self.taken.len(),
        }
    }

    /// Drops every file added since `mark` (their names free again).
    pub fn rollback(&mut self, mark: Mark) {
        self.out.truncate(mark.out);
        self.central.truncate(mark.central);
        self.entries = mark.entries.min(self.entries);
        for name in self.taken.drain(mark.taken.min(self.taken.len())..) {
            self.names.remove(&name);
        }
    }

    /// The bytes of the whole archive.
    pub fn finish(mut self) -> Vec<u8> {
        let offset = u32::try_from(self.out.len()).unwrap_or(u32::MAX);
        let size = u32::try_from(self.central.len()).unwrap_or(u32::MAX);
        let count = u16::try_from(self.entries).unwrap_or(u16::MAX);
        self.out.append(&mut self.central);
        put32(&mut self.out, 0x0605_4b50);
        put16(&mut self.out, 0);
        put16(&mut self.out, 0);
        put16(&mut self.out, count);
        put16(&mut self.out, count);
        put32(&mut self.out, size);
        put32(&mut self.out, offset);
        put16(&mut self.out, 0);
        self.out
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A path whose every part is a plain name ([`safe_name`]); empty, `.` and
/// `..` parts are dropped; at most 8 parts.
pub fn safe_path(path: &str) -> String {
    let parts: Vec<String> = path
        .split(['/', '\\'])
        .filter(|p| !matches!(p.trim(), "" | "." | ".."))
        .take(8)
        .map(safe_name)
        .collect();
    if parts.is_empty() {
        "file".into()
    } else {
        parts.join("/")
    }
}

/// One plain name: letters, digits, `.`, `-`, `_` and spaces kept, anything
/// else (a slash too) `_`; not starting with a dot; at most 100 characters.
pub fn safe_name(part: &str) -> String {
    let cleaned: String = part
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(b: &[u8], i: usize) -> u16 {
        u16::from_le_bytes([b[i], b[i + 1]])
    }
    fn u32_at(b: &[u8], i: usize) -> u32 {
        u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
    }

    #[test]
    fn hostile_names_stay_inside_the_folder() {
        for (given, kept) in [
            ("../../etc/passwd", "etc/passwd"),
            ("/abs/./x", "abs/x"),
            ("C:\\Windows\\evil.exe", "C_/Windows/evil.exe"),
            ("..", "file"),
            ("a/../b", "a/b"),
            (".hidden", "hidden"),
            ("a\u{0}b\r\n.txt", "a_b__.txt"),
            ("", "file"),
            (
                "tickets/AB12/files/report 1.pdf",
                "tickets/AB12/files/report 1.pdf",
            ),
        ] {
            assert_eq!(safe_path(given), kept, "{given:?}");
        }
        assert_eq!(safe_name(&"x".repeat(300)).len(), 100);
        assert!(safe_path(&"a/".repeat(50)).split('/').count() <= 8);
    }

    #[test]
    fn a_rollback_leaves_the_archive_as_it_was_at_the_mark() {
        let at = DateTime::UNIX_EPOCH;
        let mut before = ZipWriter::new(at);
        before.add("a.txt", b"kept").unwrap();
        let mut zip = ZipWriter::new(at);
        zip.add("a.txt", b"kept").unwrap();
        let mark = zip.mark();
        zip.add("b.txt", b"dropped").unwrap();
        zip.add("a.txt", b"dropped too").unwrap();
        zip.rollback(mark);
        assert_eq!(zip.mark(), mark);
        // The names dropped are free again; the archive reads as if never added.
        assert_eq!(zip.add("b.txt", b"new").unwrap(), "b.txt");
        before.add("b.txt", b"new").unwrap();
        assert_eq!(zip.finish(), before.finish());
    }

    #[test]
    fn the_directory_at_the_end_names_every_file_with_its_crc() {
        let at = DateTime::parse_from_rfc3339("2026-03-02T10:20:31Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut zip = ZipWriter::new(at);
        assert_eq!(zip.add("a.txt", b"hello").unwrap(), "a.txt");
        assert_eq!(zip.add("a.txt", b"again").unwrap(), "2-a.txt");
        assert_eq!(zip.add("d/a.txt", b"").unwrap(), "d/a.txt");
        let bytes = zip.finish();
        let end = bytes.len() - 22;
        assert_eq!(u32_at(&bytes, end), 0x0605_4b50);
        assert_eq!(u16_at(&bytes, end + 10), 3);
        let mut at_record = u32_at(&bytes, end + 16) as usize;
        let mut names = Vec::new();
        for _ in 0..3 {
            assert_eq!(u32_at(&bytes, at_record), 0x0201_4b50);
            let crc = u32_at(&bytes, at_record + 16);
            let size = u32_at(&bytes, at_record + 24) as usize;
            let name_len = u16_at(&bytes, at_record + 28) as usize;
            let local = u32_at(&bytes, at_record + 42) as usize;
            let name = String::from_utf8(bytes[at_record + 46..at_record + 46 + name_len].to_vec())
                .unwrap();
            assert_eq!(u32_at(&bytes, local), 0x0403_4b50);
            let data = local + 30 + name_len;
            assert_eq!(crc32fast::hash(&bytes[data..data + size]), crc);
            names.push(name);
            at_record += 46 + name_len;
        }
        assert_eq!(names, ["a.txt", "2-a.txt", "d/a.txt"]);
        // 10:20:31 → 10 << 11 | 20 << 5 | 15; 2026-03-02 → 46 << 9 | 3 << 5 | 2.
        let local_time = u16_at(&bytes, 10);
        assert_eq!(local_time, (10 << 11) | (20 << 5) | 15);
        assert_eq!(u16_at(&bytes, 12), (46 << 9) | (3 << 5) | 2);
    }
}
