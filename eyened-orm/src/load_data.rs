//! `LOAD DATA LOCAL INFILE` from memory: rows go to the server as tab-separated bytes, so it
//! neither parses SQL nor builds an expression per value (the profile of a streaming copy with
//! multi-row INSERTs showed a fifth of the target's CPU in the SQL parser and per-value items).
//! The mirror loads staged tables this way, and `eorm import` its images.
//!
//! sqlx cannot answer the server's request for a local file, so loaders are connections of the
//! `mysql_async` driver. They are used only when they cannot weaken anything: the server allows
//! `local_infile` and the caller's own connection is not encrypted (the loader does not speak
//! TLS; see [`unusable`]). Otherwise callers write with INSERTs.
//!
//! A LOCAL load cannot be stopped halfway by the server, so the server turns errors in the data
//! into warnings; each load is checked for warnings and for the number of rows it stored, and
//! fails on any difference.

use bytes::Bytes;
use futures_util::StreamExt;
use mysql_async::prelude::Queryable;
use sea_orm::sqlx::mysql::MySqlConnection;
use sea_orm::sqlx::{Executor, Row};

use crate::config::DatabaseConfig;

/// A statement of a loader (or of the probe in [`unusable`]) failed. `context` says what was
/// being done.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {message}")]
pub struct LoadError {
    /// The role and the step, e.g. `import: loader session settings`.
    pub context: String,
    /// The server's message with its error code (`... (1213)`), or the driver's, on one line.
    pub message: String,
}

/// ER_LOCK_DEADLOCK.
pub const DEADLOCK: u16 = 1213;

/// A target connection that loads rows with `LOAD DATA LOCAL INFILE`.
pub struct Loader {
    conn: mysql_async::Conn,
}

/// Why loaders cannot be used on the server `probe` is connected to, if they cannot: a loader
/// needs `local_infile`, and must not downgrade an encrypted connection (it does not speak TLS).
/// `role` names the server in the answer and in errors.
pub async fn unusable(
    probe: &mut MySqlConnection,
    role: &str,
) -> Result<Option<String>, LoadError> {
    let local_infile = first_text(probe, "SELECT @@GLOBAL.local_infile", 0, || {
        format!("{role}: local_infile setting")
    })
    .await?
    .unwrap_or_default();
    if local_infile != "1" {
        return Ok(Some(format!("the {role} server has local_infile off")));
    }
    let cipher = first_text(probe, "SHOW SESSION STATUS LIKE 'Ssl_cipher'", 1, || {
        format!("{role}: connection encryption")
    })
    .await?;
    if cipher.is_some_and(|c| !c.is_empty()) {
        return Ok(Some(format!(
            "the connection to the {role} server is encrypted"
        )));
    }
    Ok(None)
}

/// Column `column` of the first row of `sql` (text protocol) as text, `None` without rows or for
/// NULL.
async fn first_text(
    conn: &mut MySqlConnection,
    sql: &'static str,
    column: usize,
    context: impl FnOnce() -> String,
) -> Result<Option<String>, LoadError> {
    let rows = conn.fetch_all(sql).await.map_err(|e| LoadError {
        context: context(),
        message: e.to_string(),
    })?;
    Ok(rows.first().and_then(|row| {
        row.try_get_unchecked::<Option<&[u8]>, _>(column)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }))
}

