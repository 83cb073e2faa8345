//! Planning an import: every path and value checked, every row looked up, and the rows to
//! insert decided, before anything is written. Reads only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Statement, Value,
};

use super::files::{FileCheck, check_files};
use super::input::{self, At, ImageIn, ItemIn, Prop, SeriesIn, StudyIn, Tables};
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

#[derive(Debug, Clone)]
pub(super) struct NewPatient {
    /// Where the input gives it (first).
    pub at: At,
    pub project: Ref,
    pub identifier: String,
    pub props: Vec<Prop>,
}

#[derive(Debug, Clone)]
pub(super) struct NewStudy {
    /// Where the input gives it (first).
    pub at: At,
    pub patient: Ref,
    pub date: NaiveDate,
    pub props: Vec<Prop>,
}

#[derive(Debug, Clone)]
pub(super) struct NewSeries {
    /// Where the input gives it (first).
    pub at: At,
    pub study: Ref,
    pub uid: Option<String>,
    pub props: Vec<Prop>,
}

/// A new patient, study or series, which the input may give more than once.
trait Repeated {
    /// Its props, and where the input first gives it.
    fn props_and_first(&mut self) -> (&mut Vec<Prop>, At);
}

impl Repeated for NewPatient {
    fn props_and_first(&mut self) -> (&mut Vec<Prop>, At) {
        (&mut self.props, self.at)
    }
}

impl Repeated for NewStudy {
    fn props_and_first(&mut self) -> (&mut Vec<Prop>, At) {
        (&mut self.props, self.at)
    }
}

impl Repeated for NewSeries {
    fn props_and_first(&mut self) -> (&mut Vec<Prop>, At) {
        (&mut self.props, self.at)
    }
}

/// A `node` given again at `here`, with `props`: when `r` is a new row (one of `nodes`), the
/// props are merged into those of its first occurrence; an existing row's are not touched.
/// Returns the index of the new row if props were added to it.
fn merge_repeated<N: Repeated>(
    node: &str,
    nodes: &mut [N],
    r: Ref,
    props: Vec<Prop>,
    here: At,
    problems: &mut Vec<InputProblem>,
) -> Option<usize> {
    if let Ref::New(n) = r {
        let (into, first) = nodes[n].props_and_first();
        let before = into.len();
        merge(node, into, first, props, here, problems);
        if into.len() > before {
            return Some(n);
        }
    }
    None
}

#[derive(Debug)]
pub(super) struct NewImage {
    pub series: Ref,
    pub dataset_identifier: String,
    pub props: Vec<Prop>,
}

/// New rows to write, in dependency order. A [`Ref::New`] is an index among all the rows of
/// its table that one writer writes, earlier batches included.
#[derive(Debug, Default)]
pub(super) struct Batch {
    pub projects: Vec<String>,
    pub patients: Vec<NewPatient>,
    pub studies: Vec<NewStudy>,
    pub series: Vec<NewSeries>,
    pub images: Vec<NewImage>,
}

/// The rows to insert and what exists already.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub new: Batch,
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
            projects: counts(self.new.projects.len(), &self.existing_projects),
            patients: counts(self.new.patients.len(), &self.existing_patients),
            studies: counts(self.new.studies.len(), &self.existing_studies),
            series: counts(self.new.series.len(), &self.existing_series),
            images: counts(self.new.images.len(), &self.existing_images),
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ExistingImage {
    id: i32,
    series: i32,
}

/// The existing images the input may match, under both of their unique keys (folded by [`ci`]).
#[derive(Debug, Default)]
struct ExistingImages {
    /// (DatasetIdentifier, SourceInfoID) → image.
    by_path: HashMap<(String, i64), ExistingImage>,
    /// SOPInstanceUid → image.
    by_sop: HashMap<String, ExistingImage>,
}

impl ExistingImages {
    /// Records an existing image (a row of `ImageInstanceID, SeriesID, DatasetIdentifier,
    /// SourceInfoID, SOPInstanceUid`) under both of its unique keys.
    fn note(&mut self, row: &QueryResult) -> Result<(), DbErr> {
        let image = ExistingImage {
            id: row.try_get_by_index(0)?,
            series: row.try_get_by_index(1)?,
        };
        let path: String = row.try_get_by_index(2)?;
        let source: i64 = row.try_get_by_index::<i32>(3)?.into();
        self.by_path.insert((ci(&path), source), image);
        if let Some(sop) = row.try_get_by_index::<Option<String>>(4)? {
            self.by_sop.insert(ci(&sop), image);
        }
        Ok(())
    }

    /// The existing image an input image is: by path and `SourceInfoID`, else by
    /// `SOPInstanceUid`.
    fn of(&self, info: &ImageInfo) -> Option<ExistingImage> {
        let by_path = match (&info.dataset_identifier, info.source) {
            (Some(d), Some(s)) => self.by_path.get(&(ci(d), s)).copied(),
            _ => None,
        };
        by_path.or_else(|| {
            info.sop
                .as_ref()
                .and_then(|u| self.by_sop.get(&ci(u)).copied())
        })
    }

    /// The first of `infos` that exists.
    fn first_existing(&self, infos: &[ImageInfo]) -> Option<ExistingImage> {
        infos.iter().find_map(|i| self.of(i))
    }

    /// Whether any of `infos` is new.
    fn has_new(&self, infos: &[ImageInfo]) -> bool {
        infos.iter().any(|i| self.of(i).is_none())
    }

    /// The series the existing images are in.
    fn series(&self) -> BTreeSet<i32> {
        self.by_path
            .values()
            .chain(self.by_sop.values())
            .map(|i| i.series)
            .collect()
    }
}

/// What pass 1 learns about each image, in input order.
#[derive(Debug, PartialEq)]
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
/// invalid), so that "needs `<column>`" is not reported on top of it.
fn reported(problems: &[InputProblem], at: &str, column: &str) -> bool {
    problems.iter().any(|p| {
        p.at.strip_prefix(at)
            .is_some_and(|rest| rest.starts_with(['.', ',']) && rest.ends_with(column))
    })
}

/// Adds the problem `message` at `at`.
fn problem(problems: &mut Vec<InputProblem>, at: String, message: String) {
    problems.push(InputProblem { at, message });
}

