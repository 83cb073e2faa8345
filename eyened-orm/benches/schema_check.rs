//! `cargo bench -p eyened-orm --bench schema_check`: the library path of `migration check` on a
//! synthetic schema of 1,000 tables (target: under 1 s end to end).
//!
//! `check` compares the live database with the compiled entities; a 1,000-table schema has no
//! entities, so this builds the model side in memory and measures what `check` does with it:
//! connect, introspect the live database (a constant number of `information_schema` queries),
//! diff. The database is created on the test server (`EYENED_BENCH_MYSQL_URL`, default
//! `mysql://root@127.0.0.1:3306`) as `eorm_bench_<pid>_<time>` and dropped at the end.
//!
//! Environment: `BENCH_TABLES` (default 1000), `BENCH_RUNS` (default 10), `BENCH_DATABASE` (a
//! name to use instead) and `BENCH_KEEP=1` (leave the database for other tools, e.g. Alembic;
//! the caller drops it).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use eyened_orm::migrate::{Dialect, plan};
use eyened_orm::schema::diff::{Renames, diff};
use eyened_orm::schema::{
    Check, Column, ColumnDefault, FkAction, ForeignKey, Index, Schema, SqlType, Table, introspect,
};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Tables shaped like the Eyened ones on average (8 columns, 1–2 foreign keys, 3 indexes, a JSON
/// column, an ENUM, defaults), each pointing at earlier tables.
fn synthetic_schema(tables: usize) -> Schema {
    let name = |i: usize| format!("Bench{i:04}");
    let mut out = Vec::with_capacity(tables);
    for i in 0..tables {
        let id = format!("{}ID", name(i));
        let mut t = Table::new(name(i))
            .column(Column::new(&id, SqlType::INT).auto_increment())
            .column(Column::new("Name", SqlType::Varchar(255)))
            .column(Column::new("Code", SqlType::Char(8)))
            .column(
                Column::new("Kind", SqlType::enumeration(["A", "B", "C"]))
                    .default(ColumnDefault::Literal("A".into())),
            )
            .column(
                Column::new(
                    "Amount",
                    SqlType::Decimal {
                        precision: 10,
                        scale: 2,
                    },
                )
                .null(),
            )
            .column(
                Column::new("Inactive", SqlType::Bool).default(ColumnDefault::Literal("0".into())),
            )
            .column(Column::new("Data", SqlType::Json).null())
            .column(
                Column::new("DateInserted", SqlType::DateTime)
                    .default(ColumnDefault::CurrentTimestamp),
            )
            .primary_key([id.as_str()])
            .index(Index::unique(format!("{}_Code_UNIQUE", name(i)), ["Code"]))
            .index(Index::new(
                format!("{}_Name_idx", name(i)),
                ["Name", "Kind"],
            ));
        for (k, parent) in [i / 2, i / 3].into_iter().enumerate() {
            if i == 0 || (k == 1 && parent == i / 2) {
                continue;
            }
            let column = format!("Ref{k}ID");
            t.columns.push(Column::new(&column, SqlType::INT).null());
            t.indexes.push(Index::new(
                format!("fk_{}_{k}_idx", name(i)),
                [column.as_str()],
            ));
            t.foreign_keys.push(
                ForeignKey::new(
                    format!("fk_{}_{k}", name(i)),
                    [column.as_str()],
                    name(parent),
                    [format!("{}ID", name(parent))],
                )
                .on_delete(if k == 0 {
                    FkAction::Cascade
                } else {
                    FkAction::SetNull
                }),
            );
        }
        if i % 10 == 0 {
            t.checks.push(Check::new(
                format!("ck_{}_amount", name(i)),
                "`Amount` >= 0",
            ));
        }
        out.push(t);
    }
    Schema::new(out)
}

async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

fn stats(samples: &[Duration]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "min {:7.1} ms   median {:7.1} ms   max {:7.1} ms",
        ms(sorted[0]),
        ms(sorted[sorted.len() / 2]),
        ms(sorted[sorted.len() - 1])
    )
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it too: keep that quick.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let tables = env_usize("BENCH_TABLES", 1000);
    let runs = env_usize("BENCH_RUNS", 10).max(1);
    let server = std::env::var("EYENED_BENCH_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned())
        .trim_end_matches('/')
        .to_owned();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let database = std::env::var("BENCH_DATABASE")
        .unwrap_or_else(|_| format!("eorm_bench_{}_{}", std::process::id(), nanos % 1_000_000));
    let keep = std::env::var("BENCH_KEEP").is_ok_and(|v| v == "1");

    let admin = connect(&server).await;
    admin
        .execute_unprepared(&format!("CREATE DATABASE `{database}`"))
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {database}: {e}"));
    let url = format!("{server}/{database}");
    let outcome = run(&url, &database, tables, runs).await;
    if !keep {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS `{database}`"))
            .await
            .unwrap_or_else(|e| panic!("DROP DATABASE {database}: {e}"));
    }
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

async fn run(url: &str, database: &str, tables: usize, runs: usize) -> Result<(), String> {
    let started = Instant::now();
    let schema = synthetic_schema(tables);
    let generated = started.elapsed();
    let statements = plan(
        Dialect::MySql,
        &diff(&Schema::default(), &schema, &Renames::default()).changes,
    )
    .map_err(|e| e.to_string())?;
    let setup = Instant::now();
    let conn = connect(url).await;
    for sql in &statements {
        conn.execute_unprepared(sql)
            .await
            .map_err(|e| format!("{e}\n{sql}"))?;
    }
    let columns: usize = schema.tables.iter().map(|t| t.columns.len()).sum();
    let foreign_keys: usize = schema.tables.iter().map(|t| t.foreign_keys.len()).sum();
    println!(
        "schema_check: {tables} tables, {columns} columns, {foreign_keys} foreign keys in `{database}` \
         (model built in {:.1?}, created in {:.1?})",
        generated,
        setup.elapsed()
    );
    let _ = conn.close().await;

    let (mut totals, mut connects, mut introspections, mut diffs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t0 = Instant::now();
        let conn = connect(url).await;
        let t1 = Instant::now();
        let live = introspect(&conn, Some(database))
            .await
            .map_err(|e| e.to_string())?;
        let t2 = Instant::now();
        let found = diff(&live, &synthetic_schema(tables), &Renames::default());
        let t3 = Instant::now();
        if !found.changes.is_empty() {
            return Err(format!(
                "false positives on the synthetic schema: {} changes, first: {}",
                found.changes.len(),
                found.changes[0]
            ));
        }
        let _ = conn.close().await;
        connects.push(t1 - t0);
        introspections.push(t2 - t1);
        diffs.push(t3 - t2);
        totals.push(t3 - t0);
    }
    println!("  connect            {}", stats(&connects));
    println!("  introspect         {}", stats(&introspections));
    println!("  model + diff       {}", stats(&diffs));
    println!(
        "  end to end         {}   ({runs} runs, in sync)",
        stats(&totals)
    );
    Ok(())
}
