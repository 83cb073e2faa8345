//! DICOM pixel data as pydicom 3's `Dataset.pixel_array` gives it with its default options:
//! element type from BitsAllocated and PixelRepresentation, bits above BitsStored cleared (or
//! sign-extended), YBR_FULL converted to RGB, frames and samples as axes. JPEG baseline is
//! decoded frame by frame by libjpeg-turbo's code as pydicom's Pillow does, so it matches exactly.

use std::path::Path;

use dicom_object::OpenFileOptions;
use dicom_object::file::ReadPreamble;
use dicom_pixeldata::{
    PhotometricInterpretation, PixelDecoder, PixelRepresentation, PlanarConfiguration,
};
use ndarray::{ArrayD, Axis, IxDyn};

use super::PixelArray;
use crate::files::FileError;

pub(super) fn decode(path: &Path, bytes: &[u8]) -> Result<PixelArray, FileError> {
    let undecodable = |reason: String| FileError::Undecodable {
        path: path.to_owned(),
        format: "DICOM",
        reason,
    };
    // Like pydicom, read the 128-byte preamble when the file has one, else start at the meta.
    let preamble = if bytes.get(128..132) == Some(b"DICM") {
        ReadPreamble::Always
    } else {
        ReadPreamble::Never
    };
    let obj = OpenFileOptions::new()
        .read_preamble(preamble)
        .from_reader(bytes)
        .map_err(|e| undecodable(e.to_string()))?;
    // Implicit VR LE, explicit VR LE, deflated explicit VR LE, explicit VR BE.
    const NATIVE: [&str; 4] = [
        "1.2.840.10008.1.2",
        "1.2.840.10008.1.2.1",
        "1.2.840.10008.1.2.1.99",
        "1.2.840.10008.1.2.2",
    ];
    let transfer_syntax = obj.meta().transfer_syntax().trim_end_matches(['\0', ' ']);
    let encapsulated = !NATIVE.contains(&transfer_syntax);
    if let Some(frames) = jpeg_baseline_frames(&obj, transfer_syntax) {
        return decode_jpeg_frames(path, &obj, &frames);
    }
    let decoded = obj
        .decode_pixel_data()
        .map_err(|e| undecodable(e.to_string()))?;
    let frames = decoded.number_of_frames() as usize;
    let rows = decoded.rows() as usize;
    let columns = decoded.columns() as usize;
    let samples = decoded.samples_per_pixel() as usize;
    let bits_allocated = decoded.bits_allocated();
    let bits_stored = decoded.bits_stored();
    let signed = decoded.pixel_representation() == PixelRepresentation::Signed;
    let photometric = decoded.photometric_interpretation().clone();
    let planar = decoded.planar_configuration() == PlanarConfiguration::PixelFirst;

    let unsupported = |what: String| FileError::Unsupported {
        path: path.to_owned(),
        what,
    };
    let ybr_to_rgb = match &photometric {
        PhotometricInterpretation::YbrFull if !encapsulated => true,
        PhotometricInterpretation::YbrFull422 if !encapsulated => {
            return Err(unsupported(
                "uncompressed DICOM with PhotometricInterpretation YBR_FULL_422".into(),
            ));
        }
        _ => false,
    };
    if ybr_to_rgb && bits_allocated != 8 {
        return Err(unsupported(format!(
            "YBR_FULL DICOM with {bits_allocated} bits allocated"
        )));
    }

    let mut shape = Vec::with_capacity(4);
    if frames > 1 {
        shape.push(frames);
    }
    shape.extend([rows, columns]);
    if samples > 1 {
        shape.push(samples);
    }
    let count = frames * rows * columns * samples;
    let mut data = decoded.data().to_vec();
    if planar && samples > 1 {
        data = interleave(
            &data,
            frames,
            rows * columns,
            samples,
            bits_allocated.div_ceil(8) as usize,
        );
    }
    let short = |have: usize, unit: usize| {
        undecodable(format!(
            "the pixel data holds {have} bytes, less than the {} of {frames} frame(s) of \
             {rows}x{columns}x{samples} at {unit} byte(s) each",
            count * unit
        ))
    };
    let shift = u32::from(bits_allocated.saturating_sub(bits_stored));
    macro_rules! typed {
        ($variant:ident, $t:ty) => {{
            const SIZE: usize = std::mem::size_of::<$t>();
            if data.len() < count * SIZE {
                return Err(short(data.len(), SIZE));
            }
            let values: Vec<$t> = data[..count * SIZE]
                .chunks_exact(SIZE)
                .map(|b| {
                    let v = <$t>::from_le_bytes(b.try_into().expect("chunk of SIZE"));
                    // pydicom's correct_unused_bits: shift left then right in the array's type,
                    // which clears (unsigned) or sign-extends (signed) the bits above BitsStored.
                    if shift > 0 {
                        v.wrapping_shl(shift).wrapping_shr(shift)
                    } else {
                        v
                    }
                })
                .collect();
            PixelArray::$variant(
                ArrayD::from_shape_vec(IxDyn(&shape), values).expect("count matches the shape"),
            )
        }};
    }
    Ok(match (bits_allocated, signed) {
        (1, _) => {
            // dicom-pixeldata expands bits to 0/255; pydicom unpacks them to 0/1.
            if data.len() < count {
                return Err(short(data.len(), 1));
            }
            data.truncate(count);
            data.iter_mut().for_each(|v| *v = u8::from(*v != 0));
            PixelArray::U8(ArrayD::from_shape_vec(IxDyn(&shape), data).expect("count matches"))
        }
        (8, false) => {
            if data.len() < count {
                return Err(short(data.len(), 1));
            }
            data.truncate(count);
            if shift > 0 {
                data.iter_mut().for_each(|v| *v = (*v << shift) >> shift);
            }
            if ybr_to_rgb {
                ybr_full_to_rgb(&mut data);
            }
            PixelArray::U8(ArrayD::from_shape_vec(IxDyn(&shape), data).expect("count matches"))
        }
        (8, true) => typed!(I8, i8),
        (16, false) => typed!(U16, u16),
        (16, true) => typed!(I16, i16),
        (32, false) => typed!(U32, u32),
        (32, true) => typed!(I32, i32),
        (bits, _) => {
            return Err(unsupported(format!(
                "DICOM pixel data with {bits} bits allocated"
            )));
        }
    })
}

