//! database-mirror-test on real MariaDB: for several `copy_objects` configs the copy holds
//! exactly the rows an independent, naive in-memory closure expects, has zero orphans for
//! every foreign key, the full schema, and the version tables; composite keys and cycles in a
//! schema of its own.

mod mirror_support;

use std::collections::{BTreeMap, BTreeSet};

use eyened_orm::mirror::Mode;
use eyened_orm_tests::{fingerprint, fingerprint_diff, query_strings, quote_ident};
use mirror_support::*;
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A foreign key of the live schema.
#[derive(Debug, Clone)]
struct Fk {
    child: String,
    cols: Vec<String>,
    parent: String,
    refs: Vec<String>,
}

/// Every row of every table, as column → text (only the key and foreign-key columns).
struct World {
    fks: Vec<Fk>,
    pks: BTreeMap<String, Vec<String>>,
    rows: BTreeMap<String, Vec<BTreeMap<String, Option<String>>>>,
}

use eyened_orm::schema::VERSION_TABLES as BOOKKEEPING;

async fn load_world(conn: &DatabaseConnection, db: &str) -> World {
    let raw = query_strings(
        conn,
        "SELECT CONCAT_WS('|', TABLE_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION), \
         REFERENCED_TABLE_NAME, GROUP_CONCAT(REFERENCED_COLUMN_NAME ORDER BY ORDINAL_POSITION)) \
         FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL \
         GROUP BY TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME",
        vec![db.into()],
    )
    .await;
    let fks: Vec<Fk> = raw
        .iter()
        .map(|line| {
            let p: Vec<&str> = line.split('|').collect();
            Fk {
                child: p[0].into(),
                cols: p[1].split(',').map(String::from).collect(),
                parent: p[2].into(),
                refs: p[3].split(',').map(String::from).collect(),
            }
        })
        .collect();
    let mut pks = BTreeMap::new();
    let mut rows = BTreeMap::new();
    for table in tables(conn, db).await {
        if BOOKKEEPING.contains(&table.as_str()) {
            continue;
        }
        let pk = query_strings(
            conn,
            "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
            vec![db.into(), table.clone().into()],
        )
        .await;
        let mut cols: BTreeSet<String> = pk.iter().cloned().collect();
        for fk in &fks {
            if fk.child == table {
                cols.extend(fk.cols.iter().cloned());
            }
            if fk.parent == table {
                cols.extend(fk.refs.iter().cloned());
            }
        }
        let cols: Vec<String> = cols.into_iter().collect();
        // One string per row: the columns as text joined by \u{1}, NULL as \u{2}.
        let expr = cols
            .iter()
            .map(|c| format!("IFNULL(CAST({} AS CHAR), '\u{2}')", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(", '\u{1}', ");
        let lines = query_strings(
            conn,
            &format!(
                "SELECT CONCAT({expr}) FROM {}.{}",
                quote_ident(db),
                quote_ident(&table)
            ),
            vec![],
        )
        .await;
        let table_rows = lines
            .iter()
            .map(|line| {
                cols.iter()
                    .cloned()
                    .zip(
                        line.split('\u{1}')
                            .map(|v| (v != "\u{2}").then(|| v.to_owned())),
                    )
                    .collect()
            })
            .collect();
        pks.insert(table.clone(), pk);
        rows.insert(table, table_rows);
    }
    World { fks, pks, rows }
}

/// Whether `child_row`'s `fk` references `parent_row` (MATCH SIMPLE).
fn references(
    fk: &Fk,
    child_row: &BTreeMap<String, Option<String>>,
    parent_row: &BTreeMap<String, Option<String>>,
) -> bool {
    fk.cols
        .iter()
        .zip(&fk.refs)
        .all(|(c, r)| match (&child_row[c], &parent_row[r]) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        })
}

/// The values of `cols` in `row`, or None if any is NULL.
fn values(row: &BTreeMap<String, Option<String>>, cols: &[String]) -> Option<Vec<String>> {
    cols.iter().map(|c| row[c].clone()).collect()
}

type Index = std::collections::HashMap<Vec<String>, Vec<usize>>;

impl World {
    /// Rows of `table` by the values of `cols`.
    fn index(&self, table: &str, cols: &[String]) -> Index {
        let mut out = Index::new();
        for (i, row) in self.rows[table].iter().enumerate() {
            if let Some(v) = values(row, cols) {
                out.entry(v).or_default().push(i);
            }
        }
        out
    }

    fn key(&self, table: &str, i: usize) -> String {
        self.pks[table]
            .iter()
            .map(|c| self.rows[table][i][c].clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(",")
    }

    fn is_extension(&self, fk: &Fk) -> bool {
        let same =
            |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
        fk.child != fk.parent
            && same(&self.pks[&fk.child], &fk.cols)
            && same(&self.pks[&fk.parent], &fk.refs)
    }

    /// The naive closure: roots (with their follow-down flag), down along `down` edges, then
    /// up along every edge, with extension rows of everything added.
    fn expected(
        &self,
        roots: &[(&str, Vec<usize>, bool)],
        down: &dyn Fn(&Fk) -> bool,
    ) -> BTreeMap<String, BTreeSet<String>> {
        let mut selected: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        let mut queue: Vec<(String, usize)> = Vec::new();
        for (table, rows, _) in roots.iter().filter(|(_, _, follow)| *follow) {
            for &r in rows {
                selected.entry(table.to_string()).or_default().insert(r);
                queue.push((table.to_string(), r));
            }
        }
        let children: Vec<Index> = self
            .fks
            .iter()
            .map(|fk| self.index(&fk.child, &fk.cols))
            .collect();
        let parents: Vec<Index> = self
            .fks
            .iter()
            .map(|fk| self.index(&fk.parent, &fk.refs))
            .collect();
        let follow = |fk: usize,
                      index: &[Index],
                      from: &BTreeMap<String, Option<String>>,
                      cols: &[String]|
         -> Vec<usize> {
            values(from, cols)
                .and_then(|v| index[fk].get(&v).cloned())
                .unwrap_or_default()
        };
        while let Some((table, r)) = queue.pop() {
            for (f, fk) in self
                .fks
                .iter()
                .enumerate()
                .filter(|(_, fk)| fk.parent == table && down(fk))
            {
                for c in follow(f, &children, &self.rows[&table][r], &fk.refs) {
                    debug_assert!(references(
                        fk,
                        &self.rows[&fk.child][c],
                        &self.rows[&table][r]
                    ));
                    if selected.entry(fk.child.clone()).or_default().insert(c) {
                        queue.push((fk.child.clone(), c));
                    }
                }
            }
        }
        for (table, rows, _) in roots.iter().filter(|(_, _, follow)| !*follow) {
            selected.entry(table.to_string()).or_default().extend(rows);
        }
        let mut queue: Vec<(String, usize)> = selected
            .iter()
            .flat_map(|(t, rows)| rows.iter().map(move |r| (t.clone(), *r)))
            .collect();
        while let Some((table, r)) = queue.pop() {
            for (f, fk) in self
                .fks
                .iter()
                .enumerate()
                .filter(|(_, fk)| fk.child == table)
            {
                for p in follow(f, &parents, &self.rows[&table][r], &fk.cols) {
                    if selected.entry(fk.parent.clone()).or_default().insert(p) {
                        queue.push((fk.parent.clone(), p));
                    }
                }
            }
            for (f, fk) in self
                .fks
                .iter()
                .enumerate()
                .filter(|(_, fk)| fk.parent == table && self.is_extension(fk))
            {
                for c in follow(f, &children, &self.rows[&table][r], &fk.refs) {
                    if selected.entry(fk.child.clone()).or_default().insert(c) {
                        queue.push((fk.child.clone(), c));
                    }
                }
            }
        }
        self.rows
            .keys()
            .map(|t| {
                let keys = selected
                    .get(t)
                    .map(|rows| rows.iter().map(|&r| self.key(t, r)).collect())
                    .unwrap_or_default();
                (t.clone(), keys)
            })
            .collect()
    }

    fn rows_where(
        &self,
        table: &str,
        pred: impl Fn(&BTreeMap<String, Option<String>>) -> bool,
    ) -> Vec<usize> {
        self.rows[table]
            .iter()
            .enumerate()
            .filter(|(_, r)| pred(r))
            .map(|(i, _)| i)
            .collect()
    }
}

fn col(row: &BTreeMap<String, Option<String>>, c: &str) -> String {
    row[c].clone().unwrap_or_default()
}

/// Runs the subset mirror and checks the copy against `expected`, zero orphans, the full
/// schema and the version tables.
async fn check_subset(
    source: &Db,
    target: &Db,
    config: &std::path::Path,
    expected: &BTreeMap<String, BTreeSet<String>>,
) {
    let outcome = run(Mode::Test, config, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!outcome.plan.dry_run && outcome.summary.is_some());
    let conn = source.server_conn().await;
    let actual = primary_keys(&conn, &target.name).await;
    for (table, keys) in expected {
        let got = actual.get(table).cloned().unwrap_or_default();
        assert!(
            &got == keys,
            "{table}: expected {} rows, copied {}; missing {:?}, unexpected {:?}",
            keys.len(),
            got.len(),
            keys.difference(&got).take(5).collect::<Vec<_>>(),
            got.difference(keys).take(5).collect::<Vec<_>>()
        );
    }
    for (fk, n) in orphans(&conn, &target.name).await {
        assert_eq!(n, 0, "orphans of {fk}");
    }
    let a = fingerprint(&conn, &source.name).await;
    let b = fingerprint(&conn, &target.name).await;
    assert!(a == b, "schema differs:\n{}", fingerprint_diff(&a, &b));
    if actual.contains_key("alembic_version") {
        for sql in [
            "SELECT version_num FROM {}.alembic_version",
            "SELECT CONCAT(version, ' ', applied_at) FROM {}.seaql_migrations",
        ] {
            let of = |db: &str| sql.replace("{}", &quote_ident(db));
            assert_eq!(
                query_strings(&conn, &of(&source.name), vec![]).await,
                query_strings(&conn, &of(&target.name), vec![]).await,
                "{sql}"
            );
        }
    }
    let _ = conn.close().await;
}

fn total(expected: &BTreeMap<String, BTreeSet<String>>) -> usize {
    expected.values().map(BTreeSet::len).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subsets_are_exact_and_orphan_free() {
    let (source, counts) = eyened_source(20, 21).await;
    let target = Db::named("t");
    let conn = source.server_conn().await;
    let world = load_world(&conn, &source.name).await;
    let _ = conn.close().await;
    let dir = TempDir::new();
    let all = |_: &Fk| true;

    // 1. One patient by identifier (a bound parameter), everything below and above it.
    let patient = world.rows_where("Patient", |r| col(r, "PatientID") == "4");
    let expected = world.expected(&[("Patient", patient, true)], &all);
    assert_eq!(expected["Patient"].len(), 1);
    assert!(
        expected["ImageInstance"].len() > 3,
        "{:?}",
        expected["ImageInstance"]
    );
    assert!(!expected["Tag"].is_empty() || expected["ImageInstanceTag"].is_empty());
    assert!(!expected["Creator"].is_empty());
    assert!(total(&expected) < counts.total() as usize / 4);
    let config = write_config(
        dir.path(),
        "one.yml",
        &source.name,
        &target.name,
        "copy_objects:\n  - table: Patient\n    clause:\n      PatientIdentifier: 'P0000004'\ncopy_segmentation_data: false\n",
    );
    check_subset(&source, &target, &config, &expected).await;

    // 2. A raw condition and a second root on another table.
    let roots = world.rows_where("Patient", |r| {
        ["2", "9"].contains(&col(r, "PatientID").as_str())
    });
    let study = world.rows_where("Study", |r| col(r, "StudyID") == "5");
    let expected = world.expected(&[("Patient", roots, true), ("Study", study, true)], &all);
    let config = write_config(
        dir.path(),
        "two.yml",
        &source.name,
        &target.name,
        "copy_objects:\n  - {table: Patient, clause: 'PatientID IN (2, 9)'}\n  - {table: Study, clause: {StudyID: 5}}\n",
    );
    check_subset(&source, &target, &config, &expected).await;

    // 3. skip_down: no derived attribute links, no patient-level forms.
    let skip = |fk: &Fk| {
        let skipped = (fk.child == "AttributeValueInput" && fk.cols == ["InputAttributeValueID"])
            || (fk.child == "FormAnnotation" && fk.cols == ["PatientID"]);
        !skipped
    };
    let patient = world.rows_where("Patient", |r| col(r, "PatientID") == "6");
    let expected = world.expected(&[("Patient", patient, true)], &skip);
    let config = write_config(
        dir.path(),
        "skip.yml",
        &source.name,
        &target.name,
        "copy_objects: [{table: Patient, clause: {PatientID: 6}}]\nskip_down: [AttributeValueInput.InputAttributeValueID, FormAnnotation.PatientID]\n",
    );
    check_subset(&source, &target, &config, &expected).await;

    // 4. follow_down as the complete list (images only), plus a creator alone
    //    (follow_down: false), and composite-key roots.
    let only = |fk: &Fk| {
        matches!(
            (fk.child.as_str(), fk.cols.first().map(String::as_str)),
            ("Study", Some("PatientID"))
                | ("Series", Some("StudyID"))
                | ("ImageInstance", Some("SeriesID"))
        )
    };
    let patient = world.rows_where("Patient", |r| col(r, "PatientID") == "3");
    let creator = world.rows_where("Creator", |r| col(r, "CreatorID") == "2");
    let composite = world.rows_where("CompositeFeature", |r| col(r, "ParentFeatureID") == "1");
    let expected = world.expected(
        &[
            ("Patient", patient, true),
            ("Creator", creator, false),
            ("CompositeFeature", composite, true),
        ],
        &only,
    );
    assert!(expected["Annotation"].is_empty());
    assert_eq!(expected["CompositeFeature"].len(), 3);
    let config = write_config(
        dir.path(),
        "only.yml",
        &source.name,
        &target.name,
        "copy_objects:\n  - {table: Patient, clause: {PatientID: 3}}\n  - {table: Creator, clause: {CreatorName: grader02}, follow_down: false}\n  - {table: CompositeFeature, clause: {ParentFeatureID: 1}}\nfollow_down: [Study.PatientID, Series.StudyID, ImageInstance.SeriesID]\n",
    );
    check_subset(&source, &target, &config, &expected).await;

    // 5. A whole project and a tag (all its links), over the previous copy.
    let project = world.rows_where("Project", |r| col(r, "ProjectID") == "2");
    let tag = world.rows_where("Tag", |r| col(r, "TagID") == "7");
    let expected = world.expected(&[("Project", project, true), ("Tag", tag, true)], &all);
    assert!(
        expected["Patient"].len() >= 8,
        "{}",
        expected["Patient"].len()
    );
    let config = write_config(
        dir.path(),
        "project.yml",
        &source.name,
        &target.name,
        "copy_objects: [{table: Project, clause: {ProjectID: 2}}, {table: Tag, clause: {TagID: 7}}]\n",
    );
    check_subset(&source, &target, &config, &expected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cycles_and_composite_foreign_keys() {
    // A schema of its own: Box and Lid reference each other (a cycle), Lid has a composite
    // key referenced by a composite foreign key, Node references itself in a chain.
    let source = Db::empty("c").await;
    let conn = source.connect().await;
    conn.execute_unprepared(
        "SET foreign_key_checks = 0;
         CREATE TABLE Box (BoxID INT PRIMARY KEY, LidMaker INT NULL, LidNo INT NULL, Label VARCHAR(20),
           KEY (LidMaker, LidNo), CONSTRAINT box_lid FOREIGN KEY (LidMaker, LidNo) REFERENCES Lid (Maker, No));
         CREATE TABLE Lid (Maker INT, No INT, BoxID INT NULL, Colour VARCHAR(10), PRIMARY KEY (Maker, No),
           CONSTRAINT lid_box FOREIGN KEY (BoxID) REFERENCES Box (BoxID));
         CREATE TABLE Node (NodeID INT PRIMARY KEY, Prev INT NULL, BoxID INT NOT NULL,
           CONSTRAINT node_prev FOREIGN KEY (Prev) REFERENCES Node (NodeID),
           CONSTRAINT node_box FOREIGN KEY (BoxID) REFERENCES Box (BoxID));
         INSERT INTO Box VALUES (1, 10, 1, 'one'), (2, 10, 2, 'two'), (3, NULL, NULL, 'three'), (4, 20, 1, 'four');
         INSERT INTO Lid VALUES (10, 1, 2, 'red'), (10, 2, 1, 'blue'), (20, 1, NULL, 'green'), (20, 2, 3, 'grey');
         INSERT INTO Node VALUES (1, NULL, 3), (2, 1, 3), (3, 2, 1), (4, NULL, 4), (5, 4, 4);
         SET foreign_key_checks = 1;",
    )
    .await
    .unwrap();
    let world = load_world(&conn, &source.name).await;
    let _ = conn.close().await;
    let target = Db::named("t");
    let dir = TempDir::new();
    let all = |_: &Fk| true;
    // Node 3 → (up) Node 2 → Node 1 → Box 3 ...; Box 1 → Lid (10,1) → Box 2 → Lid (10,2) → Box 1.
    let roots = world.rows_where("Node", |r| col(r, "NodeID") == "3");
    let expected = world.expected(&[("Node", roots, true)], &all);
    assert_eq!(expected["Node"].len(), 3);
    assert!(expected["Lid"].contains("10,1") && expected["Lid"].contains("10,2"));
    let config = write_config(
        dir.path(),
        "cycle.yml",
        &source.name,
        &target.name,
        "copy_objects: [{table: Node, clause: {NodeID: 3}}]\n",
    );
    check_subset(&source, &target, &config, &expected).await;

    // Down from a lid: boxes with that lid, the nodes in those boxes, and the chains they need.
    let roots = world.rows_where("Lid", |r| col(r, "Maker") == "20");
    let expected = world.expected(&[("Lid", roots, true)], &all);
    let config = write_config(
        dir.path(),
        "lid.yml",
        &source.name,
        &target.name,
        "copy_objects: [{table: Lid, clause: 'Maker = 20'}]\n",
    );
    check_subset(&source, &target, &config, &expected).await;
}
