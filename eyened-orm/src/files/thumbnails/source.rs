//! The picture a thumbnail is made from, out of an image's pixels (Python's `get_thumbnail`):
//! 2-D images and 3-D images with at most 4 channels as they are, a volume's only or middle
//! B-scan, or for 10 B-scans and more the mean projection over the depth axis, stretched to the
//! physical aspect ratio.

use ndarray::{ArrayViewD, Axis, Ix2, IxDyn};

use super::{Picture, ThumbnailError};

/// A pixel value of any of the dtypes images come in.
pub trait Sample: Copy {
    /// The value as `f64`, for means and normalisation.
    fn to_f64(self) -> f64;
    /// The value, when the dtype is `uint8` (no normalisation needed).
    fn as_u8(self) -> Option<u8> {
        None
    }
}

impl Sample for u8 {
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn as_u8(self) -> Option<u8> {
        Some(self)
    }
}

macro_rules! sample {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
sample!(i8, u16, i16, u32, i32, f32, f64);

impl Sample for bool {
    fn to_f64(self) -> f64 {
        if self { 1.0 } else { 0.0 }
    }
}

/// `ResolutionHorizontal` and `ResolutionVertical` of the image: a projection of many B-scans is
/// stretched by their ratio.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Resolution {
    /// `ImageInstance.ResolutionHorizontal`.
    pub horizontal: Option<f32>,
    /// `ImageInstance.ResolutionVertical`.
    pub vertical: Option<f32>,
}

/// B-scans from which a volume's thumbnail is a projection rather than the middle B-scan.
const PROJECTION_FROM_SCANS: usize = 10;

/// The picture a thumbnail of `pixels` is made from, as Python's `get_thumbnail` chooses it.
///
/// Values that are not `uint8` are stretched to 0..=255 (`(x - min) / max * 255`, truncated) as
/// Python does for projections; Python's Pillow cannot write 16-bit or float pictures as JPEG and
/// marks those images failed. An alpha channel is dropped (Pillow cannot write it as JPEG
/// either).
pub fn source_picture<T: Sample>(
    pixels: ArrayViewD<'_, T>,
    resolution: Resolution,
) -> Result<Picture, ThumbnailError> {
    let shape = pixels.shape().to_vec();
    match shape.len() {
        2 => picture(pixels),
        3 if shape[2] <= 4 => picture(squeeze(pixels)),
        3 => {
            let scans = shape[0];
            if scans == 1 {
                picture(squeeze(pixels))
            } else if scans < PROJECTION_FROM_SCANS {
                picture(pixels.index_axis(Axis(0), scans / 2).into_dyn())
            } else {
                projection(pixels, resolution)
            }
        }
        _ => Err(ThumbnailError::Shape { shape }),
    }
}

/// numpy's `squeeze()`: without the axes of length 1.
fn squeeze<T>(pixels: ArrayViewD<'_, T>) -> ArrayViewD<'_, T> {
    let mut view = pixels;
    for axis in (0..view.ndim()).rev() {
        if view.shape()[axis] == 1 {
            view = view.index_axis_move(Axis(axis), 0);
        }
    }
    view
}

/// A 2-D (grey) or 3-D (channels last) array as an 8-bit picture.
fn picture<T: Sample>(pixels: ArrayViewD<'_, T>) -> Result<Picture, ThumbnailError> {
    let shape = pixels.shape().to_vec();
    let (height, width, channels) = match shape[..] {
        [h, w] => (h, w, 1),
        [h, w, c] if (2..=4).contains(&c) => (h, w, c),
        _ => return Err(ThumbnailError::Shape { shape }),
    };
    if height == 0 || width == 0 {
        return Err(ThumbnailError::Shape { shape });
    }
    let kept = if channels == 3 || channels == 4 { 3 } else { 1 };
    let all_u8 = pixels.first().is_some_and(|v| v.as_u8().is_some());
    let mut data = Vec::with_capacity(height * width * kept);
    if all_u8 {
        push_kept(&pixels, channels, kept, &mut data, |v| {
            v.as_u8().unwrap_or(0)
        });
    } else {
        let values: Vec<f64> = kept_values(&pixels, channels, kept);
        data = normalise(&values);
    }
    Ok(Picture {
        width,
        height,
        channels: kept,
        data,
    })
}

/// Pushes the kept channels of each pixel, in row-major order.
fn push_kept<T: Sample>(
    pixels: &ArrayViewD<'_, T>,
    channels: usize,
    kept: usize,
    out: &mut Vec<u8>,
    convert: impl Fn(T) -> u8,
) {
    if channels == kept {
        if let Some(slice) = pixels.as_slice() {
            out.extend(slice.iter().map(|&v| convert(v)));
            return;
        }
        out.extend(pixels.iter().map(|&v| convert(v)));
        return;
    }
    for (i, &v) in pixels.iter().enumerate() {
        if i % channels < kept {
            out.push(convert(v));
        }
    }
}

fn kept_values<T: Sample>(pixels: &ArrayViewD<'_, T>, channels: usize, kept: usize) -> Vec<f64> {
    pixels
        .iter()
        .enumerate()
        .filter(|(i, _)| channels == kept || i % channels < kept)
        .map(|(_, v)| v.to_f64())
        .collect()
}

/// Python's `np_im - min; np_im / max; (np_im * 255).astype(uint8)`. A flat image divides 0 by
/// 0; numpy's NaN becomes 0.
fn normalise(values: &[f64]) -> Vec<u8> {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values
        .iter()
        .map(|v| v - min)
        .fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| {
            let scaled = ((v - min) / max) * 255.0;
            if scaled.is_nan() { 0 } else { scaled as u8 }
        })
        .collect()
}

