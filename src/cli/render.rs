//! `pointillist render`: the points and figure the flags describe, rendered
//! through the library's [`Context`] into a PNG (and the aggregate grid into
//! an .npy), with the time of every stage on stderr.

use std::path::Path;
use std::time::Instant;

use pointillist::{Context, Error, Figure, Mode, Points, Result};

use super::{fmt_count, RenderArgs};

/// Checks, before any work, that `path` can be written as a file: its folder
/// exists and it is not a folder itself. Nothing is created or truncated.
fn check_output_path(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Input(format!(
            "output {} is a directory; give a file name such as out.png",
            path.display()
        )));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(Error::Input(format!(
            "cannot write {}: folder {} does not exist",
            path.display(),
            parent.display()
        )));
    }
    Ok(())
}

pub fn run(args: &RenderArgs) -> Result<()> {
    check_output_path(&args.output)?;
    if let Some(path) = &args.export_aggregate {
        check_output_path(path)?;
        if args.look.mode == Mode::Points {
            return Err(Error::Input(
                "--export-aggregate needs --mode density or splat: points mode has no aggregate grid".into(),
            ));
        }
    }
    let figure = args.look.figure((args.width, args.height))?;
    let polygon = match &args.select_polygon {
        Some(s) => Some(super::parse_polygon(s).map_err(Error::Input)?),
        None => None,
    };
    if let Some(path) = &args.data.input {
        if let Some(need) = over_budget(path, &args.data, &args.look, args.memory) {
            if pointillist::stream::check(&figure).is_ok() {
                return streamed(args, path, figure, need);
            }
            eprintln!(
                "note: the points need about {} MB, more than --memory; they are read into memory all the same ({})",
                need / 1_000_000,
                pointillist::stream::check(&figure).unwrap_err()
            );
        }
    }
    // The device starts on its own thread while the points are made.
    let backend = figure.backend;
    let device = std::thread::spawn(move || Context::for_backend(backend));
    let start = Instant::now();
    let (points, value) =
        super::load::points_for(&args.data, &args.look, (args.width, args.height))?;
    let made = start.elapsed();
    let figure = Figure {
        value: value.unwrap_or(figure.value),
        selection: polygon.clone(),
        probe: args.probe.as_ref().map(|p| [p[0], p[1]]),
        ..figure
    };
    figure.check_for(&points).map_err(super::flagged)?;
    let start = Instant::now();
    let mut ctx = device
        .join()
        .map_err(|_| Error::Gpu("the device thread panicked".into()))??;
    let device_wait = start.elapsed();
    eprintln!(
        "pointillist: {} points ({}) on {}",
        fmt_count(points.len()),
        args.data.describe(),
        ctx.adapter()
    );
    if args.look.verbose {
        eprintln!("  adapter: {}", ctx.adapter_details());
    }
    let mut frame = ctx.render_frame(&points, &figure)?;
    let stage = if args.data.input.is_some() {
        "load"
    } else {
        "generate"
    };
    frame.timings.stages.insert(0, (stage, made));
    frame.timings.stages.insert(1, ("device", device_wait));
    let path = if frame.backend == pointillist::Backend::Cpu {
        "the CPU (no GPU device)"
    } else {
        "the GPU"
    };
    eprintln!(
        "  mode {:?}, backend {:?}: frame made on {path}",
        frame.mode, frame.backend
    );
    if let Some(filter) = &figure.filter {
        eprintln!(
            "  kept {} of {} points (filter {filter})",
            fmt_count(frame.kept as usize),
            fmt_count(points.len())
        );
    }
    if frame.no_value > 0 {
        eprintln!(
            "  {} points had no value (NaN or infinite: not drawn, not in the range)",
            fmt_count(frame.no_value as usize)
        );
    }
    if let Some(p) = &args.probe {
        for line in &frame.probe {
            println!("probe {} {}: {line}", p[0], p[1]);
        }
    }
    if let Some(selection) = &frame.selection {
        let dir = match args.output.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let path = selection.save_new(dir)?;
        println!(
            "selected {} points: wrote {}",
            fmt_count(selection.len()),
            path.display()
        );
    }
    let start = Instant::now();
    frame.image.save_png(&args.output)?;
    frame.timings.stages.push(("png", start.elapsed()));
    if let Some(path) = &args.export_aggregate {
        let grid = frame.grid.as_ref().ok_or_else(|| {
            Error::Input(
                "--export-aggregate needs --mode density (or splat): points mode has no aggregate grid"
                    .into(),
            )
        })?;
        grid.save_npy(path)?;
        let what = match grid.data {
            pointillist::GridData::Counts(_) => "counts".to_string(),
            pointillist::GridData::Values(_) => {
                format!("{} of the values, NaN where empty", grid.agg.name())
            }
        };
        eprintln!(
            "wrote {} ({}x{} {what}, row 0 at the top)",
            path.display(),
            grid.height,
            grid.width
        );
    }
    report_end(args, &frame.timings);
    Ok(())
}