/// A problem at the props of the new `node` (patient, study, series or image) at `at` if it
/// lacks the `missing` columns it needs.
fn needs(problems: &mut Vec<InputProblem>, at: At, node: &str, missing: Vec<String>) {
    if !missing.is_empty() {
        problem(
            problems,
            at.props(),
            format!("a new {node} needs {}", missing.join(", ")),
        );
    }
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

/// A key given as a field (`patient_identifier`, `study_date`, `series_id`) and as the prop of
/// its column: the field's value when both are given, and whether the prop's differs from it
/// (by `same`).
fn field_or_prop<T>(
    field: Option<T>,
    prop: Option<T>,
    same: impl Fn(&T, &T) -> bool,
) -> (Option<T>, bool) {
    match (field, prop) {
        (Some(a), Some(b)) => {
            let differs = !same(&a, &b);
            (Some(a), differs)
        }
        (Some(a), None) => (Some(a), false),
        (None, b) => (b, false),
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

/// [`lookup`] into a map: `entry` makes the key and the value of each row.
async fn lookup_map<K: std::hash::Hash + Eq, V>(
    db: &DatabaseConnection,
    (select, from, column): (&str, &str, &str),
    values: Vec<Value>,
    entry: impl Fn(&QueryResult) -> Result<(K, V), DbErr>,
) -> Result<HashMap<K, V>, DbErr> {
    lookup(db, select, from, column, values)
        .await?
        .iter()
        .map(entry)
        .collect()
}

/// Texts as lookup values.
fn strings(values: BTreeSet<String>) -> Vec<Value> {
    values.into_iter().map(|v| Value::String(Some(v))).collect()
}

/// Ids as lookup values.
fn ints(values: BTreeSet<i32>) -> Vec<Value> {
    values.into_iter().map(|v| Value::Int(Some(v))).collect()
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
    parallel_chunks(items, |part| part.iter().map(&f).collect())
}

/// `f` over consecutive parts of `items`, one part per core, each giving a result per item; the
/// results in order. For work that keeps state (a cache) across the items of a part.
pub(super) fn parallel_chunks<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 1000 {
        return f(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| f(part)))
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

/// Checks and resolves `items`; `problems` are those found while parsing. Pass 1 ([`scan`]) reads
/// only the input; pass 2 reads the database ([`check_references`], [`look_up`]) while the files
/// are looked for; pass 3 ([`resolve`]) decides the rows, without the database.
pub(super) async fn plan(
    db: &DatabaseConnection,
    tables: &Tables,
    items: Vec<ItemIn>,
    mut problems: Vec<InputProblem>,
    basepath: &Path,
    options: &Options,
) -> Result<Plan, ImportError> {
    let Scan {
        references,
        spans,
        images,
        mut infos,
        files,
    } = scan(tables, &items, basepath, options, &mut problems);
    // Containment is checked with every symbolic link resolved, the base path's own included.
    let real_basepath = std::fs::canonicalize(basepath).map_err(|e| ImportError::Basepath {
        path: options.images_basepath.clone(),
        reason: e.to_string(),
    })?;
    // Started before the lookups, so that they overlap.
    let files = look_for_files(files, basepath.to_owned(), real_basepath);
    check_references(db, &references, &mut problems).await?;
    let existing = look_up(db, &items, &infos).await?;
    let (files, found) = files_found(files).await?;
    let shown = &options.images_basepath;
    report_file_problems(files, found, &images, shown, &mut infos, &mut problems);
    resolve(tables, options, existing, &spans, &infos, items, problems)
}

/// [`plan`] in pieces, so that the rows of the first items can be written while the later ones
/// are checked and looked up: the same passes, piece by piece in input order, on the assumption
/// that the input has no problem. It gives up (`None`) at whatever breaks that assumption: a
/// problem of any pass, a file not found, or props that a repeated node adds to a new row
/// already handed out. [`plan`] then says what is wrong. A piece's lookups see the database as
/// it was (the rows handed out are not committed), as [`plan`]'s do; with the lookups of the
/// pieces before, the resolver sees at each item the rows a lookup of the whole input would
/// give it, and duplicates are found across pieces as within one.
pub(super) struct Pieces<'a> {
    resolver: Resolver<'a>,
    basepath: PathBuf,
    real_basepath: PathBuf,
    seen: Seen,
    /// New projects, patients, studies and series handed out.
    handed_out: [usize; 4],
    images_handed_out: usize,
    files: Vec<tokio::task::JoinHandle<(Files, Vec<FileCheck>)>>,
}

/// A piece checked and looked up, to resolve.
pub(super) struct Checked {
    spans: Vec<ItemSpans>,
    infos: Vec<ImageInfo>,
    existing: Existing,
}

/// Starts planning in pieces. Errors are those [`plan`] gives.
pub(super) fn pieces<'a>(
    tables: &'a Tables,
    basepath: &Path,
    options: &'a Options,
) -> Result<Pieces<'a>, ImportError> {
    let real_basepath = std::fs::canonicalize(basepath).map_err(|e| ImportError::Basepath {
        path: options.images_basepath.clone(),
        reason: e.to_string(),
    })?;
    Ok(Pieces {
        resolver: Resolver::new(tables, options, Existing::default(), Vec::new()),
        basepath: basepath.to_owned(),
        real_basepath,
        seen: Seen::default(),
        handed_out: [0; 4],
        images_handed_out: 0,
        files: Vec::new(),
    })
}

/// How many of `items` make the next piece: at least one, and as few as hold `images` images or
/// more.
pub(super) fn piece_len(items: &[ItemIn], images: usize) -> usize {
    let mut count = 0;
    let mut held = 0;
    for item in items {
        count += 1;
        held += item
            .studies
            .iter()
            .flat_map(|s| &s.series)
            .map(|s| s.images.len())
            .sum::<usize>();
        if held >= images {
            break;
        }
    }
    count
}

impl Pieces<'_> {
    /// Pass 1 and 2 for the next `items` (those after the items resolved so far); the files are
    /// looked for in the background. `None`: a problem.
    pub(super) async fn check(
        &mut self,
        db: &DatabaseConnection,
        items: &[ItemIn],
    ) -> Result<Option<Checked>, ImportError> {
        let mut problems = Vec::new();
        let (tables, options) = (self.resolver.tables, self.resolver.options);
        let Scan {
            references,
            spans,
            infos,
            files,
            ..
        } = scan_after(
            tables,
            items,
            &self.basepath,
            options,
            &mut self.seen,
            &mut problems,
        );
        if !problems.is_empty() {
            return Ok(None);
        }
        let (basepath, real_basepath) = (self.basepath.clone(), self.real_basepath.clone());
        self.files
            .push(look_for_files(files, basepath, real_basepath));
        check_references(db, &references, &mut problems).await?;
        if !problems.is_empty() {
            return Ok(None);
        }
        let existing = look_up(db, items, &infos).await?;
        Ok(Some(Checked {
            spans,
            infos,
            existing,
        }))
    }

    /// Resolves the `items` [`Pieces::check`] checked: the new rows they bring, or `None` to
    /// give up.
    pub(super) fn resolve(&mut self, items: Vec<ItemIn>, checked: Checked) -> Option<Batch> {
        let Checked {
            spans,
            infos,
            existing,
        } = checked;
        self.resolver.existing.extend(existing);
        for (item, spans) in items.into_iter().zip(&spans) {
            self.resolver.item(item, spans, &infos);
        }
        let resolver = &mut self.resolver;
        if !resolver.problems.is_empty() || !resolver.missing_projects.is_empty() {
            return None;
        }
        let [projects, patients, studies, series] = self.handed_out;
        let handed_out = |kind: &str| match kind {
            "patient" => patients,
            "study" => studies,
            _ => series,
        };
        if resolver.grown.iter().any(|(kind, n)| *n < handed_out(kind)) {
            return None;
        }
        resolver.grown.clear();
        let plan = &mut resolver.plan.new;
        let batch = Batch {
            projects: plan.projects[projects..].to_vec(),
            patients: plan.patients[patients..].to_vec(),
            studies: plan.studies[studies..].to_vec(),
            series: plan.series[series..].to_vec(),
            images: std::mem::take(&mut plan.images),
        };
        self.handed_out = [
            plan.projects.len(),
            plan.patients.len(),
            plan.studies.len(),
            plan.series.len(),
        ];
        self.images_handed_out += batch.images.len();
        Some(batch)
    }

    /// Once every piece is resolved: what was planned, or `None` if a file was not found or the
    /// end of pass 3 found a problem.
    pub(super) async fn finish(self) -> Result<Option<Summary>, ImportError> {
        for files in self.files {
            let (_, checks) = files_found(files).await?;
            if checks.iter().any(|c| *c != FileCheck::Found) {
                return Ok(None);
            }
        }
        let images = self.images_handed_out;
        match self.resolver.finish() {
            Ok(plan) => {
                let mut summary = plan.summary();
                summary.images.new = images as u64;
                Ok(Some(summary))
            }
            Err(ImportError::Input(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Positions (node, column) at which a value is given.
type Places = Vec<(At, &'static str)>;

/// (referenced table, referenced column) → value → where it is given.
type References = BTreeMap<(String, String), BTreeMap<i64, Places>>;

/// Of one item: `[study][series]` → the range of the series' images in the [`ImageInfo`]s.
type ItemSpans = Vec<Vec<Range<usize>>>;

/// (index in the [`ImageInfo`]s, full path) of every file to look for.
type Files = Vec<(usize, PathBuf)>;

/// What pass 1 learns from the input, without the database.
struct Scan<'i> {
    /// The ids the props give in single-column foreign keys, to look up.
    references: References,
    /// `[item]` → where the images of its series are in `images` and `infos`.
    spans: Vec<ItemSpans>,
    /// Every image, in input order.
    images: Vec<&'i ImageIn>,
    /// What is known of each image of `images`.
    infos: Vec<ImageInfo>,
    files: Files,
}

/// Pass 1, no database: the path and keys of every image, duplicates within the input, the files
/// to look for and the ids to check. Problems go to `problems`.
fn scan<'i>(
    tables: &Tables,
    items: &'i [ItemIn],
    basepath: &Path,
    options: &Options,
    problems: &mut Vec<InputProblem>,
) -> Scan<'i> {
    scan_after(
        tables,
        items,
        basepath,
        options,
        &mut Seen::default(),
        problems,
    )
}

/// The image keys seen so far, and where.
#[derive(Debug, Default)]
struct Seen {
    by_path: HashMap<(String, i64), At>,
    by_sop: HashMap<String, At>,
}

/// [`scan`] of items that follow those in which `seen` was seen: an image with the keys of one
/// of those is a duplicate too.
fn scan_after<'i>(
    tables: &Tables,
    items: &'i [ItemIn],
    basepath: &Path,
    options: &Options,
    seen: &mut Seen,
    problems: &mut Vec<InputProblem>,
) -> Scan<'i> {
    let (references, spans, images) = walk(tables, items);
    let max_path = max_path_len(tables);
    let identifiers = parallel_map(&images, |image| {
        if image.image.trim().is_empty() {
            Ok(None) // reported while parsing
        } else {
            dataset_identifier(basepath, &options.images_basepath, &image.image, max_path).map(Some)
        }
    });
    let (infos, files) = image_infos(&images, identifiers, seen, problems);
    Scan {
        references,
        spans,
        images,
        infos,
        files,
    }
}

