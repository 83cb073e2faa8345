//! The segmentation zarr store: where the voxels of `Segmentation` and `ModelSegmentation` rows
//! live, shared with the Python platform (zarr v3 on the file system).
//!
//! The layout is the platform's: one group per kind of segmentation (`DataRepresentation.Binary`,
//! `model_vessels_1`, ...), in it one array per element type and shape, named
//! `{numpy dtype}_{D}_{H}_{W}.zarr`, of shape `(N, D, H, W)` and chunks `(1, D, H, W)`. A row's
//! `ZarrArrayIndex` is its position `i < N` along the first axis. Arrays are created on demand
//! with zarr-python 3.1's defaults for `create_array` (bytes codec, zstd level 0 without checksum,
//! fill value 0), so either side reads what the other wrote. Indices are `i64` in and out (a
//! row's `ZarrArrayIndex` as it is; negative ones are out of range).
//!
//! ```no_run
//! use eyened_orm::enums::DataType;
//! use eyened_orm::files::{ArrayKey, SegmentationStore};
//! use ndarray::ArrayD;
//!
//! # fn run() -> Result<(), eyened_orm::files::SegmentationStoreError> {
//! let store = SegmentationStore::open("segmentations.zarr")?;
//! let key = ArrayKey::new("DataRepresentation.Binary", DataType::R8UI, [1, 4, 5]);
//! let index = store.write(&key, None, ArrayD::<u8>::zeros(vec![1, 4, 5]).view())?; // appends
//! let back: ArrayD<u8> = store.read(&key, index)?;
//! # Ok(())
//! # }
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use zarrs::array::codec::ZstdCodec;
use zarrs::array::{
    Array, ArrayBuilder, ArrayCreateError, ArrayMetadata, ArrayMetadataOptions, Element,
    ElementOwned, data_type,
};
use zarrs::filesystem::FilesystemStore;
use zarrs::group::{Group, GroupBuilder, GroupCreateError};
use zarrs::node::{Node, NodeMetadata};

use crate::config::PlatformConfig;
use crate::enums::DataType;

/// The numpy dtype a segmentation's `DataType` is stored as: R8 and R8UI are `uint8` (R8 read as
/// a fraction of 255), R16UI `uint16`, R32UI `uint32`, R32F `float32`.
pub fn numpy_dtype(data_type: DataType) -> &'static str {
    match data_type {
        DataType::R8 | DataType::R8UI => "uint8",
        DataType::R16UI => "uint16",
        DataType::R32UI => "uint32",
        DataType::R32F => "float32",
    }
}

/// Where one segmentation's array is in the store: its group, element type and element shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArrayKey {
    /// The group (`DataRepresentation.Binary`, `model_vessels_1`, ...).
    pub group: String,
    /// The element type, as the row's `DataType`.
    pub data_type: DataType,
    /// The element shape `(Depth, Height, Width)`.
    pub shape: [u64; 3],
}

impl ArrayKey {
    /// The key of the array holding elements of `data_type` and `shape` in `group`.
    pub fn new(group: impl Into<String>, data_type: DataType, shape: [u64; 3]) -> Self {
        ArrayKey {
            group: group.into(),
            data_type,
            shape,
        }
    }

    /// The numpy dtype of the elements (`uint8`, `uint16`, `uint32`, `float32`).
    pub fn numpy_dtype(&self) -> &'static str {
        numpy_dtype(self.data_type)
    }

    /// The array's name in its group: `{numpy dtype}_{D}_{H}_{W}.zarr`.
    pub fn array_name(&self) -> String {
        let [d, h, w] = self.shape;
        format!("{}_{d}_{h}_{w}.zarr", self.numpy_dtype())
    }

    /// `group/array`, as errors name the array.
    pub fn display(&self) -> String {
        format!("{}/{}", self.group, self.array_name())
    }

    fn node_path(&self) -> String {
        format!("/{}/{}", self.group, self.array_name())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for u32 {}
    impl Sealed for f32 {}
}

