//! The viewer's questions to its points: the hover read-out under the
//! cursor, lasso and box selections (on the GPU, or the CPU twin on the CPU
//! backend) highlighted over the frame, and writing the selected rows.

use std::io::Write;
use std::time::Instant;

use glam::DVec2;

use super::Viewer;
use crate::context::{fmt_count, fmt_duration};
use crate::error::{input, Result};

impl Viewer {
    /// The hover read-out at `cursor`; redraws when it changes.
    pub(super) fn hover_at(&mut self, cursor: DVec2) {
        if self.stream.is_some() {
            return; // No points in memory to read out.
        }
        let vp = self.viewport();
        let inside = cursor.cmpge(vp.min).all() && cursor.cmplt(vp.min + vp.size).all();
        let probe = inside.then(|| {
            crate::probe::probe(
                &self.plot,
                &self.shown_camera(),
                &vp,
                self.last_mode,
                self.style().point_size as f64,
                cursor,
                self.look.rows.as_deref().map(|v| v.as_slice()),
                &self.look.axes.value_label,
            )
        });
        let probe = probe.filter(|p| !p.lines.is_empty());
        if probe != self.hover || probe.is_some() {
            self.hover = probe;
            self.window.request_redraw();
        }
    }

    /// Select the points inside `poly` (window pixels), meeting the selection
    /// before by `op`, and highlight them.
    pub(super) fn select(&mut self, poly: &[DVec2], op: crate::select::Combine) -> Result<()> {
        let vp = self.viewport();
        let camera = self.shown_camera();
        let data: Vec<[f64; 2]> = poly
            .iter()
            .map(|&p| camera.pixel_to_data(p, &vp).to_array())
            .collect();
        if crate::select::check_polygon(&data).is_err() {
            return Ok(()); // a click, or a line: nothing enclosed
        }
        let start = Instant::now();
        let area = (vp.size.x as u32, vp.size.y as u32);
        let new = crate::highlight::select(
            &mut self.plot,
            &self.gpu,
            &mut self.select_pipeline,
            &camera,
            area,
            &data,
        )?;
        let mask = match self.selection.take() {
            Some(mut m) => {
                m.combine(&new, op);
                m
            }
            None if op == crate::select::Combine::Subtract => crate::select::Mask::empty(new.len),
            None => new,
        };
        self.selection = Some(mask);
        self.refresh_highlight()?;
        eprintln!(
            "selected {} points ({})",
            fmt_count(self.selection.as_ref().map_or(0, |m| m.count())),
            fmt_duration(start.elapsed())
        );
        Ok(())
    }

    /// Rebuild the highlight of the selection for the plot as it now is.
    pub(super) fn refresh_highlight(&mut self) -> Result<()> {
        self.highlight = match &self.selection {
            Some(m) => crate::highlight::highlight(&self.plot, &self.gpu, &self.look, m)?,
            None => None,
        };
        Ok(())
    }

    /// Write the selected rows to a new CSV in the screenshot folder.
    pub(super) fn write_selection(&mut self) -> Result<()> {
        let Some(mask) = &self.selection else {
            return Err(input("nothing is selected (ctrl + drag selects)"));
        };
        let rows = self.look.rows.as_deref().map(|v| v.as_slice());
        let sel = crate::select::selection(&self.plot, mask, rows, &self.look.axes.value_label);
        let path = sel.save_new(&self.screenshot_dir)?;
        println!(
            "wrote {} selected points to {}",
            fmt_count(sel.len()),
            path.display()
        );
        let _ = std::io::stdout().flush();
        Ok(())
    }
}
