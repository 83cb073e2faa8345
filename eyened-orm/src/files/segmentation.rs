//! Reading and writing a `Segmentation`'s or `ModelSegmentation`'s voxels in the segmentation
//! store, keeping the row's `ZarrArrayIndex` and `ScanIndices` in step (the Python platform's
//! `SegmentationBase.write_data` / `read_data`).
//!
//! The methods change the model in memory only; save it (`into_active_model`, then `update`)
//! after a write that appended (a new `ZarrArrayIndex`) or added a slice to `ScanIndices`.
//!
//! ```no_run
//! use eyened_orm::Segmentation;
//! use eyened_orm::files::{SegmentationBase, SegmentationStore};
//! use ndarray::ArrayD;
//!
//! # fn run(mut seg: Segmentation) -> Result<(), eyened_orm::files::SegmentationStoreError> {
//! let store = SegmentationStore::open("segmentations.zarr")?;
//! let shape: Vec<usize> = seg.shape().iter().map(|&n| n as usize).collect();
//! seg.write_data(&store, ArrayD::<u8>::zeros(shape).view())?; // sets seg.zarr_array_index
//! let data: Option<ArrayD<u8>> = seg.read_data(&store)?;
//! # Ok(())
//! # }
//! ```

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use sea_orm::entity::prelude::Json;

use super::segmentation_store::{
    ArrayKey, SegmentationElement, SegmentationStore, SegmentationStoreError, numpy_dtype,
};
use crate::enums::{DataRepresentation, DataType};
use crate::{Model, ModelSegmentation, Segmentation};

type Result<T, E = SegmentationStoreError> = std::result::Result<T, E>;

/// The group of `ModelSegmentation` rows whose model is unknown.
pub const UNKNOWN_MODEL_GROUP: &str = "model_name_unknown";

/// The columns `Segmentation` and `ModelSegmentation` share (the Python `SegmentationBase`
/// mixin), and what follows from them.
pub trait SegmentationBase {
    /// `(Depth, Height, Width)`; a negative column counts as 0.
    fn shape(&self) -> [u64; 3];
    /// The row's `DataType`.
    fn data_type(&self) -> DataType;
    /// The row's `SparseAxis`.
    fn sparse_axis(&self) -> Option<i32>;
    /// The row's `ZarrArrayIndex`.
    fn zarr_array_index(&self) -> Option<i32>;
    /// Sets `ZarrArrayIndex` (in memory).
    fn set_zarr_array_index(&mut self, index: Option<i32>);
    /// The row's `ScanIndices`.
    fn scan_indices(&self) -> Option<&Json>;
    /// Sets `ScanIndices` (in memory).
    fn set_scan_indices(&mut self, indices: Option<Json>);

    /// All three dimensions larger than 1.
    fn is_3d(&self) -> bool {
        self.shape().iter().all(|&n| n > 1)
    }
    /// Sparse: only some slices along `SparseAxis` hold data.
    fn is_sparse(&self) -> bool {
        self.sparse_axis().is_some()
    }
    /// The numpy dtype the data is stored as (`uint8`, `uint16`, `uint32`, `float32`).
    fn numpy_dtype(&self) -> &'static str {
        numpy_dtype(self.data_type())
    }
}

macro_rules! impl_segmentation_base {
    ($model:ty) => {
        impl SegmentationBase for $model {
            fn shape(&self) -> [u64; 3] {
                [self.depth, self.height, self.width].map(|n| u64::try_from(n).unwrap_or(0))
            }
            fn data_type(&self) -> DataType {
                self.data_type
            }
            fn sparse_axis(&self) -> Option<i32> {
                self.sparse_axis
            }
            fn zarr_array_index(&self) -> Option<i32> {
                self.zarr_array_index
            }
            fn set_zarr_array_index(&mut self, index: Option<i32>) {
                self.zarr_array_index = index;
            }
            fn scan_indices(&self) -> Option<&Json> {
                self.scan_indices.as_ref()
            }
            fn set_scan_indices(&mut self, indices: Option<Json>) {
                self.scan_indices = indices;
            }
        }
    };
}
impl_segmentation_base!(Segmentation);
impl_segmentation_base!(ModelSegmentation);

/// Where a 2-D write goes: `slice_index` along `axis` (0 depth, 1 height, 2 width). Without a
/// slice index the data goes to slice 0 (an en-face projection) and `ScanIndices` is left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceWrite {
    /// The axis the slice lies across.
    pub axis: i64,
    /// The slice, or `None` for slice 0 of a projection.
    pub slice_index: Option<i64>,
}

/// The group name of `DataRepresentation` as the platform writes it: `DataRepresentation.Binary`.
pub fn representation_group(representation: DataRepresentation) -> String {
    format!("DataRepresentation.{}", representation.as_ref())
}

