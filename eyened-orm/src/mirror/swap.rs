//! The staging database and the swap that puts it in place of the target.
//!
//! MariaDB and MySQL have no `RENAME DATABASE`, but `RENAME TABLE a TO b, c TO d, ...` is atomic
//! (and crash-safe with MariaDB's atomic DDL) and can move tables between databases. The swap is
//! one such statement: the target's current tables move to `<target>__eorm_old` and the staged
//! tables move into the target. Before it, the target is untouched; after it, the target is the
//! complete, verified copy. Only then is the old database dropped. A run that dies anywhere
//! leaves either the old target or the new one, plus leftovers that the next run drops.
//!
//! Views and triggers cannot move between databases with `RENAME TABLE`, so they (and stored
//! routines) are created in the target right after the swap; they were first created in the
//! staging database to check that they compile, then dropped there.

use super::catalog::{Catalog, ObjectDef, ObjectKind};
use super::conn::{self, Conn, text};
use super::error::MirrorError;
use crate::progress::Progress;
use crate::sql::{ident, literal, qualified};

/// Makes the name of the database the copy is built in from the target's; a target name may
/// not end with it.
pub const STAGING_SUFFIX: &str = "__eorm_staging";
/// Makes the name of the database the replaced tables move to in the swap, dropped right
/// after; a target name may not end with it.
pub const OLD_SUFFIX: &str = "__eorm_old";

/// The target and the names of its helper databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The target database, as the config names it.
    pub target: String,
    /// `<target>__eorm_staging`: where the copy is built and verified.
    pub staging: String,
    /// `<target>__eorm_old`: where the target's tables go in the swap.
    pub old: String,
}

impl Names {
    /// The names for `target`. A [`MirrorError::Config`] on `target.database` when the staging
    /// name would exceed MySQL's 64 characters: use a shorter target name.
    pub fn new(target: &str) -> Result<Names, MirrorError> {
        let staging = format!("{target}{STAGING_SUFFIX}");
        if staging.chars().count() > 64 {
            return Err(MirrorError::config(
                "target.database",
                format!(
                    "'{target}' is too long: the staging database '{staging}' would exceed MySQL's 64 characters; use a name of at most {} characters",
                    64 - STAGING_SUFFIX.len()
                ),
            ));
        }
        Ok(Names {
            target: target.to_owned(),
            staging,
            old: format!("{target}{OLD_SUFFIX}"),
        })
    }

