//! Pixels of an image file as an n-dimensional array, with the shape, element type and bytes
//! numpy gives in the Python platform (`ImageInstance.pixel_array`).
//!
//! Which reader is used depends on the path, as in Python: `.dcm` is DICOM (as pydicom 3's
//! `pixel_array`), `.binary` is raw `uint8` reshaped to `(-1, Rows_y, Columns_x)`, a
//! `[png_series_N]dir/name.png` identifier stands for the N files `dir/name_0.png` ...
//! `dir/name_{N-1}.png` stacked and squeezed, and anything else is read as Pillow reads it
//! (`np.asarray(PIL.Image.open(path))`), recognised by its content.

mod dicom;
mod raster;

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, Axis, IxDyn};

use super::FileError;

/// An image's pixels, in the element type numpy would hold them in.
///
/// Arrays are in standard (C) order. Shapes follow numpy: `(rows, columns)` for a greyscale
/// image, `(rows, columns, samples)` for colour, `(frames, rows, columns[, samples])` for a
/// volume.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PixelArray {
    /// `uint8`: 8-bit images, palette indices, DICOM with 8 (or 1) bits allocated.
    U8(ArrayD<u8>),
    /// `uint16`: 16-bit greyscale PNG, unsigned 16-bit DICOM.
    U16(ArrayD<u16>),
    /// `int16`: signed 16-bit DICOM.
    I16(ArrayD<i16>),
    /// `uint32`: unsigned 32-bit DICOM.
    U32(ArrayD<u32>),
    /// `int32`: signed 32-bit DICOM, Pillow's mode `I`.
    I32(ArrayD<i32>),
    /// `float32`: DICOM float pixel data, Pillow's mode `F`.
    F32(ArrayD<f32>),
    /// `float64`: DICOM double float pixel data.
    F64(ArrayD<f64>),
    /// `bool`: 1-bit images (Pillow's mode `1`). One byte per pixel; as in the arrays numpy makes
    /// from Pillow's mode `1`, a `true` pixel's byte is 255 (not numpy's usual 1), which is what
    /// the Python platform's DataHash hashes.
    Bool(ArrayD<bool>),
    /// `int8`: signed 8-bit DICOM.
    I8(ArrayD<i8>),
}

/// Calls `$body` with `$a` bound to the array inside any variant.
macro_rules! with_array {
    ($pixels:expr, $a:ident => $body:expr) => {
        match $pixels {
            PixelArray::U8($a) => $body,
            PixelArray::U16($a) => $body,
            PixelArray::I16($a) => $body,
            PixelArray::U32($a) => $body,
            PixelArray::I32($a) => $body,
            PixelArray::F32($a) => $body,
            PixelArray::F64($a) => $body,
            PixelArray::Bool($a) => $body,
            PixelArray::I8($a) => $body,
        }
    };
}

/// Element types whose little-endian bytes are what numpy's `tobytes()` gives on x86.
trait LeBytes: Copy {
    const SIZE: usize;
    fn put_le(self, out: &mut Vec<u8>);
    /// `values`' bytes as they are in memory, when that is their little-endian form.
    fn as_le_bytes(values: &[Self]) -> Option<&[u8]>;
}

macro_rules! le_bytes {
    ($($t:ty),*) => {$(
        impl LeBytes for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn as_le_bytes(values: &[Self]) -> Option<&[u8]> {
                cfg!(target_endian = "little").then(|| bytemuck::cast_slice(values))
            }
        }
    )*};
}
le_bytes!(u8, u16, i16, u32, i32, f32, f64, i8);

impl LeBytes for bool {
    const SIZE: usize = 1;
    fn put_le(self, out: &mut Vec<u8>) {
        out.push(if self { 0xFF } else { 0 });
    }
    /// `true` is stored as 1 but hashed as 255 (Pillow's mode "1" as numpy gives it).
    fn as_le_bytes(_: &[Self]) -> Option<&[u8]> {
        None
    }
}

/// Feeds `array`'s bytes, in C order, to `sink`: in one piece when the array's memory already
/// holds them, else converted in chunks of at most about 64 KiB.
fn for_each_chunk<T: LeBytes>(array: &ArrayD<T>, sink: &mut dyn FnMut(&[u8])) {
    if let Some(bytes) = array.as_slice().and_then(T::as_le_bytes) {
        sink(bytes);
        return;
    }
    const CHUNK: usize = 64 * 1024;
    let mut buf = Vec::with_capacity(CHUNK.min(array.len() * T::SIZE) + T::SIZE);
    for &v in array.iter() {
        v.put_le(&mut buf);
        if buf.len() >= CHUNK {
            sink(&buf);
            buf.clear();
        }
    }
    if !buf.is_empty() {
        sink(&buf);
    }
}