/// The longest `DatasetIdentifier` the image table holds (256 if its type does not say).
fn max_path_len(tables: &Tables) -> u32 {
    match tables
        .image
        .get_column("DatasetIdentifier")
        .map(|c| &c.sql_type)
    {
        Some(crate::schema::SqlType::Varchar(n)) => *n,
        _ => 256,
    }
}

/// Walks the tree: the ids every node's props give in foreign-key columns, where the images of
/// each series are among all images, and all images in input order.
fn walk<'i>(
    tables: &Tables,
    items: &'i [ItemIn],
) -> (References, Vec<ItemSpans>, Vec<&'i ImageIn>) {
    let mut references = References::new();
    let mut spans = Vec::with_capacity(items.len());
    let mut images = Vec::new();
    for item in items {
        note_references(&mut references, tables.patient, item.at, &item.props);
        let mut item_spans = Vec::with_capacity(item.studies.len());
        for study in &item.studies {
            note_references(&mut references, tables.study, study.at, &study.props);
            let mut study_spans = Vec::with_capacity(study.series.len());
            for series in &study.series {
                note_references(&mut references, tables.series, series.at, &series.props);
                study_spans.push(images.len()..images.len() + series.images.len());
                for image in &series.images {
                    note_references(&mut references, tables.image, image.at, &image.props);
                    images.push(image);
                }
            }
            item_spans.push(study_spans);
        }
        spans.push(item_spans);
    }
    (references, spans, images)
}

/// Records the ids `props` (of a `table` node at `at`) give in single-column foreign keys.
fn note_references(references: &mut References, table: &Table, at: At, props: &[Prop]) {
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
}

/// The [`ImageInfo`] of each image, from its `DatasetIdentifier` (`identifiers`: or why it has
/// none, a problem at its `image`) and its props, and the files to look for. An image with the
/// same (path, `SourceInfoID`) or `SOPInstanceUid` as an earlier one is a problem.
fn image_infos(
    images: &[&ImageIn],
    identifiers: Vec<Result<Option<(String, PathBuf)>, String>>,
    seen: &mut Seen,
    problems: &mut Vec<InputProblem>,
) -> (Vec<ImageInfo>, Files) {
    let Seen { by_path, by_sop } = seen;
    let mut infos = Vec::with_capacity(images.len());
    let mut files = Vec::with_capacity(images.len());
    for (image, identifier) in images.iter().zip(identifiers) {
        let dataset_identifier = match identifier {
            Ok(Some((identifier, full))) => {
                files.push((infos.len(), full));
                Some(identifier)
            }
            Ok(None) => None,
            Err(message) => {
                problem(problems, image.at.field("image"), message);
                None
            }
        };
        let source = prop_i64(&image.props, "SourceInfoID");
        let sop = prop_string(&image.props, "SOPInstanceUid");
        let mut duplicate = |first: Option<At>, what: &str| {
            if let Some(first) = first {
                problem(
                    problems,
                    image.at.to_string(),
                    format!("the same {what} as {first}"),
                );
            }
        };
        if let (Some(d), Some(s)) = (&dataset_identifier, source) {
            let first = first_at(by_path, (ci(d), s), image.at);
            duplicate(first, "image (path and SourceInfoID)");
        }
        if let Some(uid) = &sop {
            let first = first_at(by_sop, ci(uid), image.at);
            duplicate(first, "SOPInstanceUid");
        }
        infos.push(ImageInfo {
            dataset_identifier,
            source,
            sop,
        });
    }
    (infos, files)
}

/// Looks for the files on other threads, [`check_files`] against the base path (`basepath` as
/// the paths are written, `real_basepath` with its symbolic links resolved): a system call per
/// image, which the lookups that follow overlap with their wait for the server.
fn look_for_files(
    files: Files,
    basepath: PathBuf,
    real_basepath: PathBuf,
) -> tokio::task::JoinHandle<(Files, Vec<FileCheck>)> {
    tokio::task::spawn_blocking(move || {
        let paths: Vec<PathBuf> = files.iter().map(|(_, path)| path.clone()).collect();
        let checks = check_files(&basepath, &real_basepath, &paths);
        (files, checks)
    })
}

/// The files [`look_for_files`] looked for, and what it found for each.
async fn files_found(
    task: tokio::task::JoinHandle<(Files, Vec<FileCheck>)>,
) -> Result<(Files, Vec<FileCheck>), ImportError> {
    match task.await {
        Ok(checked) => Ok(checked),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(DbErr::Custom(format!("checking the image files: {e}")).into()),
    }
}

/// A problem at the `image` of each file not found, not a file, or outside the base path
/// (`shown` as the user gave it) through a symbolic link; such an image has no
/// `DatasetIdentifier` then (it matches no existing image by path and is not planned).
fn report_file_problems(
    files: Files,
    checks: Vec<FileCheck>,
    images: &[&ImageIn],
    shown: &Path,
    infos: &mut [ImageInfo],
    problems: &mut Vec<InputProblem>,
) {
    for ((index, path), check) in files.into_iter().zip(checks) {
        let image = &images[index].image;
        let message = match check {
            FileCheck::Found => continue,
            FileCheck::Missing => format!("file not found: {}", path.display()),
            FileCheck::Outside(resolved) => format!(
                "'{image}' is outside the images base path {} (a symbolic link leads to {})",
                shown.display(),
                resolved.display()
            ),
            FileCheck::Directory => format!("'{image}' is a directory, not an image file"),
            FileCheck::Special => format!("'{image}' is not a regular file"),
            FileCheck::Unreadable(reason) => {
                format!("cannot look at {}: {reason}", path.display())
            }
        };
        problem(problems, images[index].at.field("image"), message);
        infos[index].dataset_identifier = None;
    }
}

