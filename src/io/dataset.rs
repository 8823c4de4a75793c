//! A dataset of many files, as Spark, Dask and pyarrow write them: a
//! directory (hive-style `key=value/` partition folders; files ending
//! `.parquet` or `.pq`; `_SUCCESS`, `_metadata`, `_common_metadata` and
//! dot-files skipped) or a glob pattern (`data/*.parquet`, `out/*/part-*.csv`).
//!
//! Each file is loaded as one file would be, with the same columns, in
//! sorted path order, and the points are joined; partition keys become value
//! columns of their own (numbers where every value of a key is one, else
//! labels, as a CSV's text column: usable by `--category`). Every file must
//! hold the columns asked for: the error names the file that does not. The
//! files are read into memory one after another (streaming them with bounded
//! memory is not done yet).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use super::{load_counting, Column, ColumnSpec, Format, LoadError, Loaded};

/// Whether `path` names a dataset rather than a file: a directory, or a
/// pattern with `*`, `?` or `[`.
pub fn is_dataset(path: &Path) -> bool {
    path.is_dir() || (!path.exists() && path.to_string_lossy().contains(['*', '?', '[']))
}

/// One file of a dataset and the partition keys of the folders above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub path: PathBuf,
    pub keys: Vec<(String, String)>,
}

/// The files of the dataset at `path`, sorted, with their partition keys.
pub fn parts(path: &Path) -> Result<Vec<Part>, LoadError> {
    let mut parts = Vec::new();
    if path.is_dir() {
        walk(path, &mut Vec::new(), &mut parts)?;
        if parts.is_empty() {
            return Err(LoadError::NoFiles {
                path: path.to_path_buf(),
                what: "no .parquet or .pq files".into(),
            });
        }
    } else {
        let pattern = path.to_string_lossy();
        let paths = glob::glob(&pattern).map_err(|e| LoadError::NoFiles {
            path: path.to_path_buf(),
            what: format!("not a valid pattern ({e})"),
        })?;
        for p in paths {
            let p = p.map_err(|e| LoadError::Open {
                path: e.path().to_path_buf(),
                source: e.into(),
            })?;
            if p.is_file() && !skipped(&p) {
                let keys = keys_of(&p);
                parts.push(Part { path: p, keys });
            }
        }
        if parts.is_empty() {
            return Err(LoadError::NoFiles {
                path: path.to_path_buf(),
                what: "the pattern matches no file".into(),
            });
        }
    }
    parts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(parts)
}

/// Files that are not data: `_SUCCESS`, `_metadata`, dot-files, and the like.
fn skipped(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('_') || name.starts_with('.')
}