/// An element type of segmentation data: `u8`, `u16`, `u32` or `f32`.
pub trait SegmentationElement:
    sealed::Sealed + Element + ElementOwned + Copy + Default + Send + Sync + 'static
{
    /// The numpy (and zarr v3) name of the type.
    const NUMPY_DTYPE: &'static str;
    /// Wraps an array of this type as a [`SegmentationArray`].
    fn into_any(data: ArrayD<Self>) -> SegmentationArray;
}

impl SegmentationElement for u8 {
    const NUMPY_DTYPE: &'static str = "uint8";
    fn into_any(data: ArrayD<Self>) -> SegmentationArray {
        SegmentationArray::U8(data)
    }
}
impl SegmentationElement for u16 {
    const NUMPY_DTYPE: &'static str = "uint16";
    fn into_any(data: ArrayD<Self>) -> SegmentationArray {
        SegmentationArray::U16(data)
    }
}
impl SegmentationElement for u32 {
    const NUMPY_DTYPE: &'static str = "uint32";
    fn into_any(data: ArrayD<Self>) -> SegmentationArray {
        SegmentationArray::U32(data)
    }
}
impl SegmentationElement for f32 {
    const NUMPY_DTYPE: &'static str = "float32";
    fn into_any(data: ArrayD<Self>) -> SegmentationArray {
        SegmentationArray::F32(data)
    }
}

/// Segmentation data of whichever element type the row says, for code that moves data without
/// looking at it (copies between stores).
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentationArray {
    /// `uint8` data (`DataType` R8 or R8UI).
    U8(ArrayD<u8>),
    /// `uint16` data (R16UI).
    U16(ArrayD<u16>),
    /// `uint32` data (R32UI).
    U32(ArrayD<u32>),
    /// `float32` data (R32F).
    F32(ArrayD<f32>),
}

impl SegmentationArray {
    /// The numpy dtype of the data.
    pub fn numpy_dtype(&self) -> &'static str {
        match self {
            SegmentationArray::U8(_) => u8::NUMPY_DTYPE,
            SegmentationArray::U16(_) => u16::NUMPY_DTYPE,
            SegmentationArray::U32(_) => u32::NUMPY_DTYPE,
            SegmentationArray::F32(_) => f32::NUMPY_DTYPE,
        }
    }

    /// The shape of the data.
    pub fn shape(&self) -> &[usize] {
        match self {
            SegmentationArray::U8(a) => a.shape(),
            SegmentationArray::U16(a) => a.shape(),
            SegmentationArray::U32(a) => a.shape(),
            SegmentationArray::F32(a) => a.shape(),
        }
    }
}

