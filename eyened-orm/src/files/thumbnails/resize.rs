//! Pillow's `Image.thumbnail((size, size))`, reproduced step by step so that thumbnails have the
//! same dimensions and, for 8-bit images, the same pixels: the size that keeps the aspect ratio
//! (never enlarging), an integer box reduction by `reducing_gap = 2.0`, then a separable bicubic
//! resampling (`a = -0.5`) with Pillow's 22-bit fixed-point coefficients and rounding.

use super::Picture;

/// Pillow's `PRECISION_BITS` for 8-bit resampling: `32 - 8 - 2`.
const PRECISION_BITS: u32 = 22;

/// The size `thumbnail((size, size))` gives an image of `width` × `height`, or `None` when it
/// leaves the image as it is (it fits already).
pub fn thumbnail_size(width: usize, height: usize, size: u32) -> Option<(usize, usize)> {
    let (x, y) = (size as usize, size as usize);
    if x >= width && y >= height {
        return None;
    }
    let aspect = width as f64 / height as f64;
    let (xf, yf) = (x as f64, y as f64);
    // `max(min(floor(n), ceil(n), key=key), 1)`: the floor wins ties, as Python's `min` keeps
    // the first of equal keys.
    let round_aspect = |number: f64, key: &dyn Fn(f64) -> f64| -> usize {
        let (floor, ceil) = (number.floor(), number.ceil());
        let best = if key(floor) <= key(ceil) { floor } else { ceil };
        best.max(1.0) as usize
    };
    if xf / yf >= aspect {
        let x = round_aspect(yf * aspect, &|n| (aspect - n / yf).abs());
        Some((x, y))
    } else {
        let key = |n: f64| {
            if n == 0.0 {
                0.0
            } else {
                (aspect - xf / n).abs()
            }
        };
        Some((x, round_aspect(xf / aspect, &key)))
    }
}

/// `picture` made into a thumbnail of at most `size` × `size`, as Pillow's
/// `thumbnail((size, size))` does it (bicubic, `reducing_gap = 2.0`).
pub fn thumbnail(picture: &Picture, size: u32) -> Picture {
    let Some((out_w, out_h)) = thumbnail_size(picture.width, picture.height, size) else {
        return picture.clone();
    };
    if (out_w, out_h) == (picture.width, picture.height) {
        return picture.clone();
    }
    // Image.resize with reducing_gap: `int(w / out_w / reducing_gap) or 1`.
    let factor_x = ((picture.width as f64 / out_w as f64 / 2.0) as usize).max(1);
    let factor_y = ((picture.height as f64 / out_h as f64 / 2.0) as usize).max(1);
    let (source, box_) = if factor_x > 1 || factor_y > 1 {
        let reduced = reduce(picture, factor_x, factor_y);
        // Python floats, passed to C as `float`.
        let box_ = [
            0.0,
            0.0,
            (picture.width as f64 / factor_x as f64) as f32,
            (picture.height as f64 / factor_y as f64) as f32,
        ];
        (std::borrow::Cow::Owned(reduced), box_)
    } else {
        let box_ = [0.0, 0.0, picture.width as f32, picture.height as f32];
        (std::borrow::Cow::Borrowed(picture), box_)
    };
    resample(&source, out_w, out_h, box_)
}

/// Pillow's `Image.reduce((fx, fy))` over the whole image: the mean of each `fx` × `fy` block
/// (partial blocks at the right and bottom edges average what they have), rounded as
/// `ImagingReduceNxN` / `ImagingReduceCorners` do.
fn reduce(picture: &Picture, fx: usize, fy: usize) -> Picture {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has just said it has AVX2.
        return unsafe { reduce_avx2(picture, fx, fy) };
    }
    reduce_any(picture, fx, fy)
}

/// [`reduce_any`] compiled for AVX2: the column sums take 8 values at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn reduce_avx2(picture: &Picture, fx: usize, fy: usize) -> Picture {
    reduce_any(picture, fx, fy)
}

#[inline(always)]
fn reduce_any(picture: &Picture, fx: usize, fy: usize) -> Picture {
    match picture.channels {
        1 => reduce_n::<1>(picture, fx, fy),
        3 => reduce_n::<3>(picture, fx, fy),
        n => panic!("pictures have 1 or 3 channels, not {n}"),
    }
}