/// The `key=value` folders of `path`.
fn keys_of(path: &Path) -> Vec<(String, String)> {
    path.parent()
        .into_iter()
        .flat_map(|p| p.components())
        .filter_map(|c| {
            let c = c.as_os_str().to_string_lossy();
            let (k, v) = c.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

fn walk(
    dir: &Path,
    keys: &mut Vec<(String, String)>,
    out: &mut Vec<Part>,
) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Open {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut entries: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|source| LoadError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
    entries.sort();
    for p in entries {
        if skipped(&p) {
            continue;
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            let key = name
                .split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()));
            keys.extend(key.clone());
            walk(&p, keys, out)?;
            if key.is_some() {
                keys.pop();
            }
        } else {
            let lower = name.to_ascii_lowercase();
            if lower.ends_with(".parquet") || lower.ends_with(".pq") {
                out.push(Part {
                    path: p,
                    keys: keys.clone(),
                });
            }
        }
    }
    Ok(())
}

/// What a dataset's files are read with, and which partition keys the
/// columns asked for are.
struct Plan {
    parts: Vec<Part>,
    key_names: Vec<String>,
    /// The spec without the keys: the files hold every column but them.
    file_spec: ColumnSpec,
    /// The keys asked for, in order, and the one that is the value.
    wanted: Vec<String>,
    value_key: Option<String>,
}

impl Plan {
    fn new(path: &Path, spec: &ColumnSpec) -> Result<Plan, LoadError> {
        let parts = parts(path)?;
        let key_names: Vec<String> = {
            let mut names: Vec<String> = Vec::new();
            for (k, _) in parts.iter().flat_map(|p| &p.keys) {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
            names
        };
        let is_key = |c: &Column| matches!(c, Column::Name(n) if key_names.contains(n));
        let file_spec = ColumnSpec {
            value: spec.value.clone().filter(|c| !is_key(c)),
            more: spec.more.iter().filter(|c| !is_key(c)).cloned().collect(),
            labels: spec.labels.clone().filter(|c| !is_key(c)),
            ..spec.clone()
        };
        let value_key = spec.value.as_ref().filter(|c| is_key(c));
        let wanted: Vec<String> = value_key
            .into_iter()
            .chain(&spec.more)
            .chain(&spec.labels)
            .filter(|c| is_key(c))
            .map(|c| match c {
                Column::Name(n) => n.clone(),
                Column::Index(_) => unreachable!("keys are named"),
            })
            .fold(Vec::new(), |mut v, k| {
                if !v.contains(&k) {
                    v.push(k);
                }
                v
            });
        let value_key = value_key.map(|c| match c {
            Column::Name(n) => n.clone(),
            Column::Index(_) => unreachable!("keys are named"),
        });
        Ok(Plan {
            parts,
            key_names,
            file_spec,
            wanted,
            value_key,
        })
    }

    /// A load error of a file, with the keys among the columns it names.
    fn keyed(&self, e: LoadError) -> LoadError {
        match e {
            LoadError::NoSuchColumn {
                path,
                name,
                mut available,
            } => {
                available.extend(self.key_names.iter().cloned());
                LoadError::NoSuchColumn {
                    path,
                    name,
                    available,
                }
            }
            e => e,
        }
    }

    /// The value of key `k` in `part`'s folders.
    fn key_of(part: &Part, k: &str) -> Result<String, LoadError> {
        part.keys
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| LoadError::MissingKey {
                path: part.path.clone(),
                key: k.to_string(),
            })
    }
}

/// Load every file of the dataset at `path` and join them.
pub fn load(
    path: &Path,
    format: Option<Format>,
    spec: &ColumnSpec,
    delimiter: Option<u8>,
    read: &AtomicU64,
) -> Result<Loaded, LoadError> {
    let plan = Plan::new(path, spec)?;
    let Plan {
        parts,
        file_spec,
        wanted,
        value_key,
        ..
    } = &plan;
    let mut all: Option<Loaded> = None;
    let mut key_values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut first_bad = None;
    for part in parts {
        let loaded = match load_counting(&part.path, format, file_spec, delimiter, read) {
            Ok(l) => l,
            Err(e) => {
                skip_or_fail(&plan, spec, e, &mut first_bad)?;
                continue;
            }
        };
        let n = loaded.xy.len();
        for k in wanted {
            let v = Plan::key_of(part, k)?;
            key_values
                .entry(k.clone())
                .or_default()
                .extend(std::iter::repeat_n(v, n));
        }
        all = Some(match all {
            None => loaded,
            Some(mut a) => {
                join(&mut a, loaded, &part.path)?;
                a
            }
        });
    }
    // Every file was bad: the first one's error.
    let Some(mut all) = all else {
        return Err(first_bad.expect("a dataset has files"));
    };
    // Keys as columns: numbers where every value is one, else labels.
    for (k, values) in key_values {
        let numbers: Option<Vec<f32>> = values.iter().map(|v| v.parse::<f32>().ok()).collect();
        if value_key.as_ref() == Some(&k) {
            // The value column is a key: its numbers (or its labels' codes).
            all.value_name = Some(k.clone());
            all.value = Some(match &numbers {
                Some(n) => n.clone(),
                None => codes_of(&values).0,
            });
        }
        match numbers {
            Some(numbers) => all.more.push((k, numbers)),
            None => {
                let (codes, names) = codes_of(&values);
                all.more.push((k.clone(), codes));
                if all.labels.is_none() {
                    all.labels = Some((k, names));
                }
            }
        }
    }
    Ok(all)
}

/// The dataset at `path` file by file (each Parquet file row group by row
/// group), each batch with the partition keys asked for as columns — numbers
/// where every file's value of a key is one, else codes into the keys'
/// sorted values — handed to `emit`; every batch must have the first's
/// columns. Returns the row groups read and skipped.
pub fn stream(
    path: &Path,
    format: Option<Format>,
    spec: &ColumnSpec,
    delimiter: Option<u8>,
    read: &AtomicU64,
    emit: &mut dyn FnMut(Loaded) -> Result<(), LoadError>,
    share: &super::Share,
) -> Result<(usize, usize), LoadError> {
    let plan = Plan::new(path, spec)?;
    // Each key's column, from the folders' values of all the files.
    let mut keys: Vec<(String, Option<Vec<String>>)> = Vec::new();
    for k in &plan.wanted {
        let values: Vec<String> = plan
            .parts
            .iter()
            .map(|p| Plan::key_of(p, k))
            .collect::<Result<_, _>>()?;
        let numbers = values.iter().all(|v| v.parse::<f32>().is_ok());
        keys.push((k.clone(), (!numbers).then(|| codes_of(&values).1)));
    }
    let mut groups = (0, 0);
    let (mut first_bad, mut good) = (None, false);
    let mut first: Option<(bool, Vec<String>)> = None;
    for part in &plan.parts {
        let mut keyed = |mut l: Loaded| -> Result<(), LoadError> {
            let n = l.xy.len();
            for (k, labels) in &keys {
                let v = Plan::key_of(part, k)?;
                let code = match labels {
                    None => v.parse::<f32>().unwrap_or(f32::NAN),
                    Some(names) => names.iter().position(|m| *m == v).unwrap_or(0) as f32,
                };
                if plan.value_key.as_ref() == Some(k) {
                    l.value_name = Some(k.clone());
                    l.value = Some(vec![code; n]);
                }
                l.more.push((k.clone(), vec![code; n]));
                if let (Some(names), None) = (labels, &l.labels) {
                    l.labels = Some((k.clone(), names.clone()));
                }
            }
            let names = (
                l.value.is_some(),
                l.more.iter().map(|(m, _)| m.clone()).collect(),
            );
            match &first {
                None => first = Some(names),
                Some(f) if *f != names => {
                    return Err(LoadError::Differs {
                        path: part.path.clone(),
                    })
                }
                Some(_) => {}
            }
            emit(l)
        };
        let g = super::stream_counting(
            &part.path,
            format,
            &plan.file_spec,
            delimiter,
            read,
            &mut keyed,
            share,
        );
        match g {
            Ok(g) => {
                groups = (groups.0 + g.0, groups.1 + g.1);
                good = true;
            }
            Err(e) => skip_or_fail(&plan, spec, e, &mut first_bad)?,
        }
    }
    // Every file was bad: the first one's error.
    match first_bad {
        Some(e) if !good => Err(e),
        _ => Ok(groups),
    }
}

/// A file's error `e`: noted and passed over where the load skips bad files
/// and the file is at fault (the first kept in `first`), else the load's error.
fn skip_or_fail(
    plan: &Plan,
    spec: &ColumnSpec,
    e: LoadError,
    first: &mut Option<LoadError>,
) -> Result<(), LoadError> {
    let e = plan.keyed(e);
    match &spec.skip_bad {
        Some(bad) if e.is_bad_file() => {
            bad.note(&e);
            first.get_or_insert(e);
            Ok(())
        }
        _ => Err(e),
    }
}

/// Codes of `values` into their sorted distinct names.
fn codes_of(values: &[String]) -> (Vec<f32>, Vec<String>) {
    let (codes, names) = crate::categories::sorted_codes(values);
    (codes.into_iter().map(|c| c as f32).collect(), names)
}

/// `b`'s points after `a`'s: the same columns, or an error naming `b`'s file.
fn join(a: &mut Loaded, b: Loaded, path: &Path) -> Result<(), LoadError> {
    let names = |l: &Loaded| {
        (
            l.value.is_some(),
            l.more.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        )
    };
    if names(a) != names(&b) || a.labels.is_some() || b.labels.is_some() {
        return Err(LoadError::Differs {
            path: path.to_path_buf(),
        });
    }
    a.xy.extend(b.xy);
    if let (Some(av), Some(bv)) = (&mut a.value, b.value) {
        av.extend(bv);
    }
    for ((_, av), (_, bv)) in a.more.iter_mut().zip(b.more) {
        av.extend(bv);
    }
    a.skipped += b.skipped;
    a.row_groups = (
        a.row_groups.0 + b.row_groups.0,
        a.row_groups.1 + b.row_groups.1,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_util::fixture;
    use super::*;

    fn spec(more: &[&str]) -> ColumnSpec {
        ColumnSpec {
            x: Some(Column::Name("x".into())),
            y: Some(Column::Name("y".into())),
            more: more.iter().map(|m| Column::Name(m.to_string())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_hive_partitioned_dataset_by_pyarrow_loads_with_its_keys() {
        let dir = fixture("dataset");
        assert!(is_dataset(&dir));
        let parts = parts(&dir).unwrap();
        assert_eq!(parts.len(), 6, "{parts:?}");
        assert_eq!(
            parts[0].keys,
            [
                ("year".into(), "2024".into()),
                ("region".into(), "east".into())
            ]
        );
        let read = AtomicU64::new(0);
        // A key asked for twice (a column and the labels) comes once.
        let s = ColumnSpec {
            labels: Some(Column::Name("region".into())),
            ..spec(&["mass", "year", "region"])
        };
        let l = load(&dir, None, &s, None, &read).unwrap();
        assert_eq!(l.x().len(), 24);
        assert!(l.more.iter().all(|(_, v)| v.len() == 24));
        assert_eq!(l.more.len(), 3);
        let col = |name: &str| &l.more.iter().find(|(n, _)| n == name).unwrap().1;
        let (mass, year, region) = (col("mass"), col("year"), col("region"));
        let (_, names) = l.labels.as_ref().unwrap();
        assert_eq!(names, &["east", "north", "south"]);
        // The fixture's rows: year 2024 + mass % 2, region by mass % 3.
        let mut seen: Vec<u32> = mass.iter().map(|&m| m as u32).collect();
        seen.sort();
        assert_eq!(seen, (0..24).collect::<Vec<_>>());
        for i in 0..24 {
            let m = mass[i] as usize;
            assert_eq!(year[i], (2024 + m % 2) as f32);
            assert_eq!(names[region[i] as usize], ["north", "south", "east"][m % 3]);
        }
        // A glob of the same files, without the _SUCCESS marker.
        let pattern = dir.join("year=2025/*/*.parquet");
        let g = load(&pattern, None, &spec(&["mass"]), None, &read).unwrap();
        assert_eq!(g.x().len(), 12);
        // The bytes to read: the files', not the folder's entry.
        let files: u64 = parts
            .iter()
            .map(|p| std::fs::metadata(&p.path).unwrap().len())
            .sum();
        assert_eq!(super::super::input_bytes(&dir), files);
        assert!(super::super::input_bytes(&pattern) < files);
        assert!(g.more[0].1.iter().all(|&m| m as u32 % 2 == 1));
    }

    #[test]
    fn bad_datasets_are_errors_naming_the_place() {
        let read = AtomicU64::new(0);
        let base = std::env::temp_dir().join(format!("pointillist-ds-{}", std::process::id()));
        let empty = base.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        std::fs::write(empty.join("_SUCCESS"), b"").unwrap();
        let e = load(&empty, None, &spec(&[]), None, &read)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no .parquet or .pq files") && e.contains("empty"),
            "{e}"
        );
        let nothing = base.join("none-*.parquet");
        let e = load(&nothing, None, &spec(&[]), None, &read)
            .unwrap_err()
            .to_string();
        assert!(e.contains("matches no file"), "{e}");
        // A file without the column asked for: the error names that file.
        let mixed = base.join("mixed");
        std::fs::create_dir_all(mixed.join("k=1")).unwrap();
        let first = parts(&fixture("dataset")).unwrap()[0].path.clone();
        std::fs::copy(first, mixed.join("k=1/a.parquet")).unwrap();
        std::fs::copy(fixture("points.parquet"), mixed.join("k=1/b.parquet")).unwrap();
        let e = load(&mixed, None, &spec(&["mass"]), None, &read)
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.parquet") && e.contains("mass"), "{e}");
    }
}