impl PixelArray {
    /// The shape, as numpy's `arr.shape`.
    pub fn shape(&self) -> &[usize] {
        with_array!(self, a => a.shape())
    }

    /// numpy's name of the element type: `"uint8"`, `"uint16"`, `"int16"`, `"uint32"`,
    /// `"int32"`, `"float32"`, `"float64"`, `"bool"`, `"int8"`.
    pub fn dtype(&self) -> &'static str {
        match self {
            PixelArray::U8(_) => "uint8",
            PixelArray::U16(_) => "uint16",
            PixelArray::I16(_) => "int16",
            PixelArray::U32(_) => "uint32",
            PixelArray::I32(_) => "int32",
            PixelArray::F32(_) => "float32",
            PixelArray::F64(_) => "float64",
            PixelArray::Bool(_) => "bool",
            PixelArray::I8(_) => "int8",
        }
    }

    /// The number of elements (the product of the shape).
    pub fn len(&self) -> usize {
        with_array!(self, a => a.len())
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pixels as bytes: C order, little endian, as `np.ascontiguousarray(a).tobytes()` on
    /// x86.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.for_each_le_chunk(&mut |chunk| out.extend_from_slice(chunk));
        out
    }

    /// Feeds the bytes of [`PixelArray::to_le_bytes`] to `sink` in pieces, without holding a
    /// second copy of the image; for hashing.
    pub fn for_each_le_chunk(&self, sink: &mut dyn FnMut(&[u8])) {
        with_array!(self, a => for_each_chunk(a, sink))
    }

    /// numpy's `squeeze()`: every axis of length 1 removed.
    pub fn squeeze(self) -> PixelArray {
        fn squeeze<T>(mut a: ArrayD<T>) -> ArrayD<T> {
            let mut axis = a.ndim();
            while axis > 0 {
                axis -= 1;
                if a.shape()[axis] == 1 {
                    a = a.remove_axis(Axis(axis));
                }
            }
            a
        }
        match self {
            PixelArray::U8(a) => PixelArray::U8(squeeze(a)),
            PixelArray::U16(a) => PixelArray::U16(squeeze(a)),
            PixelArray::I16(a) => PixelArray::I16(squeeze(a)),
            PixelArray::U32(a) => PixelArray::U32(squeeze(a)),
            PixelArray::I32(a) => PixelArray::I32(squeeze(a)),
            PixelArray::F32(a) => PixelArray::F32(squeeze(a)),
            PixelArray::F64(a) => PixelArray::F64(squeeze(a)),
            PixelArray::Bool(a) => PixelArray::Bool(squeeze(a)),
            PixelArray::I8(a) => PixelArray::I8(squeeze(a)),
        }
    }
}

/// Reads the pixels of the image at `path` (`images_basepath` joined with the
/// `DatasetIdentifier`), choosing the reader as the Python platform does (see the module
/// documentation). `rows` and `columns` (`Rows_y`, `Columns_x`) are needed for `.binary` files
/// only.
pub fn load_pixels(
    path: &Path,
    rows: Option<i32>,
    columns: Option<i32>,
) -> Result<PixelArray, FileError> {
    if let Some((count, base)) = png_series(path)? {
        return load_png_series(&base, count);
    }
    let bytes = std::fs::read(path).map_err(|e| FileError::io(path, e))?;
    decode_file(path, &bytes, rows, columns)
}

/// Whether `path` is a `[png_series_N]` identifier (no single file holds its pixels).
pub(crate) fn is_png_series(path: &Path) -> bool {
    !is_dicom_or_binary(path) && matches!(png_series(path), Ok(Some(_)) | Err(_))
}

fn is_dicom_or_binary(path: &Path) -> bool {
    let text = path.to_string_lossy();
    text.ends_with(".dcm") || text.ends_with(".binary")
}

/// The pixels of the file at `path` whose content is `bytes` (not a PNG series).
pub(crate) fn decode_file(
    path: &Path,
    bytes: &[u8],
    rows: Option<i32>,
    columns: Option<i32>,
) -> Result<PixelArray, FileError> {
    let text = path.to_string_lossy();
    if text.ends_with(".dcm") {
        dicom::decode(path, bytes)
    } else if text.ends_with(".binary") {
        decode_binary(path, bytes, rows, columns)
    } else {
        raster::decode(path, bytes)
    }
}