/// [`reduce`] for pictures of `C` channels.
#[inline(always)]
fn reduce_n<const C: usize>(picture: &Picture, fx: usize, fy: usize) -> Picture {
    let (w, h) = (picture.width, picture.height);
    let out_w = w.div_ceil(fx);
    let out_h = h.div_ceil(fy);
    let mut data = vec![0u8; out_w * out_h * C];
    // Per output row: each column's sum over the block's rows, then each block's over its
    // columns.
    let mut columns = vec![0u32; w * C];
    for (oy, out_row) in data.chunks_exact_mut(out_w * C).enumerate() {
        let y0 = oy * fy;
        let y1 = (y0 + fy).min(h);
        columns.fill(0);
        for y in y0..y1 {
            let row = &picture.data[y * w * C..][..w * C];
            for (s, &v) in columns.iter_mut().zip(row) {
                *s += v as u32;
            }
        }
        // Every block of the row has `fx` columns but the last, which may have fewer.
        let rows_here = y1 - y0;
        let full = (rows_here * fx) as u32;
        let full_multiplier = division_u32(full) as u64;
        for (ox, (out, block)) in out_row
            .chunks_exact_mut(C)
            .zip(columns.chunks(fx * C))
            .enumerate()
        {
            let mut sum = [0u32; C];
            for px in block.chunks_exact(C) {
                for c in 0..C {
                    sum[c] += px[c];
                }
            }
            let (count, multiplier) = if block.len() == fx * C {
                (full, full_multiplier)
            } else {
                let count = (rows_here * ((ox * fx + fx).min(w) - ox * fx)) as u32;
                (count, division_u32(count) as u64)
            };
            let amend = count / 2;
            for c in 0..C {
                out[c] = (((sum[c] + amend) as u64 * multiplier) >> 24) as u8;
            }
        }
    }
    Picture {
        width: out_w,
        height: out_h,
        channels: C,
        data,
    }
}

/// Pillow's `division_UINT32(divider, 8)`, computed in `float` as there.
fn division_u32(divider: u32) -> u32 {
    let max_dividend = (256 * divider) as f32;
    let max_int = (1u64 << 30) as f32 * 4.0;
    (max_int / max_dividend) as u32
}

/// Pillow's bicubic filter, `a = -0.5`.
fn bicubic(x: f64) -> f64 {
    const A: f64 = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        (((x - 5.0) * x + 8.0) * x - 4.0) * A
    } else {
        0.0
    }
}

/// The support of [`bicubic`].
const BICUBIC_SUPPORT: f64 = 2.0;

/// One axis's resampling: for each output index, the first input index and the fixed-point
/// weights of the inputs from there.
struct Coefficients {
    ksize: usize,
    bounds: Vec<(usize, usize)>,
    weights: Vec<i32>,
}

/// Pillow's `precompute_coeffs` followed by `normalize_coeffs_8bpc`.
fn coefficients(in_size: usize, in0: f32, in1: f32, out_size: usize) -> Coefficients {
    let scale = (in1 - in0) as f64 / out_size as f64;
    let filterscale = scale.max(1.0);
    let support = BICUBIC_SUPPORT * filterscale;
    let ksize = support.ceil() as usize * 2 + 1;
    let mut bounds = Vec::with_capacity(out_size);
    let mut weights = vec![0i32; out_size * ksize];
    let mut k = vec![0f64; ksize];
    for xx in 0..out_size {
        let center = in0 as f64 + (xx as f64 + 0.5) * scale;
        let ss = 1.0 / filterscale;
        // C's (int) cast truncates towards zero.
        let xmin = ((center - support + 0.5) as i64).max(0) as usize;
        let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
        let xmax = xmax.saturating_sub(xmin);
        let mut ww = 0.0;
        for (x, kx) in k.iter_mut().enumerate().take(xmax) {
            let w = bicubic((x as f64 + xmin as f64 - center + 0.5) * ss);
            *kx = w;
            ww += w;
        }
        let row = &mut weights[xx * ksize..(xx + 1) * ksize];
        for x in 0..xmax {
            let w = if ww != 0.0 { k[x] / ww } else { k[x] };
            let scaled = w * (1u32 << PRECISION_BITS) as f64;
            row[x] = if w < 0.0 {
                (scaled - 0.5) as i32
            } else {
                (scaled + 0.5) as i32
            };
        }
        bounds.push((xmin, xmax));
    }
    Coefficients {
        ksize,
        bounds,
        weights,
    }
}