/// Decodes the JPEG streams of a JPEG-baseline DICOM as pydicom does with Pillow, frame by
/// frame: YBR kept as YCbCr by the decoder, then converted to RGB with pydicom's rounding. One
/// frame gives `(rows, columns[, 3])`, several `(frames, rows, columns[, 3])`.
fn decode_jpeg_frames(
    path: &Path,
    obj: &dicom_object::DefaultDicomObject,
    frames: &[Vec<u8>],
) -> Result<PixelArray, FileError> {
    let photometric = obj
        .element(dicom_object::Tag(0x0028, 0x0004))
        .ok()
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim_end_matches(['\0', ' ']).to_owned());
    let ybr = matches!(photometric.as_deref(), Some("YBR_FULL" | "YBR_FULL_422"));
    let decode = |jpeg: &[u8]| -> Result<ArrayD<u8>, FileError> {
        let PixelArray::U8(mut frame) = super::raster::load_jpeg_as(path, jpeg, ybr)? else {
            unreachable!("JPEG baseline decodes to 8 bits");
        };
        if ybr && frame.ndim() == 3 {
            ybr_full_to_rgb(frame.as_slice_mut().expect("decoded arrays are contiguous"));
        }
        Ok(frame)
    };
    if let [jpeg] = frames {
        return Ok(PixelArray::U8(decode(jpeg)?));
    }
    let decoded = frames
        .iter()
        .map(|jpeg| decode(jpeg))
        .collect::<Result<Vec<_>, _>>()?;
    let first = decoded[0].shape();
    if let Some((i, other)) = decoded.iter().enumerate().find(|(_, f)| f.shape() != first) {
        return Err(FileError::Undecodable {
            path: path.to_owned(),
            format: "DICOM",
            reason: format!(
                "frame {} is {:?} but frame 1 is {first:?}",
                i + 1,
                other.shape()
            ),
        });
    }
    let views: Vec<_> = decoded.iter().map(|frame| frame.view()).collect();
    let stacked = ndarray::stack(Axis(0), &views).expect("frames of one shape");
    Ok(PixelArray::U8(stacked))
}