/// Errors of the segmentation store. Each names the store or the array and what to do.
#[derive(Debug, thiserror::Error)]
pub enum SegmentationStoreError {
    /// The store directory is missing or is not a zarr group (read-only open).
    #[error(
        "no segmentation zarr store at '{}': {reason}; check SEGMENTATIONS_ZARR_STORE",
        path.display()
    )]
    NotFound {
        /// The store's path.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The store could not be opened or created.
    #[error("cannot open the segmentation zarr store '{}': {reason}", path.display())]
    Open {
        /// The store's path.
        path: PathBuf,
        /// The cause.
        reason: String,
    },
    /// A write to a store opened read-only.
    #[error(
        "the segmentation zarr store '{}' was opened read-only; open it with SegmentationStore::open to write",
        path.display()
    )]
    ReadOnly {
        /// The store's path.
        path: PathBuf,
    },
    /// `ZarrArrayIndex` is not a position in the array.
    #[error(
        "ZarrArrayIndex {index} is out of range: array '{array}' has {len} elements; the row and the store disagree"
    )]
    IndexOutOfRange {
        /// `group/array`.
        array: String,
        /// The index asked for.
        index: i64,
        /// The array's length along axis 0.
        len: u64,
    },
    /// The data's shape is not the array's element shape.
    #[error(
        "data of shape {actual:?} does not fit array '{array}', whose elements are {expected:?}; write data of the segmentation's shape"
    )]
    ShapeMismatch {
        /// `group/array`.
        array: String,
        /// The shape the array wants.
        expected: Vec<u64>,
        /// The data's shape.
        actual: Vec<usize>,
    },
    /// The data's element type is not the array's.
    #[error(
        "data of type {actual} does not fit array '{array}', which holds {expected}; convert the data to the segmentation's DataType"
    )]
    DtypeMismatch {
        /// `group/array`.
        array: String,
        /// The array's numpy dtype.
        expected: String,
        /// The data's numpy dtype.
        actual: &'static str,
    },
    /// An array exists under the name but holds something else (written by other software).
    #[error(
        "array '{array}' in the store has element type {found_dtype} and shape {found_shape:?}, not what its name says; the store was changed outside the platform"
    )]
    ArrayMismatch {
        /// `group/array`.
        array: String,
        /// Its element type.
        found_dtype: String,
        /// Its shape.
        found_shape: Vec<u64>,
    },
    /// An axis that is not 0, 1 or 2.
    #[error("axis {axis} is not 0 (depth), 1 (height) or 2 (width)")]
    InvalidAxis {
        /// The axis given.
        axis: i64,
    },
    /// A slice index outside its axis.
    #[error("slice index {slice_index} is out of range: axis {axis} has {len} slices")]
    SliceOutOfRange {
        /// The axis.
        axis: usize,
        /// The slice asked for.
        slice_index: i64,
        /// The number of slices along the axis.
        len: u64,
    },
    /// 2-D data given to a full write.
    #[error(
        "2-D data of shape {shape:?} needs an axis: write it as a slice (write_slice) along the axis it lies across"
    )]
    NeedsAxis {
        /// The data's shape.
        shape: Vec<usize>,
    },
    /// zarr could not read or write.
    #[error("segmentation zarr store '{}', array '{array}': {reason}", path.display())]
    Zarr {
        /// The store's path.
        path: PathBuf,
        /// `group/array` (or the group).
        array: String,
        /// The cause.
        reason: String,
    },
}

type Result<T, E = SegmentationStoreError> = std::result::Result<T, E>;

/// The segmentation zarr store (a directory of zarr v3 groups and arrays).
///
/// Not safe against two processes appending to the same array at once (neither is the Python
/// platform's): each append reads the length, grows the array and writes the new element.
pub struct SegmentationStore {
    path: PathBuf,
    store: Arc<FilesystemStore>,
    read_only: bool,
}

impl std::fmt::Debug for SegmentationStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentationStore")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// The group and array summaries of [`SegmentationStore::tree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSummary {
    /// The group's name.
    pub name: String,
    /// Its arrays, sorted by name.
    pub arrays: Vec<ArraySummary>,
}

/// One array of a [`GroupSummary`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArraySummary {
    /// The array's name (`uint8_1_4_5.zarr`).
    pub name: String,
    /// Its shape `(N, D, H, W)`.
    pub shape: Vec<u64>,
    /// Its element type (`uint8`).
    pub dtype: String,
    /// Its chunk shape `(1, D, H, W)`.
    pub chunks: Vec<u64>,
}