/// Pillow's `clip8`.
fn clip8(value: i32) -> u8 {
    if value >= (1 << PRECISION_BITS << 8) {
        255
    } else if value <= 0 {
        0
    } else {
        (value >> PRECISION_BITS) as u8
    }
}

/// Pillow's `ImagingResample` with a bicubic filter and a (fractional) source box. Two passes,
/// each rounding to 8 bits: horizontal first (over the rows the vertical pass needs), unless the
/// height shrinks by more than twice as many pixels as the width (Pillow 13 then starts with the
/// vertical pass).
fn resample(picture: &Picture, out_w: usize, out_h: usize, box_: [f32; 4]) -> Picture {
    let need_horizontal = out_w != picture.width || box_[0] != 0.0 || box_[2] != out_w as f32;
    let need_vertical = out_h != picture.height || box_[1] != 0.0 || box_[3] != out_h as f32;
    let horizontal = coefficients(picture.width, box_[0], box_[2], out_w);
    let mut vertical = coefficients(picture.height, box_[1], box_[3], out_h);
    let vertical_first = need_horizontal
        && need_vertical
        && picture.height as i64 - out_h as i64 > 2 * (picture.width as i64 - out_w as i64);
    if vertical_first {
        let tall = vertical_pass(picture, &vertical);
        return horizontal_pass(&tall, 0, out_h, &horizontal);
    }
    match (need_horizontal, need_vertical) {
        (false, false) => picture.clone(),
        (true, false) => horizontal_pass(picture, 0, picture.height, &horizontal),
        (false, true) => vertical_pass(picture, &vertical),
        (true, true) => {
            let first_row = vertical.bounds[0].0;
            let (last_start, last_len) = vertical.bounds[out_h - 1];
            for bound in &mut vertical.bounds {
                bound.0 -= first_row;
            }
            let wide = horizontal_pass(
                picture,
                first_row,
                last_start + last_len - first_row,
                &horizontal,
            );
            vertical_pass(&wide, &vertical)
        }
    }
}

/// Pillow's `ImagingResampleHorizontal_8bpc` over `rows` rows from `first_row`.
fn horizontal_pass(
    picture: &Picture,
    first_row: usize,
    rows: usize,
    coefficients: &Coefficients,
) -> Picture {
    assert!(
        matches!(picture.channels, 1 | 3),
        "pictures have 1 or 3 channels, not {}",
        picture.channels
    );
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has just said it has AVX2.
        return unsafe { horizontal_pass_avx2(picture, first_row, rows, coefficients) };
    }
    horizontal_pass_scalar(picture, first_row, rows, coefficients)
}

/// [`horizontal_pass`] as Pillow's C loops compute it: one output value at a time.
fn horizontal_pass_scalar(
    picture: &Picture,
    first_row: usize,
    rows: usize,
    coefficients: &Coefficients,
) -> Picture {
    let c = picture.channels;
    let out_w = coefficients.bounds.len();
    let mut data = vec![0u8; out_w * rows * c];
    let in_row = picture.width * c;
    for (y, dst) in data.chunks_exact_mut(out_w * c).enumerate() {
        let src = &picture.data[(y + first_row) * in_row..][..in_row];
        for (ox, (out, &(xmin, xmax))) in dst
            .chunks_exact_mut(c)
            .zip(&coefficients.bounds)
            .enumerate()
        {
            let k = &coefficients.weights[ox * coefficients.ksize..][..xmax];
            for (ch, out) in out.iter_mut().enumerate() {
                let mut sum = 1i32 << (PRECISION_BITS - 1);
                for (x, &w) in k.iter().enumerate() {
                    sum += src[(xmin + x) * c + ch] as i32 * w;
                }
                *out = clip8(sum);
            }
        }
    }
    Picture {
        width: out_w,
        height: rows,
        channels: c,
        data,
    }
}

/// Lanes of a 256-bit vector of `i32`.
#[cfg(target_arch = "x86_64")]
const LANES: usize = 8;

/// [`horizontal_pass`] with AVX2: each step widens 8 bytes of the row to 8 lanes of `i32` (two
/// RGB pixels and two bytes of the next one, or eight grey pixels), multiplies them by the
/// taps' weights laid out the same way (0 for the bytes past the step's pixels and past the
/// kernel) and adds them up. The additions come in another order than Pillow's, the sums are
/// the same: exact integers that never overflow (at most 255 × the sum of |weights|, about
/// 2^30).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn horizontal_pass_avx2(
    picture: &Picture,
    first_row: usize,
    rows: usize,
    coefficients: &Coefficients,
) -> Picture {
    match picture.channels {
        1 => horizontal_pass_avx2_n::<1>(picture, first_row, rows, coefficients),
        _ => horizontal_pass_avx2_n::<3>(picture, first_row, rows, coefficients),
    }
}

