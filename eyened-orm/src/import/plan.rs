//! Planning an import: every path and value checked, every row looked up, and the rows to
//! insert decided, before anything is written. Reads only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Statement, Value,
};

use super::input::{self, At, ItemIn, Prop, Tables};
use super::{Counts, ImportError, InputProblem, Options, Summary};
use crate::schema::{Schema, Table};
use crate::sql::ident;

/// The columns the importer sets on every new image: its series, its path and
/// [`IMAGE_INACTIVE`] (false unless a prop says otherwise).
pub(super) const IMAGE_FIXED: [&str; 3] = ["SeriesID", "DatasetIdentifier", IMAGE_INACTIVE];
pub(super) const IMAGE_INACTIVE: &str = "Inactive";

/// Values per `IN (...)` lookup: below MariaDB's `in_predicate_conversion_threshold` (1000),
/// past which the list becomes a temporary table.
const LOOKUP_CHUNK: usize = 999;

/// Lookups in flight at once.
const LOOKUP_PARALLEL: usize = 4;

/// The four tables an import writes, from the entities.
pub(super) fn tables(schema: &'static Schema) -> Tables {
    let get = |name: &str| {
        schema
            .table(name)
            .unwrap_or_else(|| panic!("the entities define the {name} table"))
    };
    Tables {
        patient: get("Patient"),
        study: get("Study"),
        series: get("Series"),
        image: get("ImageInstance"),
    }
}

/// A row that exists, or the index of a row to insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Ref {
    Existing(i32),
    New(usize),
}

#[derive(Debug)]
pub(super) struct NewPatient {
    /// Where the input gives it (first).
    pub at: At,
    pub project: Ref,
    pub identifier: String,
    pub props: Vec<Prop>,
}

#[derive(Debug)]
pub(super) struct NewStudy {
    /// Where the input gives it (first).
    pub at: At,
    pub patient: Ref,
    pub date: NaiveDate,
    pub props: Vec<Prop>,
}

#[derive(Debug)]
pub(super) struct NewSeries {
    /// Where the input gives it (first).
    pub at: At,
    pub study: Ref,
    pub uid: Option<String>,
    pub props: Vec<Prop>,
}

#[derive(Debug)]
pub(super) struct NewImage {
    pub series: Ref,
    pub dataset_identifier: String,
    pub props: Vec<Prop>,
}

/// The rows to insert, in dependency order, and what exists already.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub projects: Vec<String>,
    pub patients: Vec<NewPatient>,
    pub studies: Vec<NewStudy>,
    pub series: Vec<NewSeries>,
    pub images: Vec<NewImage>,
    existing_projects: BTreeSet<i32>,
    existing_patients: BTreeSet<i32>,
    existing_studies: BTreeSet<i32>,
    existing_series: BTreeSet<i32>,
    existing_images: BTreeSet<i32>,
    warnings: Vec<String>,
}

impl Plan {
    pub(super) fn summary(&self) -> Summary {
        let counts = |new: usize, existing: &BTreeSet<i32>| Counts {
            new: new as u64,
            existing: existing.len() as u64,
        };
        Summary {
            projects: counts(self.projects.len(), &self.existing_projects),
            patients: counts(self.patients.len(), &self.existing_patients),
            studies: counts(self.studies.len(), &self.existing_studies),
            series: counts(self.series.len(), &self.existing_series),
            images: counts(self.images.len(), &self.existing_images),
            warnings: self.warnings.clone(),
            ..Summary::default()
        }
    }
}

/// Lexically normalized: `.` dropped, `..` applied.
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The key the server's case- and trailing-space-insensitive collation compares by.
fn ci(s: &str) -> String {
    s.trim_end_matches(' ').to_lowercase()
}

