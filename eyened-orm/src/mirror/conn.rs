//! Connections and the few query helpers the mirror needs.
//!
//! The mirror talks to the servers through sqlx connections of its own rather than SeaORM pools:
//! each source reader must keep *its* snapshot transaction on *its* connection, and rows are moved
//! as the bytes of the text protocol, written out as SQL literals (see [`super::catalog`]), so no
//! value is ever decoded into a Rust type on the way.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::try_join_all;
use sea_orm::sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlRow};
use sea_orm::sqlx::{self, AssertSqlSafe, ConnectOptions, Connection, Executor, Row};
use sea_orm::{DbErr, RuntimeErr};

use super::error::MirrorError;
use crate::config::DatabaseConfig;
use crate::load_data::DEADLOCK;

/// A connection of the mirror's own, set up by [`connect`] with the [`SESSION`] settings.
pub type Conn = MySqlConnection;

/// Session settings of every mirror connection. `sql_mode` is fixed so that the SQL text the
/// server renders parses back the same (backslash escapes on, no ANSI_QUOTES or
/// PIPES_AS_CONCAT), zero values stay zero (`NO_AUTO_VALUE_ON_ZERO`), and anything the target
/// would truncate or reject is an error, not a warning (`STRICT_ALL_TABLES`). TIMESTAMPs are
/// rendered and parsed in UTC.
///
/// The timeouts are raised (never lowered) to a day idle and an hour for a stalled read or write:
/// connections sit idle through the whole copy (the run lock's, writers whose loader does the
/// work, helpers waiting for a table to finish), and a reader whose writers are busy stops
/// reading its result, which the server gives up on after `net_write_timeout`. A client that
/// vanishes without closing its socket is still noticed by the server's TCP keepalive.
pub const SESSION: &str = "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', \
     time_zone = '+00:00', group_concat_max_len = 1048576, \
     wait_timeout = GREATEST(@@SESSION.wait_timeout, 86400), \
     net_read_timeout = GREATEST(@@SESSION.net_read_timeout, 3600), \
     net_write_timeout = GREATEST(@@SESSION.net_write_timeout, 3600)";

/// Connects to `config`'s server, to `database` if given (no database otherwise).
pub async fn connect(
    config: &DatabaseConfig,
    role: &'static str,
    database: Option<&str>,
) -> Result<Conn, MirrorError> {
    let url = match database {
        Some(db) => config.with_database(db).url(),
        None => config.server_url(),
    };
    let connect_error = |err: sqlx::Error| MirrorError::Connection {
        role,
        source: config.connect_error(&DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err)))),
    };
    let options = MySqlConnectOptions::from_str(&url)
        .map_err(connect_error)?
        .pipes_as_concat(false)
        .timezone(Some("+00:00".to_owned()))
        .statement_cache_capacity(32)
        // sqlx warns of a statement slower than 1 s with its whole text, which here may be
        // 10,000 keys or a row of patient data: debug level, as every statement is.
        .log_slow_statements(log::LevelFilter::Debug, Duration::from_secs(1));
    let mut conn = match tokio::time::timeout(
        Duration::from_secs(15),
        MySqlConnection::connect_with(&options),
    )
    .await
    {
        Ok(result) => result.map_err(connect_error)?,
        Err(_) => {
            return Err(MirrorError::Connection {
                role,
                source: crate::config::ConfigError::Connect {
                    target: config.display(),
                    message: "no answer within 15 s; check host and port".to_owned(),
                },
            });
        }
    };
    exec(&mut conn, SESSION, || format!("{role}: session settings")).await?;
    Ok(conn)
}

/// A one-line description of a driver error, never including the statement's data.
pub fn describe(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => format!("{} ({code})", db.message()),
            None => db.message().to_owned(),
        },
        other => other.to_string(),
    }
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
}

/// The MySQL error number of a database error, if it is one.
pub fn error_number(err: &sqlx::Error) -> Option<u16> {
    match err {
        sqlx::Error::Database(db) => db
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            .map(|e| e.number()),
        _ => None,
    }
}

/// A [`MirrorError::Sql`] for `err`: `context` says what was being done, on which side; the
/// message is [`describe`]'s, so never the statement's data.
pub fn sql_error(context: String, err: &sqlx::Error) -> MirrorError {
    MirrorError::Sql {
        context,
        message: describe(err),
    }
}

/// Runs statements that return no rows (text protocol; several may be separated by `;`).
pub async fn exec(
    conn: &mut Conn,
    sql: impl Into<String>,
    context: impl FnOnce() -> String,
) -> Result<u64, MirrorError> {
    let sql: String = sql.into();
    match sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await {
        Ok(done) => Ok(done.rows_affected()),
        Err(err) => Err(sql_error(context(), &err)),
    }
}

/// How often a load into staging that lost a deadlock is run. Loads into one empty table from
/// several connections can deadlock (InnoDB's bulk-insert table lock against the table's
/// AUTO-INC lock); each load is a transaction of its own (autocommit), which the server rolled
/// back whole, so it is simply run again.
pub const LOAD_ATTEMPTS: u32 = 5;