/// [`horizontal_pass_avx2`] for pictures of `C` channels (1 or 3).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn horizontal_pass_avx2_n<const C: usize>(
    picture: &Picture,
    first_row: usize,
    rows: usize,
    coefficients: &Coefficients,
) -> Picture {
    use std::arch::x86_64::{
        __m128i, __m256i, _mm_cvtsi128_si32, _mm_loadl_epi64, _mm_packs_epi32, _mm_packus_epi16,
        _mm256_add_epi32, _mm256_castsi256_si128, _mm256_cvtepu8_epi32, _mm256_loadu_si256,
        _mm256_mullo_epi32, _mm256_permutevar8x32_epi32, _mm256_set1_epi32, _mm256_setr_epi32,
        _mm256_setzero_si256, _mm256_srai_epi32, _mm256_storeu_si256,
    };
    let taps_per_step = LANES / C;
    let bytes_per_step = taps_per_step * C;
    let steps = coefficients.ksize.div_ceil(taps_per_step);
    // The bytes the steps of one output read, from its first pixel on.
    let span = (steps - 1) * bytes_per_step + LANES;
    let out_w = coefficients.bounds.len();
    let mut weights = vec![0i32; out_w * steps * LANES];
    for (kernel, lanes) in coefficients
        .weights
        .chunks_exact(coefficients.ksize)
        .zip(weights.chunks_exact_mut(steps * LANES))
    {
        for (t, &w) in kernel.iter().enumerate() {
            let lane = t / taps_per_step * LANES + t % taps_per_step * C;
            lanes[lane..lane + C].fill(w);
        }
    }
    let in_row = picture.width * C;
    // Rows near the end of the picture are copied into a buffer long enough for the last
    // pixel's span, so that no read passes its end.
    let reach = in_row + span;
    let mut padded = vec![0u8; reach];
    let mut data = vec![0u8; out_w * rows * C];
    let half = _mm256_set1_epi32(1 << (PRECISION_BITS - 1));
    let next_pixel = _mm256_setr_epi32(3, 4, 5, 7, 7, 7, 7, 7);
    for (y, dst) in data.chunks_exact_mut(out_w * C).enumerate() {
        let rest = &picture.data[(y + first_row) * in_row..];
        let src = if rest.len() >= reach {
            rest
        } else {
            padded[..in_row].copy_from_slice(&rest[..in_row]);
            &padded[..]
        };
        for ((out, &(xmin, _)), w) in dst
            .chunks_exact_mut(C)
            .zip(&coefficients.bounds)
            .zip(weights.chunks_exact(steps * LANES))
        {
            let bytes = &src[xmin * C..][..span];
            let mut sums = _mm256_setzero_si256();
            for (s, w) in w.chunks_exact(LANES).enumerate() {
                // SAFETY: step `s` reads the 8 bytes from `s * bytes_per_step`, within `bytes`
                // (`span` long), and the 8 `i32` (32 bytes) of `w`; neither load needs
                // alignment.
                let (px, w) = unsafe {
                    (
                        _mm256_cvtepu8_epi32(_mm_loadl_epi64(
                            bytes.as_ptr().add(s * bytes_per_step).cast::<__m128i>(),
                        )),
                        _mm256_loadu_si256(w.as_ptr().cast::<__m256i>()),
                    )
                };
                sums = _mm256_add_epi32(sums, _mm256_mullo_epi32(px, w));
            }
            if C == 3 {
                // Lanes 0..3 + lanes 3..6, rounded, shifted and saturated to 0..=255: clip8.
                let folded = _mm256_add_epi32(sums, _mm256_permutevar8x32_epi32(sums, next_pixel));
                let values =
                    _mm256_srai_epi32(_mm256_add_epi32(folded, half), PRECISION_BITS as i32);
                let low = _mm256_castsi256_si128(values);
                let packed = _mm_packus_epi16(_mm_packs_epi32(low, low), low);
                out.copy_from_slice(&_mm_cvtsi128_si32(packed).to_le_bytes()[..3]);
            } else {
                let mut lanes = [0i32; LANES];
                // SAFETY: `lanes` is the 32 bytes `_mm256_storeu_si256` writes.
                unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast::<__m256i>(), sums) };
                out[0] = clip8((1 << (PRECISION_BITS - 1)) + lanes.iter().sum::<i32>());
            }
        }
    }
    Picture {
        width: out_w,
        height: rows,
        channels: C,
        data,
    }
}