impl SegmentationStore {
    /// Opens the store at `path` for reading and writing, creating it (and its root group) when
    /// it is missing, as the platform's `zarr.open_group(path, mode="a")` does.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let open_err = |reason: String| SegmentationStoreError::Open {
            path: path.clone(),
            reason,
        };
        std::fs::create_dir_all(&path).map_err(|e| open_err(e.to_string()))?;
        let store = Arc::new(FilesystemStore::new(&path).map_err(|e| open_err(e.to_string()))?);
        match Group::open(store.clone(), "/") {
            Ok(_) => {}
            Err(GroupCreateError::MissingMetadata) => {
                GroupBuilder::new()
                    .build(store.clone(), "/")
                    .and_then(|g| g.store_metadata().map_err(Into::into))
                    .map_err(|e| open_err(e.to_string()))?;
            }
            Err(e) => return Err(open_err(e.to_string())),
        }
        Ok(SegmentationStore {
            path,
            store,
            read_only: false,
        })
    }

    /// Opens the store named by `SEGMENTATIONS_ZARR_STORE`, creating it when missing.
    pub fn from_config(config: &PlatformConfig) -> Result<Self> {
        Self::open(&config.segmentations_zarr_store)
    }

    /// Opens an existing store for reading only; an error when `path` is not a zarr group.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let not_found = |reason: &str| SegmentationStoreError::NotFound {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        if !path.is_dir() {
            return Err(not_found(if path.exists() {
                "it is not a directory"
            } else {
                "it does not exist"
            }));
        }
        let store =
            Arc::new(
                FilesystemStore::new(&path).map_err(|e| SegmentationStoreError::Open {
                    path: path.clone(),
                    reason: e.to_string(),
                })?,
            );
        match Group::open(store.clone(), "/") {
            Ok(_) => {}
            Err(GroupCreateError::MissingMetadata) => {
                return Err(not_found("the directory has no zarr.json group metadata"));
            }
            Err(e) => {
                return Err(SegmentationStoreError::Open {
                    path,
                    reason: e.to_string(),
                });
            }
        }
        Ok(SegmentationStore {
            path,
            store,
            read_only: true,
        })
    }

    /// The store's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn zarr_err(&self, array: &str, err: impl std::fmt::Display) -> SegmentationStoreError {
        SegmentationStoreError::Zarr {
            path: self.path.clone(),
            array: array.to_owned(),
            reason: err.to_string(),
        }
    }

    /// Opens the array of `key` if it exists, checking that it holds what its name says.
    fn existing_array(&self, key: &ArrayKey) -> Result<Option<Array<FilesystemStore>>> {
        let array = match Array::open(self.store.clone(), &key.node_path()) {
            Ok(array) => array,
            Err(ArrayCreateError::MissingMetadata) => return Ok(None),
            Err(e) => return Err(self.zarr_err(&key.display(), e)),
        };
        let dtype = array_dtype(array.metadata());
        let shape = array.shape().to_vec();
        if dtype != key.numpy_dtype() || shape.len() != 4 || shape[1..] != key.shape {
            return Err(SegmentationStoreError::ArrayMismatch {
                array: key.display(),
                found_dtype: dtype,
                found_shape: shape,
            });
        }
        Ok(Some(array))
    }

    /// Opens the array of `key`, creating its group and the array (empty) when missing.
    fn array_for_write(&self, key: &ArrayKey) -> Result<Array<FilesystemStore>> {
        if self.read_only {
            return Err(SegmentationStoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        if let Some(array) = self.existing_array(key)? {
            return Ok(array);
        }
        let group_path = format!("/{}", key.group);
        match Group::open(self.store.clone(), &group_path) {
            Ok(_) => {}
            Err(GroupCreateError::MissingMetadata) => {
                GroupBuilder::new()
                    .build(self.store.clone(), &group_path)
                    .and_then(|g| g.store_metadata().map_err(Into::into))
                    .map_err(|e| self.zarr_err(&key.group, e))?;
            }
            Err(e) => return Err(self.zarr_err(&key.group, e)),
        }
        let [d, h, w] = key.shape;
        let (zarr_type, fill_value): (_, zarrs::array::FillValue) = match key.data_type {
            DataType::R8 | DataType::R8UI => (data_type::uint8(), 0u8.into()),
            DataType::R16UI => (data_type::uint16(), 0u16.into()),
            DataType::R32UI => (data_type::uint32(), 0u32.into()),
            DataType::R32F => (data_type::float32(), 0f32.into()),
        };
        // zarr-python 3.1's `create_array` defaults: bytes codec, zstd level 0, no checksum.
        let array = ArrayBuilder::new(vec![0, d, h, w], vec![1, d, h, w], zarr_type, fill_value)
            .bytes_to_bytes_codecs(vec![Arc::new(ZstdCodec::new(0, false))])
            .build(self.store.clone(), &key.node_path())
            .map_err(|e| self.zarr_err(&key.display(), e))?;
        self.store_array_metadata(&array, key)?;
        Ok(array)
    }

    /// Writes the array's `zarr.json` as zarr-python would, without zarrs' `_zarrs` attribute.
    fn store_array_metadata(&self, array: &Array<FilesystemStore>, key: &ArrayKey) -> Result<()> {
        let options = ArrayMetadataOptions::default().with_include_zarrs_metadata(false);
        array
            .store_metadata_opt(&options)
            .map_err(|e| self.zarr_err(&key.display(), e))
    }

    /// Sets the length of the array in its `zarr.json`, changing nothing else: zarrs would write
    /// the whole metadata in its own spelling (a codec without configuration as a bare string),
    /// which zarr-python 3.1 cannot read back.
    fn store_shape(&self, key: &ArrayKey, len: u64) -> Result<()> {
        let path = self
            .path
            .join(&key.group)
            .join(key.array_name())
            .join("zarr.json");
        let fail = |reason: String| self.zarr_err(&key.display(), reason);
        let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
        let mut meta: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| fail(format!("zarr.json: {e}")))?;
        match meta.get_mut("shape").and_then(|s| s.get_mut(0)) {
            Some(first) => *first = len.into(),
            None => return Err(fail("zarr.json has no shape".into())),
        }
        let mut text = serde_json::to_string_pretty(&meta).expect("JSON values serialize");
        text.push('\n');
        // Written aside, then renamed over: a reader never sees half a file.
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(|e| fail(e.to_string()))?;
        std::fs::rename(&tmp, &path).map_err(|e| fail(e.to_string()))
    }

    /// The number of elements in the array of `key` (0 when it does not exist yet).
    pub fn len(&self, key: &ArrayKey) -> Result<u64> {
        Ok(self.existing_array(key)?.map(|a| a.shape()[0]).unwrap_or(0))
    }

    fn check_element<T: SegmentationElement>(&self, key: &ArrayKey) -> Result<()> {
        if T::NUMPY_DTYPE != key.numpy_dtype() {
            return Err(SegmentationStoreError::DtypeMismatch {
                array: key.display(),
                expected: key.numpy_dtype().to_owned(),
                actual: T::NUMPY_DTYPE,
            });
        }
        Ok(())
    }

    fn check_index(&self, key: &ArrayKey, index: i64, len: u64) -> Result<u64> {
        match u64::try_from(index) {
            Ok(i) if i < len => Ok(i),
            _ => Err(SegmentationStoreError::IndexOutOfRange {
                array: key.display(),
                index,
                len,
            }),
        }
    }

    /// Appends `element` (shape `(D, H, W)`) to the array and returns its index.
    fn append<T: SegmentationElement>(
        &self,
        array: &mut Array<FilesystemStore>,
        key: &ArrayKey,
        element: ArrayViewD<'_, T>,
    ) -> Result<u64> {
        let mut shape = array.shape().to_vec();
        let index = shape[0];
        shape[0] += 1;
        self.store_shape(key, shape[0])?;
        array
            .set_shape(shape)
            .map_err(|e| self.zarr_err(&key.display(), e))?;
        self.store_element(array, key, index, element)?;
        Ok(index)
    }

    fn store_element<T: SegmentationElement>(
        &self,
        array: &Array<FilesystemStore>,
        key: &ArrayKey,
        index: u64,
        element: ArrayViewD<'_, T>,
    ) -> Result<()> {
        let chunk = element
            .insert_axis(Axis(0))
            .as_standard_layout()
            .into_owned();
        array
            .store_chunk(&[index, 0, 0, 0], chunk)
            .map_err(|e| self.zarr_err(&key.display(), e))
    }

    /// Writes a whole element (shape `(D, H, W)`): appends it when `index` is `None` and returns
    /// the new index, else overwrites the element at `index`, which must exist.
    pub fn write<T: SegmentationElement>(
        &self,
        key: &ArrayKey,
        index: Option<i64>,
        data: ArrayViewD<'_, T>,
    ) -> Result<i64> {
        self.check_element::<T>(key)?;
        if data.ndim() == 2 {
            return Err(SegmentationStoreError::NeedsAxis {
                shape: data.shape().to_vec(),
            });
        }
        if data.shape().iter().map(|&n| n as u64).ne(key.shape) {
            return Err(SegmentationStoreError::ShapeMismatch {
                array: key.display(),
                expected: key.shape.to_vec(),
                actual: data.shape().to_vec(),
            });
        }
        let mut array = self.array_for_write(key)?;
        let index = match index {
            None => self.append(&mut array, key, data)?,
            Some(index) => {
                let index = self.check_index(key, index, array.shape()[0])?;
                self.store_element(&array, key, index, data)?;
                index
            }
        };
        Ok(index as i64)
    }

    /// Writes one 2-D slice at `slice_index` along `axis` (0 depth, 1 height, 2 width) of the
    /// element at `index`; with `index` `None` a zeroed element is appended first. Returns the
    /// element's index.
    pub fn write_slice<T: SegmentationElement>(
        &self,
        key: &ArrayKey,
        index: Option<i64>,
        axis: i64,
        slice_index: i64,
        data: ArrayViewD<'_, T>,
    ) -> Result<i64> {
        self.check_element::<T>(key)?;
        let axis = check_axis(axis)?;
        let len = key.shape[axis];
        let slice = match u64::try_from(slice_index) {
            Ok(s) if s < len => s as usize,
            _ => {
                return Err(SegmentationStoreError::SliceOutOfRange {
                    axis,
                    slice_index,
                    len,
                });
            }
        };
        let mut expected = key.shape.to_vec();
        expected.remove(axis);
        if data
            .shape()
            .iter()
            .map(|&n| n as u64)
            .ne(expected.iter().copied())
        {
            return Err(SegmentationStoreError::ShapeMismatch {
                array: key.display(),
                expected,
                actual: data.shape().to_vec(),
            });
        }
        let mut array = self.array_for_write(key)?;
        let dims = key.shape.map(|n| n as usize);
        let (index, mut element) = match index {
            None => {
                let zeros = ArrayD::<T>::default(IxDyn(&dims));
                (self.append(&mut array, key, zeros.view())?, zeros)
            }
            Some(index) => {
                let index = self.check_index(key, index, array.shape()[0])?;
                (index, self.retrieve_element::<T>(&array, key, index)?)
            }
        };
        element.index_axis_mut(Axis(axis), slice).assign(&data);
        self.store_element(&array, key, index, element.view())?;
        Ok(index as i64)
    }

    fn retrieve_element<T: SegmentationElement>(
        &self,
        array: &Array<FilesystemStore>,
        key: &ArrayKey,
        index: u64,
    ) -> Result<ArrayD<T>> {
        let chunk = array
            .retrieve_chunk::<ArrayD<T>>(&[index, 0, 0, 0])
            .map_err(|e| self.zarr_err(&key.display(), e))?;
        Ok(chunk.index_axis_move(Axis(0), 0))
    }

    fn array_for_read(&self, key: &ArrayKey, index: i64) -> Result<(Array<FilesystemStore>, u64)> {
        match self.existing_array(key)? {
            Some(array) => {
                let index = self.check_index(key, index, array.shape()[0])?;
                Ok((array, index))
            }
            None => Err(SegmentationStoreError::IndexOutOfRange {
                array: key.display(),
                index,
                len: 0,
            }),
        }
    }

    /// Reads the element at `index` (shape `(D, H, W)`).
    pub fn read<T: SegmentationElement>(&self, key: &ArrayKey, index: i64) -> Result<ArrayD<T>> {
        self.check_element::<T>(key)?;
        let (array, index) = self.array_for_read(key, index)?;
        self.retrieve_element(&array, key, index)
    }

    /// Reads slice `slice_index` along `axis` of the element at `index` (2-D).
    pub fn read_slice<T: SegmentationElement>(
        &self,
        key: &ArrayKey,
        index: i64,
        axis: i64,
        slice_index: i64,
    ) -> Result<ArrayD<T>> {
        self.check_element::<T>(key)?;
        let axis = check_axis(axis)?;
        let len = key.shape[axis];
        let slice = match u64::try_from(slice_index) {
            Ok(s) if s < len => s as usize,
            _ => {
                return Err(SegmentationStoreError::SliceOutOfRange {
                    axis,
                    slice_index,
                    len,
                });
            }
        };
        let (array, index) = self.array_for_read(key, index)?;
        Ok(self
            .retrieve_element::<T>(&array, key, index)?
            .index_axis_move(Axis(axis), slice))
    }

    /// Reads the element at `index` whatever its element type.
    pub fn read_any(&self, key: &ArrayKey, index: i64) -> Result<SegmentationArray> {
        Ok(match key.data_type {
            DataType::R8 | DataType::R8UI => SegmentationArray::U8(self.read(key, index)?),
            DataType::R16UI => SegmentationArray::U16(self.read(key, index)?),
            DataType::R32UI => SegmentationArray::U32(self.read(key, index)?),
            DataType::R32F => SegmentationArray::F32(self.read(key, index)?),
        })
    }

    /// [`write`](Self::write) for data of any element type (which must still be the key's).
    pub fn write_any(
        &self,
        key: &ArrayKey,
        index: Option<i64>,
        data: &SegmentationArray,
    ) -> Result<i64> {
        match data {
            SegmentationArray::U8(a) => self.write(key, index, a.view()),
            SegmentationArray::U16(a) => self.write(key, index, a.view()),
            SegmentationArray::U32(a) => self.write(key, index, a.view()),
            SegmentationArray::F32(a) => self.write(key, index, a.view()),
        }
    }

    /// Deletes the element at `index` by zeroing it; indices of other elements do not change.
    pub fn delete(&self, key: &ArrayKey, index: i64) -> Result<()> {
        if self.read_only {
            return Err(SegmentationStoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        let (array, index) = self.array_for_read(key, index)?;
        // An all-fill-value chunk is removed from the store rather than written, as zarr-python
        // does by default; either way it reads back as zeros.
        array
            .erase_chunk(&[index, 0, 0, 0])
            .map_err(|e| self.zarr_err(&key.display(), e))
    }

    /// Every group of the store, sorted by name, with its arrays (sorted) and their shapes,
    /// element types and chunk shapes.
    pub fn tree(&self) -> Result<Vec<GroupSummary>> {
        let root = Node::open(&self.store, "/").map_err(|e| self.zarr_err("/", e))?;
        let mut groups = Vec::new();
        for child in root.children() {
            if !matches!(child.metadata(), NodeMetadata::Group(_)) {
                continue;
            }
            let mut arrays: Vec<ArraySummary> = child
                .children()
                .iter()
                .filter_map(|node| match node.metadata() {
                    NodeMetadata::Array(meta) => Some(ArraySummary {
                        name: node.name().as_str().to_owned(),
                        shape: array_shape(meta),
                        dtype: array_dtype(meta),
                        chunks: array_chunks(meta),
                    }),
                    NodeMetadata::Group(_) => None,
                })
                .collect();
            arrays.sort_by(|a, b| a.name.cmp(&b.name));
            groups.push(GroupSummary {
                name: child.name().as_str().to_owned(),
                arrays,
            });
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(groups)
    }
}

fn check_axis(axis: i64) -> Result<usize> {
    match axis {
        0..=2 => Ok(axis as usize),
        _ => Err(SegmentationStoreError::InvalidAxis { axis }),
    }
}

fn array_shape(meta: &ArrayMetadata) -> Vec<u64> {
    match meta {
        ArrayMetadata::V3(m) => m.shape.clone(),
        ArrayMetadata::V2(m) => m.shape.clone(),
    }
}

fn array_dtype(meta: &ArrayMetadata) -> String {
    match meta {
        ArrayMetadata::V3(m) => m.data_type.name().to_owned(),
        ArrayMetadata::V2(m) => format!("{:?}", m.dtype),
    }
}

fn array_chunks(meta: &ArrayMetadata) -> Vec<u64> {
    match meta {
        ArrayMetadata::V3(m) => m
            .chunk_grid
            .configuration()
            .and_then(|c| c.get("chunk_shape"))
            .and_then(|v| v.as_array())
            .map(|dims| dims.iter().filter_map(|d| d.as_u64()).collect())
            .unwrap_or_default(),
        ArrayMetadata::V2(m) => m.chunks.iter().map(|n| n.get()).collect(),
    }
}
