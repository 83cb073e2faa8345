//! Baseline: the whole Eyened schema, as the Alembic-managed database has it at revision
//! 10d5ab598dc7. Generated from the entity registry (`eyened_orm::schema::entities()`).

use eyened_orm::migrate::prelude::*;
use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, SchemaManager, async_trait};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20251125_000000_baseline"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        apply(manager.get_connection(), &changes()).await
    }
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        apply(manager.get_connection(), &reverse(&changes())).await
    }
}

/// The schema changes of this migration; `down` applies their reverse.
pub fn changes() -> Vec<Change> {
    vec![
        Change::AddTable(annotation_type_table()),
        Change::AddTable(attribute_definition_table()),
        Change::AddTable(contact_table()),
        Change::AddTable(creator_table()),
        Change::AddTable(device_model_table()),
        Change::AddTable(feature_table()),
        Change::AddTable(form_schema_table()),
        Change::AddTable(modality_table()),
        Change::AddTable(model_table()),
        Change::AddTable(scan_table()),
        Change::AddTable(source_info_table()),
        Change::AddTable(task_definition_table()),
        Change::AddTable(attributes_model_table()),
        Change::AddTable(composite_feature_table()),
        Change::AddTable(device_instance_table()),
        Change::AddTable(project_table()),
        Change::AddTable(segmentation_model_table()),
        Change::AddTable(tag_table()),
        Change::AddTable(task_table()),
        Change::AddTable(attributes_model_output_table()),
        Change::AddTable(creator_tag_table()),
        Change::AddTable(model_input_table()),
        Change::AddTable(patient_table()),
        Change::AddTable(sub_task_table()),
        Change::AddTable(study_table()),
        Change::AddTable(series_table()),
        Change::AddTable(study_tag_table()),
        Change::AddTable(image_instance_table()),
        Change::AddTable(annotation_table()),
        Change::AddTable(form_annotation_table()),
        Change::AddTable(image_instance_tag_table()),
        Change::AddTable(segmentation_table()),
        Change::AddTable(sub_task_image_link_table()),
        Change::AddTable(annotation_data_table()),
        Change::AddTable(annotation_tag_table()),
        Change::AddTable(form_annotation_tag_table()),
        Change::AddTable(model_segmentation_table()),
        Change::AddTable(segmentation_tag_table()),
        Change::AddTable(attribute_value_table()),
        Change::AddTable(attribute_value_input_table()),
    ]
}

fn annotation_type_table() -> Table {
    Table::new("AnnotationType")
        .column(Column::new("AnnotationTypeID", SqlType::INT).auto_increment())
        .column(Column::new("AnnotationTypeName", SqlType::Varchar(45)))
        .column(Column::new("Interpretation", SqlType::Varchar(45)))
        .primary_key(["AnnotationTypeID"])
        .index(Index::unique(
            "AnnotationTypeNameInterpretation_UNIQUE",
            ["AnnotationTypeName", "Interpretation"],
        ))
}

fn attribute_definition_table() -> Table {
    Table::new("AttributeDefinition")
        .column(Column::new("AttributeID", SqlType::INT).auto_increment())
        .column(Column::new("AttributeName", SqlType::Varchar(255)))
        .column(Column::new(
            "AttributeDataType",
            SqlType::enumeration(["String", "Float", "Int", "JSON"]),
        ))
        .primary_key(["AttributeID"])
        .index(Index::unique(
            "uq_AttributeDefinition_AttributeName",
            ["AttributeName"],
        ))
}

fn contact_table() -> Table {
    Table::new("Contact")
        .column(Column::new("ContactID", SqlType::INT).auto_increment())
        .column(Column::new("Name", SqlType::Varchar(255)))
        .column(Column::new("Email", SqlType::Varchar(255)))
        .column(Column::new("Institute", SqlType::Varchar(255)).null())
        .column(Column::new("Orcid", SqlType::Varchar(255)).null())
        .primary_key(["ContactID"])
        .index(Index::unique(
            "NameEmailInstitute_UNIQUE",
            ["Name", "Email", "Institute"],
        ))
}

fn creator_table() -> Table {
    Table::new("Creator")
        .column(Column::new("CreatorID", SqlType::INT).auto_increment())
        .column(Column::new("CreatorName", SqlType::Varchar(45)))
        .column(Column::new("EmployeeIdentifier", SqlType::Varchar(255)).null())
        .column(Column::new("IsHuman", SqlType::Bool))
        .column(Column::new("Path", SqlType::Varchar(80)).null())
        .column(Column::new("Version", SqlType::INT).null())
        .column(Column::new("Description", SqlType::Varchar(1000)).null())
        .column(Column::new("Role", SqlType::INT).null())
        .column(Column::new("Password", SqlType::Binary(32)).null())
        .column(Column::new("PasswordHash", SqlType::Varchar(255)).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["CreatorID"])
        .index(Index::unique("CreatorName", ["CreatorName"]))
}

fn device_model_table() -> Table {
    Table::new("DeviceModel")
        .column(Column::new("DeviceModelID", SqlType::INT).auto_increment())
        .column(Column::new("Manufacturer", SqlType::Varchar(45)))
        .column(Column::new("ManufacturerModelName", SqlType::Varchar(45)))
        .primary_key(["DeviceModelID"])
        .index(Index::unique(
            "ManufacturerManufacturerModelName_UNIQUE",
            ["Manufacturer", "ManufacturerModelName"],
        ))
}

fn feature_table() -> Table {
    Table::new("Feature")
        .column(Column::new("FeatureID", SqlType::INT).auto_increment())
        .column(Column::new("FeatureName", SqlType::Varchar(60)))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["FeatureID"])
        .index(Index::unique("FeatureName", ["FeatureName"]))
}