    /// The name of the server-side lock that keeps two runs off one target.
    pub fn lock_name(&self) -> String {
        let name = format!("eorm-mirror:{}", self.target.to_lowercase());
        if name.len() <= 64 {
            name
        } else {
            use md5::{Digest, Md5};
            let digest = Md5::digest(self.target.to_lowercase().as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            format!("eorm-mirror:{hex}")
        }
    }
}

/// Whether `conn`'s server has a database named `name`.
pub async fn database_exists(conn: &mut Conn, name: &str) -> Result<bool, MirrorError> {
    let rows = conn::rows_with(
        conn,
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        &[name],
        || format!("target: looking for database {name}"),
    )
    .await?;
    Ok(!rows.is_empty())
}

/// Base tables of `database` and their estimated rows.
pub async fn tables_of(conn: &mut Conn, database: &str) -> Result<Vec<(String, u64)>, MirrorError> {
    Ok(conn::rows_with(
        conn,
        "SELECT TABLE_NAME, CAST(IFNULL(TABLE_ROWS, 0) AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        &[database],
        || format!("target: listing tables of {database}"),
    )
    .await?
    .iter()
    .map(|r| (text(r, 0).unwrap_or_default(), conn::number(r, 1)))
    .collect())
}

/// Drops staging and old databases left by an earlier run. Returns the names dropped.
pub async fn drop_leftovers(conn: &mut Conn, names: &Names) -> Result<Vec<String>, MirrorError> {
    let mut dropped = Vec::new();
    for name in [&names.staging, &names.old] {
        if database_exists(conn, name).await? {
            conn::exec(conn, format!("DROP DATABASE {}", ident(name)), || {
                format!("target: dropping leftover database {name}")
            })
            .await?;
            dropped.push(name.clone());
        }
    }
    Ok(dropped)
}

/// Creates the staging database with the source's character set and collation.
pub async fn create_staging(
    conn: &mut Conn,
    names: &Names,
    catalog: &Catalog,
) -> Result<(), MirrorError> {
    conn::exec(
        conn,
        format!(
            "CREATE DATABASE {} CHARACTER SET {} COLLATE {}",
            ident(&names.staging),
            catalog.charset,
            catalog.collation
        ),
        || format!("target: creating the staging database {}", names.staging),
    )
    .await?;
    Ok(())
}

/// Creates views, routines and triggers in the connection's current database. Views may depend
/// on each other: they are retried until no more can be created.
pub async fn create_objects(
    conn: &mut Conn,
    catalog: &Catalog,
    database: &str,
) -> Result<(), MirrorError> {
    conn::exec(conn, format!("USE {}", ident(database)), || {
        format!("target: USE {database}")
    })
    .await?;
    for routine in &catalog.routines {
        create_object(conn, routine, database).await?;
    }
    let mut pending: Vec<&ObjectDef> = catalog.views.iter().collect();
    while !pending.is_empty() {
        let mut failed = Vec::new();
        let mut last_error = None;
        for view in &pending {
            match create_object(conn, view, database).await {
                Ok(()) => {}
                Err(e) => {
                    last_error = Some(e);
                    failed.push(*view);
                }
            }
        }
        if failed.len() == pending.len() {
            return Err(last_error.unwrap_or_else(|| MirrorError::Internal("view creation".into())));
        }
        pending = failed;
    }
    for trigger in &catalog.triggers {
        create_object(conn, trigger, database).await?;
    }
    Ok(())
}

async fn create_object(
    conn: &mut Conn,
    object: &ObjectDef,
    database: &str,
) -> Result<(), MirrorError> {
    let what = || {
        format!(
            "target: creating {} {} in {database}",
            object.kind.keyword().to_ascii_lowercase(),
            object.name
        )
    };
    if let Some(mode) = &object.sql_mode {
        conn::exec(
            conn,
            format!("SET SESSION sql_mode = {}", literal(mode)),
            what,
        )
        .await?;
    }
    let result = conn::exec(conn, object.create_sql.clone(), what).await;
    if object.sql_mode.is_some() {
        conn::exec(
            conn,
            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
            what,
        )
        .await?;
    }
    result.map(|_| ())
}

/// Drops every view, trigger and routine of `database`, returning their definitions.
pub async fn drop_objects(conn: &mut Conn, database: &str) -> Result<Vec<ObjectDef>, MirrorError> {
    conn::exec(conn, format!("USE {}", ident(database)), || {
        format!("target: USE {database}")
    })
    .await?;
    let catalog = Catalog::read(conn, database).await.ok();
    let mut dropped = Vec::new();
    let mut objects: Vec<(ObjectKind, String)> = Vec::new();
    for row in conn::rows_with(
        conn,
        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?",
        &[database],
        || format!("target: listing triggers of {database}"),
    )
    .await?
    {
        objects.push((ObjectKind::Trigger, text(&row, 0).unwrap_or_default()));
    }
    for row in conn::rows_with(
        conn,
        "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?",
        &[database],
        || format!("target: listing views of {database}"),
    )
    .await?
    {
        objects.push((ObjectKind::View, text(&row, 0).unwrap_or_default()));
    }
    for row in conn::rows_with(
        conn,
        "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
        &[database],
        || format!("target: listing routines of {database}"),
    )
    .await?
    {
        let kind = if text(&row, 1).as_deref() == Some("FUNCTION") {
            ObjectKind::Function
        } else {
            ObjectKind::Procedure
        };
        objects.push((kind, text(&row, 0).unwrap_or_default()));
    }
    for (kind, name) in objects {
        if let Some(def) = catalog.as_ref().and_then(|c| {
            c.views
                .iter()
                .chain(&c.triggers)
                .chain(&c.routines)
                .find(|o| o.kind == kind && o.name == name)
        }) {
            dropped.push(def.clone());
        }
        conn::exec(
            conn,
            format!(
                "DROP {} IF EXISTS {}",
                kind.keyword(),
                qualified(database, &name)
            ),
            || {
                format!(
                    "target: dropping {} {name} of {database}",
                    kind.keyword().to_ascii_lowercase()
                )
            },
        )
        .await?;
    }
    Ok(dropped)
}

/// Puts the staged tables in place of the target's, atomically. See the module docs.
pub async fn swap(
    conn: &mut Conn,
    names: &Names,
    catalog: &Catalog,
    staged_tables: &[String],
    progress: &dyn Progress,
) -> Result<(), MirrorError> {
    conn::exec(
        conn,
        format!(
            "CREATE DATABASE IF NOT EXISTS {} CHARACTER SET {} COLLATE {}",
            ident(&names.target),
            catalog.charset,
            catalog.collation
        ),
        || format!("target: creating database {}", names.target),
    )
    .await?;
    let old_tables = tables_of(conn, &names.target).await?;
    let old_objects = drop_objects(conn, &names.target).await?;
    conn::exec(
        conn,
        format!("CREATE DATABASE {}", ident(&names.old)),
        || format!("target: creating {}", names.old),
    )
    .await?;
    let mut renames: Vec<String> = old_tables
        .iter()
        .map(|(t, _)| {
            format!(
                "{} TO {}",
                qualified(&names.target, t),
                qualified(&names.old, t)
            )
        })
        .collect();
    renames.extend(staged_tables.iter().map(|t| {
        format!(
            "{} TO {}",
            qualified(&names.staging, t),
            qualified(&names.target, t)
        )
    }));
    let rename = conn::exec(conn, format!("RENAME TABLE {}", renames.join(", ")), || {
        format!("target: swapping {} into {}", names.staging, names.target)
    })
    .await;
    if let Err(e) = rename {
        // The RENAME changed nothing; put back the views, triggers and routines dropped above.
        let mut restore = catalog.clone();
        restore.views = old_objects
            .iter()
            .filter(|o| o.kind == ObjectKind::View)
            .cloned()
            .collect();
        restore.triggers = old_objects
            .iter()
            .filter(|o| o.kind == ObjectKind::Trigger)
            .cloned()
            .collect();
        restore.routines = old_objects
            .iter()
            .filter(|o| matches!(o.kind, ObjectKind::Procedure | ObjectKind::Function))
            .cloned()
            .collect();
        if let Err(restore_error) = create_objects(conn, &restore, &names.target).await {
            progress.line(&format!(
                "warning: could not restore the old target's views, triggers or routines: {restore_error}"
            ));
        }
        return Err(e);
    }
    conn::exec(
        conn,
        format!(
            "ALTER DATABASE {} CHARACTER SET {} COLLATE {}",
            ident(&names.target),
            catalog.charset,
            catalog.collation
        ),
        || format!("target: setting the character set of {}", names.target),
    )
    .await?;
    create_objects(conn, catalog, &names.target).await?;
    for name in [&names.old, &names.staging] {
        conn::exec(
            conn,
            format!("DROP DATABASE IF EXISTS {}", ident(name)),
            || format!("target: dropping {name}"),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = Names::new("eyened_test").unwrap();
        assert_eq!(n.staging, "eyened_test__eorm_staging");
        assert_eq!(n.old, "eyened_test__eorm_old");
        assert_eq!(n.lock_name(), "eorm-mirror:eyened_test");
        assert!(Names::new(&"x".repeat(51)).is_err());
        assert!(Names::new(&"x".repeat(50)).is_ok());
        assert!(Names::new(&"x".repeat(50)).unwrap().lock_name().len() <= 64);
    }
}