/// The mean over axis 1 (depth) of a `(scans, depth, width)` volume, normalised to 8 bits and
/// stretched by `ResolutionHorizontal / ResolutionVertical` as Python does with
/// `cv2.resize(INTER_LINEAR)`.
fn projection<T: Sample>(
    pixels: ArrayViewD<'_, T>,
    resolution: Resolution,
) -> Result<Picture, ThumbnailError> {
    let volume = pixels
        .view()
        .into_dimensionality::<ndarray::Ix3>()
        .map_err(|_| ThumbnailError::Shape {
            shape: pixels.shape().to_vec(),
        })?;
    let (scans, depth, width) = volume.dim();
    let mut means = vec![0f64; scans * width];
    for (s, scan) in volume.outer_iter().enumerate() {
        let row = &mut means[s * width..(s + 1) * width];
        for line in scan.outer_iter() {
            for (m, &v) in row.iter_mut().zip(line.iter()) {
                *m += v.to_f64();
            }
        }
        row.iter_mut().for_each(|m| *m /= depth as f64);
    }
    let image = normalise(&means);
    let aspect = aspect_ratio(resolution)?;
    let (h, w) = (scans, width);
    let (target_w, target_h) = if aspect > 1.0 {
        ((w as f64 * aspect) as i64, h as i64)
    } else {
        (w as i64, (h as f64 / aspect) as i64)
    };
    if target_w < 1 || target_h < 1 {
        return Err(ThumbnailError::Resolution {
            detail: format!("the projection would be {target_w}x{target_h} pixels"),
        });
    }
    let grey = ndarray::ArrayView::from_shape(IxDyn(&[h, w]), &image)
        .expect("the projection has scans x width values")
        .into_dimensionality::<Ix2>()
        .expect("two axes");
    Ok(resize_linear(grey, target_w as usize, target_h as usize))
}

/// Python's `ResolutionHorizontal / ResolutionVertical`: 1 when either is NULL or the vertical
/// one is 0 (`TypeError`, `ZeroDivisionError`); a horizontal resolution of 0 makes Python fail
/// (a division by the ratio), and so it does here.
fn aspect_ratio(resolution: Resolution) -> Result<f64, ThumbnailError> {
    // The driver hands Python the FLOAT columns as their shortest decimal text.
    let as_python = |v: f32| v.to_string().parse::<f64>().unwrap_or(v as f64);
    let (Some(h), Some(v)) = (resolution.horizontal, resolution.vertical) else {
        return Ok(1.0);
    };
    if v == 0.0 {
        return Ok(1.0);
    }
    let aspect = as_python(h) / as_python(v);
    if aspect == 0.0 || !aspect.is_finite() {
        return Err(ThumbnailError::Resolution {
            detail: format!("ResolutionHorizontal / ResolutionVertical is {aspect}"),
        });
    }
    Ok(aspect)
}