fn sql_error(context: String, err: &mysql_async::Error) -> LoadError {
    let message = match err {
        mysql_async::Error::Server(e) => format!("{} ({})", e.message, e.code),
        other => other.to_string(),
    };
    LoadError {
        context,
        message: message.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

impl Loader {
    /// Connects to `database` on `config`'s server with the session settings of the other
    /// writers (`session`: SQL run first); `role` names the connection in errors.
    pub async fn connect(
        config: &DatabaseConfig,
        database: &str,
        session: &[&str],
        role: &str,
    ) -> Result<Self, LoadError> {
        let opts = mysql_async::OptsBuilder::default()
            .ip_or_hostname(config.host())
            .tcp_port(config.port())
            .user(Some(config.user()))
            .pass(Some(config.password().expose()))
            .db_name(Some(database))
            // Stay on TCP, as the sqlx connections do (a socket would mean another login).
            .prefer_socket(false)
            .stmt_cache_size(0);
        let mut conn = mysql_async::Conn::new(opts).await.map_err(|e| {
            sql_error(
                format!("{role}: connecting a loader to {}", config.display()),
                &e,
            )
        })?;
        for sql in session {
            conn.query_drop(*sql)
                .await
                .map_err(|e| sql_error(format!("{role}: loader session settings"), &e))?;
        }
        Ok(Loader { conn })
    }

    /// Loads `data` (rows rendered by [`push_value`]) into `table` (`columns`: its column list)
    /// and checks that exactly `rows` rows were stored, without warnings. Only for a load that is
    /// a transaction of its own (autocommit): one that lost a deadlock was rolled back whole by
    /// the server and runs again, `attempts` times in all.
    pub async fn load(
        &mut self,
        table: &str,
        columns: &str,
        data: Vec<u8>,
        rows: u64,
        attempts: u32,
        context: impl Fn() -> String,
    ) -> Result<(), LoadError> {
        let data = Bytes::from(data);
        let sql = statement(table, "binary", columns);
        let mut attempt = 1;
        loop {
            let chunk = data.clone();
            self.conn.set_infile_handler(async move {
                Ok(futures_util::stream::once(async move { Ok(chunk) }).boxed())
            });
            match self.conn.query_drop(&sql).await {
                Ok(()) => break,
                Err(mysql_async::Error::Server(e)) if e.code == DEADLOCK && attempt < attempts => {
                    attempt += 1;
                }
                Err(e) => return Err(sql_error(context(), &e)),
            }
        }
        self.check(rows, context).await
    }

    /// Runs `sql`, a `LOAD DATA LOCAL INFILE` statement, with the file's bytes from `data`, once
    /// (a stream cannot be replayed), and checks that exactly `rows` rows were stored, without
    /// warnings.
    pub async fn load_stream(
        &mut self,
        sql: &str,
        data: futures_util::stream::BoxStream<'static, std::io::Result<Bytes>>,
        rows: u64,
        context: impl Fn() -> String,
    ) -> Result<(), LoadError> {
        // The handler must be `Sync`; a stream is only `Send`.
        let data = std::sync::Mutex::new(data);
        self.conn.set_infile_handler(async move {
            data.into_inner()
                .map_err(|_| std::io::Error::other("the rows to load were lost").into())
        });
        self.conn
            .query_drop(sql)
            .await
            .map_err(|e| sql_error(context(), &e))?;
        self.check(rows, context).await
    }

    /// The connection, for the statements around a load (a transaction, other writes).
    pub fn conn(&mut self) -> &mut mysql_async::Conn {
        &mut self.conn
    }

    /// Fails if the last load stored other than `rows` rows or left warnings.
    async fn check(&mut self, rows: u64, context: impl Fn() -> String) -> Result<(), LoadError> {
        let stored = self.conn.affected_rows();
        if self.conn.get_warnings() > 0 {
            let warnings: Vec<(String, u32, String)> = self
                .conn
                .query("SHOW WARNINGS LIMIT 3")
                .await
                .map_err(|e| sql_error(context(), &e))?;
            let list = warnings
                .into_iter()
                .map(|(level, code, message)| format!("{level} {code}: {message}"))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(LoadError {
                context: context(),
                message: format!("the server reported problems with the data: {list}"),
            });
        }
        if stored != rows {
            return Err(LoadError {
                context: context(),
                message: format!("{rows} rows sent but {stored} stored"),
            });
        }
        Ok(())
    }

    /// Disconnects politely; errors are ignored. An open transaction is rolled back by the
    /// server.
    pub async fn close(self) {
        let _ = self.conn.disconnect().await;
    }
}

/// The `LOAD DATA LOCAL INFILE` statement for a file in the load format (lines of tab-separated
/// values written by [`push_value`]) into `table`: `targets` lists its columns (or user
/// variables), `charset` is how the server reads the bytes.
pub fn statement(table: &str, charset: &str, targets: &str) -> String {
    format!(
        "LOAD DATA LOCAL INFILE 'eorm-rows' INTO TABLE {table} CHARACTER SET {charset} \
         FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({targets})"
    )
}

/// Appends one value in the load format: `\N` for NULL, else the bytes with the field and line
/// terminators, the escape character and NUL escaped.
pub fn push_value(out: &mut Vec<u8>, value: Option<&[u8]>) {
    let Some(bytes) = value else {
        out.extend_from_slice(b"\\N");
        return;
    };
    out.reserve(bytes.len());
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0 => b"\\0",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        let mut out = Vec::new();
        push_value(&mut out, Some(b"a\tb\nc\\d\0e"));
        out.push(b'\t');
        push_value(&mut out, None);
        out.push(b'\t');
        push_value(&mut out, Some(b"\\N"));
        assert_eq!(out, b"a\\tb\\nc\\\\d\\0e\t\\N\t\\\\N".to_vec());
    }
}
