//! Enums used by more than one table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

/// `FromStr` for a schema enum, accepting exactly the values stored in the database.
macro_rules! impl_from_str {
    ($t:ty) => {
        impl std::str::FromStr for $t {
            type Err = sea_orm::DbErr;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::try_from(s)
            }
        }
    };
}
pub(crate) use impl_from_str;

/// Which eye: left or right.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    Display,
    AsRefStr,
    IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "laterality")]
pub enum Laterality {
    /// Left eye (stored as `L`).
    #[sea_orm(string_value = "L")]
    L,
    /// Right eye (stored as `R`).
    #[sea_orm(string_value = "R")]
    R,
}

impl_from_str!(Laterality);

/// How segmentation voxels are to be read.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    Display,
    AsRefStr,
    IntoStaticStr,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "Enum",
    enum_name = "data_representation"
)]
pub enum DataRepresentation {
    /// A single mask: 0 is background, any value above 0 is foreground.
    #[sea_orm(string_value = "Binary")]
    Binary,
    /// Two masks packed into each voxel: bit 0 is the mask, bit 1 marks the voxel as questionable
    /// (uncertain). So 0 = background, 1 = mask, 2 = questionable only, 3 = mask and questionable.
    #[sea_orm(string_value = "DualBitMask")]
    DualBitMask,
    /// A soft segmentation: each voxel holds a probability; compare it with the row's `threshold`
    /// to get a mask.
    #[sea_orm(string_value = "Probability")]
    Probability,
    /// Several labels per voxel: each bit of the integer value is one label (bit 0 the first, bit
    /// 1 the second, ...), so labels may overlap.
    #[sea_orm(string_value = "MultiLabel")]
    MultiLabel,
    /// One class per voxel: the value is the class number, with 0 usually the background.
    #[sea_orm(string_value = "MultiClass")]
    MultiClass,
}

impl_from_str!(DataRepresentation);

/// Voxel data type of a segmentation array (R8 is uint8 read as `[0, 1]`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    Display,
    AsRefStr,
    IntoStaticStr,
)]
#[allow(clippy::upper_case_acronyms)] // variant names are the stored SQL values
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "data_type")]
pub enum DataType {
    /// 8-bit unsigned (`u8`), read as a fraction in `[0, 1]` (the value divided by 255).
    #[sea_orm(string_value = "R8")]
    R8,
    /// 8-bit unsigned integer (`u8`), used as is.
    #[sea_orm(string_value = "R8UI")]
    R8UI,
    /// 16-bit unsigned integer (`u16`).
    #[sea_orm(string_value = "R16UI")]
    R16UI,
    /// 32-bit unsigned integer (`u32`).
    #[sea_orm(string_value = "R32UI")]
    R32UI,
    /// 32-bit floating point (`f32`).
    #[sea_orm(string_value = "R32F")]
    R32F,
}

impl_from_str!(DataType);
