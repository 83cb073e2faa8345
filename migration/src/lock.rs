//! The migration lock: MySQL's `GET_LOCK`, held on a connection of its own for a whole run.
//!
//! A named lock belongs to the session that took it and is released when that session ends. A
//! pooled connection is closed and replaced whenever the pool likes (`max_lifetime`,
//! `idle_timeout`), which would silently release the lock in the middle of a long migration; so
//! the lock lives on a dedicated connection, opened beside the pool and never recycled. The
//! migrations still run through the pool: only this session's life matters to the lock.
//!
//! Dropping a [`Lock`] (an error, or Ctrl-C dropping the run) closes its connection, and the
//! server releases the lock with it.

use std::time::Duration;

use eyened_orm::config::mysql_pool;
use sea_orm::sqlx::{self, ConnectOptions, Connection, MySqlConnection};
use sea_orm::{DatabaseConnection, DbBackend};

use crate::runner::RunError;

/// What every lock name starts with; the database name follows (see [`name_for`]).
pub const PREFIX: &str = "eyened-migrations";

/// The name of the migration lock of `database`: runs on different databases of one server do
/// not keep each other out.
pub fn name_for(database: &str) -> String {
    format!("{PREFIX}:{database}")
}

/// The migration lock of one database, held for as long as this value lives.
pub struct Lock {
    conn: MySqlConnection,
    name: String,
    database: String,
    connection_id: u64,
}

impl Lock {
    /// Takes the lock of `db`'s database on a new connection with `db`'s settings, waiting up to
    /// `wait` (whole seconds) for another run to release it. `None` on SQLite, which has no such
    /// lock (a file used by one process).
    pub async fn acquire(
        db: &DatabaseConnection,
        wait: Duration,
    ) -> Result<Option<Lock>, RunError> {
        if db.get_database_backend() != DbBackend::MySql {
            return Ok(None);
        }
        let pool = mysql_pool(db).ok_or_else(|| {
            RunError::Invalid(
                "cannot take the migration lock: the connection is not a MySQL/MariaDB pool".into(),
            )
        })?;
        // Waiting for the lock is no slow statement worth a warning on stderr.
        let options = (*pool.connect_options())
            .clone()
            .disable_statement_logging();
        let database = options.get_database().unwrap_or_default().to_string();
        let session_failed = |e: sqlx::Error| RunError::LockSession {
            database: database.clone(),
            message: e.to_string(),
        };
        let mut conn = MySqlConnection::connect_with(&options)
            .await
            .map_err(session_failed)?;
        // The CASTs: sqlx decodes only the exact integer type, and MariaDB and MySQL type these
        // functions' results differently.
        let (selected, connection_id): (Option<String>, u64) =
            sqlx::query_as("SELECT DATABASE(), CAST(CONNECTION_ID() AS UNSIGNED)")
                .fetch_one(&mut conn)
                .await
                .map_err(session_failed)?;
        let Some(database) = selected else {
            return Err(RunError::Invalid(
                "the migration lock needs a database: name one in the URL (or DATABASE_NAME)"
                    .into(),
            ));
        };
        // The server closes a session idle for `wait_timeout` (on production servers often
        // minutes), and this one idles for as long as a migration takes: a year, the largest.
        sqlx::query("SET SESSION wait_timeout = 31536000")
            .execute(&mut conn)
            .await
            .map_err(session_failed)?;
        let name = name_for(&database);
        let got: Option<i64> = sqlx::query_scalar("SELECT CAST(GET_LOCK(?, ?) AS SIGNED)")
            .bind(&name)
            .bind(wait.as_secs())
            .fetch_one(&mut conn)
            .await
            .map_err(session_failed)?;
        match got {
            Some(1) => Ok(Some(Lock {
                conn,
                name,
                database,
                connection_id,
            })),
            Some(_) => {
                let holder = holder(&mut conn, &name).await.map_err(session_failed)?;
                Err(RunError::Locked {
                    lock: name,
                    database,
                    holder,
                    waited: wait,
                })
            }
            None => Err(RunError::LockSession {
                database,
                message: format!("GET_LOCK('{name}') failed (the session was killed?)"),
            }),
        }
    }

    /// The lock's name, `eyened-migrations:<database>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database the lock guards.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The server's id of the session that holds the lock (`CONNECTION_ID()`, the `Id` of
    /// `SHOW PROCESSLIST`).
    pub fn connection_id(&self) -> u64 {
        self.connection_id
    }

    /// Fails with [`RunError::LockLost`] unless this session still holds the lock; `before`
    /// says what the run stops short of (e.g. "recording m… as applied").
    ///
    /// Asked on the lock's own session: once the server killed or closed it the question cannot
    /// even be asked, whereas another session may briefly still see the dying one as the holder.
    pub async fn ensure_held(&mut self, before: &str) -> Result<(), RunError> {
        let answer: Result<(Option<u64>, u64), sqlx::Error> = sqlx::query_as(
            "SELECT CAST(IS_USED_LOCK(?) AS UNSIGNED), CAST(CONNECTION_ID() AS UNSIGNED)",
        )
        .bind(&self.name)
        .fetch_one(&mut self.conn)
        .await;
        let cause = match answer {
            Ok((Some(holder), me)) if holder == me => return Ok(()),
            Ok((Some(holder), _)) => format!("it is now held by connection {holder}"),
            Ok((None, _)) => "nobody holds it now".to_string(),
            Err(e) => format!(
                "asking on its connection {} failed: {e}",
                self.connection_id
            ),
        };
        Err(RunError::LockLost {
            lock: self.name.clone(),
            database: self.database.clone(),
            cause,
            before: before.to_string(),
        })
    }

    /// Releases the lock and closes its connection.
    pub async fn release(mut self) -> Result<(), RunError> {
        let released = sqlx::query("SELECT RELEASE_LOCK(?)")
            .bind(&self.name)
            .execute(&mut self.conn)
            .await;
        let closed = self.conn.close().await;
        released
            .and(closed)
            .map(|_| ())
            .map_err(|e| RunError::LockSession {
                database: self.database,
                message: format!("releasing the lock: {e}"),
            })
    }
}

/// The session holding `name`, if any.
async fn holder(conn: &mut MySqlConnection, name: &str) -> Result<Option<u64>, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(IS_USED_LOCK(?) AS UNSIGNED)")
        .bind(name)
        .fetch_one(conn)
        .await
}