/// Pass 2, first: every id the props reference is looked up; one that names no row is a problem
/// at each place it is given.
async fn check_references(
    db: &DatabaseConnection,
    references: &References,
    problems: &mut Vec<InputProblem>,
) -> Result<(), DbErr> {
    for ((table, column), values) in references {
        let ids: Vec<Value> = values.keys().map(|v| Value::BigInt(Some(*v))).collect();
        let found: BTreeSet<i64> = lookup(db, &ident(column), &ident(table), &ident(column), ids)
            .await?
            .iter()
            .map(|r| r.try_get_by_index::<i64>(0))
            .collect::<Result<_, _>>()?;
        report_unknown_references(table, column, values, &found, problems);
    }
    Ok(())
}

/// A problem at each place a value of `values` is given that `table`.`column` does not hold
/// (`found` are the values it holds).
fn report_unknown_references(
    table: &str,
    column: &str,
    values: &BTreeMap<i64, Places>,
    found: &BTreeSet<i64>,
    problems: &mut Vec<InputProblem>,
) {
    for (value, places) in values {
        if !found.contains(value) {
            for (at, prop) in places {
                problem(
                    problems,
                    at.prop(prop),
                    format!("{table} has no row with {column} = {value}"),
                );
            }
        }
    }
}

/// The rows the input may match, as the database holds them. Names, identifiers and UIDs are
/// folded by [`ci`].
#[derive(Debug, Default)]
pub(super) struct Existing {
    /// ProjectName → ProjectID.
    projects: HashMap<String, i32>,
    /// (ProjectID, PatientIdentifier) → PatientID.
    patients: HashMap<(i32, String), i32>,
    images: ExistingImages,
    /// SeriesID → PatientID, for the series an existing image is in.
    series_patient: HashMap<i32, i32>,
    /// (PatientID, StudyDate) → StudyID, for every patient the input may reach.
    studies: HashMap<(i32, NaiveDate), i32>,
    /// SeriesInstanceUid → (SeriesID, StudyID).
    series: HashMap<String, (i32, i32)>,
}

impl Existing {
    /// Adds the rows of a lookup for more of the input.
    fn extend(&mut self, more: Existing) {
        self.projects.extend(more.projects);
        self.patients.extend(more.patients);
        self.images.by_path.extend(more.images.by_path);
        self.images.by_sop.extend(more.images.by_sop);
        self.series_patient.extend(more.series_patient);
        self.studies.extend(more.studies);
        self.series.extend(more.series);
    }
}

/// Pass 2, then: every row the input may match, by its keys; the images before the studies,
/// which are looked up for the patients both the identifiers and the images reach.
async fn look_up(
    db: &DatabaseConnection,
    items: &[ItemIn],
    infos: &[ImageInfo],
) -> Result<Existing, DbErr> {
    let projects = lookup_map(
        db,
        ("`ProjectID`, `ProjectName`", "`Project`", "`ProjectName`"),
        strings(project_names(items)),
        |row| {
            Ok((
                ci(&row.try_get_by_index::<String>(1)?),
                row.try_get_by_index(0)?,
            ))
        },
    )
    .await?;
    let patients = lookup_map(
        db,
        (
            "`PatientID`, `ProjectID`, `PatientIdentifier`",
            "`Patient`",
            "`PatientIdentifier`",
        ),
        strings(patient_identifiers(items)),
        |row| {
            let key = (
                row.try_get_by_index(1)?,
                ci(&row.try_get_by_index::<String>(2)?),
            );
            Ok((key, row.try_get_by_index(0)?))
        },
    )
    .await?;
    let images = lookup_images(db, infos).await?;
    let series_patient = lookup_map(
        db,
        (
            "s.`SeriesID`, st.`PatientID`",
            "`Series` s JOIN `Study` st ON st.`StudyID` = s.`StudyID`",
            "s.`SeriesID`",
        ),
        ints(images.series()),
        |row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)),
    )
    .await?;
    let mut patient_ids: BTreeSet<i32> = patients.values().copied().collect();
    patient_ids.extend(series_patient.values().copied());
    let studies = lookup_map(
        db,
        (
            "`StudyID`, `PatientID`, `StudyDate`",
            "`Study`",
            "`PatientID`",
        ),
        ints(patient_ids),
        |row| {
            let key = (row.try_get_by_index(1)?, row.try_get_by_index(2)?);
            Ok((key, row.try_get_by_index(0)?))
        },
    )
    .await?;
    let series = lookup_map(
        db,
        (
            "`SeriesID`, `StudyID`, `SeriesInstanceUid`",
            "`Series`",
            "`SeriesInstanceUid`",
        ),
        strings(series_uids(items)),
        |row| {
            let value = (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
            Ok((ci(&row.try_get_by_index::<String>(2)?), value))
        },
    )
    .await?;
    Ok(Existing {
        projects,
        patients,
        images,
        series_patient,
        studies,
        series,
    })
}

/// The existing images the input may match: by path, then by `SOPInstanceUid`.
async fn lookup_images(
    db: &DatabaseConnection,
    infos: &[ImageInfo],
) -> Result<ExistingImages, DbErr> {
    const SELECT: &str = "`ImageInstanceID`, `SeriesID`, `DatasetIdentifier`, `SourceInfoID`, \
        `SOPInstanceUid`";
    let mut images = ExistingImages::default();
    let paths = strings(image_paths(infos));
    for row in lookup(db, SELECT, "`ImageInstance`", "`DatasetIdentifier`", paths).await? {
        images.note(&row)?;
    }
    let sops = strings(sops_to_look_up(infos, &images.by_path));
    for row in lookup(db, SELECT, "`ImageInstance`", "`SOPInstanceUid`", sops).await? {
        images.note(&row)?;
    }
    Ok(images)
}

/// The project names `items` give.
fn project_names(items: &[ItemIn]) -> BTreeSet<String> {
    items.iter().map(|i| i.project_name.clone()).collect()
}

/// The patient identifiers `items` give, as the field or as the prop.
fn patient_identifiers(items: &[ItemIn]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|i| {
            i.patient_identifier
                .clone()
                .or_else(|| prop_string(&i.props, "PatientIdentifier"))
        })
        .collect()
}

/// The series UIDs `items` give, as `series_id` or as the prop.
fn series_uids(items: &[ItemIn]) -> BTreeSet<String> {
    items
        .iter()
        .flat_map(|i| &i.studies)
        .flat_map(|s| &s.series)
        .filter_map(|s| {
            s.series_id
                .clone()
                .or_else(|| prop_string(&s.props, "SeriesInstanceUid"))
        })
        .collect()
}

/// The `DatasetIdentifier` of every image that has one.
fn image_paths(infos: &[ImageInfo]) -> BTreeSet<String> {
    infos
        .iter()
        .filter_map(|i| i.dataset_identifier.clone())
        .collect()
}

/// The `SOPInstanceUid`s to look up: those of the images not found by path (`by_path`), which
/// need no second lookup.
fn sops_to_look_up(
    infos: &[ImageInfo],
    by_path: &HashMap<(String, i64), ExistingImage>,
) -> BTreeSet<String> {
    infos
        .iter()
        .filter(|i| match (&i.dataset_identifier, i.source) {
            (Some(d), Some(s)) => !by_path.contains_key(&(ci(d), s)),
            _ => true,
        })
        .filter_map(|i| i.sop.clone())
        .collect()
}

