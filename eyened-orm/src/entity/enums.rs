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
    #[sea_orm(string_value = "L")]
    L,
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
    #[sea_orm(string_value = "Binary")]
    Binary,
    #[sea_orm(string_value = "DualBitMask")]
    DualBitMask,
    #[sea_orm(string_value = "Probability")]
    Probability,
    #[sea_orm(string_value = "MultiLabel")]
    MultiLabel,
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
    #[sea_orm(string_value = "R8")]
    R8,
    #[sea_orm(string_value = "R8UI")]
    R8UI,
    #[sea_orm(string_value = "R16UI")]
    R16UI,
    #[sea_orm(string_value = "R32UI")]
    R32UI,
    #[sea_orm(string_value = "R32F")]
    R32F,
}

impl_from_str!(DataType);