/// The stages' times, the peak memory, and what was written.
fn report_end(args: &RenderArgs, timings: &pointillist::Timings) {
    eprintln!("  {timings} | peak memory {} MB", peak_mb());
    eprintln!(
        "wrote {} ({}x{})",
        args.output.display(),
        args.width,
        args.height
    );
}

/// Bytes a point takes in memory, and per further column: positions, value,
/// colour and the derive's copies (measured: about 40 bytes a point).
const POINT_BYTES: u64 = 40;
const COLUMN_BYTES: u64 = 4;

/// The memory the points of the input at `path` (Parquet, .npy or raw: what
/// can be streamed) would need, when that is more than `--memory` allows
/// (default: half the machine's).
pub fn over_budget(
    path: &Path,
    data: &super::DataArgs,
    look: &super::LookArgs,
    memory: Option<u64>,
) -> Option<u64> {
    let (options, columns, _) = super::load::options_for(data, look, None).ok()?;
    let rows = Points::streamable_rows(path, options.format)?;
    let columns = 1 + columns.len() as u64;
    let need = rows.saturating_mul(POINT_BYTES + COLUMN_BYTES * columns);
    let budget = memory.unwrap_or_else(|| physical_memory() / 2);
    (need > budget).then_some(need)
}

/// This machine's memory in bytes (16 GiB where it cannot be told).
fn physical_memory() -> u64 {
    // SAFETY: sysconf reads two numbers and has no preconditions.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages > 0 && size > 0 {
        pages as u64 * size as u64
    } else {
        16 << 30
    }
}

/// The peak resident memory of this process so far, in MB (0 where the
/// OS does not say).
pub fn peak_mb() -> u64 {
    pointillist::peak_resident_bytes().map_or(0, |b| b >> 20)
}

/// `render` of an input too large for memory: a density image aggregated
/// batch by batch (a Parquet row group, a slice of a .npy or raw file), then drawn.
fn streamed(args: &RenderArgs, path: &Path, figure: Figure, need: u64) -> Result<()> {
    let start = Instant::now();
    let (options, _, _) = super::load::options_for(&args.data, &args.look, None)?;
    let passes = 1
        + matches!(figure.agg, pointillist::Agg::Sum | pointillist::Agg::Mean) as u64
        + ((figure.x_range.is_none() || figure.y_range.is_none())
            && !(figure.x_range.is_none()
                && figure.y_range.is_none()
                && Points::footer_ranges(path, &options).is_some())) as u64;
    let backend = figure.backend;
    let device = std::thread::spawn(move || Context::for_backend(backend));
    eprintln!(
        "streaming {} (its points need about {} MB, more than --memory): a density image, a batch at a time",
        path.display(),
        need / 1_000_000
    );
    let s = super::load::with_progress(path, options, passes, |p, o| {
        pointillist::stream_density(p, o, &figure)
    })?;
    let read = start.elapsed();
    let (groups, skipped) = s.row_groups;
    let groups = if groups + skipped > 0 {
        format!(
            ": {groups} of {} row groups ({skipped} outside the view by their x/y statistics)",
            groups + skipped
        )
    } else {
        String::new()
    };
    eprintln!(
        "read {} points in {:.2} s ({:.1} M points/s, {} pass{}){groups}",
        fmt_count(s.points as usize),
        read.as_secs_f64(),
        s.points as f64 * s.passes as f64 / read.as_secs_f64().max(1e-9) / 1e6,
        s.passes,
        if s.passes == 1 { "" } else { "es" },
    );
    if s.no_value > 0 {
        eprintln!(
            "  {} points had no value (NaN or infinite: not drawn, not in the range)",
            fmt_count(s.no_value as usize)
        );
    }
    let mut ctx = device
        .join()
        .map_err(|_| Error::Gpu("the device thread panicked".into()))??;
    let draw = Instant::now();
    let image = ctx.render_grid(&s.grid, &s.figure)?;
    let drawn = draw.elapsed();
    let png = Instant::now();
    image.save_png(&args.output)?;
    if let Some(out) = &args.export_aggregate {
        s.grid.save_npy(out)?;
        eprintln!("wrote {}", out.display());
    }
    let stages = vec![("stream", read), ("draw", drawn), ("png", png.elapsed())];
    report_end(args, &pointillist::Timings { stages });
    Ok(())
}