/// `DatasetIdentifier` of an image path (the path relative to the base path, with `/`) and the
/// file's full path. Whether the file exists is not checked here. Problems show the base path as
/// the user gave it (`shown`), not as resolved.
fn dataset_identifier(
    basepath: &Path,
    shown: &Path,
    image: &str,
    max_len: u32,
) -> Result<(String, PathBuf), String> {
    let lower = image.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Err(format!(
            "'{image}' is a URL; give a file path inside the images base path"
        ));
    }
    let given = Path::new(image);
    let plain_relative = !given.is_absolute()
        && image
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    let (identifier, full) = if plain_relative {
        // The common case: the path is its own identifier.
        (image.to_owned(), basepath.join(given))
    } else {
        let full = normalize(&if given.is_absolute() {
            given.to_owned()
        } else {
            basepath.join(given)
        });
        let relative = full
            .strip_prefix(basepath)
            .ok()
            .filter(|r| !r.as_os_str().is_empty())
            .ok_or_else(|| {
                format!(
                    "'{image}' is outside the images base path {}",
                    shown.display()
                )
            })?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (parts.join("/"), full)
    };
    if identifier.chars().count() > max_len as usize {
        return Err(format!(
            "the path relative to the base path is longer than {max_len} characters"
        ));
    }
    Ok((identifier, full))
}

/// An image that exists, and its series.
#[derive(Debug, Clone, Copy)]
struct ExistingImage {
    id: i32,
    series: i32,
}

/// Records an existing image (a row of `ImageInstanceID, SeriesID, DatasetIdentifier,
/// SourceInfoID, SOPInstanceUid`) under both of its unique keys.
fn note_image(
    row: &QueryResult,
    by_path: &mut HashMap<(String, i64), ExistingImage>,
    by_sop: &mut HashMap<String, ExistingImage>,
) -> Result<(), DbErr> {
    let image = ExistingImage {
        id: row.try_get_by_index(0)?,
        series: row.try_get_by_index(1)?,
    };
    let path: String = row.try_get_by_index(2)?;
    let source: i64 = row.try_get_by_index::<i32>(3)?.into();
    by_path.insert((ci(&path), source), image);
    if let Some(sop) = row.try_get_by_index::<Option<String>>(4)? {
        by_sop.insert(ci(&sop), image);
    }
    Ok(())
}

/// What pass 1 learns about each image, in input order.
struct ImageInfo {
    dataset_identifier: Option<String>,
    source: Option<i64>,
    sop: Option<String>,
}

fn prop<'p>(props: &'p [Prop], column: &str) -> Option<&'p Prop> {
    props.iter().find(|p| p.column.eq_ignore_ascii_case(column))
}

fn prop_i64(props: &[Prop], column: &str) -> Option<i64> {
    match prop(props, column)?.value {
        Value::BigInt(v) => v,
        Value::Int(v) => v.map(i64::from),
        _ => None,
    }
}

fn prop_string(props: &[Prop], column: &str) -> Option<String> {
    match &prop(props, column)?.value {
        Value::String(v) => v.clone(),
        _ => None,
    }
}

fn prop_date(props: &[Prop], column: &str) -> Option<NaiveDate> {
    match prop(props, column)?.value {
        Value::ChronoDate(v) => v,
        _ => None,
    }
}

fn without(mut props: Vec<Prop>, column: &str) -> Vec<Prop> {
    props.retain(|p| !p.column.eq_ignore_ascii_case(column));
    props
}

/// Columns a new row of `table` must be given in props: NOT NULL, no default, not generated,
/// and not among `set` (what the importer sets).
fn missing_required(table: &Table, set: &[&str], props: &[Prop]) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| !c.nullable && c.default.is_none() && !c.auto_increment)
        .filter(|c| !set.iter().any(|s| s.eq_ignore_ascii_case(&c.name)))
        .filter(|c| prop(props, &c.name).is_none())
        .map(|c| c.name.clone())
        .collect()
}

/// Whether a problem was already reported for `column` of the node at `at` (a value given but
/// invalid), so that "needs <column>" is not reported on top of it.
fn reported(problems: &[InputProblem], at: &str, column: &str) -> bool {
    problems.iter().any(|p| {
        p.at.strip_prefix(at)
            .is_some_and(|rest| rest.starts_with(['.', ',']) && rest.ends_with(column))
    })
}

/// Merges the props of a repeated `node` (patient, study or series; at `here`) into those of its
/// first occurrence (at `first`).
fn merge(
    node: &str,
    into: &mut Vec<Prop>,
    first: At,
    more: Vec<Prop>,
    here: At,
    problems: &mut Vec<InputProblem>,
) {
    for p in more {
        match prop(into, p.column) {
            Some(old) if old.value != p.value => problems.push(InputProblem {
                at: here.prop(p.column),
                message: input::differs(p.column, &first.prop(old.column), node),
            }),
            Some(_) => {}
            None => into.push(p),
        }
    }
}