/// The group name of a model's segmentations: `model_{ModelName}_{Version}`, or
/// `model_name_unknown` without a model.
pub fn model_group(model: Option<&Model>) -> String {
    match model {
        Some(m) => format!("model_{}_{}", m.model_name, m.version),
        None => UNKNOWN_MODEL_GROUP.to_owned(),
    }
}

fn key_of(seg: &impl SegmentationBase, group: String) -> ArrayKey {
    ArrayKey::new(group, seg.data_type(), seg.shape())
}

fn stored_index(key: &ArrayKey, index: i64) -> Result<i32> {
    i32::try_from(index).map_err(|_| SegmentationStoreError::IndexOutOfRange {
        array: key.display(),
        index,
        len: i32::MAX as u64,
    })
}

fn write_data<T: SegmentationElement>(
    seg: &mut impl SegmentationBase,
    store: &SegmentationStore,
    group: String,
    data: ArrayViewD<'_, T>,
) -> Result<i32> {
    let key = key_of(seg, group);
    let index = store.write(&key, seg.zarr_array_index().map(i64::from), data)?;
    let index = stored_index(&key, index)?;
    seg.set_zarr_array_index(Some(index));
    Ok(index)
}

fn write_slice<T: SegmentationElement>(
    seg: &mut impl SegmentationBase,
    store: &SegmentationStore,
    group: String,
    at: SliceWrite,
    data: ArrayViewD<'_, T>,
) -> Result<i32> {
    let key = key_of(seg, group);
    let index = store.write_slice(
        &key,
        seg.zarr_array_index().map(i64::from),
        at.axis,
        at.slice_index.unwrap_or(0),
        data,
    )?;
    let index = stored_index(&key, index)?;
    seg.set_zarr_array_index(Some(index));
    // Only a list already there is extended: NULL ScanIndices means dense, every slice valid.
    if let (Some(slice), Some(Json::Array(list)), Some(sparse_axis)) =
        (at.slice_index, seg.scan_indices(), seg.sparse_axis())
        && i64::from(sparse_axis) == at.axis
        && !list.iter().any(|v| v.as_i64() == Some(slice))
    {
        let mut list = list.clone();
        list.push(Json::from(slice));
        seg.set_scan_indices(Some(Json::Array(list)));
    }
    Ok(index)
}

fn write_empty(
    seg: &mut impl SegmentationBase,
    store: &SegmentationStore,
    group: String,
) -> Result<i32> {
    let dims: Vec<usize> = seg.shape().iter().map(|&n| n as usize).collect();
    match seg.data_type() {
        DataType::R8 | DataType::R8UI => {
            write_data(seg, store, group, ArrayD::<u8>::zeros(IxDyn(&dims)).view())
        }
        DataType::R16UI => write_data(seg, store, group, ArrayD::<u16>::zeros(IxDyn(&dims)).view()),
        DataType::R32UI => write_data(seg, store, group, ArrayD::<u32>::zeros(IxDyn(&dims)).view()),
        DataType::R32F => write_data(seg, store, group, ArrayD::<f32>::zeros(IxDyn(&dims)).view()),
    }
}

fn read_data<T: SegmentationElement>(
    seg: &impl SegmentationBase,
    store: &SegmentationStore,
    group: String,
) -> Result<Option<ArrayD<T>>> {
    let Some(index) = seg.zarr_array_index() else {
        return Ok(None);
    };
    store.read(&key_of(seg, group), index.into()).map(Some)
}

fn read_slice<T: SegmentationElement>(
    seg: &impl SegmentationBase,
    store: &SegmentationStore,
    group: String,
    axis: i64,
    slice_index: i64,
) -> Result<Option<ArrayD<T>>> {
    let Some(index) = seg.zarr_array_index() else {
        return Ok(None);
    };
    store
        .read_slice(&key_of(seg, group), index.into(), axis, slice_index)
        .map(Some)
}

fn delete_data(
    seg: &impl SegmentationBase,
    store: &SegmentationStore,
    group: String,
) -> Result<bool> {
    let Some(index) = seg.zarr_array_index() else {
        return Ok(false);
    };
    store.delete(&key_of(seg, group), index.into())?;
    Ok(true)
}

impl Segmentation {
    /// The zarr group: `DataRepresentation.<Variant>`.
    pub fn groupname(&self) -> String {
        representation_group(self.data_representation)
    }

    /// Where the data is in the store.
    pub fn array_key(&self) -> ArrayKey {
        key_of(self, self.groupname())
    }