/// Runs a statement that loads rows into staging, again when it lost a deadlock (see
/// [`LOAD_ATTEMPTS`]). With `params`, as a prepared statement with them bound to its `?`.
pub async fn load(
    conn: &mut Conn,
    sql: String,
    params: &[Option<Vec<u8>>],
    context: impl FnOnce() -> String,
) -> Result<u64, MirrorError> {
    let sql: Arc<str> = sql.into();
    let mut attempt = 1;
    loop {
        let result = if params.is_empty() {
            sqlx::raw_sql(AssertSqlSafe(sql.clone()))
                .execute(&mut *conn)
                .await
        } else {
            let mut query = sqlx::query(AssertSqlSafe(sql.clone())).persistent(false);
            for p in params {
                query = query.bind(p.as_deref());
            }
            query.execute(&mut *conn).await
        };
        match result {
            Ok(done) => return Ok(done.rows_affected()),
            Err(err) if error_number(&err) == Some(DEADLOCK) && attempt < LOAD_ATTEMPTS => {
                attempt += 1;
            }
            Err(err) => return Err(sql_error(context(), &err)),
        }
    }
}

/// Runs `work` on every item of `items`, each on whichever of `conns` is free (a connection
/// takes the next item as soon as it is done with its last); the results in the order of
/// `items`. The first error cancels the rest.
pub async fn share_out<T, R>(
    conns: Vec<&mut Conn>,
    items: &[T],
    work: impl AsyncFn(&mut Conn, &T) -> Result<R, MirrorError>,
) -> Result<Vec<R>, MirrorError> {
    let next = AtomicUsize::new(0);
    let (next, work) = (&next, &work);
    let tasks = conns.into_iter().map(|conn| async move {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                break;
            };
            done.push((i, work(conn, item).await?));
        }
        Ok::<_, MirrorError>(done)
    });
    let mut done: Vec<(usize, R)> = try_join_all(tasks).await?.into_iter().flatten().collect();
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}

/// Runs a query (text protocol) and returns every row.
pub async fn rows(
    conn: &mut Conn,
    sql: impl Into<String>,
    context: impl FnOnce() -> String,
) -> Result<Vec<MySqlRow>, MirrorError> {
    let sql: String = sql.into();
    conn.fetch_all(AssertSqlSafe(sql))
        .await
        .map_err(|err| sql_error(context(), &err))
}

/// Runs a prepared query with string parameters and returns every row. Select only string
/// expressions (or `CAST(... AS CHAR)`), since [`text`] reads the bytes as they come.
pub async fn rows_with(
    conn: &mut Conn,
    sql: impl Into<String>,
    params: &[&str],
    context: impl FnOnce() -> String,
) -> Result<Vec<MySqlRow>, MirrorError> {
    let sql: String = sql.into();
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for p in params {
        query = query.bind(p.to_string());
    }
    query
        .fetch_all(&mut *conn)
        .await
        .map_err(|err| sql_error(context(), &err))
}

/// Column `i` as text: the bytes the server sent (text protocol: any type; prepared statements:
/// string columns only), `None` for NULL.
pub fn text(row: &MySqlRow, i: usize) -> Option<String> {
    row.try_get_unchecked::<Option<&[u8]>, _>(i)
        .ok()
        .flatten()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Column `i` as an unsigned number (0 for NULL or non-numbers).
pub fn number(row: &MySqlRow, i: usize) -> u64 {
    text(row, i)
        .and_then(|s| s.trim().parse::<f64>().ok())
        .map(|f| f.max(0.0) as u64)
        .unwrap_or(0)
}

/// One value: the first column of the first row.
pub async fn scalar(
    conn: &mut Conn,
    sql: impl Into<String>,
    context: impl FnOnce() -> String,
) -> Result<Option<String>, MirrorError> {
    let rows = rows(conn, sql, context).await?;
    Ok(rows.first().and_then(|r| text(r, 0)))
}

/// The mirror's connection as a source of the schema catalog
/// ([`crate::schema::introspect::read_catalog`]): the schema model is read the same way
/// whoever connects.
pub struct CatalogReader<'a>(pub &'a mut Conn);

impl crate::schema::introspect::CatalogSource for CatalogReader<'_> {
    async fn text_rows(
        &mut self,
        sql: &str,
        database: Option<&str>,
    ) -> Result<Vec<Vec<Option<String>>>, DbErr> {
        let context = || "source: reading the schema".to_owned();
        let rows = match database {
            Some(db) => rows_with(self.0, sql, &[db], context).await,
            None => rows(self.0, sql, context).await,
        }
        .map_err(|e| DbErr::Custom(e.to_string()))?;
        Ok(rows
            .iter()
            .map(|row| (0..row.len()).map(|i| text(row, i)).collect())
            .collect())
    }
}
