//! Who holds a database's tables: the sessions a statement of the swap gave up waiting for.
//!
//! With MariaDB's `metadata_lock_info` plugin, `information_schema.METADATA_LOCK_INFO` names the
//! holders exactly. Without it, the likely holders are the sessions with an open transaction
//! (`information_schema.INNODB_TRX`; a transaction keeps the metadata locks of every table it
//! read until it ends) or working in one of the databases, longest idle first. Sessions under
//! `LOCK TABLES` outside a transaction cannot be seen that way, which the message says.

use std::fmt;

use super::conn::{self, Conn, text};
use super::error::MirrorError;

/// How many sessions a message names at most.
const SHOWN: usize = 5;

/// A session of the server, as `information_schema.PROCESSLIST` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The connection id (`KILL <id>` ends it).
    pub id: u64,
    /// Its user.
    pub user: String,
    /// Its client's host and port.
    pub host: String,
    /// `Sleep`, `Query`, ...
    pub command: String,
    /// Seconds in its current state.
    pub time: u64,
    /// The statement it runs, if any (on one line, shortened).
    pub statement: Option<String>,
    /// Whether it has an open InnoDB transaction.
    pub in_transaction: bool,
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "session {} (user {}, host {}, command {} for {} s",
            self.id, self.user, self.host, self.command, self.time
        )?;
        if self.in_transaction {
            write!(f, ", in a transaction")?;
        }
        match &self.statement {
            Some(s) => write!(f, ", statement: {s})"),
            None => write!(f, ", no statement running)"),
        }
    }
}

/// The sessions found holding (or likely holding) tables of some databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holders {
    /// The sessions, most likely first.
    pub sessions: Vec<Session>,
    /// Whether they come from `METADATA_LOCK_INFO` (certain) or from the heuristic.
    pub exact: bool,
    /// Why the sessions could not be listed, if they could not.
    pub unknown: Option<String>,
}

impl fmt::Display for Holders {
    /// The sessions and what to do: finish or kill them, then rerun.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.unknown {
            return write!(
                f,
                "the sessions could not be listed ({why}); find the session with SHOW PROCESSLIST, finish or kill it, then rerun"
            );
        }
        if self.sessions.is_empty() {
            return write!(
                f,
                "no session could be identified (sessions under LOCK TABLES are only visible with the metadata_lock_info plugin); find it with SHOW PROCESSLIST, finish or kill it, then rerun"
            );
        }
        let shown = &self.sessions[..self.sessions.len().min(SHOWN)];
        let list = shown
            .iter()
            .map(Session::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let kills = shown
            .iter()
            .map(|s| format!("KILL {}", s.id))
            .collect::<Vec<_>>()
            .join(", ");
        let more = self.sessions.len().saturating_sub(SHOWN);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        match (self.exact, shown.len()) {
            (true, 1) => write!(
                f,
                "held by {list}; finish or kill that session ({kills}), then rerun"
            ),
            (true, _) => write!(
                f,
                "held by {list}{more}; finish or kill those sessions ({kills}), then rerun"
            ),
            (false, _) => write!(
                f,
                "probably held by {list}{more}; finish or kill the session that holds them ({kills}), then rerun"
            ),
        }
    }
}

/// The sessions other than this connection that hold tables of `databases`, as far as the
/// server tells. Never fails: what cannot be read is reported in [`Holders::unknown`].
pub async fn holders(conn: &mut Conn, databases: &[&str]) -> Holders {
    match find(conn, databases).await {
        Ok(found) => found,
        Err(e) => Holders {
            sessions: Vec::new(),
            exact: false,
            unknown: Some(e.to_string()),
        },
    }
}

async fn find(conn: &mut Conn, databases: &[&str]) -> Result<Holders, MirrorError> {
    let plugin = conn::scalar(
        conn,
        "SELECT COUNT(*) FROM information_schema.PLUGINS \
         WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO' AND PLUGIN_STATUS = 'ACTIVE'",
        || "target: looking for the metadata_lock_info plugin".into(),
    )
    .await?;
    let exact = plugin.as_deref().is_some_and(|n| n != "0");
    let listed = databases
        .iter()
        .map(|d| crate::sql::literal(d))
        .collect::<Vec<_>>()
        .join(", ");
    let in_trx = "p.ID IN (SELECT trx_mysql_thread_id FROM information_schema.INNODB_TRX)";
    let filter = if exact {
        format!(
            "p.ID IN (SELECT THREAD_ID FROM information_schema.METADATA_LOCK_INFO \
             WHERE TABLE_SCHEMA IN ({listed}))"
        )
    } else {
        let mentions = databases
            .iter()
            .map(|d| format!("LOCATE({}, p.INFO) > 0", crate::sql::literal(d)))
            .collect::<Vec<_>>()
            .join(" OR ");
        format!("({in_trx} OR p.DB IN ({listed}) OR {mentions})")
    };
    let rows = conn::rows(
        conn,
        format!(
            "SELECT CAST(p.ID AS CHAR), p.USER, p.HOST, p.COMMAND, CAST(p.TIME AS CHAR), \
             LEFT(p.INFO, 200), CAST({in_trx} AS CHAR) \
             FROM information_schema.PROCESSLIST p \
             WHERE p.ID <> CONNECTION_ID() AND p.COMMAND NOT IN ('Daemon', 'Binlog Dump') AND {filter} \
             ORDER BY p.DB IN ({listed}) DESC, p.TIME DESC, p.ID"
        ),
        || "target: listing the sessions that hold the target's tables".into(),
    )
    .await?;
    let sessions = rows
        .iter()
        .map(|r| Session {
            id: conn::number(r, 0),
            user: text(r, 1).unwrap_or_default(),
            host: text(r, 2).unwrap_or_default(),
            command: text(r, 3).unwrap_or_default(),
            time: conn::number(r, 4),
            statement: text(r, 5).map(|s| one_line(&s)),
            in_transaction: text(r, 6).as_deref() == Some("1"),
        })
        .collect();
    Ok(Holders {
        sessions,
        exact,
        unknown: None,
    })
}

/// `s` on one line, white space collapsed, at most 80 characters.
fn one_line(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 80 {
        let cut: String = collapsed.chars().take(77).collect();
        format!("{cut}...")
    } else {
        collapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: u64) -> Session {
        Session {
            id,
            user: "root".into(),
            host: "127.0.0.1:50000".into(),
            command: "Sleep".into(),
            time: 12,
            statement: None,
            in_transaction: true,
        }
    }

    #[test]
    fn messages_name_the_sessions_and_what_to_do() {
        let one = Holders {
            sessions: vec![session(57)],
            exact: true,
            unknown: None,
        };
        assert_eq!(
            one.to_string(),
            "held by session 57 (user root, host 127.0.0.1:50000, command Sleep for 12 s, in a transaction, no statement running); finish or kill that session (KILL 57), then rerun"
        );
        let guessed = Holders {
            sessions: (1..=7).map(session).collect(),
            exact: false,
            unknown: None,
        };
        let text = guessed.to_string();
        assert!(text.starts_with("probably held by session 1 "), "{text}");
        assert!(text.contains("and 2 more"), "{text}");
        assert!(text.contains("KILL 5), then rerun"), "{text}");
        let none = Holders {
            sessions: vec![],
            exact: false,
            unknown: None,
        };
        assert!(none.to_string().contains("SHOW PROCESSLIST"));
        assert_eq!(one_line("SELECT *\n  FROM  t"), "SELECT * FROM t");
        assert_eq!(one_line(&"x".repeat(100)).chars().count(), 80);
    }
}