fn form_schema_table() -> Table {
    Table::new("FormSchema")
        .column(Column::new("FormSchemaID", SqlType::INT).auto_increment())
        .column(Column::new("SchemaName", SqlType::Varchar(255)))
        .column(Column::new("Schema", SqlType::Json).null())
        .column(
            Column::new(
                "EntityType",
                SqlType::enumeration(["Patient", "Study", "Eye", "StudyEye", "ImageInstance"]),
            )
            .null(),
        )
        .primary_key(["FormSchemaID"])
        .index(Index::unique("SchemaName", ["SchemaName"]))
}

fn modality_table() -> Table {
    Table::new("Modality")
        .column(Column::new("ModalityID", SqlType::INT).auto_increment())
        .column(Column::new("ModalityTag", SqlType::Varchar(40)))
        .primary_key(["ModalityID"])
        .index(Index::unique("ModalityTag", ["ModalityTag"]))
}

fn model_table() -> Table {
    Table::new("Model")
        .column(Column::new("ModelID", SqlType::INT).auto_increment())
        .column(Column::new("ModelName", SqlType::Varchar(255)))
        .column(Column::new("Version", SqlType::Varchar(255)))
        .column(Column::new(
            "ModelType",
            SqlType::enumeration(["segmentation", "attributes"]),
        ))
        .column(Column::new("Description", SqlType::Varchar(255)).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["ModelID"])
        .index(Index::unique("ModelName", ["ModelName", "Version"]))
        .index(Index::unique("ModelName_2", ["ModelName"]))
}

fn scan_table() -> Table {
    Table::new("Scan")
        .column(Column::new("ScanID", SqlType::INT).auto_increment())
        .column(Column::new("ScanMode", SqlType::Varchar(40)))
        .primary_key(["ScanID"])
        .index(Index::unique("ScanMode", ["ScanMode"]))
}

fn source_info_table() -> Table {
    Table::new("SourceInfo")
        .column(Column::new("SourceInfoID", SqlType::INT).auto_increment())
        .column(Column::new("SourceName", SqlType::Varchar(64)))
        .column(Column::new("SourcePath", SqlType::Varchar(250)))
        .column(Column::new("ThumbnailPath", SqlType::Varchar(250)))
        .primary_key(["SourceInfoID"])
        .index(Index::unique("SourceName", ["SourceName"]))
        .index(Index::unique("SourcePath", ["SourcePath"]))
        .index(Index::unique("ThumbnailPath", ["ThumbnailPath"]))
}

fn task_definition_table() -> Table {
    Table::new("TaskDefinition")
        .column(Column::new("TaskDefinitionID", SqlType::INT).auto_increment())
        .column(Column::new("TaskDefinitionName", SqlType::Varchar(256)))
        .column(Column::new("TaskConfig", SqlType::Json).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["TaskDefinitionID"])
}

fn attributes_model_table() -> Table {
    Table::new("AttributesModel")
        .column(Column::new("ModelID", SqlType::INT))
        .primary_key(["ModelID"])
        .foreign_key(
            ForeignKey::new("AttributesModel_ibfk_1", ["ModelID"], "Model", ["ModelID"])
                .on_delete(FkAction::Cascade),
        )
}