/// OpenCV's `resize(INTER_LINEAR)` of a grey 8-bit image: half-pixel centres, edges clamped,
/// weights in 11-bit fixed point. Pixels may differ from OpenCV's by 1 where it rounds in two
/// stages.
fn resize_linear(image: ndarray::ArrayView2<'_, u8>, out_w: usize, out_h: usize) -> Picture {
    let (h, w) = image.dim();
    let taps = |out: usize, input: usize| -> Vec<(usize, usize, i32)> {
        let scale = input as f64 / out as f64;
        (0..out)
            .map(|d| {
                let f = (d as f64 + 0.5) * scale - 0.5;
                let mut s = f.floor() as i64;
                let mut frac = f - s as f64;
                if s < 0 {
                    s = 0;
                    frac = 0.0;
                }
                if s as usize >= input - 1 {
                    s = input as i64 - 1;
                    frac = 0.0;
                }
                let c0 = ((1.0 - frac) * 2048.0).round() as i32;
                let s = s as usize;
                (s, (s + 1).min(input - 1), c0)
            })
            .collect()
    };
    let xs = taps(out_w, w);
    let ys = taps(out_h, h);
    let mut data = Vec::with_capacity(out_w * out_h);
    for &(y0, y1, cy) in &ys {
        for &(x0, x1, cx) in &xs {
            let top =
                image[[y0, x0]] as i64 * cx as i64 + image[[y0, x1]] as i64 * (2048 - cx) as i64;
            let bottom =
                image[[y1, x0]] as i64 * cx as i64 + image[[y1, x1]] as i64 * (2048 - cx) as i64;
            let v = (top * cy as i64 + bottom * (2048 - cy) as i64 + (1 << 21)) >> 22;
            data.push(v.clamp(0, 255) as u8);
        }
    }
    Picture {
        width: out_w,
        height: out_h,
        channels: 1,
        data,
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array, ArrayD};

    use super::*;

    fn arr<T: Clone>(shape: &[usize], values: Vec<T>) -> ArrayD<T> {
        Array::from_shape_vec(IxDyn(shape), values).unwrap()
    }

    #[test]
    fn rgb_and_grey_are_used_as_they_are() {
        let rgb = arr(&[2, 3, 3], (0u8..18).collect());
        let p = source_picture(rgb.view(), Resolution::default()).unwrap();
        assert_eq!((p.width, p.height, p.channels), (3, 2, 3));
        assert_eq!(p.data, (0u8..18).collect::<Vec<_>>());
        let grey = arr(&[2, 3, 1], (0u8..6).collect());
        let p = source_picture(grey.view(), Resolution::default()).unwrap();
        assert_eq!((p.width, p.height, p.channels), (3, 2, 1));
        // Squeezed to 2 x 4: a grey picture 4 wide, as numpy and Pillow see it.
        let p = source_picture(
            arr(&[1, 2, 4], (0u8..8).collect()).view(),
            Resolution::default(),
        );
        assert_eq!(p.unwrap().data, (0u8..8).collect::<Vec<_>>());
        // RGBA loses its alpha.
        let rgba = arr(&[1, 2, 4], vec![1u8, 2, 3, 255, 4, 5, 6, 255]);
        let rgba = rgba.into_shape_with_order(IxDyn(&[2, 1, 4])).unwrap();
        let rgba = ndarray::concatenate(Axis(1), &[rgba.view(), rgba.view()]).unwrap();
        let p = source_picture(rgba.view(), Resolution::default()).unwrap();
        assert_eq!((p.width, p.height, p.channels), (2, 2, 3));
        assert_eq!(p.data, vec![1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    }

    #[test]
    fn sixteen_bit_is_stretched_to_eight() {
        let img = arr(&[2, 2], vec![1000u16, 2000, 3000, 5000]);
        let p = source_picture(img.view(), Resolution::default()).unwrap();
        assert_eq!(p.data, vec![0, 63, 127, 255]);
        let flat = arr(&[2, 2], vec![7.5f32; 4]);
        let p = source_picture(flat.view(), Resolution::default()).unwrap();
        assert_eq!(p.data, vec![0; 4]);
    }

    #[test]
    fn volumes_give_a_scan_or_a_projection() {
        // 3 B-scans of 2 x 5: the middle one.
        let vol = arr(&[3, 2, 5], (0u8..30).collect());
        let p = source_picture(vol.view(), Resolution::default()).unwrap();
        assert_eq!((p.width, p.height), (5, 2));
        assert_eq!(p.data, (10u8..20).collect::<Vec<_>>());
        // 12 B-scans of 4 x 6: projection 12 high, 6 wide, stretched 2x horizontally.
        let vol = arr(&[12, 4, 6], (0..12 * 24).map(|i| (i % 251) as u8).collect());
        let res = Resolution {
            horizontal: Some(0.02),
            vertical: Some(0.01),
        };
        let p = source_picture(vol.view(), res).unwrap();
        assert_eq!((p.width, p.height, p.channels), (12, 12, 1));
        // Taller when the ratio is below 1.
        let res = Resolution {
            horizontal: Some(0.01),
            vertical: Some(0.04),
        };
        let p = source_picture(vol.view(), res).unwrap();
        assert_eq!((p.width, p.height), (6, 48));
        let p = source_picture(vol.view(), Resolution::default()).unwrap();
        assert_eq!((p.width, p.height), (6, 12));
        assert_eq!(*p.data.iter().max().unwrap(), 255);
        assert_eq!(*p.data.iter().min().unwrap(), 0);
    }
}
