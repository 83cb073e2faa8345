//! Raster files read as Pillow reads them (`np.asarray(PIL.Image.open(path))`): the format is
//! recognised by its content, not its name; PNG through the `png` crate (so that palettes stay
//! indices and bit depths are unpacked as Pillow does), JPEG through libjpeg-turbo's decoder (as
//! vendored by `mozjpeg`, so that pixels equal Pillow's bit for bit), TIFF and BMP through `image`.

use std::path::Path;

use ndarray::{ArrayD, IxDyn};

use super::PixelArray;
use crate::files::FileError;

pub(super) fn load(path: &Path) -> Result<PixelArray, FileError> {
    let bytes = std::fs::read(path).map_err(|e| FileError::io(path, e))?;
    decode(path, &bytes)
}

pub(super) fn decode(path: &Path, bytes: &[u8]) -> Result<PixelArray, FileError> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        load_png(path, bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        load_jpeg(path, bytes)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        load_with_image(path, bytes, image::ImageFormat::Tiff, "TIFF")
    } else if bytes.starts_with(b"BM") {
        // Pillow keeps palette BMPs as palette indices (or L), which `image` expands: refuse
        // them rather than give other pixels.
        let bits_per_pixel = bytes.get(28..30).map(|b| u16::from_le_bytes([b[0], b[1]]));
        if bits_per_pixel.is_some_and(|b| b <= 8) {
            return Err(FileError::Unsupported {
                path: path.to_owned(),
                what: "a palette BMP".into(),
            });
        }
        load_with_image(path, bytes, image::ImageFormat::Bmp, "BMP")
    } else {
        Err(FileError::Unsupported {
            path: path.to_owned(),
            what: "this file format (not PNG, JPEG, TIFF, BMP or DICOM with a .dcm name)".into(),
        })
    }
}

fn array<T>(shape: &[usize], data: Vec<T>) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("decoder output matches its dimensions")
}

fn load_png(path: &Path, bytes: &[u8]) -> Result<PixelArray, FileError> {
    use png::{BitDepth, ColorType, Transformations};
    let undecodable = |e: png::DecodingError| FileError::Undecodable {
        path: path.to_owned(),
        format: "PNG",
        reason: e.to_string(),
    };
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(Transformations::IDENTITY);
    let mut reader = decoder.read_info().map_err(undecodable)?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf).map_err(undecodable)?;
    buf.truncate(info.buffer_size());
    let (h, w) = (info.height as usize, info.width as usize);
    let line = info.line_size;
    let samples = info.color_type.samples();
    let shape = |channels: usize| -> Vec<usize> {
        if channels == 1 {
            vec![h, w]
        } else {
            vec![h, w, channels]
        }
    };
    let unpack = |bits: usize, scale: u8| -> Vec<u8> {
        let mut out = Vec::with_capacity(h * w);
        let mask = (1u16 << bits) as u8 - 1;
        for row in buf.chunks(line) {
            for x in 0..w {
                let bit = x * bits;
                let v = (row[bit / 8] >> (8 - bits - bit % 8)) & mask;
                out.push(v * scale);
            }
        }
        out
    };
    Ok(match (info.color_type, info.bit_depth) {
        // Pillow: mode "1", which numpy gives as bool.
        (ColorType::Grayscale, BitDepth::One) => PixelArray::Bool(array(
            &[h, w],
            unpack(1, 1).into_iter().map(|v| v != 0).collect(),
        )),
        // Pillow's "L;2" and "L;4" scale to the full 8 bits.
        (ColorType::Grayscale, BitDepth::Two) => PixelArray::U8(array(&[h, w], unpack(2, 0x55))),
        (ColorType::Grayscale, BitDepth::Four) => PixelArray::U8(array(&[h, w], unpack(4, 0x11))),
        // Palette images are mode "P": the indices, whatever the bit depth.
        (ColorType::Indexed, BitDepth::One) => PixelArray::U8(array(&[h, w], unpack(1, 1))),
        (ColorType::Indexed, BitDepth::Two) => PixelArray::U8(array(&[h, w], unpack(2, 1))),
        (ColorType::Indexed, BitDepth::Four) => PixelArray::U8(array(&[h, w], unpack(4, 1))),
        (_, BitDepth::Eight) => PixelArray::U8(array(&shape(samples), buf)),
        // 16-bit greyscale is mode "I;16": uint16.
        (ColorType::Grayscale, BitDepth::Sixteen) => PixelArray::U16(array(
            &[h, w],
            buf.chunks_exact(2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .collect(),
        )),
        // 16-bit colour (RGB, RGBA, LA) is read by Pillow as 8 bits: the high byte of each.
        (_, BitDepth::Sixteen) => PixelArray::U8(array(
            &shape(samples),
            buf.chunks_exact(2).map(|b| b[0]).collect(),
        )),
        (color, depth) => {
            return Err(FileError::Unsupported {
                path: path.to_owned(),
                what: format!("a PNG of colour type {color:?} at bit depth {depth:?}"),
            });
        }
    })
}