/// The JPEG stream of each frame of a JPEG-baseline DICOM, so that they are decoded by the same
/// libjpeg-turbo code as pydicom's Pillow (`dicom-pixeldata`'s own decoder rounds differently).
/// Frames are found as pydicom finds them: all fragments for one frame; else the basic offset
/// table; else one fragment per frame when the counts agree; else a new frame at each fragment
/// that starts with a JPEG start-of-image marker. When none of these gives NumberOfFrames
/// frames, the file is left to `dicom-pixeldata`.
fn jpeg_baseline_frames(
    obj: &dicom_object::DefaultDicomObject,
    transfer_syntax: &str,
) -> Option<Vec<Vec<u8>>> {
    const JPEG_BASELINE_8BIT: &str = "1.2.840.10008.1.2.4.50";
    if transfer_syntax != JPEG_BASELINE_8BIT {
        return None;
    }
    let frames = obj
        .element_opt(dicom_object::Tag(0x0028, 0x0008))
        .ok()
        .flatten()
        .and_then(|e| e.to_int::<u32>().ok())
        .unwrap_or(1)
        .max(1) as usize;
    let value = obj.element(dicom_object::Tag(0x7FE0, 0x0010)).ok()?.value();
    let fragments = value.fragments()?;
    if fragments.is_empty() {
        return None;
    }
    let split = if frames == 1 {
        vec![fragments.concat()]
    } else if let Some(offsets) = value.offset_table().filter(|t| !t.is_empty()) {
        by_offset_table(fragments, offsets)?
    } else if fragments.len() == frames {
        fragments.to_vec()
    } else {
        let mut split: Vec<Vec<u8>> = Vec::new();
        for fragment in fragments {
            match split.last_mut() {
                Some(frame) if !fragment.starts_with(&[0xFF, 0xD8]) => {
                    frame.extend_from_slice(fragment)
                }
                _ => split.push(fragment.clone()),
            }
        }
        split
    };
    (split.len() == frames).then_some(split)
}

/// Frames by the basic offset table: each offset is where a frame's first fragment item starts,
/// counted from the first item, and every item takes an 8-byte header.
fn by_offset_table(fragments: &[Vec<u8>], offsets: &[u32]) -> Option<Vec<Vec<u8>>> {
    let mut split: Vec<Vec<u8>> = Vec::with_capacity(offsets.len());
    let mut position = 0u64;
    let mut next = 0;
    for fragment in fragments {
        if offsets.get(next).is_some_and(|&o| u64::from(o) == position) {
            split.push(Vec::new());
            next += 1;
        }
        split.last_mut()?.extend_from_slice(fragment);
        position += 8 + fragment.len() as u64;
    }
    (next == offsets.len()).then_some(split)
}

/// Planar configuration 1 (`RRR..GGG..BBB..` per frame) to interleaved `RGBRGB..`.
fn interleave(data: &[u8], frames: usize, pixels: usize, samples: usize, width: usize) -> Vec<u8> {
    let mut out = vec![0; data.len()];
    let frame_bytes = pixels * samples * width;
    for f in 0..frames {
        let base = f * frame_bytes;
        if base + frame_bytes > data.len() {
            break;
        }
        for s in 0..samples {
            for p in 0..pixels {
                let from = base + (s * pixels + p) * width;
                let to = base + (p * samples + s) * width;
                out[to..to + width].copy_from_slice(&data[from..from + width]);
            }
        }
    }
    out
}

/// pydicom's `_convert_YBR_FULL_to_RGB`: float32 matrix product, then floor(x + 0.5) clipped
/// to 0..=255.
fn ybr_full_to_rgb(data: &mut [u8]) {
    // numpy computes the coefficients in float64, then stores them as float32.
    let m: [[f32; 3]; 3] = [
        [1.0, 1.0, 1.0],
        [0.0, (-0.114f64 * 1.772 / 0.587) as f32, 1.772],
        [1.402, (-0.299f64 * 1.402 / 0.587) as f32, 0.0],
    ];
    for px in data.chunks_exact_mut(3) {
        let ybr = [
            f32::from(px[0]),
            f32::from(px[1]) - 128.0,
            f32::from(px[2]) - 128.0,
        ];
        for (c, out) in px.iter_mut().enumerate() {
            let v = ybr[0] * m[0][c] + ybr[1] * m[1][c] + ybr[2] * m[2][c];
            *out = (v + 0.5).floor().clamp(0.0, 255.0) as u8;
        }
    }
}