/// The `(N, base)` of a path whose last `[png_series_N]` component starts the
/// `DatasetIdentifier`: `/images/[png_series_3]a/b.png` gives `(3, /images/a/b.png)`.
fn png_series(path: &Path) -> Result<Option<(usize, PathBuf)>, FileError> {
    if is_dicom_or_binary(path) {
        return Ok(None);
    }
    const PREFIX: &str = "[png_series_";
    let text = path.to_string_lossy();
    let start = match text.rfind(&format!("/{PREFIX}")) {
        Some(slash) => slash + 1,
        None if text.starts_with(PREFIX) => 0,
        None => return Ok(None),
    };
    let rest = &text[start + PREFIX.len()..];
    let bad = |detail: String| FileError::ShapeMismatch {
        path: path.to_owned(),
        detail,
    };
    let (count, file) = rest
        .split_once(']')
        .ok_or_else(|| bad("a [png_series_N] prefix without its closing ']'".into()))?;
    let count: usize = count.parse().map_err(|_| {
        bad(format!(
            "'{count}' in [png_series_N] is not a number of files"
        ))
    })?;
    Ok(Some((
        count,
        PathBuf::from(format!("{}{file}", &text[..start])),
    )))
}

/// The frames `stem_0.png` ... next to `base`, stacked on a new first axis and squeezed, as
/// `np.array([...]).squeeze()`.
fn load_png_series(base: &Path, count: usize) -> Result<PixelArray, FileError> {
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = base.parent().unwrap_or(Path::new(""));
    let frames = (0..count)
        .map(|i| raster::load(&dir.join(format!("{stem}_{i}.png"))))
        .collect::<Result<Vec<_>, _>>()?;
    stack(base, frames).map(PixelArray::squeeze)
}

fn stack(base: &Path, frames: Vec<PixelArray>) -> Result<PixelArray, FileError> {
    fn stack_of<T: Clone>(base: &Path, frames: Vec<ArrayD<T>>) -> Result<ArrayD<T>, FileError> {
        if frames.is_empty() {
            return Ok(ArrayD::from_shape_vec(IxDyn(&[0]), Vec::new()).expect("empty shape"));
        }
        let views: Vec<_> = frames
            .iter()
            .map(|f| f.view().insert_axis(Axis(0)))
            .collect();
        ndarray::concatenate(Axis(0), &views).map_err(|_| FileError::ShapeMismatch {
            path: base.to_owned(),
            detail: format!(
                "the PNG series' files differ in shape ({:?}); they must all be alike",
                frames
                    .iter()
                    .map(|f| f.shape().to_vec())
                    .collect::<Vec<_>>()
            ),
        })
    }
    let first_dtype = frames.first().map(PixelArray::dtype).unwrap_or("uint8");
    macro_rules! all_of {
        ($variant:ident) => {{
            let mut arrays = Vec::with_capacity(frames.len());
            for frame in frames {
                match frame {
                    PixelArray::$variant(a) => arrays.push(a),
                    other => {
                        return Err(FileError::ShapeMismatch {
                            path: base.to_owned(),
                            detail: format!(
                                "the PNG series mixes {first_dtype} and {} files",
                                other.dtype()
                            ),
                        });
                    }
                }
            }
            Ok(PixelArray::$variant(stack_of(base, arrays)?))
        }};
    }
    match frames.first() {
        None | Some(PixelArray::U8(_)) => all_of!(U8),
        Some(PixelArray::U16(_)) => all_of!(U16),
        Some(PixelArray::I16(_)) => all_of!(I16),
        Some(PixelArray::U32(_)) => all_of!(U32),
        Some(PixelArray::I32(_)) => all_of!(I32),
        Some(PixelArray::F32(_)) => all_of!(F32),
        Some(PixelArray::F64(_)) => all_of!(F64),
        Some(PixelArray::Bool(_)) => all_of!(Bool),
        Some(PixelArray::I8(_)) => all_of!(I8),
    }
}

/// Raw `uint8` reshaped to `(-1, rows, columns)`.
fn decode_binary(
    path: &Path,
    bytes: &[u8],
    rows: Option<i32>,
    columns: Option<i32>,
) -> Result<PixelArray, FileError> {
    let bad = |detail: String| FileError::ShapeMismatch {
        path: path.to_owned(),
        detail,
    };
    let (Some(rows), Some(columns)) = (rows, columns) else {
        return Err(bad(
            "a .binary file needs Rows_y and Columns_x to be set on its row".into(),
        ));
    };
    let (Ok(rows @ 1..), Ok(columns @ 1..)) = (usize::try_from(rows), usize::try_from(columns))
    else {
        return Err(bad(format!(
            "Rows_y {rows} and Columns_x {columns} must be positive to reshape a .binary file"
        )));
    };
    let frame = rows * columns;
    if !bytes.len().is_multiple_of(frame) {
        return Err(bad(format!(
            "{} bytes is not a whole number of {rows}x{columns} frames",
            bytes.len()
        )));
    }
    let shape = [bytes.len() / frame, rows, columns];
    Ok(PixelArray::U8(
        ArrayD::from_shape_vec(IxDyn(&shape), bytes.to_vec()).expect("size checked above"),
    ))
}
