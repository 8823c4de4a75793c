//! A colourmap from a file of 2 to 256 colours, first to last: JSON (a list
//! of `"#rrggbb"` strings or `[r, g, b]` lists) or text / CSV (one colour a
//! line: `#rrggbb`, or `r,g,b`; `#`-comments, blank lines and one header line
//! of names are skipped). Numbers are 0–1 (matplotlib's) unless one of them
//! is above 1, then 0–255. The file is only read.

use std::path::Path;

use crate::colormap::Colormap;
use crate::error::{input, Result};
use crate::figure::Color;

/// The colourmap in `path`, named after the file.
pub fn load(path: &Path) -> Result<Colormap> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| input(format!("colormap file {shown}: {e}")))?;
    let colours = if text.trim_start().starts_with('[') {
        from_json(&text)
    } else {
        from_lines(&text)
    }
    .map_err(|e| input(format!("colormap file {shown}: {e}")))?;
    let name = path
        .file_stem()
        .map_or("file".into(), |s| s.to_string_lossy().into_owned());
    Colormap::from_colors(&name, &colours)
        .map_err(|e| input(format!("colormap file {shown}: {}", strip(&e))))
}

fn strip(e: &crate::Error) -> String {
    let s = e.to_string();
    s.split_once(": ")
        .map_or(s.clone(), |(_, rest)| rest.to_string())
}

fn from_json(text: &str) -> std::result::Result<Vec<Color>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let items = value
        .as_array()
        .ok_or("the JSON must be a list of colours")?;
    let mut hex = Vec::new();
    let mut triples = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            serde_json::Value::String(s) => hex.push(parse_hex(s, i)?),
            serde_json::Value::Array(a) => {
                let v: Option<Vec<f64>> = a.iter().map(|x| x.as_f64()).collect();
                match v {
                    Some(v) if v.len() == 3 || v.len() == 4 => triples.push(v),
                    _ => return Err(format!("colour {i}: give [r, g, b] numbers")),
                }
            }
            _ => return Err(format!("colour {i}: a \"#rrggbb\" string or [r, g, b]")),
        }
    }
    if !hex.is_empty() && !triples.is_empty() {
        return Err("mix of strings and [r, g, b] lists; use one kind".into());
    }
    if hex.is_empty() {
        scale(&triples)
    } else {
        Ok(hex)
    }
}

fn from_lines(text: &str) -> std::result::Result<Vec<Color>, String> {
    let mut hex = Vec::new();
    let mut triples = Vec::new();
    let mut first = true;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (line.starts_with('#') && Color::parse(line).is_err()) {
            continue;
        }
        let header =
            std::mem::take(&mut first) && line.chars().next().is_some_and(|c| c.is_alphabetic());
        if header {
            continue;
        }
        if line.starts_with('#') {
            hex.push(parse_hex(line, n)?);
            continue;
        }
        let v: std::result::Result<Vec<f64>, _> = line
            .split([',', ';', '\t', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| s.trim().parse::<f64>())
            .collect();
        match v {
            Ok(v) if v.len() == 3 || v.len() == 4 => triples.push(v),
            _ => return Err(format!("line {}: '{line}' is not a colour", n + 1)),
        }
    }
    if !hex.is_empty() && !triples.is_empty() {
        return Err("mix of #rrggbb and r,g,b lines; use one kind".into());
    }
    if hex.is_empty() {
        scale(&triples)
    } else {
        Ok(hex)
    }
}

fn parse_hex(s: &str, i: usize) -> std::result::Result<Color, String> {
    Color::parse(s).map_err(|_| format!("colour {i}: '{s}' is not #rgb, #rrggbb or #rrggbbaa"))
}

/// r, g, b numbers as colours: 0–1, or 0–255 when any is above 1.
fn scale(triples: &[Vec<f64>]) -> std::result::Result<Vec<Color>, String> {
    let top = triples.iter().flatten().fold(0.0f64, |m, &v| m.max(v));
    let unit = if top > 1.0 { 255.0 } else { 1.0 };
    triples
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if v.iter().any(|&c| !(0.0..=unit).contains(&c)) {
                return Err(format!("colour {i}: {v:?} is outside 0 to {unit}"));
            }
            let b = |c: f64| (c / unit * 255.0).round() as u8;
            Ok(Color([b(v[0]), b(v[1]), b(v[2]), 255]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("pointillist-cmap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn files_of_hex_or_numbers_become_maps() {
        let json = write("two.json", r##"["#000000", "#ffffff"]"##);
        let m = load(&json).unwrap();
        assert_eq!(m.name(), "two");
        let t = m.rgba8();
        assert_eq!((t[0], t[255]), ([0, 0, 0, 255], [255; 4]));
        // Linear between the two: entry 128 is 128/255 of the way.
        assert_eq!(t[128][0], 128);
        let csv = write("rgb.csv", "r,g,b\n# a comment\n1,0,0\n0,0,1\n");
        let t = load(&csv).unwrap().rgba8();
        assert_eq!((t[0], t[255]), ([255, 0, 0, 255], [0, 0, 255, 255]));
        let bytes = write("bytes.txt", "255 0 0\n0 255 0\n0 0 255\n");
        let t = load(&bytes).unwrap().rgba8();
        assert_eq!(t[255], [0, 0, 255, 255]);
        assert_eq!(t[0], [255, 0, 0, 255]);
        // 256 colours are the table itself.
        let all: Vec<String> = (0..256).map(|i| format!("\"#{i:02x}{i:02x}00\"")).collect();
        let t = load(&write("ramp.json", &format!("[{}]", all.join(","))))
            .unwrap()
            .rgba8();
        assert!((0..256).all(|i| t[i] == [i as u8, i as u8, 0, 255]));
    }

    #[test]
    fn bad_files_are_one_line_errors_naming_the_file() {
        let cases = [
            ("one.json", r##"["#000000"]"##, "1 colours; give 2 to 256"),
            ("bad.json", "[1, 2", "not valid JSON"),
            ("mixed.json", r##"["#000", [1, 0, 0]]"##, "use one kind"),
            ("word.csv", "#000000\nred\n", "'red' is not a colour"),
            ("range.csv", "0,0,0\n300,0,0\n", "outside 0 to 255"),
            ("many.csv", &"#000000\n".repeat(257), "257 colours"),
        ];
        for (name, text, want) in cases {
            let p = write(name, text);
            let e = load(&p).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains(name), "{name}: {e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
        let e = load(Path::new("/no/such/map.csv")).unwrap_err().to_string();
        assert!(e.contains("/no/such/map.csv"), "{e}");
    }
}