/// The images of an item: from the first image of its first series to the last of its last
/// (`spans` are the item's, of `infos`). For matching a patient that has no key of its own.
fn item_images<'i>(spans: &[Vec<Range<usize>>], infos: &'i [ImageInfo]) -> &'i [ImageInfo] {
    let mut ranges = spans.iter().flatten();
    let first = ranges.next();
    match (first, ranges.last().or(first)) {
        (Some(a), Some(b)) => &infos[a.start..b.end],
        _ => &[],
    }
}

/// Pass 3, no database: resolves every node of `items` to an existing row (`existing`) or a row to
/// insert. The plan, or every problem: `problems` (those of the passes before) and those found
/// here. `spans` and `infos` are those of [`scan`], with the missing files left out.
fn resolve(
    tables: &Tables,
    options: &Options,
    existing: Existing,
    spans: &[ItemSpans],
    infos: &[ImageInfo],
    items: Vec<ItemIn>,
    problems: Vec<InputProblem>,
) -> Result<Plan, ImportError> {
    let mut resolver = Resolver::new(tables, options, existing, problems);
    for (item, spans) in items.into_iter().zip(spans) {
        resolver.item(item, spans, infos);
    }
    resolver.finish()
}

/// The state of pass 3: the plan so far, the problems, and what each key has resolved to.
struct Resolver<'a> {
    tables: &'a Tables,
    options: &'a Options,
    existing: Existing,
    plan: Plan,
    /// (kind of node, index among the new ones) of each new row whose props a repetition added to.
    grown: Vec<(&'static str, usize)>,
    problems: Vec<InputProblem>,
    /// Folded project name → project.
    project_refs: HashMap<String, Ref>,
    /// (project, folded identifier) → patient.
    patient_refs: HashMap<(Ref, String), Ref>,
    /// (patient, date) → study.
    study_refs: HashMap<(Ref, NaiveDate), Ref>,
    /// Folded series UID → (series, its study, where it was given first).
    series_refs: HashMap<String, (Ref, Ref, At)>,
    /// Kind of node → where props were given for an existing row (and ignored).
    ignored_props: BTreeMap<&'static str, Vec<At>>,
    /// Name of a project that does not exist and is not created → where it was given first.
    missing_projects: BTreeMap<String, String>,
}

impl<'a> Resolver<'a> {
    /// An empty plan; `problems` are those found before.
    fn new(
        tables: &'a Tables,
        options: &'a Options,
        existing: Existing,
        problems: Vec<InputProblem>,
    ) -> Self {
        Resolver {
            tables,
            options,
            existing,
            plan: Plan::default(),
            grown: Vec::new(),
            problems,
            project_refs: HashMap::new(),
            patient_refs: HashMap::new(),
            study_refs: HashMap::new(),
            series_refs: HashMap::new(),
            ignored_props: BTreeMap::new(),
            missing_projects: BTreeMap::new(),
        }
    }

    /// Resolves an item: its project, its patient, then its studies. `spans` are the item's, of
    /// `infos`.
    fn item(&mut self, item: ItemIn, spans: &[Vec<Range<usize>>], infos: &[ImageInfo]) {
        let ItemIn {
            at,
            project_name,
            patient_identifier,
            props,
            studies,
        } = item;
        let project = self.project(&project_name, at);
        let (identifier, differs) = field_or_prop(
            patient_identifier,
            prop_string(&props, "PatientIdentifier"),
            |a, b| ci(a) == ci(b),
        );
        if let (true, Some(a)) = (differs, &identifier) {
            let message = format!("differs from patient_identifier '{a}'");
            problem(&mut self.problems, at.prop("PatientIdentifier"), message);
        }
        let props = without(props, "PatientIdentifier");
        let patient = match (identifier, project) {
            (_, None) => None,
            (Some(id), Some(project)) => {
                self.patient_by_identifier(at, &project_name, project, id, props)
            }
            (None, Some(project)) => {
                self.patient_by_images(at, project, props, item_images(spans, infos))
            }
        };
        if let Some(Ref::New(n)) = patient {
            let set = ["PatientIdentifier", "ProjectID"];
            let missing =
                missing_required(self.tables.patient, &set, &self.plan.new.patients[n].props);
            needs(&mut self.problems, at, "patient", missing);
        }
        for (study, spans) in studies.into_iter().zip(spans) {
            self.study(patient, study, spans, infos);
        }
    }

    /// The project named `name` (by the item at `at`): one resolved before, an existing one, or
    /// a new one if projects may be created. A missing project is reported at the end, once per
    /// name as given.
    fn project(&mut self, name: &str, at: At) -> Option<Ref> {
        let key = ci(name);
        if name.trim().is_empty() {
            None
        } else if let Some(r) = self.project_refs.get(&key) {
            Some(*r)
        } else if let Some(id) = self.existing.projects.get(&key) {
            self.plan.existing_projects.insert(*id);
            self.project_refs.insert(key, Ref::Existing(*id));
            Some(Ref::Existing(*id))
        } else if self.options.create_projects {
            self.plan.new.projects.push(name.to_owned());
            let r = Ref::New(self.plan.new.projects.len() - 1);
            self.project_refs.insert(key, r);
            Some(r)
        } else {
            self.missing_projects
                .entry(name.to_owned())
                .or_insert_with(|| at.field("project_name"));
            None
        }
    }

    /// The patient `id` of `project` (given by the item at `at`, with `props`): one resolved
    /// before (the props merged into a new one's), an existing one, or a new one if patients
    /// may be created.
    fn patient_by_identifier(
        &mut self,
        at: At,
        project_name: &str,
        project: Ref,
        id: String,
        props: Vec<Prop>,
    ) -> Option<Ref> {
        let key = (project, ci(&id));
        if let Some(&r) = self.patient_refs.get(&key) {
            let (nodes, problems) = (&mut self.plan.new.patients, &mut self.problems);
            let grown = merge_repeated("patient", nodes, r, props, at, problems);
            self.grown.extend(grown.map(|n| ("patient", n)));
            return Some(r);
        }
        let existing = match project {
            Ref::Existing(p) => self.existing.patients.get(&(p, ci(&id))).copied(),
            Ref::New(_) => None,
        };
        let r = match existing {
            Some(pid) => {
                self.plan.existing_patients.insert(pid);
                if !props.is_empty() {
                    self.ignored_props.entry("patient").or_default().push(at);
                }
                Some(Ref::Existing(pid))
            }
            None if self.options.create_patients => {
                self.plan.new.patients.push(NewPatient {
                    at,
                    project,
                    identifier: id,
                    props,
                });
                Some(Ref::New(self.plan.new.patients.len() - 1))
            }
            None => {
                let message = format!(
                    "patient '{id}' does not exist in project '{project_name}'; pass --create-patients to create it"
                );
                problem(&mut self.problems, at.to_string(), message);
                None
            }
        };
        if let Some(r) = r {
            self.patient_refs.insert(key, r);
        }
        r
    }

