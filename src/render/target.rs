//! Offscreen targets: a texture to draw into, its readback (rows padded to
//! 256 bytes on the GPU, unpadded here) and PNG encoding.

use std::path::Path;

use crate::error::{input, Error, Result};
use crate::gpu::Gpu;
use crate::render::OFFSCREEN_FORMAT;

pub struct OffscreenTarget {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub width: u32,
    pub height: u32,
}

/// Checks a requested image size against the device's maximum.
pub fn check_size(gpu: &Gpu, width: u32, height: u32) -> Result<()> {
    let max = gpu.device.limits().max_texture_dimension_2d;
    if width == 0 || height == 0 || width > max || height > max {
        return Err(input(format!(
            "image size {width}x{height} is not possible on this device: width and height must be between 1 and {max}"
        )));
    }
    Ok(())
}

impl OffscreenTarget {
    pub fn new(gpu: &Gpu, width: u32, height: u32) -> Result<Self> {
        check_size(gpu, width, height)?;
        let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("pointillist offscreen"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: OFFSCREEN_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&Default::default());
        Ok(Self {
            texture,
            view,
            width,
            height,
        })
    }

    /// The image as tightly packed RGBA8 rows, top row first.
    pub fn read_rgba(&self, gpu: &Gpu) -> Result<Vec<u8>> {
        let row = self.width * 4;
        let padded =
            row.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pointillist image readback"),
            size: padded as u64 * self.height as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("pointillist image readback"),
            });
        encoder.copy_texture_to_buffer(
            self.texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &staging,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded),
                    rows_per_image: Some(self.height),
                },
            },
            self.texture.size(),
        );
        gpu.queue.submit([encoder.finish()]);
        let bytes = gpu.map_read(&staging)?;
        Ok(unpad_rows(
            &bytes,
            row as usize,
            padded as usize,
            self.height as usize,
        ))
    }
}

/// Drop the padding at the end of each row.
pub fn unpad_rows(bytes: &[u8], row: usize, padded: usize, rows: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(row * rows);
    for r in 0..rows {
        out.extend_from_slice(&bytes[r * padded..r * padded + row]);
    }
    out
}

/// Encode RGBA8 as PNG in memory (fast compression: about 8x quicker than the default).
pub fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder
        .write_header()
        .map_err(|e| Error::Png(e.to_string()))?;
    writer
        .write_image_data(rgba)
        .map_err(|e| Error::Png(e.to_string()))?;
    writer.finish().map_err(|e| Error::Png(e.to_string()))?;
    Ok(out)
}

/// Encode and write a PNG. Only `path` is touched, and only once the image is encoded.
pub fn write_png(path: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<()> {
    let bytes = encode_png(width, height, rgba)?;
    std::fs::write(path, bytes).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Decode a PNG file into (width, height, RGBA8). Used by tests and image comparison.
pub fn read_png(path: &Path) -> Result<(u32, u32, Vec<u8>)> {
    let file = std::fs::File::open(path)
        .map_err(|e| input(format!("cannot open {}: {e}", path.display())))?;
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder
        .read_info()
        .map_err(|e| input(format!("{} is not a readable PNG: {e}", path.display())))?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| input(format!("{} is not a readable PNG: {e}", path.display())))?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        other => {
            return Err(input(format!(
                "{}: unsupported PNG colour type {other:?}",
                path.display()
            )))
        }
    };
    Ok((info.width, info.height, rgba))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpadding_keeps_each_row() {
        let bytes: Vec<u8> = (0..2 * 8).map(|i| i as u8).collect();
        assert_eq!(unpad_rows(&bytes, 3, 8, 2), vec![0, 1, 2, 8, 9, 10]);
    }

    #[test]
    fn png_round_trip() {
        let rgba: Vec<u8> = (0..3 * 2 * 4).map(|i| (i * 11) as u8).collect();
        let dir = std::env::temp_dir().join(format!("pointillist-png-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.png");
        write_png(&path, 3, 2, &rgba).unwrap();
        assert_eq!(read_png(&path).unwrap(), (3, 2, rgba));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