fn composite_feature_table() -> Table {
    Table::new("CompositeFeature")
        .column(Column::new("ParentFeatureID", SqlType::INT))
        .column(Column::new("ChildFeatureID", SqlType::INT))
        .column(Column::new("FeatureIndex", SqlType::INT))
        .primary_key(["ParentFeatureID", "ChildFeatureID", "FeatureIndex"])
        .index(Index::new(
            "fk_CompositeFeature_ChildFeature1_idx",
            ["ChildFeatureID"],
        ))
        .index(Index::new(
            "fk_CompositeFeature_ParentFeature1_idx",
            ["ParentFeatureID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "CompositeFeature_ibfk_1",
                ["ParentFeatureID"],
                "Feature",
                ["FeatureID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "CompositeFeature_ibfk_2",
            ["ChildFeatureID"],
            "Feature",
            ["FeatureID"],
        ))
}

fn device_instance_table() -> Table {
    Table::new("DeviceInstance")
        .column(Column::new("DeviceInstanceID", SqlType::INT).auto_increment())
        .column(Column::new("DeviceModelID", SqlType::INT))
        .column(Column::new("SerialNumber", SqlType::Text).null())
        .column(Column::new("Description", SqlType::Varchar(256)))
        .primary_key(["DeviceInstanceID"])
        .index(Index::unique(
            "DeviceModelIDDescription_UNIQUE",
            ["DeviceModelID", "Description"],
        ))
        .foreign_key(ForeignKey::new(
            "DeviceInstance_ibfk_1",
            ["DeviceModelID"],
            "DeviceModel",
            ["DeviceModelID"],
        ))
}

fn project_table() -> Table {
    Table::new("Project")
        .column(Column::new("ProjectID", SqlType::INT).auto_increment())
        .column(Column::new("ProjectName", SqlType::Varchar(255)))
        .column(Column::new(
            "External",
            SqlType::enumeration(["Y", "N", "M"]),
        ))
        .column(Column::new("Description", SqlType::Text).null())
        .column(Column::new("ContactID", SqlType::INT).null())
        .column(Column::new("DOI", SqlType::Varchar(255)).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["ProjectID"])
        .index(Index::unique("ProjectName", ["ProjectName"]))
        .index(Index::new("fk_Project_Contact1_idx", ["ContactID"]))
        .foreign_key(ForeignKey::new(
            "Project_ibfk_1",
            ["ContactID"],
            "Contact",
            ["ContactID"],
        ))
}

fn segmentation_model_table() -> Table {
    Table::new("SegmentationModel")
        .column(Column::new("ModelID", SqlType::INT))
        .column(Column::new("FeatureID", SqlType::INT).null())
        .primary_key(["ModelID"])
        .index(Index::new("FeatureID", ["FeatureID"]))
        .foreign_key(
            ForeignKey::new(
                "SegmentationModel_ibfk_1",
                ["ModelID"],
                "Model",
                ["ModelID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "SegmentationModel_ibfk_2",
            ["FeatureID"],
            "Feature",
            ["FeatureID"],
        ))
}

fn tag_table() -> Table {
    Table::new("Tag")
        .column(Column::new("TagID", SqlType::INT).auto_increment())
        .column(Column::new("TagName", SqlType::Varchar(256)))
        .column(Column::new(
            "TagType",
            SqlType::enumeration([
                "Study",
                "ImageInstance",
                "Annotation",
                "Segmentation",
                "FormAnnotation",
            ]),
        ))
        .column(Column::new("TagDescription", SqlType::Varchar(256)))
        .column(Column::new("CreatorID", SqlType::INT))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["TagID"])
        .index(Index::unique("Tag", ["TagName", "TagType"]))
        .index(Index::new("fk_Tag_Creator1_idx", ["CreatorID"]))
        .foreign_key(ForeignKey::new(
            "Tag_ibfk_1",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
}

fn task_table() -> Table {
    Table::new("Task")
        .column(Column::new("TaskID", SqlType::INT).auto_increment())
        .column(Column::new("TaskName", SqlType::Varchar(256)))
        .column(Column::new("Description", SqlType::Text).null())
        .column(Column::new("CreatorID", SqlType::INT).null())
        .column(Column::new("ContactID", SqlType::INT).null())
        .column(Column::new("TaskDefinitionID", SqlType::INT))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .column(Column::new(
            "TaskState",
            SqlType::enumeration(["NotStarted", "Busy", "Finished", "Aborted", "Archived"]),
        ))
        .primary_key(["TaskID"])
        .index(Index::new("CreatorID", ["CreatorID"]))
        .index(Index::new("ContactID", ["ContactID"]))
        .index(Index::new(
            "fk_Task_TaskDefinition1_idx",
            ["TaskDefinitionID"],
        ))
        .foreign_key(ForeignKey::new(
            "Task_ibfk_1",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
        .foreign_key(ForeignKey::new(
            "Task_ibfk_2",
            ["ContactID"],
            "Contact",
            ["ContactID"],
        ))
        .foreign_key(ForeignKey::new(
            "Task_ibfk_3",
            ["TaskDefinitionID"],
            "TaskDefinition",
            ["TaskDefinitionID"],
        ))
}

fn attributes_model_output_table() -> Table {
    Table::new("AttributesModelOutput")
        .column(Column::new("ModelID", SqlType::INT))
        .column(Column::new("AttributeID", SqlType::INT))
        .primary_key(["ModelID", "AttributeID"])
        .index(Index::new("AttributeID", ["AttributeID"]))
        .foreign_key(
            ForeignKey::new(
                "AttributesModelOutput_ibfk_1",
                ["ModelID"],
                "AttributesModel",
                ["ModelID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "AttributesModelOutput_ibfk_2",
                ["AttributeID"],
                "AttributeDefinition",
                ["AttributeID"],
            )
            .on_delete(FkAction::Cascade),
        )
}

fn creator_tag_table() -> Table {
    Table::new("CreatorTag")
        .column(Column::new("TagID", SqlType::INT))
        .column(Column::new("CreatorID", SqlType::INT))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["TagID", "CreatorID"])
        .index(Index::new("fk_CreatorTag_Tag1_idx", ["TagID"]))
        .index(Index::new("fk_CreatorTag_Creator1_idx", ["CreatorID"]))
        .foreign_key(
            ForeignKey::new("CreatorTag_ibfk_1", ["TagID"], "Tag", ["TagID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new("CreatorTag_ibfk_2", ["CreatorID"], "Creator", ["CreatorID"])
                .on_delete(FkAction::Cascade),
        )
}

fn model_input_table() -> Table {
    Table::new("ModelInput")
        .column(Column::new("ModelInputID", SqlType::INT).auto_increment())
        .column(Column::new("ModelID", SqlType::INT))
        .column(Column::new("InputAttributeID", SqlType::INT))
        .column(Column::new("InputName", SqlType::Varchar(255)))
        .primary_key(["ModelInputID"])
        .index(Index::unique(
            "uq_ModelInput_ModelID_InputAttributeID",
            ["ModelID", "InputAttributeID"],
        ))
        .index(Index::new("fk_ModelInput_Model1_idx", ["ModelID"]))
        .index(Index::new(
            "fk_ModelInput_Attribute1_idx",
            ["InputAttributeID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "ModelInput_ibfk_1",
                ["ModelID"],
                "AttributesModel",
                ["ModelID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "ModelInput_ibfk_2",
                ["InputAttributeID"],
                "AttributeDefinition",
                ["AttributeID"],
            )
            .on_delete(FkAction::Cascade),
        )
}

fn patient_table() -> Table {
    Table::new("Patient")
        .column(Column::new("PatientID", SqlType::INT).auto_increment())
        .column(Column::new("PatientIdentifier", SqlType::Varchar(255)))
        .column(Column::new("BirthDate", SqlType::Date).null())
        .column(Column::new("Sex", SqlType::enumeration(["M", "F"])).null())
        .column(Column::new("ProjectID", SqlType::INT))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["PatientID"])
        .index(Index::unique(
            "ProjectIDPatientIdentifier_UNIQUE",
            ["PatientIdentifier", "ProjectID"],
        ))
        .index(Index::new("fk_Patient_Project1_idx", ["ProjectID"]))
        .foreign_key(
            ForeignKey::new("Patient_ibfk_1", ["ProjectID"], "Project", ["ProjectID"])
                .on_delete(FkAction::Cascade),
        )
}

fn sub_task_table() -> Table {
    Table::new("SubTask")
        .column(Column::new("SubTaskID", SqlType::INT).auto_increment())
        .column(Column::new("TaskID", SqlType::INT))
        .column(Column::new("CreatorID", SqlType::INT).null())
        .column(Column::new("Comments", SqlType::Text).null())
        .column(Column::new(
            "TaskState",
            SqlType::enumeration(["NotStarted", "Busy", "Ready"]),
        ))
        .primary_key(["SubTaskID"])
        .index(Index::new("fk_SubTask_Creator1_idx", ["CreatorID"]))
        .index(Index::new("fk_SubTask_Task1_idx", ["TaskID"]))
        .foreign_key(
            ForeignKey::new("SubTask_ibfk_1", ["TaskID"], "Task", ["TaskID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "SubTask_ibfk_2",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
}

fn study_table() -> Table {
    Table::new("Study")
        .column(Column::new("StudyID", SqlType::INT).auto_increment())
        .column(Column::new("PatientID", SqlType::INT))
        .column(Column::new("StudyRound", SqlType::INT).null())
        .column(Column::new("StudyDescription", SqlType::Varchar(64)).null())
        .column(Column::new("StudyDate", SqlType::Date))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["StudyID"])
        .index(Index::unique(
            "PatientIDStudyDate_UNIQUE",
            ["StudyDate", "PatientID"],
        ))
        .index(Index::new("StudyDate_idx", ["StudyDate"]))
        .index(Index::new("fk_Study_Patient1_idx", ["PatientID"]))
        .index(Index::new("StudyRound", ["StudyRound"]))
        .foreign_key(
            ForeignKey::new("Study_ibfk_1", ["PatientID"], "Patient", ["PatientID"])
                .on_delete(FkAction::Cascade),
        )
}

fn series_table() -> Table {
    Table::new("Series")
        .column(Column::new("SeriesID", SqlType::INT).auto_increment())
        .column(Column::new("StudyID", SqlType::INT))
        .column(Column::new("SeriesNumber", SqlType::INT).null())
        .column(Column::new("SeriesInstanceUid", SqlType::Varchar(64)).null())
        .column(Column::new("StudyInstanceUid", SqlType::Varchar(64)).null())
        .primary_key(["SeriesID"])
        .index(Index::unique("SeriesInstanceUid", ["SeriesInstanceUid"]))
        .index(Index::unique(
            "StudyInstanceUidSeriesInstanceUid_UNIQUE",
            ["StudyInstanceUid", "SeriesInstanceUid"],
        ))
        .index(Index::new("fk_Series_Study1_idx", ["StudyID"]))
        .foreign_key(
            ForeignKey::new("Series_ibfk_1", ["StudyID"], "Study", ["StudyID"])
                .on_delete(FkAction::Cascade),
        )
}

fn study_tag_table() -> Table {
    Table::new("StudyTag")
        .column(Column::new("TagID", SqlType::INT))
        .column(Column::new("StudyID", SqlType::INT))
        .column(Column::new("CreatorID", SqlType::INT))
        .column(Column::new("Comment", SqlType::Varchar(256)).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["TagID", "StudyID"])
        .index(Index::new("fk_StudyTag_Creator1_idx", ["CreatorID"]))
        .index(Index::new("fk_StudyTag_Study1_idx", ["StudyID"]))
        .index(Index::new("fk_StudyTag_Tag1_idx", ["TagID"]))
        .foreign_key(
            ForeignKey::new("StudyTag_ibfk_1", ["TagID"], "Tag", ["TagID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new("StudyTag_ibfk_2", ["StudyID"], "Study", ["StudyID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "StudyTag_ibfk_3",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
}

fn image_instance_table() -> Table {
    Table::new("ImageInstance")
        .column(Column::new("ImageInstanceID", SqlType::INT).auto_increment())
        .column(Column::new("SeriesID", SqlType::INT))
        .column(Column::new("SourceInfoID", SqlType::INT))
        .column(Column::new("DeviceInstanceID", SqlType::INT))
        .column(Column::new("ModalityID", SqlType::INT))
        .column(Column::new("ScanID", SqlType::INT).null())
        .column(
            Column::new(
                "Modality",
                SqlType::enumeration([
                    "AdaptiveOptics",
                    "ColorFundus",
                    "ColorFundusStereo",
                    "RedFreeFundus",
                    "ExternalEye",
                    "LensPhotograph",
                    "Ophthalmoscope",
                    "Autofluorescence",
                    "FluoresceinAngiography",
                    "ICGA",
                    "InfraredReflectance",
                    "BlueReflectance",
                    "GreenReflectance",
                    "OCT",
                    "OCTA",
                ]),
            )
            .null(),
        )
        .column(Column::new("SOPInstanceUid", SqlType::Varchar(64)).null())
        .column(Column::new("SOPClassUid", SqlType::Varchar(64)).null())
        .column(Column::new("PhotometricInterpretation", SqlType::Varchar(64)).null())
        .column(Column::new("SamplesPerPixel", SqlType::INT).null())
        .column(Column::new("Rows_y", SqlType::INT).null())
        .column(Column::new("Columns_x", SqlType::INT).null())
        .column(Column::new("NrOfFrames", SqlType::INT).null())
        .column(Column::new("SliceThickness", SqlType::Float).null())
        .column(Column::new("ResolutionAxial", SqlType::Float).null())
        .column(Column::new("ResolutionHorizontal", SqlType::Float).null())
        .column(Column::new("ResolutionVertical", SqlType::Float).null())
        .column(Column::new("HorizontalFieldOfView", SqlType::Float).null())
        .column(Column::new("Laterality", SqlType::enumeration(["L", "R"])))
        .column(Column::new("DICOMModality", SqlType::enumeration(["OP", "OPT", "SC"])).null())
        .column(Column::new("AnatomicRegion", SqlType::INT).null())
        .column(
            Column::new(
                "ETDRSField",
                SqlType::enumeration(["F1", "F2", "F3", "F4", "F5", "F6", "F7"]),
            )
            .null(),
        )
        .column(Column::new("Angiography", SqlType::INT).null())
        .column(Column::new("AcquisitionDateTime", SqlType::DateTime).null())
        .column(Column::new("PupilDilated", SqlType::Bool).null())
        .column(Column::new("DatasetIdentifier", SqlType::Varchar(256)))
        .column(Column::new("AltDatasetIdentifier", SqlType::Varchar(256)).null())
        .column(Column::new("ThumbnailPath", SqlType::Varchar(256)).null())
        .column(Column::new("OldPath", SqlType::Varchar(256)).null())
        .column(Column::new("FDAIdentifier", SqlType::INT).null())
        .column(Column::new("Inactive", SqlType::Bool))
        .column(Column::new("CFROI", SqlType::Json).null())
        .column(Column::new("CFKeypoints", SqlType::Json).null())
        .column(Column::new("CFQuality", SqlType::Float).null())
        .column(Column::new("FileChecksum", SqlType::TinyBlob).null())
        .column(Column::new("DataHash", SqlType::TinyBlob).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .column(Column::new("DateModified", SqlType::DateTime).null())
        .column(Column::new("DatePreprocessed", SqlType::DateTime).null())
        .primary_key(["ImageInstanceID"])
        .index(Index::unique(
            "SourceInfoIDDatasetIdentifier_UNIQUE",
            ["DatasetIdentifier", "SourceInfoID"],
        ))
        .index(Index::unique("SOPInstanceUid_UNIQUE", ["SOPInstanceUid"]))
        .index(Index::new(
            "fk_ImageInstance_DeviceInstance1_idx",
            ["DeviceInstanceID"],
        ))
        .index(Index::new("fk_ImageInstance_Series1_idx", ["SeriesID"]))
        .index(Index::new("fk_ImageInstance_Scan1_idx", ["ScanID"]))
        .index(Index::new(
            "fk_ImageInstance_SourceInfo1_idx",
            ["SourceInfoID"],
        ))
        .index(Index::new("fk_ImageInstance_Modality1_idx", ["ModalityID"]))
        .foreign_key(
            ForeignKey::new("ImageInstance_ibfk_1", ["SeriesID"], "Series", ["SeriesID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "ImageInstance_ibfk_2",
            ["SourceInfoID"],
            "SourceInfo",
            ["SourceInfoID"],
        ))
        .foreign_key(ForeignKey::new(
            "ImageInstance_ibfk_3",
            ["DeviceInstanceID"],
            "DeviceInstance",
            ["DeviceInstanceID"],
        ))
        .foreign_key(ForeignKey::new(
            "ImageInstance_ibfk_4",
            ["ModalityID"],
            "Modality",
            ["ModalityID"],
        ))
        .foreign_key(ForeignKey::new(
            "ImageInstance_ibfk_5",
            ["ScanID"],
            "Scan",
            ["ScanID"],
        ))
}

fn annotation_table() -> Table {
    Table::new("Annotation")
        .column(Column::new("AnnotationID", SqlType::INT).auto_increment())
        .column(Column::new("PatientID", SqlType::INT))
        .column(Column::new("StudyID", SqlType::INT).null())
        .column(Column::new("SeriesID", SqlType::INT).null())
        .column(Column::new("ImageInstanceID", SqlType::INT).null())
        .column(Column::new("CreatorID", SqlType::INT))
        .column(Column::new("FeatureID", SqlType::INT))
        .column(Column::new("AnnotationTypeID", SqlType::INT))
        .column(Column::new("AnnotationReferenceID", SqlType::INT).null())
        .column(Column::new("Inactive", SqlType::Bool))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["AnnotationID"])
        .index(Index::new(
            "AnnotationReferenceID",
            ["AnnotationReferenceID"],
        ))
        .index(Index::new("fk_Annotation_Study1_idx", ["StudyID"]))
        .index(Index::new(
            "fk_Annotation_ImageInstance1_idx",
            ["ImageInstanceID"],
        ))
        .index(Index::new("fk_Annotation_Feature1_idx", ["FeatureID"]))
        .index(Index::new(
            "fk_Annotation_AnnotationType1_idx",
            ["AnnotationTypeID"],
        ))
        .index(Index::new("fk_Annotation_Creator1_idx", ["CreatorID"]))
        .index(Index::new("fk_Annotation_Patient1_idx", ["PatientID"]))
        .index(Index::new("fk_Annotation_Series1_idx", ["SeriesID"]))
        .foreign_key(ForeignKey::new(
            "Annotation_ibfk_1",
            ["PatientID"],
            "Patient",
            ["PatientID"],
        ))
        .foreign_key(ForeignKey::new(
            "Annotation_ibfk_2",
            ["StudyID"],
            "Study",
            ["StudyID"],
        ))
        .foreign_key(ForeignKey::new(
            "Annotation_ibfk_3",
            ["SeriesID"],
            "Series",
            ["SeriesID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "Annotation_ibfk_4",
                ["ImageInstanceID"],
                "ImageInstance",
                ["ImageInstanceID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "Annotation_ibfk_5",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
        .foreign_key(ForeignKey::new(
            "Annotation_ibfk_6",
            ["FeatureID"],
            "Feature",
            ["FeatureID"],
        ))
        .foreign_key(ForeignKey::new(
            "Annotation_ibfk_7",
            ["AnnotationTypeID"],
            "AnnotationType",
            ["AnnotationTypeID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "Annotation_ibfk_8",
                ["AnnotationReferenceID"],
                "Annotation",
                ["AnnotationID"],
            )
            .on_delete(FkAction::Cascade),
        )
}

fn form_annotation_table() -> Table {
    Table::new("FormAnnotation")
        .column(Column::new("FormAnnotationID", SqlType::INT).auto_increment())
        .column(Column::new("FormSchemaID", SqlType::INT))
        .column(Column::new("PatientID", SqlType::INT))
        .column(Column::new("StudyID", SqlType::INT).null())
        .column(Column::new("ImageInstanceID", SqlType::INT).null())
        .column(Column::new("Laterality", SqlType::enumeration(["L", "R"])).null())
        .column(Column::new("CreatorID", SqlType::INT))
        .column(Column::new("SubTaskID", SqlType::INT).null())
        .column(Column::new("FormData", SqlType::Json).null())
        .column(Column::new("FormAnnotationReferenceID", SqlType::INT).null())
        .column(Column::new("Inactive", SqlType::Bool))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .column(
            Column::new("DateModified", SqlType::DateTime)
                .null()
                .default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["FormAnnotationID"])
        .index(Index::new("FormSchemaID", ["FormSchemaID"]))
        .index(Index::new("PatientID", ["PatientID"]))
        .index(Index::new("StudyID", ["StudyID"]))
        .index(Index::new("ImageInstanceID", ["ImageInstanceID"]))
        .index(Index::new("CreatorID", ["CreatorID"]))
        .index(Index::new("SubTaskID", ["SubTaskID"]))
        .index(Index::new(
            "ix_FormAnnotation_FormAnnotationReferenceID",
            ["FormAnnotationReferenceID"],
        ))
        .foreign_key(ForeignKey::new(
            "FormAnnotation_ibfk_1",
            ["FormSchemaID"],
            "FormSchema",
            ["FormSchemaID"],
        ))
        .foreign_key(ForeignKey::new(
            "FormAnnotation_ibfk_2",
            ["PatientID"],
            "Patient",
            ["PatientID"],
        ))
        .foreign_key(ForeignKey::new(
            "FormAnnotation_ibfk_3",
            ["StudyID"],
            "Study",
            ["StudyID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "FormAnnotation_ibfk_4",
                ["ImageInstanceID"],
                "ImageInstance",
                ["ImageInstanceID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "FormAnnotation_ibfk_5",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "FormAnnotation_ibfk_6",
                ["SubTaskID"],
                "SubTask",
                ["SubTaskID"],
            )
            .on_delete(FkAction::SetNull),
        )
        .foreign_key(
            ForeignKey::new(
                "FormAnnotation_ibfk_7",
                ["FormAnnotationReferenceID"],
                "FormAnnotation",
                ["FormAnnotationID"],
            )
            .on_delete(FkAction::Cascade),
        )
}

fn image_instance_tag_table() -> Table {
    Table::new("ImageInstanceTag")
        .column(Column::new("TagID", SqlType::INT))
        .column(Column::new("ImageInstanceID", SqlType::INT))
        .column(Column::new("CreatorID", SqlType::INT))
        .column(Column::new("Comment", SqlType::Varchar(256)).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["TagID", "ImageInstanceID"])
        .index(Index::new(
            "fk_ImageInstanceTag_Creator1_idx",
            ["CreatorID"],
        ))
        .index(Index::new("fk_ImageInstanceTag_Tag1_idx", ["TagID"]))
        .index(Index::new(
            "fk_ImageInstanceTag_ImageInstance1_idx",
            ["ImageInstanceID"],
        ))
        .foreign_key(
            ForeignKey::new("ImageInstanceTag_ibfk_1", ["TagID"], "Tag", ["TagID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "ImageInstanceTag_ibfk_2",
                ["ImageInstanceID"],
                "ImageInstance",
                ["ImageInstanceID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "ImageInstanceTag_ibfk_3",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
}

fn segmentation_table() -> Table {
    Table::new("Segmentation")
        .column(Column::new("SegmentationID", SqlType::INT).auto_increment())
        .column(Column::new("CreatorID", SqlType::INT))
        .column(Column::new("FeatureID", SqlType::INT))
        .column(Column::new("SubTaskID", SqlType::INT).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .column(Column::new("DateModified", SqlType::DateTime).null())
        .column(Column::new("Inactive", SqlType::Bool))
        .column(Column::new("ZarrArrayIndex", SqlType::INT).null())
        .column(Column::new("ImageInstanceID", SqlType::INT))
        .column(Column::new(
            "DataRepresentation",
            SqlType::enumeration([
                "Binary",
                "DualBitMask",
                "Probability",
                "MultiLabel",
                "MultiClass",
            ]),
        ))
        .column(Column::new("Depth", SqlType::INT))
        .column(Column::new("Height", SqlType::INT))
        .column(Column::new("Width", SqlType::INT))
        .column(Column::new("SparseAxis", SqlType::INT).null())
        .column(Column::new("ImageProjectionMatrix", SqlType::Json).null())
        .column(Column::new("ScanIndices", SqlType::Json).null())
        .column(Column::new(
            "DataType",
            SqlType::enumeration(["R8", "R8UI", "R16UI", "R32UI", "R32F"]),
        ))
        .column(Column::new("Threshold", SqlType::Float).null())
        .column(Column::new("ReferenceSegmentationID", SqlType::INT).null())
        .primary_key(["SegmentationID"])
        .index(Index::new("CreatorID", ["CreatorID"]))
        .index(Index::new("FeatureID", ["FeatureID"]))
        .index(Index::new("SubTaskID", ["SubTaskID"]))
        .index(Index::new("ImageInstanceID", ["ImageInstanceID"]))
        .index(Index::new(
            "ReferenceSegmentationID",
            ["ReferenceSegmentationID"],
        ))
        .foreign_key(ForeignKey::new(
            "Segmentation_ibfk_1",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
        .foreign_key(ForeignKey::new(
            "Segmentation_ibfk_2",
            ["FeatureID"],
            "Feature",
            ["FeatureID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "Segmentation_ibfk_3",
                ["SubTaskID"],
                "SubTask",
                ["SubTaskID"],
            )
            .on_delete(FkAction::SetNull),
        )
        .foreign_key(
            ForeignKey::new(
                "Segmentation_ibfk_4",
                ["ImageInstanceID"],
                "ImageInstance",
                ["ImageInstanceID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "Segmentation_ibfk_5",
            ["ReferenceSegmentationID"],
            "Segmentation",
            ["SegmentationID"],
        ))
}

fn sub_task_image_link_table() -> Table {
    Table::new("SubTaskImageLink")
        .column(Column::new("SubTaskID", SqlType::INT))
        .column(Column::new("ImageInstanceID", SqlType::INT))
        .primary_key(["SubTaskID", "ImageInstanceID"])
        .index(Index::new(
            "fk_SubTaskImageLink_SubTask1_idx",
            ["SubTaskID"],
        ))
        .index(Index::new(
            "fk_SubTaskImageLink_ImageInstance1_idx",
            ["ImageInstanceID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "SubTaskImageLink_ibfk_1",
                ["SubTaskID"],
                "SubTask",
                ["SubTaskID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "SubTaskImageLink_ibfk_2",
                ["ImageInstanceID"],
                "ImageInstance",
                ["ImageInstanceID"],
            )
            .on_delete(FkAction::Cascade),
        )
}

fn annotation_data_table() -> Table {
    Table::new("AnnotationData")
        .column(Column::new("AnnotationID", SqlType::INT))
        .column(Column::new("ScanNr", SqlType::INT))
        .column(Column::new("ValueInt", SqlType::INT).null())
        .column(Column::new("ValueFloat", SqlType::Float).null())
        .column(Column::new("ValueBlob", SqlType::LongBlob).null())
        .column(Column::new("DatasetIdentifier", SqlType::Varchar(45)))
        .column(Column::new("DateModified", SqlType::DateTime).null())
        .column(Column::new("MediaType", SqlType::Varchar(45)))
        .primary_key(["AnnotationID", "ScanNr"])
        .index(Index::unique("DatasetIdentifier", ["DatasetIdentifier"]))
        .index(Index::new(
            "fk_AnnotationData_Annotation1_idx",
            ["AnnotationID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "AnnotationData_ibfk_1",
                ["AnnotationID"],
                "Annotation",
                ["AnnotationID"],
            )
            .on_delete(FkAction::Cascade),
        )
}

fn annotation_tag_table() -> Table {
    Table::new("AnnotationTag")
        .column(Column::new("TagID", SqlType::INT))
        .column(Column::new("AnnotationID", SqlType::INT))
        .column(Column::new("CreatorID", SqlType::INT))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["TagID", "AnnotationID"])
        .index(Index::new("fk_AnnotationTag_Tag1_idx", ["TagID"]))
        .index(Index::new("fk_AnnotationTag_Creator1_idx", ["CreatorID"]))
        .index(Index::new(
            "fk_AnnotationTag_Annotation1_idx",
            ["AnnotationID"],
        ))
        .foreign_key(
            ForeignKey::new("AnnotationTag_ibfk_1", ["TagID"], "Tag", ["TagID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "AnnotationTag_ibfk_2",
                ["AnnotationID"],
                "Annotation",
                ["AnnotationID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "AnnotationTag_ibfk_3",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
}

fn form_annotation_tag_table() -> Table {
    Table::new("FormAnnotationTag")
        .column(Column::new("TagID", SqlType::INT))
        .column(Column::new("FormAnnotationID", SqlType::INT))
        .column(Column::new("CreatorID", SqlType::INT))
        .column(Column::new("Comment", SqlType::Varchar(256)).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["TagID", "FormAnnotationID"])
        .index(Index::new(
            "fk_FormAnnotationTag_FormAnnotation1_idx",
            ["FormAnnotationID"],
        ))
        .index(Index::new("fk_FormAnnotationTag_Tag1_idx", ["TagID"]))
        .index(Index::new(
            "fk_FormAnnotationTag_Creator1_idx",
            ["CreatorID"],
        ))
        .foreign_key(
            ForeignKey::new("FormAnnotationTag_ibfk_1", ["TagID"], "Tag", ["TagID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "FormAnnotationTag_ibfk_2",
                ["FormAnnotationID"],
                "FormAnnotation",
                ["FormAnnotationID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "FormAnnotationTag_ibfk_3",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
}

fn model_segmentation_table() -> Table {
    Table::new("ModelSegmentation")
        .column(Column::new("ModelSegmentationID", SqlType::INT).auto_increment())
        .column(Column::new("ModelID", SqlType::INT))
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .column(Column::new("ZarrArrayIndex", SqlType::INT).null())
        .column(Column::new("ImageInstanceID", SqlType::INT))
        .column(Column::new(
            "DataRepresentation",
            SqlType::enumeration([
                "Binary",
                "DualBitMask",
                "Probability",
                "MultiLabel",
                "MultiClass",
            ]),
        ))
        .column(Column::new("Depth", SqlType::INT))
        .column(Column::new("Height", SqlType::INT))
        .column(Column::new("Width", SqlType::INT))
        .column(Column::new("SparseAxis", SqlType::INT).null())
        .column(Column::new("ImageProjectionMatrix", SqlType::Json).null())
        .column(Column::new("ScanIndices", SqlType::Json).null())
        .column(Column::new(
            "DataType",
            SqlType::enumeration(["R8", "R8UI", "R16UI", "R32UI", "R32F"]),
        ))
        .column(Column::new("Threshold", SqlType::Float).null())
        .column(Column::new("ReferenceSegmentationID", SqlType::INT).null())
        .primary_key(["ModelSegmentationID"])
        .index(Index::new("ModelID", ["ModelID"]))
        .index(Index::new("ImageInstanceID", ["ImageInstanceID"]))
        .index(Index::new(
            "ReferenceSegmentationID",
            ["ReferenceSegmentationID"],
        ))
        .foreign_key(ForeignKey::new(
            "ModelSegmentation_ibfk_1",
            ["ModelID"],
            "Model",
            ["ModelID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "ModelSegmentation_ibfk_2",
                ["ImageInstanceID"],
                "ImageInstance",
                ["ImageInstanceID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "ModelSegmentation_ibfk_3",
            ["ReferenceSegmentationID"],
            "Segmentation",
            ["SegmentationID"],
        ))
}

fn segmentation_tag_table() -> Table {
    Table::new("SegmentationTag")
        .column(Column::new("TagID", SqlType::INT))
        .column(Column::new("SegmentationID", SqlType::INT))
        .column(Column::new("CreatorID", SqlType::INT))
        .column(Column::new("Comment", SqlType::Varchar(256)).null())
        .column(
            Column::new("DateInserted", SqlType::DateTime).default(ColumnDefault::CurrentTimestamp),
        )
        .primary_key(["TagID", "SegmentationID"])
        .index(Index::new(
            "fk_SegmentationTag_Segmentation1_idx",
            ["SegmentationID"],
        ))
        .index(Index::new("fk_SegmentationTag_Creator1_idx", ["CreatorID"]))
        .index(Index::new("fk_SegmentationTag_Tag1_idx", ["TagID"]))
        .foreign_key(
            ForeignKey::new("SegmentationTag_ibfk_1", ["TagID"], "Tag", ["TagID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "SegmentationTag_ibfk_2",
                ["SegmentationID"],
                "Segmentation",
                ["SegmentationID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(ForeignKey::new(
            "SegmentationTag_ibfk_3",
            ["CreatorID"],
            "Creator",
            ["CreatorID"],
        ))
}

fn attribute_value_table() -> Table {
    Table::new("AttributeValue")
        .column(Column::new("AttributeValueID", SqlType::INT).auto_increment())
        .column(Column::new("AttributeID", SqlType::INT))
        .column(Column::new("ModelID", SqlType::INT))
        .column(Column::new("ImageInstanceID", SqlType::INT).null())
        .column(Column::new("SegmentationID", SqlType::INT).null())
        .column(Column::new("ModelSegmentationID", SqlType::INT).null())
        .column(Column::new("PatientID", SqlType::INT).null())
        .column(Column::new("StudyID", SqlType::INT).null())
        .column(Column::new("Laterality", SqlType::enumeration(["L", "R"])).null())
        .column(Column::new("ValueFloat", SqlType::Float).null())
        .column(Column::new("ValueInt", SqlType::INT).null())
        .column(Column::new("ValueText", SqlType::Varchar(255)).null())
        .column(Column::new("ValueJSON", SqlType::Json).null())
        .primary_key(["AttributeValueID"])
        .index(
            Index::unique(
                "uq_AttributeValue_image_attribute_model",
                ["ImageInstanceID", "AttributeID", "ModelID"],
            ),
        )
        .index(
            Index::unique(
                "uq_AttributeValue_segmentation_attribute_model",
                ["SegmentationID", "AttributeID", "ModelID"],
            ),
        )
        .index(
            Index::unique(
                "uq_AttributeValue_modelseg_attribute_model",
                ["ModelSegmentationID", "AttributeID", "ModelID"],
            ),
        )
        .index(
            Index::unique(
                "uq_AttributeValue_patient_attribute_model",
                ["PatientID", "AttributeID", "ModelID"],
            ),
        )
        .index(
            Index::unique(
                "uq_AttributeValue_study_attribute_model",
                ["StudyID", "AttributeID", "ModelID"],
            ),
        )
        .index(Index::new("fk_AttributeValue_Attribute1_idx", ["AttributeID"]))
        .index(Index::new("fk_AttributeValue_Model1_idx", ["ModelID"]))
        .index(Index::new("fk_AttributeValue_ImageInstance1_idx", ["ImageInstanceID"]))
        .index(Index::new("fk_AttributeValue_Segmentation1_idx", ["SegmentationID"]))
        .index(
            Index::new(
                "fk_AttributeValue_ModelSegmentation1_idx",
                ["ModelSegmentationID"],
            ),
        )
        .index(Index::new("fk_AttributeValue_Patient1_idx", ["PatientID"]))
        .index(Index::new("fk_AttributeValue_Study1_idx", ["StudyID"]))
        .foreign_key(
            ForeignKey::new(
                    "AttributeValue_ibfk_1",
                    ["AttributeID"],
                    "AttributeDefinition",
                    ["AttributeID"],
                )
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new("AttributeValue_ibfk_2", ["ModelID"], "Model", ["ModelID"])
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                    "AttributeValue_ibfk_3",
                    ["ImageInstanceID"],
                    "ImageInstance",
                    ["ImageInstanceID"],
                )
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                    "AttributeValue_ibfk_4",
                    ["SegmentationID"],
                    "Segmentation",
                    ["SegmentationID"],
                )
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                    "AttributeValue_ibfk_5",
                    ["ModelSegmentationID"],
                    "ModelSegmentation",
                    ["ModelSegmentationID"],
                )
                .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "AttributeValue_ibfk_6",
                ["PatientID"],
                "Patient",
                ["PatientID"],
            ),
        )
        .foreign_key(
            ForeignKey::new("AttributeValue_ibfk_7", ["StudyID"], "Study", ["StudyID"]),
        )
        .check(
            Check::new(
                "ck_AttributeValue_exactly_one_entity",
                "`ImageInstanceID` is not null and `SegmentationID` is null and `ModelSegmentationID` is null and `PatientID` is null and `StudyID` is null or `ImageInstanceID` is null and `SegmentationID` is not null and `ModelSegmentationID` is null and `PatientID` is null and `StudyID` is null or `ImageInstanceID` is null and `SegmentationID` is null and `ModelSegmentationID` is not null and `PatientID` is null and `StudyID` is null or `ImageInstanceID` is null and `SegmentationID` is null and `ModelSegmentationID` is null and `PatientID` is not null and `StudyID` is null or `ImageInstanceID` is null and `SegmentationID` is null and `ModelSegmentationID` is null and `PatientID` is null and `StudyID` is not null",
            ),
        )
}

fn attribute_value_input_table() -> Table {
    Table::new("AttributeValueInput")
        .column(Column::new("OutputAttributeValueID", SqlType::INT))
        .column(Column::new("InputAttributeValueID", SqlType::INT))
        .primary_key(["OutputAttributeValueID", "InputAttributeValueID"])
        .index(Index::new(
            "InputAttributeValueID",
            ["InputAttributeValueID"],
        ))
        .foreign_key(
            ForeignKey::new(
                "AttributeValueInput_ibfk_1",
                ["OutputAttributeValueID"],
                "AttributeValue",
                ["AttributeValueID"],
            )
            .on_delete(FkAction::Cascade),
        )
        .foreign_key(
            ForeignKey::new(
                "AttributeValueInput_ibfk_2",
                ["InputAttributeValueID"],
                "AttributeValue",
                ["AttributeValueID"],
            )
            .on_delete(FkAction::Cascade),
        )
}
