//! The writer's side: its newest commit as a [`Manifest`] a replica copies from.

use crate::api::{Manifest, ManifestFile};
use crate::index::generation::Generation;
use crate::index::IndexError;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

/// Each segment file's length and CRC-32, computed once: files never change once written, so a
/// manifest asked for every commit reads only the files that commit added.
#[derive(Default)]
pub struct Checksums(Mutex<HashMap<String, (u64, u32)>>);

/// The newest commit in `dir`, with every file's length and checksum. A merge may delete a
/// file of the commit just read before it is summed; the commit after it is read then.
pub fn manifest(dir: &Path, sums: &Checksums) -> Result<Manifest, IndexError> {
    let mut attempts = 0;
    loop {
        let generation = Generation::read(dir)?;
        match files_of(dir, &generation, sums) {
            Ok(files) => {
                let meta = String::from_utf8(generation.meta.clone()).map_err(|_| IndexError::Damaged {
                    dir: dir.display().to_string(),
                    file: dir.join("meta.json").display().to_string(),
                    message: "not UTF-8".into(),
                })?;
                let keep: std::collections::HashSet<&str> = files.iter().map(|f: &ManifestFile| f.name.as_str()).collect();
                sums.0.lock().unwrap_or_else(|p| p.into_inner()).retain(|name, _| keep.contains(name.as_str()));
                return Ok(Manifest { id: generation.id(), commit: generation.commit, format: crate::index::format_mark().to_string(), meta, files });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempts < 5 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn files_of(dir: &Path, generation: &Generation, sums: &Checksums) -> std::io::Result<Vec<ManifestFile>> {
    generation
        .files
        .iter()
        .map(|name| {
            let known = sums.0.lock().unwrap_or_else(|p| p.into_inner()).get(name).copied();
            let (len, crc32) = match known {
                Some(s) => s,
                None => {
                    let s = checksum(&dir.join(name))?;
                    sums.0.lock().unwrap_or_else(|p| p.into_inner()).insert(name.clone(), s);
                    s
                }
            };
            Ok(ManifestFile { name: name.clone(), len, crc32 })
        })
        .collect()
}

/// A file's length and CRC-32.
pub fn checksum(path: &Path) -> std::io::Result<(u64, u32)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok((len, hasher.finalize()));
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
}