async fn query(
    db: &DatabaseConnection,
    sql: String,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(Statement::from_sql_and_values(
        DbBackend::MySql,
        sql,
        values,
    ))
    .await
}

/// Runs `SELECT <select> FROM <from> WHERE <column> IN (...)` over `values` in chunks, a few
/// chunks at a time on connections of their own.
async fn lookup(
    db: &DatabaseConnection,
    select: &str,
    from: &str,
    column: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, DbErr> {
    use futures_util::{StreamExt, TryStreamExt};
    let chunks: Vec<Vec<Value>> = values.chunks(LOOKUP_CHUNK).map(<[Value]>::to_vec).collect();
    let results: Vec<Vec<QueryResult>> = futures_util::stream::iter(chunks)
        .map(|chunk| {
            let marks = vec!["?"; chunk.len()].join(", ");
            query(
                db,
                format!("SELECT {select} FROM {from} WHERE {column} IN ({marks})"),
                chunk,
            )
        })
        .buffer_unordered(LOOKUP_PARALLEL)
        .try_collect()
        .await?;
    Ok(results.into_iter().flatten().collect())
}

/// Records `at` under `key`; returns the position recorded first, if `key` was seen before.
fn first_at<K: std::hash::Hash + Eq>(seen: &mut HashMap<K, At>, key: K, at: At) -> Option<At> {
    match seen.entry(key) {
        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(at);
            None
        }
    }
}

/// `f` over `items`, in order, on as many threads as there are cores.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 1000 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// A random 16-hex-digit patient identifier, as the Python importer's `secrets.token_hex(8)`.
fn random_identifier() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("{:016x}", h.finish())
}