    /// The patient of the item at `at`, which gives no identifier: that of its first existing
    /// image (of `images`), else a new one with a random identifier if the item has new images
    /// and patients may be created.
    fn patient_by_images(
        &mut self,
        at: At,
        project: Ref,
        props: Vec<Prop>,
        images: &[ImageInfo],
    ) -> Option<Ref> {
        let existing = &self.existing;
        if let Some(patient) = existing
            .images
            .first_existing(images)
            .and_then(|image| existing.series_patient.get(&image.series).copied())
        {
            self.plan.existing_patients.insert(patient);
            Some(Ref::Existing(patient))
        } else if !existing.images.has_new(images) {
            self.plan.warnings.push(format!(
                "{at}: no patient_identifier and no images; nothing to import"
            ));
            None
        } else if self.options.create_patients {
            self.plan.new.patients.push(NewPatient {
                at,
                project,
                identifier: random_identifier(),
                props,
            });
            Some(Ref::New(self.plan.new.patients.len() - 1))
        } else {
            problem(
                &mut self.problems,
                at.to_string(),
                "no patient_identifier: pass --create-patients to create a patient with a random identifier".to_owned(),
            );
            None
        }
    }

    /// Resolves a study of `patient` (`None`: the patient did not resolve), then its series.
    /// `spans` are the study's, of `infos`.
    fn study(
        &mut self,
        patient: Option<Ref>,
        study: StudyIn,
        spans: &[Range<usize>],
        infos: &[ImageInfo],
    ) {
        let StudyIn {
            at,
            study_date,
            props,
            series,
        } = study;
        let (date, differs) =
            field_or_prop(study_date, prop_date(&props, "StudyDate"), |a, b| a == b);
        if let (true, Some(a)) = (differs, date) {
            let message = format!("differs from study_date {a}");
            problem(&mut self.problems, at.prop("StudyDate"), message);
        }
        let date = date.unwrap_or(self.options.default_study_date);
        let props = without(props, "StudyDate");
        let study = match patient {
            None => None,
            Some(patient) => self.study_on(patient, date, at, props),
        };
        for (series, span) in series.into_iter().zip(spans) {
            self.series(study, series, &infos[span.clone()]);
        }
    }

    /// The study of `patient` on `date` (given at `at`, with `props`): one resolved before (the
    /// props merged into a new one's), an existing one, or a new one if studies may be created.
    fn study_on(&mut self, patient: Ref, date: NaiveDate, at: At, props: Vec<Prop>) -> Option<Ref> {
        let key = (patient, date);
        if let Some(&r) = self.study_refs.get(&key) {
            let (nodes, problems) = (&mut self.plan.new.studies, &mut self.problems);
            let grown = merge_repeated("study", nodes, r, props, at, problems);
            self.grown.extend(grown.map(|n| ("study", n)));
            return Some(r);
        }
        let existing = match patient {
            Ref::Existing(p) => self.existing.studies.get(&(p, date)).copied(),
            Ref::New(_) => None,
        };
        let r = match existing {
            Some(sid) => {
                self.plan.existing_studies.insert(sid);
                if !props.is_empty() {
                    self.ignored_props.entry("study").or_default().push(at);
                }
                Some(Ref::Existing(sid))
            }
            None if self.options.create_studies => {
                let missing =
                    missing_required(self.tables.study, &["PatientID", "StudyDate"], &props);
                self.plan.new.studies.push(NewStudy {
                    at,
                    patient,
                    date,
                    props,
                });
                needs(&mut self.problems, at, "study", missing);
                Some(Ref::New(self.plan.new.studies.len() - 1))
            }
            None => {
                let message = format!(
                    "the patient has no study on {date}; pass --create-studies to create it"
                );
                problem(&mut self.problems, at.to_string(), message);
                None
            }
        };
        if let Some(r) = r {
            self.study_refs.insert(key, r);
        }
        r
    }

    /// Resolves a series of `study` (`None`: the study did not resolve), then its images, whose
    /// [`ImageInfo`]s are `infos`.
    fn series(&mut self, study: Option<Ref>, series: SeriesIn, infos: &[ImageInfo]) {
        let SeriesIn {
            at,
            series_id,
            props,
            images,
        } = series;
        let (uid, differs) = field_or_prop(
            series_id,
            prop_string(&props, "SeriesInstanceUid"),
            |a, b| ci(a) == ci(b),
        );
        if let (true, Some(a)) = (differs, &uid) {
            let message = format!("differs from series_id '{a}'");
            problem(&mut self.problems, at.prop("SeriesInstanceUid"), message);
        }
        let props = without(props, "SeriesInstanceUid");
        let series = match (study, uid) {
            (None, _) => None,
            (Some(study), Some(uid)) => self.series_by_uid(study, uid, at, props),
            (Some(study), None) => self.series_by_images(study, at, props, infos),
        };
        if let Some(Ref::New(n)) = series {
            let missing = missing_required(
                self.tables.series,
                &["StudyID"],
                &self.plan.new.series[n].props,
            );
            needs(&mut self.problems, at, "series", missing);
        }
        self.images(series, images, infos);
    }

    /// The series `uid` of `study` (given at `at`, with `props`): one resolved before (the props
    /// merged into a new one's), an existing one, or a new one if series may be created. A series
    /// given or existing in another study is a problem.
    fn series_by_uid(&mut self, study: Ref, uid: String, at: At, props: Vec<Prop>) -> Option<Ref> {
        let key = ci(&uid);
        if let Some(&(r, owner, first_at)) = self.series_refs.get(&key) {
            if owner != study {
                let message =
                    format!("series '{uid}' is also given at {first_at}, in another study");
                problem(&mut self.problems, at.field("series_id"), message);
            } else {
                let grown = merge_repeated(
                    "series",
                    &mut self.plan.new.series,
                    r,
                    props,
                    at,
                    &mut self.problems,
                );
                self.grown.extend(grown.map(|n| ("series", n)));
            }
            return Some(r);
        }
        let r = match self.existing.series.get(&key) {
            Some(&(sid, owner)) => {
                if study != Ref::Existing(owner) {
                    let message =
                        format!("series '{uid}' exists already in another study (StudyID {owner})");
                    problem(&mut self.problems, at.field("series_id"), message);
                }
                self.plan.existing_series.insert(sid);
                if !props.is_empty() {
                    self.ignored_props.entry("series").or_default().push(at);
                }
                Some(Ref::Existing(sid))
            }
            None if self.options.create_series => {
                self.plan.new.series.push(NewSeries {
                    at,
                    study,
                    uid: Some(uid),
                    props,
                });
                Some(Ref::New(self.plan.new.series.len() - 1))
            }
            None => {
                let message =
                    format!("series '{uid}' does not exist; creating series is turned off");
                problem(&mut self.problems, at.field("series_id"), message);
                None
            }
        };
        if let Some(r) = r {
            self.series_refs.insert(key, (r, study, at));
        }
        r
    }

    /// The series of `study` given at `at` without a UID: that of its first existing image (of
    /// `infos`), else a new one if it has images and series may be created.
    fn series_by_images(
        &mut self,
        study: Ref,
        at: At,
        props: Vec<Prop>,
        infos: &[ImageInfo],
    ) -> Option<Ref> {
        if let Some(image) = self.existing.images.first_existing(infos) {
            self.plan.existing_series.insert(image.series);
            Some(Ref::Existing(image.series))
        } else if infos.is_empty() {
            self.plan.warnings.push(format!(
                "{at}: no series_id and no images; nothing to import"
            ));
            None
        } else if self.options.create_series {
            self.plan.new.series.push(NewSeries {
                at,
                study,
                uid: None,
                props,
            });
            Some(Ref::New(self.plan.new.series.len() - 1))
        } else {
            problem(
                &mut self.problems,
                at.to_string(),
                "no series_id, and creating series is turned off".to_owned(),
            );
            None
        }
    }