/// Decodes as Pillow's libjpeg-turbo does by default: slow integer IDCT, fancy upsampling, YCbCr
/// and RGB to RGB, greyscale to L.
pub(super) fn load_jpeg(path: &Path, bytes: &[u8]) -> Result<PixelArray, FileError> {
    load_jpeg_as(path, bytes, false)
}

/// As [`load_jpeg`], but with `keep_ycbcr` a YCbCr JPEG stays YCbCr (Pillow's `draft("YCbCr")`,
/// which pydicom uses before converting to RGB itself).
pub(super) fn load_jpeg_as(
    path: &Path,
    bytes: &[u8],
    keep_ycbcr: bool,
) -> Result<PixelArray, FileError> {
    use mozjpeg::{ColorSpace, DctMethod};
    let undecodable = |e: std::io::Error| FileError::Undecodable {
        path: path.to_owned(),
        format: "JPEG",
        reason: e.to_string(),
    };
    let mut decompress = mozjpeg::Decompress::new_mem(bytes).map_err(undecodable)?;
    decompress.dct_method(DctMethod::IntegerSlow);
    decompress.do_fancy_upsampling(true);
    let (w, h) = decompress.size();
    let (mut started, channels) = match decompress.color_space() {
        ColorSpace::JCS_GRAYSCALE => (decompress.grayscale().map_err(undecodable)?, 1),
        ColorSpace::JCS_YCbCr if keep_ycbcr => (
            decompress
                .to_colorspace(ColorSpace::JCS_YCbCr)
                .map_err(undecodable)?,
            3,
        ),
        ColorSpace::JCS_YCbCr | ColorSpace::JCS_RGB => (decompress.rgb().map_err(undecodable)?, 3),
        other => {
            return Err(FileError::Unsupported {
                path: path.to_owned(),
                what: format!("a JPEG in colour space {other:?} (Pillow reads it as CMYK)"),
            });
        }
    };
    let data = started.read_scanlines::<u8>().map_err(undecodable)?;
    started.finish().map_err(undecodable)?;
    let shape: &[usize] = if channels == 1 { &[h, w] } else { &[h, w, 3] };
    if data.len() != shape.iter().product::<usize>() {
        return Err(FileError::Undecodable {
            path: path.to_owned(),
            format: "JPEG",
            reason: format!("{} bytes decoded for {h}x{w}x{channels}", data.len()),
        });
    }
    Ok(PixelArray::U8(array(shape, data)))
}

fn load_with_image(
    path: &Path,
    bytes: &[u8],
    format: image::ImageFormat,
    name: &'static str,
) -> Result<PixelArray, FileError> {
    use image::DynamicImage;
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.no_limits();
    let img = reader.decode().map_err(|e| FileError::Undecodable {
        path: path.to_owned(),
        format: name,
        reason: e.to_string(),
    })?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    Ok(match img {
        DynamicImage::ImageLuma8(b) => PixelArray::U8(array(&[h, w], b.into_raw())),
        DynamicImage::ImageLumaA8(b) => PixelArray::U8(array(&[h, w, 2], b.into_raw())),
        DynamicImage::ImageRgb8(b) => PixelArray::U8(array(&[h, w, 3], b.into_raw())),
        DynamicImage::ImageRgba8(b) => PixelArray::U8(array(&[h, w, 4], b.into_raw())),
        DynamicImage::ImageLuma16(b) => PixelArray::U16(array(&[h, w], b.into_raw())),
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_) => {
            return Err(FileError::Unsupported {
                path: path.to_owned(),
                what: format!("a floating-point colour {name}"),
            });
        }
        other => {
            return Err(FileError::Unsupported {
                path: path.to_owned(),
                what: format!("a {name} of colour type {:?}", other.color()),
            });
        }
    })
}
