//! The platform's files (feature `files`): the segmentation zarr store and the annotation data
//! files. Functions take explicit paths or a [`PlatformConfig`](crate::config::PlatformConfig);
//! none of them reads the environment.

pub mod annotation_data;
pub mod segmentation;
pub mod segmentation_store;

pub use annotation_data::{AnnotationDataError, AnnotationImage, MaskKind};
pub use segmentation::{SegmentationBase, SliceWrite};
pub use segmentation_store::{
    ArrayKey, ArraySummary, GroupSummary, SegmentationArray, SegmentationElement,
    SegmentationStore, SegmentationStoreError,
};