/// Pillow's `ImagingResampleVertical_8bpc`.
fn vertical_pass(picture: &Picture, coefficients: &Coefficients) -> Picture {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has just said it has AVX2.
        return unsafe { vertical_pass_avx2(picture, coefficients) };
    }
    vertical_pass_any(picture, coefficients)
}

/// [`vertical_pass_any`] compiled for AVX2 (see [`horizontal_pass_avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn vertical_pass_avx2(picture: &Picture, coefficients: &Coefficients) -> Picture {
    vertical_pass_any(picture, coefficients)
}

#[inline(always)]
fn vertical_pass_any(picture: &Picture, coefficients: &Coefficients) -> Picture {
    let row_len = picture.width * picture.channels;
    let out_h = coefficients.bounds.len();
    let mut data = vec![0u8; out_h * row_len];
    let mut sums = vec![0i32; row_len];
    for (yy, &(ymin, ymax)) in coefficients.bounds.iter().enumerate() {
        let k = &coefficients.weights[yy * coefficients.ksize..][..ymax];
        sums.fill(1 << (PRECISION_BITS - 1));
        for (y, &w) in k.iter().enumerate() {
            let row = &picture.data[(ymin + y) * row_len..][..row_len];
            for (s, &v) in sums.iter_mut().zip(row) {
                *s += v as i32 * w;
            }
        }
        for (d, &s) in data[yy * row_len..][..row_len].iter_mut().zip(&sums) {
            *d = clip8(s);
        }
    }
    Picture {
        width: picture.width,
        height: out_h,
        channels: picture.channels,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_keep_the_aspect_ratio_and_never_enlarge() {
        assert_eq!(thumbnail_size(1024, 1024, 540), Some((540, 540)));
        assert_eq!(thumbnail_size(2048, 1536, 144), Some((144, 108)));
        assert_eq!(thumbnail_size(1536, 2048, 144), Some((108, 144)));
        assert_eq!(thumbnail_size(100, 80, 144), None);
        assert_eq!(thumbnail_size(144, 144, 144), None);
        // Only one side too big: still scaled, never below 1 pixel.
        assert_eq!(thumbnail_size(100, 300, 144), Some((48, 144)));
        assert_eq!(thumbnail_size(10_000, 3, 144), Some((144, 1)));
    }

    fn noise(width: usize, height: usize, channels: usize, seed: u32) -> Picture {
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        let data = (0..width * height * channels)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 24) as u8
            })
            .collect();
        Picture {
            width,
            height,
            channels,
            data,
        }
    }

    #[test]
    fn the_vectorised_pass_sums_exactly_as_pillows_loops() {
        for (i, &(width, out_w, channels)) in [
            (1024, 540, 3),
            (1024, 144, 3),
            (342, 144, 3),
            (17, 5, 3),
            (640, 539, 1),
            (3, 2, 1),
            (1000, 999, 3),
        ]
        .iter()
        .enumerate()
        {
            let picture = noise(width, 7, channels, i as u32 + 1);
            let k = coefficients(width, 0.0, width as f32, out_w);
            // The scalar pass is Pillow's C loops as written: one value at a time, taps in
            // order.
            let pillow = horizontal_pass_scalar(&picture, 0, picture.height, &k);
            let dispatched = horizontal_pass(&picture, 0, picture.height, &k);
            let case = format!("{width} -> {out_w}, {channels} channel(s)");
            assert_eq!(dispatched.data, pillow.data, "{case}");
        }
    }

    #[test]
    fn a_flat_image_stays_flat_through_reduce_and_resample() {
        let picture = Picture {
            width: 1000,
            height: 700,
            channels: 3,
            data: [10u8, 128, 250].repeat(1000 * 700),
        };
        let small = thumbnail(&picture, 144);
        assert_eq!((small.width, small.height, small.channels), (144, 101, 3));
        assert!(small.data.chunks(3).all(|p| p == [10, 128, 250]));
    }
}