    /// Writes the whole segmentation (shape `(Depth, Height, Width)`, element type of
    /// `DataType`): appends when `ZarrArrayIndex` is NULL and sets it, else overwrites the
    /// element there. Returns the index.
    pub fn write_data<T: SegmentationElement>(
        &mut self,
        store: &SegmentationStore,
        data: ArrayViewD<'_, T>,
    ) -> Result<i32> {
        let group = self.groupname();
        write_data(self, store, group, data)
    }

    /// Writes one 2-D slice (see [`SliceWrite`]); appends a zeroed segmentation first when
    /// `ZarrArrayIndex` is NULL. A sparse segmentation written along its `SparseAxis` gets the
    /// slice added to `ScanIndices` (when that is a list). Returns the index.
    pub fn write_slice<T: SegmentationElement>(
        &mut self,
        store: &SegmentationStore,
        at: SliceWrite,
        data: ArrayViewD<'_, T>,
    ) -> Result<i32> {
        let group = self.groupname();
        write_slice(self, store, group, at, data)
    }

    /// Writes zeros over the whole segmentation (appending when `ZarrArrayIndex` is NULL).
    pub fn write_empty(&mut self, store: &SegmentationStore) -> Result<i32> {
        let group = self.groupname();
        write_empty(self, store, group)
    }

    /// Reads the whole segmentation; `None` when `ZarrArrayIndex` is NULL.
    pub fn read_data<T: SegmentationElement>(
        &self,
        store: &SegmentationStore,
    ) -> Result<Option<ArrayD<T>>> {
        read_data(self, store, self.groupname())
    }

    /// Reads slice `slice_index` along `axis`; `None` when `ZarrArrayIndex` is NULL.
    pub fn read_slice<T: SegmentationElement>(
        &self,
        store: &SegmentationStore,
        axis: i64,
        slice_index: i64,
    ) -> Result<Option<ArrayD<T>>> {
        read_slice(self, store, self.groupname(), axis, slice_index)
    }

    /// Zeroes the data in the store (the row keeps its `ZarrArrayIndex`); `false` when there was
    /// no data.
    pub fn delete_data(&self, store: &SegmentationStore) -> Result<bool> {
        delete_data(self, store, self.groupname())
    }
}

impl ModelSegmentation {
    /// The zarr group: `model_{ModelName}_{Version}` of `model` (the row's `Model`), or
    /// `model_name_unknown` when it is `None`.
    pub fn groupname(&self, model: Option<&Model>) -> String {
        model_group(model)
    }

    /// Loads the row's `Model` (for [`groupname`](Self::groupname)); `None` when it is gone.
    pub async fn load_model<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<Option<Model>, sea_orm::DbErr> {
        use sea_orm::EntityTrait;
        crate::model::Entity::find_by_id(self.model_id)
            .one(db)
            .await
    }

    /// Where the data is in the store, for the row's `model`.
    pub fn array_key(&self, model: Option<&Model>) -> ArrayKey {
        key_of(self, model_group(model))
    }

    /// [`Segmentation::write_data`], in the group of `model` (the row's `Model`).
    pub fn write_data<T: SegmentationElement>(
        &mut self,
        store: &SegmentationStore,
        model: Option<&Model>,
        data: ArrayViewD<'_, T>,
    ) -> Result<i32> {
        write_data(self, store, model_group(model), data)
    }

    /// [`Segmentation::write_slice`], in the group of `model`.
    pub fn write_slice<T: SegmentationElement>(
        &mut self,
        store: &SegmentationStore,
        model: Option<&Model>,
        at: SliceWrite,
        data: ArrayViewD<'_, T>,
    ) -> Result<i32> {
        write_slice(self, store, model_group(model), at, data)
    }

    /// [`Segmentation::write_empty`], in the group of `model`.
    pub fn write_empty(&mut self, store: &SegmentationStore, model: Option<&Model>) -> Result<i32> {
        write_empty(self, store, model_group(model))
    }

    /// [`Segmentation::read_data`], in the group of `model`.
    pub fn read_data<T: SegmentationElement>(
        &self,
        store: &SegmentationStore,
        model: Option<&Model>,
    ) -> Result<Option<ArrayD<T>>> {
        read_data(self, store, model_group(model))
    }

    /// [`Segmentation::read_slice`], in the group of `model`.
    pub fn read_slice<T: SegmentationElement>(
        &self,
        store: &SegmentationStore,
        model: Option<&Model>,
        axis: i64,
        slice_index: i64,
    ) -> Result<Option<ArrayD<T>>> {
        read_slice(self, store, model_group(model), axis, slice_index)
    }

    /// [`Segmentation::delete_data`], in the group of `model`.
    pub fn delete_data(&self, store: &SegmentationStore, model: Option<&Model>) -> Result<bool> {
        delete_data(self, store, model_group(model))
    }
}
