//! `make_tag` on `Study`, `ImageInstance`, `FormAnnotation` and `Segmentation`.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionTrait,
};

use super::finish;
use crate::error::{Error, Result};
use crate::{
    Creator, FormAnnotation, ImageInstance, Segmentation, Study, Tag, TagType, creator,
    form_annotation_tag, image_instance_tag, segmentation_tag, study_tag, tag,
};

/// Steps 1 and 2 of `make_tag`: the creator (created, human, when new) and the tag of this
/// name and type (created when new, which needs a description). Returns their ids.
async fn creator_and_tag<T: ConnectionTrait>(
    txn: &T,
    tag_name: &str,
    tag_type: TagType,
    creator_name: &str,
    tag_description: Option<&str>,
) -> Result<(i32, i32)> {
    let creator = match Creator::by_name(txn, creator_name).await? {
        Some(found) => found,
        None => {
            creator::ActiveModel {
                creator_name: Set(creator_name.to_owned()),
                is_human: Set(true),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    let existing = tag::Entity::find()
        .filter(tag::Column::TagName.eq(tag_name))
        .filter(tag::Column::TagType.eq(tag_type))
        .one(txn)
        .await?;
    let tag: Tag = match (existing, tag_description) {
        (None, None) => {
            return Err(Error::InvalidArgument(format!(
                "tag {tag_name:?} does not exist and tag_description is required for new tags"
            )));
        }
        (None, Some(description)) => {
            tag::ActiveModel {
                tag_name: Set(tag_name.to_owned()),
                tag_type: Set(tag_type),
                tag_description: Set(description.to_owned()),
                creator_id: Set(creator.creator_id),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
        (Some(found), Some(description)) if found.tag_description != description => {
            return Err(Error::InvalidArgument(format!(
                "tag {tag_name:?} exists with a different description: {:?} != {description:?}",
                found.tag_description
            )));
        }
        (Some(found), _) => found,
    };
    Ok((creator.creator_id, tag.tag_id))
}

macro_rules! make_tag {
    ($owner:ident, $id:ident, $link:ident, $tag_type:expr) => {
        impl $owner {
            #[doc = concat!(
                "Tags this `", stringify!($owner), "` with the `", stringify!($owner),
                "` tag named `tag_name` on behalf of the creator named `creator_name`, in one \
                 transaction, and returns the link.\n\n",
                "A creator of that name is created (as a human) if there is none. A tag that \
                 does not exist yet is created, which needs `tag_description`; an existing tag \
                 whose description differs from a given `tag_description` is an \
                 [`Error::InvalidArgument`](crate::Error::InvalidArgument). Tagging twice keeps \
                 the first link and its creator, replacing its comment when `comment` is given.\n\n",
                "```no_run\n",
                "# #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {\n",
                "let db = sea_orm::Database::connect(std::env::var(\"DATABASE_URL\")?).await?;\n",
                "if let Some(row) = eyened_orm::", stringify!($owner), "::by_id(&db, 1).await? {\n",
                "    let link = row\n",
                "        .make_tag(&db, \"review\", \"alice\", Some(\"check\"), Some(\"needs review\"))\n",
                "        .await?;\n",
                "}\n",
                "# Ok(()) }\n",
                "```",
            )]
            pub async fn make_tag<C>(
                &self,
                db: &C,
                tag_name: &str,
                creator_name: &str,
                comment: Option<&str>,
                tag_description: Option<&str>,
            ) -> Result<$link::Model>
            where
                C: ConnectionTrait + TransactionTrait,
            {
                let txn = db.begin().await?;
                let result = async {
                    let (creator_id, tag_id) =
                        creator_and_tag(&txn, tag_name, $tag_type, creator_name, tag_description)
                            .await?;
                    let link = match $link::Entity::find_by_id((tag_id, self.$id)).one(&txn).await? {
                        None => {
                            $link::ActiveModel {
                                tag_id: Set(tag_id),
                                $id: Set(self.$id),
                                creator_id: Set(creator_id),
                                comment: Set(comment.map(str::to_owned)),
                                ..Default::default()
                            }
                            .insert(&txn)
                            .await?
                        }
                        Some(link) => match comment {
                            None => link,
                            Some(text) => {
                                let mut active = link.into_active_model();
                                active.comment = Set(Some(text.to_owned()));
                                active.update(&txn).await?
                            }
                        },
                    };
                    Ok(link)
                }
                .await;
                finish(txn, result).await
            }
        }
    };
}

make_tag!(Study, study_id, study_tag, TagType::Study);
make_tag!(
    ImageInstance,
    image_instance_id,
    image_instance_tag,
    TagType::ImageInstance
);
make_tag!(
    FormAnnotation,
    form_annotation_id,
    form_annotation_tag,
    TagType::FormAnnotation
);
make_tag!(
    Segmentation,
    segmentation_id,
    segmentation_tag,
    TagType::Segmentation
);