    /// Resolves the `images` of `series` (`None`: the series did not resolve); `infos` are
    /// theirs. A new image is planned if its series resolved and its file was found.
    fn images(&mut self, series: Option<Ref>, images: Vec<ImageIn>, infos: &[ImageInfo]) {
        for (image, info) in images.into_iter().zip(infos) {
            if let Some(existing) = self.existing.images.of(info) {
                self.plan.existing_images.insert(existing.id);
                continue;
            }
            let missing: Vec<String> =
                missing_required(self.tables.image, &IMAGE_FIXED, &image.props)
                    .into_iter()
                    .filter(|c| !reported(&self.problems, &image.at.to_string(), c))
                    .collect();
            needs(&mut self.problems, image.at, "image", missing);
            if let (Some(series), Some(d)) = (series, &info.dataset_identifier) {
                self.plan.new.images.push(NewImage {
                    series,
                    dataset_identifier: d.clone(),
                    props: image.props,
                });
            }
        }
    }

    /// The plan, with a warning for each kind of node whose props were ignored; or every problem,
    /// missing projects last.
    fn finish(mut self) -> Result<Plan, ImportError> {
        for (name, at) in self.missing_projects {
            let message =
                format!("project '{name}' does not exist; pass --create-projects to create it");
            problem(&mut self.problems, at, message);
        }
        for (what, places) in self.ignored_props {
            self.plan.warnings.push(format!(
                "props of {} existing {what} row(s) were ignored (existing rows are not updated), e.g. at {}",
                places.len(),
                places[0]
            ));
        }
        if self.problems.is_empty() {
            Ok(self.plan)
        } else {
            Err(ImportError::Input(self.problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::input::Format;

    fn tables() -> &'static Tables {
        static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
        TABLES.get_or_init(|| super::tables(super::super::schema()))
    }

    /// The items of a JSON document that has no problems.
    fn items(json: &str) -> Vec<ItemIn> {
        let (items, problems) = input::parse(json, Format::Json, tables()).unwrap();
        assert_eq!(problems, []);
        items
    }

    fn pairs(problems: &[InputProblem]) -> Vec<(&str, &str)> {
        problems
            .iter()
            .map(|p| (p.at.as_str(), p.message.as_str()))
            .collect()
    }

    fn info(path: Option<&str>, source: Option<i64>, sop: Option<&str>) -> ImageInfo {
        ImageInfo {
            dataset_identifier: path.map(str::to_owned),
            source,
            sop: sop.map(str::to_owned),
        }
    }

    fn date(s: &str) -> NaiveDate {
        input::parse_date(s).unwrap()
    }

    /// The props a new image needs.
    const IMAGE_PROPS: &str = r#"{"SourceInfoID": 1, "DeviceInstanceID": 1, "ModalityID": 1,
        "Laterality": "L", "Modality": "ColorFundus"}"#;

    #[test]
    fn scan_resolves_paths_and_finds_duplicates_and_references() {
        let items = items(
            r#"[{"project_name": "P", "studies": [{"series": [
                {"images": [
                    {"image": "a.png", "props": {"SourceInfoID": 1, "SOPInstanceUid": "1.1"}},
                    {"image": "./A.png", "props": {"SourceInfoID": 1}},
                    {"image": "b.png", "props": {"SourceInfoID": 2, "SOPInstanceUid": "1.1 "}},
                    {"image": "../x.png"}
                ]},
                {"images": [{"image": "http://host/y.png", "props": {"SourceInfoID": 7}}]}
            ]}]}]"#,
        );
        let options = Options::new("/base");
        let mut problems = Vec::new();
        let scan = scan(
            tables(),
            &items,
            Path::new("/base"),
            &options,
            &mut problems,
        );
        let image = |series, image| At::Image(0, 0, series, image);
        assert_eq!(
            pairs(&problems),
            [
                (
                    "items[0].studies[0].series[0].images[1]",
                    "the same image (path and SourceInfoID) as items[0].studies[0].series[0].images[0]"
                ),
                (
                    "items[0].studies[0].series[0].images[2]",
                    "the same SOPInstanceUid as items[0].studies[0].series[0].images[0]"
                ),
                (
                    "items[0].studies[0].series[0].images[3].image",
                    "'../x.png' is outside the images base path /base"
                ),
                (
                    "items[0].studies[0].series[1].images[0].image",
                    "'http://host/y.png' is a URL; give a file path inside the images base path"
                ),
            ]
        );
        assert_eq!(scan.spans, [vec![vec![0..4, 4..5]]]);
        let ats: Vec<At> = scan.images.iter().map(|i| i.at).collect();
        assert_eq!(
            ats,
            [
                image(0, 0),
                image(0, 1),
                image(0, 2),
                image(0, 3),
                image(1, 0)
            ]
        );
        assert_eq!(
            scan.infos,
            [
                info(Some("a.png"), Some(1), Some("1.1")),
                info(Some("A.png"), Some(1), None),
                info(Some("b.png"), Some(2), Some("1.1 ")),
                info(None, None, None),
                info(None, Some(7), None),
            ]
        );
        assert_eq!(
            scan.files,
            [
                (0, PathBuf::from("/base/a.png")),
                (1, PathBuf::from("/base/A.png")),
                (2, PathBuf::from("/base/b.png")),
            ]
        );
        let source = ("SourceInfo".to_owned(), "SourceInfoID".to_owned());
        let places =
            |ats: &[At]| -> Places { ats.iter().map(|at| (*at, "SourceInfoID")).collect() };
        assert_eq!(
            scan.references,
            References::from([(
                source,
                BTreeMap::from([
                    (1, places(&[image(0, 0), image(0, 1)])),
                    (2, places(&[image(0, 2)])),
                    (7, places(&[image(1, 0)])),
                ])
            )])
        );
    }

    #[test]
    fn file_problems_and_unknown_ids_are_reported_where_given() {
        let items = items(
            r#"[{"project_name": "P", "studies": [{"series": [{"images": [
                {"image": "a.png", "props": {"SourceInfoID": 1}},
                {"image": "b.png", "props": {"SourceInfoID": 5}},
                {"image": "link.png", "props": {"SourceInfoID": 1}},
                {"image": "dir", "props": {"SourceInfoID": 1}}
            ]}]}]}]"#,
        );
        let options = Options::new("/base");
        let mut problems = Vec::new();
        let mut scan = scan(
            tables(),
            &items,
            Path::new("/base"),
            &options,
            &mut problems,
        );
        report_file_problems(
            scan.files,
            vec![
                FileCheck::Found,
                FileCheck::Missing,
                FileCheck::Outside(PathBuf::from("/etc/passwd")),
                FileCheck::Directory,
            ],
            &scan.images,
            Path::new("images"),
            &mut scan.infos,
            &mut problems,
        );
        let (table, column) = scan.references.keys().next().unwrap();
        let values = &scan.references[&(table.clone(), column.clone())];
        report_unknown_references(table, column, values, &BTreeSet::from([1]), &mut problems);
        assert_eq!(
            pairs(&problems),
            [
                (
                    "items[0].studies[0].series[0].images[1].image",
                    "file not found: /base/b.png"
                ),
                (
                    "items[0].studies[0].series[0].images[2].image",
                    "'link.png' is outside the images base path images (a symbolic link leads to \
                     /etc/passwd)"
                ),
                (
                    "items[0].studies[0].series[0].images[3].image",
                    "'dir' is a directory, not an image file"
                ),
                (
                    "items[0].studies[0].series[0].images[1].props.SourceInfoID",
                    "SourceInfo has no row with SourceInfoID = 5"
                ),
            ]
        );
        assert_eq!(
            scan.infos,
            [
                info(Some("a.png"), Some(1), None),
                info(None, Some(5), None),
                info(None, Some(1), None),
                info(None, Some(1), None),
            ]
        );
    }

    #[test]
    fn the_images_of_an_item_and_a_key_given_twice() {
        let infos: Vec<ImageInfo> = (0..6)
            .map(|i| info(Some(&i.to_string()), None, None))
            .collect();
        let spans = vec![vec![], vec![2..3, 3..3], vec![3..5]];
        assert_eq!(item_images(&spans, &infos), &infos[2..5]);
        assert_eq!(item_images(&[vec![], vec![1..1, 1..1]], &infos), []);
        assert_eq!(item_images(&[vec![], vec![]], &infos), []);

        let folded = |a: &&str, b: &&str| ci(a) == ci(b);
        assert_eq!(
            field_or_prop(Some("A"), Some("a "), folded),
            (Some("A"), false)
        );
        assert_eq!(
            field_or_prop(Some("A"), Some("B"), folded),
            (Some("A"), true)
        );
        assert_eq!(field_or_prop(None, Some("B"), folded), (Some("B"), false));
        assert_eq!(field_or_prop(None, None, folded), (None, false));
    }

    /// Project P (1) with patient A (10), who has a study on 2020-01-01 (100) with series 1.2
    /// (1000), which holds old.png (5000, SourceInfoID 1) and an image with SOPInstanceUid 3.3
    /// (5001).
    fn existing() -> Existing {
        let old = ExistingImage {
            id: 5000,
            series: 1000,
        };
        Existing {
            projects: HashMap::from([("p".to_owned(), 1)]),
            patients: HashMap::from([((1, "a".to_owned()), 10)]),
            images: ExistingImages {
                by_path: HashMap::from([(("old.png".to_owned(), 1), old)]),
                by_sop: HashMap::from([(
                    "3.3".to_owned(),
                    ExistingImage {
                        id: 5001,
                        series: 1000,
                    },
                )]),
            },
            series_patient: HashMap::from([(1000, 10)]),
            studies: HashMap::from([((10, date("2020-01-01")), 100)]),
            series: HashMap::from([("1.2".to_owned(), (1000, 100))]),
        }
    }

    /// Pass 1 and pass 3 of `json` against [`existing`], all files found, after a problem found
    /// by an earlier pass.
    fn resolved(json: &str, options: &Options) -> Result<Plan, ImportError> {
        let items = items(json);
        let mut problems = Vec::new();
        let Scan { spans, infos, .. } =
            scan(tables(), &items, Path::new("/base"), options, &mut problems);
        assert_eq!(problems, []);
        problems.push(InputProblem {
            at: "earlier".to_owned(),
            message: "kept first".to_owned(),
        });
        let existing = existing();
        resolve(tables(), options, existing, &spans, &infos, items, problems)
    }

    #[test]
    fn resolve_matches_existing_rows_and_plans_new_ones() {
        let old = r#"{"image": "old.png", "props": {"SourceInfoID": 1}}"#;
        let by_sop = r#"{"image": "x.png", "props": {"SOPInstanceUid": "3.3 "}}"#;
        let new = |path: &str| format!(r#"{{"image": "{path}", "props": {IMAGE_PROPS}}}"#);
        let json = format!(
            r#"[
            {{"project_name": "P ", "patient_identifier": "A", "props": {{"Sex": "F"}},
              "studies": [{{"study_date": "2020-01-01",
                            "series": [{{"series_id": "1.2", "images": [{old}, {}]}}]}}]}},
            {{"project_name": "p", "studies": [{{"study_date": "2020-01-01",
                                                 "series": [{{"images": [{by_sop}]}}]}}]}},
            {{"project_name": "P", "patient_identifier": "a",
              "studies": [{{"study_date": "2021-05-05",
                            "series": [{{"series_id": "9.9", "images": [{}]}}]}}]}},
            {{"project_name": "P", "studies": [{{"series": [{{"images": []}}]}}]}}
        ]"#,
            new("new.png"),
            new("n2.png"),
        );
        let options = Options {
            create_studies: true,
            ..Options::new("/base")
        };
        let err = resolved(&json, &options).unwrap_err();
        assert_eq!(pairs(err.problems()), [("earlier", "kept first")]);

        // Without the problem of an earlier pass.
        let items = items(&json);
        let Scan { spans, infos, .. } = scan(
            tables(),
            &items,
            Path::new("/base"),
            &options,
            &mut Vec::new(),
        );
        let plan = resolve(
            tables(),
            &options,
            existing(),
            &spans,
            &infos,
            items,
            Vec::new(),
        )
        .unwrap();
        assert_eq!(
            (plan.new.projects.len(), plan.new.patients.len()),
            (0, 0),
            "{plan:?}"
        );
        let studies: Vec<_> = plan
            .new
            .studies
            .iter()
            .map(|s| (s.at, s.patient, s.date))
            .collect();
        assert_eq!(
            studies,
            [(At::Study(2, 0), Ref::Existing(10), date("2021-05-05"))]
        );
        let series: Vec<_> = plan
            .new
            .series
            .iter()
            .map(|s| (s.at, s.study, s.uid.as_deref()))
            .collect();
        assert_eq!(series, [(At::Series(2, 0, 0), Ref::New(0), Some("9.9"))]);
        let images: Vec<_> = plan
            .new
            .images
            .iter()
            .map(|i| (i.series, i.dataset_identifier.as_str(), i.props.len()))
            .collect();
        assert_eq!(
            images,
            [
                (Ref::Existing(1000), "new.png", 5),
                (Ref::New(0), "n2.png", 5)
            ]
        );
        let existing = [
            &plan.existing_projects,
            &plan.existing_patients,
            &plan.existing_studies,
            &plan.existing_series,
            &plan.existing_images,
        ];
        assert_eq!(
            existing.map(|ids| ids.iter().copied().collect::<Vec<_>>()),
            [vec![1], vec![10], vec![100], vec![1000], vec![5000, 5001]]
        );
        assert_eq!(
            plan.warnings,
            [
                "items[3]: no patient_identifier and no images; nothing to import",
                "props of 1 existing patient row(s) were ignored (existing rows are not updated), e.g. at items[0]",
            ]
        );
    }

    #[test]
    fn resolve_reports_rows_that_may_not_be_created_in_input_order() {
        let json = r#"[
            {"project_name": "Q", "patient_identifier": "A"},
            {"project_name": "P", "patient_identifier": "B", "props": {"PatientIdentifier": "C"}},
            {"project_name": "P", "patient_identifier": "A", "studies": [
                {"study_date": "2021-05-05"},
                {"study_date": "2020-01-01", "props": {"StudyDate": "2020-01-02"}, "series": [
                    {"series_id": "7.7", "images": [{"image": "c.png", "props": {"SourceInfoID": 1}}]},
                    {"images": [{"image": "old.png", "props": {"SourceInfoID": 1}}]}
                ]}
            ]},
            {"project_name": "Q", "patient_identifier": "B"}
        ]"#;
        let err = resolved(json, &Options::new("/base")).unwrap_err();
        assert_eq!(
            pairs(err.problems()),
            [
                ("earlier", "kept first"),
                (
                    "items[1].props.PatientIdentifier",
                    "differs from patient_identifier 'B'"
                ),
                (
                    "items[1]",
                    "patient 'B' does not exist in project 'P'; pass --create-patients to create it"
                ),
                (
                    "items[2].studies[0]",
                    "the patient has no study on 2021-05-05; pass --create-studies to create it"
                ),
                (
                    "items[2].studies[1].props.StudyDate",
                    "differs from study_date 2020-01-01"
                ),
                (
                    "items[2].studies[1].series[0].images[0].props",
                    "a new image needs DeviceInstanceID, ModalityID, Laterality"
                ),
                (
                    "items[0].project_name",
                    "project 'Q' does not exist; pass --create-projects to create it"
                ),
            ]
        );
    }
}
