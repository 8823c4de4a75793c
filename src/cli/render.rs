//! `pointillist render`: the points and figure the flags describe, rendered
//! through the library's [`Context`] into a PNG (and the aggregate grid into
//! an .npy), with the time of every stage on stderr.

use std::path::Path;
use std::time::Instant;

use pointillist::{Context, Error, Figure, Mode, Result};

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
    eprintln!("  {}", frame.timings);
    eprintln!(
        "wrote {} ({}x{})",
        args.output.display(),
        args.width,
        args.height
    );
    Ok(())
}