/// Checks and resolves `items`; `problems` are those found while parsing.
pub(super) async fn plan(
    db: &DatabaseConnection,
    tables: &Tables,
    items: Vec<ItemIn>,
    mut problems: Vec<InputProblem>,
    basepath: &Path,
    options: &Options,
) -> Result<Plan, ImportError> {
    let problem = |problems: &mut Vec<InputProblem>, at: &str, message: String| {
        problems.push(InputProblem {
            at: at.to_owned(),
            message,
        })
    };

    // Pass 1, no database: paths, keys, duplicates within the input, ids to check.
    let max_path = match tables
        .image
        .get_column("DatasetIdentifier")
        .map(|c| &c.sql_type)
    {
        Some(crate::schema::SqlType::Varchar(n)) => *n,
        _ => 256,
    };
    let mut by_path: HashMap<(String, i64), At> = HashMap::new();
    let mut by_sop: HashMap<String, At> = HashMap::new();
    // (referenced table, referenced column) → value → positions (node, column).
    type Places = Vec<(At, &'static str)>;
    let mut references: BTreeMap<(String, String), BTreeMap<i64, Places>> = BTreeMap::new();
    let mut note_references = |table: &Table, at: At, props: &[Prop]| {
        for p in props {
            let fk = table
                .foreign_keys
                .iter()
                .find(|fk| fk.columns.len() == 1 && fk.columns[0].eq_ignore_ascii_case(p.column));
            if let (Some(fk), Value::BigInt(Some(v))) = (fk, &p.value) {
                references
                    .entry((
                        fk.referenced_table.clone(),
                        fk.referenced_columns[0].clone(),
                    ))
                    .or_default()
                    .entry(*v)
                    .or_default()
                    .push((at, p.column));
            }
        }
    };
    // [item][study][series] → the range of its images in `infos`.
    let mut spans: Vec<Vec<Vec<Range<usize>>>> = Vec::with_capacity(items.len());
    let mut all_images = Vec::new();
    for item in &items {
        note_references(tables.patient, item.at, &item.props);
        let mut item_spans = Vec::with_capacity(item.studies.len());
        for study in &item.studies {
            note_references(tables.study, study.at, &study.props);
            let mut study_spans = Vec::with_capacity(study.series.len());
            for series in &study.series {
                note_references(tables.series, series.at, &series.props);
                study_spans.push(all_images.len()..all_images.len() + series.images.len());
                for image in &series.images {
                    note_references(tables.image, image.at, &image.props);
                    all_images.push(image);
                }
            }
            item_spans.push(study_spans);
        }
        spans.push(item_spans);
    }
    let identifiers = parallel_map(&all_images, |image| {
        if image.image.trim().is_empty() {
            Ok(None) // reported while parsing
        } else {
            dataset_identifier(basepath, &options.images_basepath, &image.image, max_path).map(Some)
        }
    });
    let mut infos = Vec::with_capacity(all_images.len());
    // (index in `infos`, full path) of every file to look for.
    let mut files = Vec::with_capacity(all_images.len());
    for (image, identifier) in all_images.iter().zip(identifiers) {
        let dataset_identifier = match identifier {
            Ok(Some((identifier, full))) => {
                files.push((infos.len(), full));
                Some(identifier)
            }
            Ok(None) => None,
            Err(message) => {
                problem(&mut problems, &image.at.field("image"), message);
                None
            }
        };
        let source = prop_i64(&image.props, "SourceInfoID");
        let sop = prop_string(&image.props, "SOPInstanceUid");
        let mut duplicate = |first: Option<At>, what: &str| {
            if let Some(first) = first {
                problem(
                    &mut problems,
                    &image.at.to_string(),
                    format!("the same {what} as {first}"),
                );
            }
        };
        if let (Some(d), Some(s)) = (&dataset_identifier, source) {
            let first = first_at(&mut by_path, (ci(d), s), image.at);
            duplicate(first, "image (path and SourceInfoID)");
        }
        if let Some(uid) = &sop {
            let first = first_at(&mut by_sop, ci(uid), image.at);
            duplicate(first, "SOPInstanceUid");
        }
        infos.push(ImageInfo {
            dataset_identifier,
            source,
            sop,
        });
    }

    // Looking for the files is a system call per image: on other threads, while the lookups
    // below wait for the server.
    let found_files = tokio::task::spawn_blocking(move || {
        let found = parallel_map(&files, |(_, path)| path.exists());
        (files, found)
    });

    // Pass 2, reads: referenced ids, then every row the input may match.
    for ((table, column), values) in &references {
        let ids: Vec<Value> = values.keys().map(|v| Value::BigInt(Some(*v))).collect();
        let found: BTreeSet<i64> = lookup(db, &ident(column), &ident(table), &ident(column), ids)
            .await?
            .iter()
            .map(|r| r.try_get_by_index::<i64>(0))
            .collect::<Result<_, _>>()?;
        for (value, places) in values {
            if !found.contains(value) {
                for (at, column) in places {
                    problem(
                        &mut problems,
                        &at.prop(column),
                        format!("{table} has no row with {column} = {value}"),
                    );
                }
            }
        }
    }

    let names: BTreeSet<String> = items.iter().map(|i| i.project_name.clone()).collect();
    let mut projects: HashMap<String, i32> = HashMap::new();
    for row in lookup(
        db,
        "`ProjectID`, `ProjectName`",
        "`Project`",
        "`ProjectName`",
        names.into_iter().map(|n| Value::String(Some(n))).collect(),
    )
    .await?
    {
        projects.insert(
            ci(&row.try_get_by_index::<String>(1)?),
            row.try_get_by_index(0)?,
        );
    }

    let identifiers: BTreeSet<String> = items
        .iter()
        .filter_map(|i| {
            i.patient_identifier
                .clone()
                .or_else(|| prop_string(&i.props, "PatientIdentifier"))
        })
        .collect();
    // (ProjectID, identifier) → PatientID
    let mut patients: HashMap<(i32, String), i32> = HashMap::new();
    for row in lookup(
        db,
        "`PatientID`, `ProjectID`, `PatientIdentifier`",
        "`Patient`",
        "`PatientIdentifier`",
        identifiers
            .into_iter()
            .map(|n| Value::String(Some(n)))
            .collect(),
    )
    .await?
    {
        patients.insert(
            (
                row.try_get_by_index(1)?,
                ci(&row.try_get_by_index::<String>(2)?),
            ),
            row.try_get_by_index(0)?,
        );
    }

    let image_select = "`ImageInstanceID`, `SeriesID`, `DatasetIdentifier`, `SourceInfoID`, \
        `SOPInstanceUid`";
    let mut images_by_path: HashMap<(String, i64), ExistingImage> = HashMap::new();
    let mut images_by_sop: HashMap<String, ExistingImage> = HashMap::new();
    let paths: BTreeSet<String> = infos
        .iter()
        .filter_map(|i| i.dataset_identifier.clone())
        .collect();
    for row in lookup(
        db,
        image_select,
        "`ImageInstance`",
        "`DatasetIdentifier`",
        paths.into_iter().map(|p| Value::String(Some(p))).collect(),
    )
    .await?
    {
        note_image(&row, &mut images_by_path, &mut images_by_sop)?;
    }
    // Images found by path need no second lookup.
    let sops: BTreeSet<String> = infos
        .iter()
        .filter(|i| match (&i.dataset_identifier, i.source) {
            (Some(d), Some(s)) => !images_by_path.contains_key(&(ci(d), s)),
            _ => true,
        })
        .filter_map(|i| i.sop.clone())
        .collect();
    for row in lookup(
        db,
        image_select,
        "`ImageInstance`",
        "`SOPInstanceUid`",
        sops.into_iter().map(|p| Value::String(Some(p))).collect(),
    )
    .await?
    {
        note_image(&row, &mut images_by_path, &mut images_by_sop)?;
    }
    // The patient of each series an existing image is in.
    let image_series: BTreeSet<i32> = images_by_path
        .values()
        .chain(images_by_sop.values())
        .map(|i| i.series)
        .collect();
    let mut series_patient: HashMap<i32, i32> = HashMap::new();
    for row in lookup(
        db,
        "s.`SeriesID`, st.`PatientID`",
        "`Series` s JOIN `Study` st ON st.`StudyID` = s.`StudyID`",
        "s.`SeriesID`",
        image_series
            .into_iter()
            .map(|s| Value::Int(Some(s)))
            .collect(),
    )
    .await?
    {
        series_patient.insert(row.try_get_by_index(0)?, row.try_get_by_index(1)?);
    }
    let existing_image = |info: &ImageInfo| -> Option<ExistingImage> {
        let by_path = match (&info.dataset_identifier, info.source) {
            (Some(d), Some(s)) => images_by_path.get(&(ci(d), s)).copied(),
            _ => None,
        };
        by_path.or_else(|| {
            info.sop
                .as_ref()
                .and_then(|u| images_by_sop.get(&ci(u)).copied())
        })
    };

    // Studies of every patient the input may reach.
    let mut patient_ids: BTreeSet<i32> = patients.values().copied().collect();
    patient_ids.extend(series_patient.values().copied());
    let mut studies: HashMap<(i32, NaiveDate), i32> = HashMap::new();
    for row in lookup(
        db,
        "`StudyID`, `PatientID`, `StudyDate`",
        "`Study`",
        "`PatientID`",
        patient_ids
            .into_iter()
            .map(|p| Value::Int(Some(p)))
            .collect(),
    )
    .await?
    {
        studies.insert(
            (row.try_get_by_index(1)?, row.try_get_by_index(2)?),
            row.try_get_by_index(0)?,
        );
    }

    let uids: BTreeSet<String> = items
        .iter()
        .flat_map(|i| &i.studies)
        .flat_map(|s| &s.series)
        .filter_map(|s| {
            s.series_id
                .clone()
                .or_else(|| prop_string(&s.props, "SeriesInstanceUid"))
        })
        .collect();
    // uid → (SeriesID, StudyID)
    let mut series_by_uid: HashMap<String, (i32, i32)> = HashMap::new();
    for row in lookup(
        db,
        "`SeriesID`, `StudyID`, `SeriesInstanceUid`",
        "`Series`",
        "`SeriesInstanceUid`",
        uids.into_iter().map(|u| Value::String(Some(u))).collect(),
    )
    .await?
    {
        series_by_uid.insert(
            ci(&row.try_get_by_index::<String>(2)?),
            (row.try_get_by_index(0)?, row.try_get_by_index(1)?),
        );
    }

    let (files, found) = match found_files.await {
        Ok(checked) => checked,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => return Err(DbErr::Custom(format!("checking the image files: {e}")).into()),
    };
    for ((index, path), found) in files.into_iter().zip(found) {
        if !found {
            problem(
                &mut problems,
                &all_images[index].at.field("image"),
                format!("file not found: {}", path.display()),
            );
            infos[index].dataset_identifier = None;
        }
    }

    // Pass 3, no database: resolve the tree.
    let mut plan = Plan::default();
    let mut project_refs: HashMap<String, Ref> = HashMap::new();
    let mut patient_refs: HashMap<(Ref, String), Ref> = HashMap::new();
    let mut study_refs: HashMap<(Ref, NaiveDate), Ref> = HashMap::new();
    let mut series_refs: HashMap<String, (Ref, Ref, At)> = HashMap::new();
    let mut ignored_props: BTreeMap<&'static str, Vec<At>> = BTreeMap::new();
    let mut missing_projects: BTreeMap<String, String> = BTreeMap::new();

    for (i, item) in items.into_iter().enumerate() {
        // The images of a subtree, for matching nodes that have no key of their own.
        let span = |study: Option<usize>, series: Option<usize>| -> &[ImageInfo] {
            let ranges: Vec<&Range<usize>> = spans[i]
                .iter()
                .enumerate()
                .filter(|(j, _)| study.is_none_or(|x| x == *j))
                .flat_map(|(_, s)| {
                    s.iter()
                        .enumerate()
                        .filter(|(k, _)| series.is_none_or(|x| x == *k))
                        .map(|(_, r)| r)
                })
                .collect();
            match (ranges.first(), ranges.last()) {
                (Some(a), Some(b)) => &infos[a.start..b.end],
                _ => &[],
            }
        };
        let first_existing = |infos: &[ImageInfo]| infos.iter().find_map(&existing_image);
        let has_new = |infos: &[ImageInfo]| infos.iter().any(|i| existing_image(i).is_none());

        // Project.
        let project_key = ci(&item.project_name);
        let project = if item.project_name.trim().is_empty() {
            None
        } else if let Some(r) = project_refs.get(&project_key) {
            Some(*r)
        } else if let Some(id) = projects.get(&project_key) {
            plan.existing_projects.insert(*id);
            project_refs.insert(project_key.clone(), Ref::Existing(*id));
            Some(Ref::Existing(*id))
        } else if options.create_projects {
            plan.projects.push(item.project_name.clone());
            let r = Ref::New(plan.projects.len() - 1);
            project_refs.insert(project_key.clone(), r);
            Some(r)
        } else {
            missing_projects
                .entry(item.project_name.clone())
                .or_insert_with(|| item.at.field("project_name"));
            None
        };

        // Patient.
        let identifier = match (
            &item.patient_identifier,
            prop_string(&item.props, "PatientIdentifier"),
        ) {
            (Some(a), Some(b)) if ci(a) != ci(&b) => {
                problem(
                    &mut problems,
                    &item.at.prop("PatientIdentifier"),
                    format!("differs from patient_identifier '{a}'"),
                );
                Some(a.clone())
            }
            (Some(a), _) => Some(a.clone()),
            (None, b) => b,
        };
        let patient_props = without(item.props, "PatientIdentifier");
        let patient = match (&identifier, project) {
            (_, None) => None,
            (Some(id), Some(project)) => {
                let key = (project, ci(id));
                if let Some(r) = patient_refs.get(&key) {
                    if let Ref::New(n) = r {
                        let node = &mut plan.patients[*n];
                        merge(
                            "patient",
                            &mut node.props,
                            node.at,
                            patient_props,
                            item.at,
                            &mut problems,
                        );
                    }
                    Some(*r)
                } else {
                    let existing = match project {
                        Ref::Existing(p) => patients.get(&(p, ci(id))).copied(),
                        Ref::New(_) => None,
                    };
                    let r = match existing {
                        Some(pid) => {
                            plan.existing_patients.insert(pid);
                            if !patient_props.is_empty() {
                                ignored_props.entry("patient").or_default().push(item.at);
                            }
                            Some(Ref::Existing(pid))
                        }
                        None if options.create_patients => {
                            plan.patients.push(NewPatient {
                                at: item.at,
                                project,
                                identifier: id.clone(),
                                props: patient_props,
                            });
                            Some(Ref::New(plan.patients.len() - 1))
                        }
                        None => {
                            problem(
                                &mut problems,
                                &item.at.to_string(),
                                format!(
                                    "patient '{id}' does not exist in project '{}'; pass --create-patients to create it",
                                    item.project_name
                                ),
                            );
                            None
                        }
                    };
                    if let Some(r) = r {
                        patient_refs.insert(key, r);
                    }
                    r
                }
            }
            (None, Some(project)) => {
                let all = span(None, None);
                if let Some(patient) =
                    first_existing(all).and_then(|image| series_patient.get(&image.series).copied())
                {
                    plan.existing_patients.insert(patient);
                    Some(Ref::Existing(patient))
                } else if !has_new(all) {
                    plan.warnings.push(format!(
                        "{}: no patient_identifier and no images; nothing to import",
                        item.at
                    ));
                    None
                } else if options.create_patients {
                    plan.patients.push(NewPatient {
                        at: item.at,
                        project,
                        identifier: random_identifier(),
                        props: patient_props,
                    });
                    Some(Ref::New(plan.patients.len() - 1))
                } else {
                    problem(
                        &mut problems,
                        &item.at.to_string(),
                        "no patient_identifier: pass --create-patients to create a patient with a random identifier".to_owned(),
                    );
                    None
                }
            }
        };
        if let Some(Ref::New(n)) = patient {
            let missing = missing_required(
                tables.patient,
                &["PatientIdentifier", "ProjectID"],
                &plan.patients[n].props,
            );
            if !missing.is_empty() {
                problem(
                    &mut problems,
                    &item.at.props(),
                    format!("a new patient needs {}", missing.join(", ")),
                );
            }
        }

        for (j, study) in item.studies.into_iter().enumerate() {
            let date = match (study.study_date, prop_date(&study.props, "StudyDate")) {
                (Some(a), Some(b)) if a != b => {
                    problem(
                        &mut problems,
                        &study.at.prop("StudyDate"),
                        format!("differs from study_date {a}"),
                    );
                    a
                }
                (Some(a), _) => a,
                (None, Some(b)) => b,
                (None, None) => options.default_study_date,
            };
            let study_props = without(study.props, "StudyDate");
            let study_ref = match patient {
                None => None,
                Some(patient) => {
                    let key = (patient, date);
                    if let Some(r) = study_refs.get(&key) {
                        if let Ref::New(n) = r {
                            let node = &mut plan.studies[*n];
                            merge(
                                "study",
                                &mut node.props,
                                node.at,
                                study_props,
                                study.at,
                                &mut problems,
                            );
                        }
                        Some(*r)
                    } else {
                        let existing = match patient {
                            Ref::Existing(p) => studies.get(&(p, date)).copied(),
                            Ref::New(_) => None,
                        };
                        let r = match existing {
                            Some(sid) => {
                                plan.existing_studies.insert(sid);
                                if !study_props.is_empty() {
                                    ignored_props.entry("study").or_default().push(study.at);
                                }
                                Some(Ref::Existing(sid))
                            }
                            None if options.create_studies => {
                                let missing = missing_required(
                                    tables.study,
                                    &["PatientID", "StudyDate"],
                                    &study_props,
                                );
                                plan.studies.push(NewStudy {
                                    at: study.at,
                                    patient,
                                    date,
                                    props: study_props,
                                });
                                if !missing.is_empty() {
                                    problem(
                                        &mut problems,
                                        &study.at.props(),
                                        format!("a new study needs {}", missing.join(", ")),
                                    );
                                }
                                Some(Ref::New(plan.studies.len() - 1))
                            }
                            None => {
                                problem(
                                    &mut problems,
                                    &study.at.to_string(),
                                    format!(
                                        "the patient has no study on {date}; pass --create-studies to create it"
                                    ),
                                );
                                None
                            }
                        };
                        if let Some(r) = r {
                            study_refs.insert(key, r);
                        }
                        r
                    }
                }
            };

            for (k, series) in study.series.into_iter().enumerate() {
                let uid = match (
                    &series.series_id,
                    prop_string(&series.props, "SeriesInstanceUid"),
                ) {
                    (Some(a), Some(b)) if ci(a) != ci(&b) => {
                        problem(
                            &mut problems,
                            &series.at.prop("SeriesInstanceUid"),
                            format!("differs from series_id '{a}'"),
                        );
                        Some(a.clone())
                    }
                    (Some(a), _) => Some(a.clone()),
                    (None, b) => b,
                };
                let series_props = without(series.props, "SeriesInstanceUid");
                let images = span(Some(j), Some(k));
                let series_ref = match (study_ref, &uid) {
                    (None, _) => None,
                    (Some(study_ref), Some(uid)) => {
                        if let Some((r, owner, first_at)) = series_refs.get(&ci(uid)) {
                            if *owner != study_ref {
                                problem(
                                    &mut problems,
                                    &series.at.field("series_id"),
                                    format!(
                                        "series '{uid}' is also given at {first_at}, in another study"
                                    ),
                                );
                            } else if let Ref::New(n) = r {
                                let node = &mut plan.series[*n];
                                merge(
                                    "series",
                                    &mut node.props,
                                    node.at,
                                    series_props,
                                    series.at,
                                    &mut problems,
                                );
                            }
                            Some(*r)
                        } else {
                            let r = match series_by_uid.get(&ci(uid)) {
                                Some((sid, owner)) => {
                                    if study_ref != Ref::Existing(*owner) {
                                        problem(
                                            &mut problems,
                                            &series.at.field("series_id"),
                                            format!(
                                                "series '{uid}' exists already in another study (StudyID {owner})"
                                            ),
                                        );
                                    }
                                    plan.existing_series.insert(*sid);
                                    if !series_props.is_empty() {
                                        ignored_props.entry("series").or_default().push(series.at);
                                    }
                                    Some(Ref::Existing(*sid))
                                }
                                None if options.create_series => {
                                    plan.series.push(NewSeries {
                                        at: series.at,
                                        study: study_ref,
                                        uid: Some(uid.clone()),
                                        props: series_props,
                                    });
                                    Some(Ref::New(plan.series.len() - 1))
                                }
                                None => {
                                    problem(
                                        &mut problems,
                                        &series.at.field("series_id"),
                                        format!(
                                            "series '{uid}' does not exist; creating series is turned off"
                                        ),
                                    );
                                    None
                                }
                            };
                            if let Some(r) = r {
                                series_refs.insert(ci(uid), (r, study_ref, series.at));
                            }
                            r
                        }
                    }
                    (Some(study_ref), None) => {
                        if let Some(image) = first_existing(images) {
                            plan.existing_series.insert(image.series);
                            Some(Ref::Existing(image.series))
                        } else if images.is_empty() {
                            plan.warnings.push(format!(
                                "{}: no series_id and no images; nothing to import",
                                series.at
                            ));
                            None
                        } else if options.create_series {
                            plan.series.push(NewSeries {
                                at: series.at,
                                study: study_ref,
                                uid: None,
                                props: series_props,
                            });
                            Some(Ref::New(plan.series.len() - 1))
                        } else {
                            problem(
                                &mut problems,
                                &series.at.to_string(),
                                "no series_id, and creating series is turned off".to_owned(),
                            );
                            None
                        }
                    }
                };
                if let Some(Ref::New(n)) = series_ref {
                    let missing =
                        missing_required(tables.series, &["StudyID"], &plan.series[n].props);
                    if !missing.is_empty() {
                        problem(
                            &mut problems,
                            &series.at.props(),
                            format!("a new series needs {}", missing.join(", ")),
                        );
                    }
                }

                for (image, info) in series.images.into_iter().zip(images) {
                    if let Some(existing) = existing_image(info) {
                        plan.existing_images.insert(existing.id);
                        continue;
                    }
                    let missing: Vec<String> =
                        missing_required(tables.image, &IMAGE_FIXED, &image.props)
                            .into_iter()
                            .filter(|c| !reported(&problems, &image.at.to_string(), c))
                            .collect();
                    if !missing.is_empty() {
                        problem(
                            &mut problems,
                            &image.at.props(),
                            format!("a new image needs {}", missing.join(", ")),
                        );
                    }
                    if let (Some(series_ref), Some(d)) = (series_ref, &info.dataset_identifier) {
                        plan.images.push(NewImage {
                            series: series_ref,
                            dataset_identifier: d.clone(),
                            props: image.props,
                        });
                    }
                }
            }
        }
    }
    for (name, at) in missing_projects {
        problem(
            &mut problems,
            &at,
            format!("project '{name}' does not exist; pass --create-projects to create it"),
        );
    }
    for (what, places) in ignored_props {
        plan.warnings.push(format!(
            "props of {} existing {what} row(s) were ignored (existing rows are not updated), e.g. at {}",
            places.len(),
            places[0]
        ));
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(ImportError::Input(problems))
    }
}
