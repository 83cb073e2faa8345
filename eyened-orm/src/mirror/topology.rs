//! Whether source and target, reached under two different addresses, are one database after
//! all: two nodes of one Galera cluster, a primary and its replica (either way round), two
//! replicas of one primary, or one server behind a proxy. Copying into such a target would
//! replicate the swap's `DROP DATABASE` and `RENAME TABLE` into the source.
//!
//! Before anything is written, each side's identity is read ([`read_answers`]): server id and
//! uuid, host name, port, version, data directory and start time, Galera membership
//! (`wsrep_*`), the primaries it replicates from and the replicas registered with it. What the
//! user may not see (replication status needs `SLAVE MONITOR` / `REPLICATION CLIENT`, the list
//! of replicas `REPLICATION MASTER ADMIN` / `REPLICATION SLAVE`) is recorded as not checked,
//! never an error. [`relation`] decides from the two identities alone, so that the answers of
//! clusters and replicas recorded elsewhere can be tested here.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use sea_orm::sqlx::{Column, Row};
use serde::{Deserialize, Serialize};

use super::conn::{self, Conn};
use super::error::MirrorError;
use crate::config::DatabaseConfig;
use crate::sql::literal;

/// The server variables read from each side (`SHOW GLOBAL VARIABLES`; absent ones are simply
/// missing, e.g. `server_uuid` on MariaDB and `wsrep_*` without Galera).
pub const VARIABLES: &[&str] = &[
    "server_id",
    "server_uuid",
    "hostname",
    "port",
    "version",
    "datadir",
    "report_host",
    "wsrep_on",
    "wsrep_cluster_name",
    "wsrep_cluster_address",
    "wsrep_node_name",
];

/// The status variables read from each side (`SHOW GLOBAL STATUS`).
pub const STATUS: &[&str] = &[
    "uptime",
    "wsrep_cluster_state_uuid",
    "wsrep_cluster_status",
    "wsrep_cluster_size",
];

/// Two servers whose start times (`read_at - Uptime`) are this close may be one server.
const START_TOLERANCE: u64 = 5;

/// How long a host name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// What one server answered: the raw material of an [`Identity`], recorded as JSON for the
/// tests' fixtures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// The client's clock (Unix seconds) when the answers were read, to turn `Uptime` into the
    /// server's start time.
    pub read_at: u64,
    /// [`VARIABLES`] by lower-case name.
    pub variables: BTreeMap<String, String>,
    /// [`STATUS`] by lower-case name.
    pub status: BTreeMap<String, String>,
    /// The replication status: one row per primary this server replicates from.
    pub replication: Answer,
    /// The replicas registered with this server: one row per replica.
    pub replicas: Answer,
}

/// The answer to one of the statements that need a privilege.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The statement's rows, column name to value (NULLs left out).
    Rows {
        /// The statement that answered.
        statement: String,
        /// Its rows.
        rows: Vec<BTreeMap<String, String>>,
    },
    /// The statement failed: access denied, or a server that does not know it.
    Unknown {
        /// The last statement tried.
        statement: String,
        /// The server's message.
        reason: String,
    },
}

impl Default for Answer {
    fn default() -> Self {
        Answer::Rows {
            statement: String::new(),
            rows: Vec::new(),
        }
    }
}

/// Reads one server's [`Answers`]. `role` (`source` or `target`) names the side in errors.
/// Statements that need privileges the user lacks are recorded as [`Answer::Unknown`].
pub async fn read_answers(conn: &mut Conn, role: &'static str) -> Result<Answers, MirrorError> {
    let read_at = unix_now();
    let variables = name_values(conn, "VARIABLES", VARIABLES, role).await?;
    let status = name_values(conn, "STATUS", STATUS, role).await?;
    let mariadb = variables
        .get("version")
        .is_some_and(|v| v.contains("MariaDB"));
    // MySQL 8.0.22 renamed the statements (8.4 dropped the old names); MariaDB lists every
    // replication connection with SHOW ALL SLAVES STATUS.
    let (replication, replicas): (&[&'static str], &[&'static str]) = if mariadb {
        (
            &["SHOW ALL SLAVES STATUS", "SHOW SLAVE STATUS"],
            &["SHOW SLAVE HOSTS"],
        )
    } else {
        (
            &["SHOW REPLICA STATUS", "SHOW SLAVE STATUS"],
            &["SHOW REPLICAS", "SHOW SLAVE HOSTS"],
        )
    };
    Ok(Answers {
        read_at,
        variables,
        status,
        replication: first_answer(conn, replication, role).await?,
        replicas: first_answer(conn, replicas, role).await?,
    })
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// `SHOW GLOBAL <what> WHERE Variable_name IN (<names>)` as a lower-case name → value map.
async fn name_values(
    conn: &mut Conn,
    what: &str,
    names: &[&str],
    role: &'static str,
) -> Result<BTreeMap<String, String>, MirrorError> {
    let list = names
        .iter()
        .map(|n| literal(n))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = conn::rows(
        conn,
        format!("SHOW GLOBAL {what} WHERE Variable_name IN ({list})"),
        || format!("{role}: reading the server's identity"),
    )
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((conn::text(r, 0)?.to_ascii_lowercase(), conn::text(r, 1)?)))
        .collect())
}

/// The rows of the first of `statements` the server knows (a syntax error tries the next).
/// [`Answer::Unknown`] when the server refuses it: access denied, no statement known, or a
/// proxy that does not pass it on. Only a broken connection is an error.
async fn first_answer(
    conn: &mut Conn,
    statements: &[&'static str],
    role: &'static str,
) -> Result<Answer, MirrorError> {
    const SYNTAX_ERROR: u16 = 1064;
    let mut last = Answer::default();
    for statement in statements {
        match sea_orm::sqlx::Executor::fetch_all(&mut *conn, *statement).await {
            Ok(rows) => {
                return Ok(Answer::Rows {
                    statement: (*statement).to_owned(),
                    rows: rows.iter().map(named_row).collect(),
                });
            }
            Err(err @ sea_orm::sqlx::Error::Database(_)) => {
                last = Answer::Unknown {
                    statement: (*statement).to_owned(),
                    reason: conn::describe(&err),
                };
                if conn::error_number(&err) != Some(SYNTAX_ERROR) {
                    break;
                }
            }
            Err(err) => {
                return Err(conn::sql_error(
                    format!("{role}: reading the replication status ({statement})"),
                    &err,
                ));
            }
        }
    }
    Ok(last)
}

fn named_row(row: &sea_orm::sqlx::mysql::MySqlRow) -> BTreeMap<String, String> {
    row.columns()
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((c.name().to_owned(), conn::text(row, i)?)))
        .collect()
}

/// Galera membership of a server with `wsrep_on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Galera {
    /// `wsrep_cluster_state_uuid`: the same on every node of one cluster.
    pub cluster_state_uuid: String,
    /// `wsrep_cluster_name`.
    pub cluster_name: Option<String>,
    /// `wsrep_cluster_address`, e.g. `gcomm://10.0.0.1,10.0.0.2`.
    pub cluster_address: Option<String>,
    /// `wsrep_node_name`.
    pub node_name: Option<String>,
    /// `wsrep_cluster_size`: nodes in the cluster now.
    pub cluster_size: Option<u64>,
}

/// Another server in replication with this one, as this one reports it: a primary it
/// replicates from, or a replica registered with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Peer {
    /// The replication connection (MariaDB `Connection_name`, MySQL `Channel_Name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Its host as this server knows it (`Master_Host`, `Source_Host` or a replica's `Host`).
    pub host: Option<String>,
    /// Its port.
    pub port: Option<u16>,
    /// Its `server_id`.
    pub server_id: Option<u64>,
    /// Its `server_uuid` (MySQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// What the host resolves to from here.
    #[serde(skip)]
    addresses: Vec<IpAddr>,
    /// How the server names the columns, for messages: `Master_Host=...` or `Source_Host=...`.
    #[serde(skip)]
    columns: [&'static str; 4],
}

/// One side's server as it describes itself, and as the plan shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// `source` or `target`.
    pub side: &'static str,
    /// `user@host:port/db` as configured (never a password).
    pub address: String,
    /// `@@server_id`.
    pub server_id: Option<u64>,
    /// `@@server_uuid` (MySQL; absent on MariaDB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_uuid: Option<String>,
    /// `@@hostname`: the machine the server runs on.
    pub hostname: Option<String>,
    /// `@@port`.
    pub port: Option<u16>,
    /// `@@version`.
    pub version: Option<String>,
    /// `@@datadir`.
    pub datadir: Option<String>,
    /// When the server started (Unix seconds, from `Uptime`).
    pub started: Option<u64>,
    /// Its Galera cluster, when `wsrep_on` is on.
    pub galera: Option<Galera>,
    /// The primaries it replicates from; `None` when that could not be read.
    pub primaries: Option<Vec<Peer>>,
    /// The replicas registered with it; `None` when that could not be read.
    pub replicas: Option<Vec<Peer>>,
    /// The checks that could not be made, with the server's reason.
    pub not_checked: Vec<String>,
    #[serde(skip)]
    report_host: Option<String>,
    /// The host name the user configured, and what it resolves to.
    #[serde(skip)]
    config_host: String,
    #[serde(skip)]
    config_addresses: Vec<IpAddr>,
}

/// The names a host resolves to, for [`Identity::new`].
pub type Resolve<'a> = dyn Fn(&str) -> Vec<IpAddr> + 'a;

impl Identity {
    /// The identity of `side`'s server, reached with `config`, from its `answers`; host names
    /// are resolved with `resolve`.
    pub fn new(
        side: &'static str,
        config: &DatabaseConfig,
        answers: &Answers,
        resolve: &Resolve<'_>,
    ) -> Identity {
        let var = |name: &str| {
            answers
                .variables
                .get(name)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let uptime = answers
            .status
            .get("uptime")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut not_checked = Vec::new();
        let primaries = peers(
            &answers.replication,
            "its primaries",
            Peer::primary,
            resolve,
            &mut not_checked,
        );
        let replicas = peers(
            &answers.replicas,
            "its replicas",
            Peer::replica,
            resolve,
            &mut not_checked,
        );
        Identity {
            side,
            address: config.display(),
            server_id: var("server_id").and_then(|v| v.parse().ok()),
            server_uuid: var("server_uuid"),
            hostname: var("hostname"),
            port: var("port").and_then(|v| v.parse().ok()),
            version: var("version"),
            datadir: var("datadir"),
            started: uptime.map(|u| answers.read_at.saturating_sub(u)),
            galera: galera(answers),
            primaries,
            replicas,
            not_checked,
            report_host: var("report_host"),
            config_host: config.host().to_owned(),
            config_addresses: resolve(config.host()),
        }
    }

    /// Whether `host` (as another server knows this one) names this server's machine: its
    /// host name, reported host or configured host (a short name matches its qualified form),
    /// or a common resolved address. A loopback host names `seen_from`'s own machine.
    fn is_host(&self, host: &str, addresses: &[IpAddr], seen_from: &Identity) -> bool {
        let host = host.trim().trim_start_matches('[').trim_end_matches(']');
        if super::is_local(host) {
            return same_name(self.hostname.as_deref(), seen_from.hostname.as_deref());
        }
        let names = [
            self.hostname.as_deref(),
            self.report_host.as_deref(),
            Some(self.config_host.as_str()),
        ];
        names
            .into_iter()
            .flatten()
            .any(|name| host_names_match(host, name))
            || addresses
                .iter()
                .any(|ip| !ip.is_loopback() && self.config_addresses.contains(ip))
    }
}

/// The peers of `answer`, each read from its row with `read`; `None`, recorded in
/// `not_checked` as `what`, when the server did not answer.
fn peers(
    answer: &Answer,
    what: &str,
    read: fn(&BTreeMap<String, String>) -> Peer,
    resolve: &Resolve<'_>,
    not_checked: &mut Vec<String>,
) -> Option<Vec<Peer>> {
    match answer {
        Answer::Rows { rows, .. } => Some(
            rows.iter()
                .map(read)
                .filter(Peer::is_known)
                .map(|mut p| {
                    p.addresses = p.host.as_deref().map(resolve).unwrap_or_default();
                    p
                })
                .collect(),
        ),
        Answer::Unknown { statement, reason } => {
            not_checked.push(format!("{what} ({statement}: {reason})"));
            None
        }
    }
}

fn galera(answers: &Answers) -> Option<Galera> {
    let on = answers
        .variables
        .get("wsrep_on")
        .is_some_and(|v| v.eq_ignore_ascii_case("ON") || v == "1");
    let state = answers.status.get("wsrep_cluster_state_uuid")?.trim();
    if !on || state.is_empty() || state.chars().all(|c| c == '0' || c == '-') {
        return None;
    }
    let text = |map: &BTreeMap<String, String>, name: &str| {
        map.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    Some(Galera {
        cluster_state_uuid: state.to_owned(),
        cluster_name: text(&answers.variables, "wsrep_cluster_name"),
        cluster_address: text(&answers.variables, "wsrep_cluster_address"),
        node_name: text(&answers.variables, "wsrep_node_name"),
        cluster_size: text(&answers.status, "wsrep_cluster_size").and_then(|v| v.parse().ok()),
    })
}

/// The first non-empty of `columns` in `row`.
fn column<'a>(row: &'a BTreeMap<String, String>, columns: &[&str]) -> Option<&'a str> {
    columns
        .iter()
        .find_map(|c| row.get(*c))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

impl Peer {
    /// A row of `SHOW ALL SLAVES STATUS` (MariaDB) or `SHOW REPLICA STATUS` /
    /// `SHOW SLAVE STATUS` (MySQL).
    fn primary(row: &BTreeMap<String, String>) -> Peer {
        let columns = if row.contains_key("Source_Host") {
            [
                "Source_Host",
                "Source_Port",
                "Source_Server_Id",
                "Source_UUID",
            ]
        } else {
            [
                "Master_Host",
                "Master_Port",
                "Master_Server_Id",
                "Master_UUID",
            ]
        };
        Peer {
            channel: column(row, &["Connection_name", "Channel_Name", "Channel_name"])
                .map(str::to_owned),
            host: column(row, &[columns[0]]).map(str::to_owned),
            port: column(row, &[columns[1]]).and_then(|v| v.parse().ok()),
            server_id: column(row, &[columns[2]])
                .and_then(|v| v.parse().ok())
                .filter(|&id| id != 0),
            uuid: column(row, &[columns[3]]).map(str::to_owned),
            addresses: Vec::new(),
            columns,
        }
    }

    /// A row of `SHOW SLAVE HOSTS` (MariaDB) or `SHOW REPLICAS` / `SHOW SLAVE HOSTS` (MySQL).
    fn replica(row: &BTreeMap<String, String>) -> Peer {
        Peer {
            channel: None,
            host: column(row, &["Host"]).map(str::to_owned),
            // 0: the replica did not report its port.
            port: column(row, &["Port"])
                .and_then(|v| v.parse().ok())
                .filter(|&p| p != 0),
            server_id: column(row, &["Server_id", "Server_Id"]).and_then(|v| v.parse().ok()),
            uuid: column(row, &["Replica_UUID", "Slave_UUID"]).map(str::to_owned),
            addresses: Vec::new(),
            columns: ["Host", "Port", "Server_id", "Replica_UUID"],
        }
    }

    fn is_known(&self) -> bool {
        self.host.is_some() || self.server_id.is_some() || self.uuid.is_some()
    }

    /// Whether this peer, as `reporter` knows it, is the server `other`: the same uuid; or
    /// its host names `other`'s machine and its server id and port, where known, are
    /// `other`'s (at least one of them known).
    fn is(&self, other: &Identity, reporter: &Identity) -> bool {
        if let (Some(a), Some(b)) = (&self.uuid, &other.server_uuid) {
            return a.eq_ignore_ascii_case(b);
        }
        let agrees = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (Some(a), Some(b)) => Some(a == b),
            _ => None,
        };
        let id = agrees(self.server_id, other.server_id);
        let port = agrees(self.port.map(u64::from), other.port.map(u64::from));
        let host = self
            .host
            .as_deref()
            .is_some_and(|h| other.is_host(h, &self.addresses, reporter));
        host && id != Some(false) && port != Some(false) && (id.is_some() || port.is_some())
    }

    /// `Master_Host=db1, Master_Port=3306, Master_Server_Id=11`: what the server reported.
    fn evidence(&self) -> String {
        let [host, port, id, uuid] = self.columns;
        let mut parts = Vec::new();
        if let Some(c) = &self.channel {
            parts.push(format!("connection '{c}'"));
        }
        if let Some(h) = &self.host {
            parts.push(format!("{host}={h}"));
        }
        if let Some(p) = self.port {
            parts.push(format!("{port}={p}"));
        }
        if let Some(i) = self.server_id {
            parts.push(format!("{id}={i}"));
        }
        if let Some(u) = &self.uuid {
            parts.push(format!("{uuid}={u}"));
        }
        parts.join(", ")
    }

    /// Whether two primaries are one: the same uuid, or the same server id.
    fn same_primary(&self, other: &Peer) -> bool {
        match (&self.uuid, &other.uuid) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => self.server_id.is_some() && self.server_id == other.server_id,
        }
    }
}

fn same_name(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

/// `db1` and `db1.example.org` name one machine; `db1.a.org` and `db1.b.org` do not.
fn host_names_match(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim().to_ascii_lowercase(), b.trim().to_ascii_lowercase());
    if a.is_empty() || b.is_empty() || super::is_local(&b) {
        return false;
    }
    if a == b {
        return true;
    }
    let is_ip = |h: &str| h.parse::<IpAddr>().is_ok();
    let short = |h: &str| h.split('.').next().unwrap_or_default().to_owned();
    if is_ip(&a) || is_ip(&b) {
        return false;
    }
    (!a.contains('.') && a == short(&b)) || (!b.contains('.') && b == short(&a))
}

/// How the two servers are related, as far as their identities tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "relation", content = "evidence", rename_all = "snake_case")]
pub enum Relation {
    /// Two servers with nothing found to link them.
    Separate,
    /// One server reached under two addresses (allowed for different databases); the evidence.
    SameServer(String),
    /// Different servers of one cluster or replication topology: what links them.
    Linked(String),
}

/// Decides how `source` and `target` are related: one server (the same `server_uuid`, or the
/// same server id, host name, port, data directory and start time); or linked: nodes of one
/// Galera cluster, one replicating from the other, one listing the other among its replicas,
/// or both replicating from one primary.
pub fn relation(source: &Identity, target: &Identity) -> Relation {
    if let Some(evidence) = same_server(source, target) {
        return Relation::SameServer(evidence);
    }
    if let (Some(s), Some(t)) = (&source.galera, &target.galera)
        && s.cluster_state_uuid
            .eq_ignore_ascii_case(&t.cluster_state_uuid)
    {
        let name = s
            .cluster_name
            .as_deref()
            .map(|n| format!(", wsrep_cluster_name={n}"))
            .unwrap_or_default();
        return Relation::Linked(format!(
            "source and target are nodes of one Galera cluster (wsrep_cluster_state_uuid={}{name})",
            s.cluster_state_uuid
        ));
    }
    let pairs = [(target, source), (source, target)];
    for (a, b) in pairs {
        if let Some(p) = a.primaries.iter().flatten().find(|p| p.is(b, a)) {
            let (x, y) = (a.side, b.side);
            return Relation::Linked(format!("{x} replicates from {y} ({})", p.evidence()));
        }
    }
    // A replica that may not read its own status is still in its primary's list.
    for (a, b) in pairs {
        if let Some(r) = a.replicas.iter().flatten().find(|r| r.is(b, a)) {
            let (x, y) = (a.side, b.side);
            return Relation::Linked(format!(
                "{x} lists {y} among its replicas ({})",
                r.evidence()
            ));
        }
    }
    for s in source.primaries.iter().flatten() {
        if let Some(t) = target
            .primaries
            .iter()
            .flatten()
            .find(|t| s.same_primary(t))
        {
            return Relation::Linked(format!(
                "source and target replicate from one primary (source: {}; target: {})",
                s.evidence(),
                t.evidence()
            ));
        }
    }
    Relation::Separate
}

fn same_server(a: &Identity, b: &Identity) -> Option<String> {
    if let (Some(x), Some(y)) = (&a.server_uuid, &b.server_uuid) {
        return x
            .eq_ignore_ascii_case(y)
            .then(|| format!("server_uuid {x}"));
    }
    let (id, host, port, dir) = (
        a.server_id?,
        a.hostname.as_deref()?,
        a.port?,
        a.datadir.as_deref()?,
    );
    let started_together = match (a.started, b.started) {
        (Some(x), Some(y)) => x.abs_diff(y) <= START_TOLERANCE,
        _ => true,
    };
    (b.server_id == Some(id)
        && same_name(Some(host), b.hostname.as_deref())
        && b.port == Some(port)
        && b.datadir.as_deref() == Some(dir)
        && started_together)
        .then(|| {
            format!("server_id {id} on {host}:{port}, datadir {dir}, started at the same time")
        })
}

/// Both sides' identities and how they are related.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topology {
    /// The source's server.
    pub source: Identity,
    /// The target's server.
    pub target: Identity,
    /// How they are related.
    pub relation: Relation,
}

impl Topology {
    /// Whether both sides are one server.
    pub fn same_server(&self) -> bool {
        matches!(self.relation, Relation::SameServer(_))
    }

    /// The two identities, source first, for the plan.
    pub fn identities(&self) -> Vec<Identity> {
        vec![self.source.clone(), self.target.clone()]
    }

    /// `Ok` unless the sides are linked: then [`MirrorError::SharedTopology`].
    pub fn check(&self) -> Result<(), MirrorError> {
        match &self.relation {
            Relation::Linked(link) => Err(MirrorError::SharedTopology {
                source_side: self.source.address.clone(),
                target_side: self.target.address.clone(),
                link: link.clone(),
            }),
            Relation::Separate | Relation::SameServer(_) => Ok(()),
        }
    }
}

/// Reads both sides' identities and relates them. `one_server`: the live check already found
/// both connections on one server, which decides (a proxy may route the identity queries
/// elsewhere, never the lock).
pub async fn survey(
    source: &mut Conn,
    target: &mut Conn,
    source_config: &DatabaseConfig,
    target_config: &DatabaseConfig,
    one_server: bool,
) -> Result<Topology, MirrorError> {
    let source_answers = read_answers(source, "source").await?;
    let target_answers = read_answers(target, "target").await?;
    let resolved = resolve_all(
        [source_config.host(), target_config.host()]
            .into_iter()
            .chain(peer_hosts(&source_answers))
            .chain(peer_hosts(&target_answers)),
    )
    .await;
    let resolve = |host: &str| resolved.get(host).cloned().unwrap_or_default();
    let source = Identity::new("source", source_config, &source_answers, &resolve);
    let target = Identity::new("target", target_config, &target_answers, &resolve);
    let relation = if one_server {
        Relation::SameServer("a lock taken on the source is held on the target's server".into())
    } else {
        relation(&source, &target)
    };
    Ok(Topology {
        source,
        target,
        relation,
    })
}

fn peer_hosts(answers: &Answers) -> impl Iterator<Item = &str> {
    [&answers.replication, &answers.replicas]
        .into_iter()
        .filter_map(|a| match a {
            Answer::Rows { rows, .. } => Some(rows),
            Answer::Unknown { .. } => None,
        })
        .flatten()
        .filter_map(|row| column(row, &["Master_Host", "Source_Host", "Host"]))
}

/// What each host resolves to (nothing for names that do not resolve within
/// [`RESOLVE_TIMEOUT`]).
async fn resolve_all<'a>(hosts: impl Iterator<Item = &'a str>) -> HashMap<String, Vec<IpAddr>> {
    let mut out = HashMap::new();
    for host in hosts {
        if out.contains_key(host) {
            continue;
        }
        let name = host.trim().trim_start_matches('[').trim_end_matches(']');
        let lookup = tokio::net::lookup_host((name.to_owned(), 0));
        let addresses = match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
            Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
            _ => Vec::new(),
        };
        out.insert(host.to_owned(), addresses);
    }
    out
}

impl fmt::Display for Identity {
    /// One line: `server_id 1, vm:3306 (10.11.19-MariaDB), no Galera cluster, not a replica,
    /// no replicas`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unknown = || "?".to_owned();
        let id = self
            .server_id
            .map(|i| i.to_string())
            .unwrap_or_else(unknown);
        write!(f, "server_id {id}")?;
        if let Some(uuid) = &self.server_uuid {
            write!(f, ", uuid {uuid}")?;
        }
        let host = self.hostname.clone().unwrap_or_else(unknown);
        let port = self.port.map(|p| p.to_string()).unwrap_or_else(unknown);
        write!(f, ", {host}:{port}")?;
        if let Some(v) = &self.version {
            write!(f, " ({v})")?;
        }
        match &self.galera {
            Some(g) => write!(
                f,
                ", node {} of Galera cluster {} ({} nodes, state {})",
                g.node_name.as_deref().unwrap_or("?"),
                g.cluster_name.as_deref().unwrap_or("?"),
                g.cluster_size
                    .map(|n| n.to_string())
                    .unwrap_or_else(unknown),
                g.cluster_state_uuid
            )?,
            None => write!(f, ", no Galera cluster")?,
        }
        let list = |peers: &[Peer]| {
            peers
                .iter()
                .map(|p| {
                    format!(
                        "{}:{} (server_id {})",
                        p.host.as_deref().unwrap_or("?"),
                        p.port.map(|p| p.to_string()).unwrap_or_else(unknown),
                        p.server_id.map(|i| i.to_string()).unwrap_or_else(unknown)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.primaries.as_deref() {
            None => write!(f, ", replication status unknown")?,
            Some([]) => write!(f, ", not a replica")?,
            Some(p) => write!(f, ", replica of {}", list(p))?,
        }
        match self.replicas.as_deref() {
            None => write!(f, ", replicas unknown"),
            Some([]) => write!(f, ", no replicas"),
            Some(r) => write!(f, ", replicas {}", list(r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recorded answers (see `eyened-orm/tests/fixtures/topology/README.md`).
    fn answers(name: &str) -> Answers {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/topology")
            .join(format!("{name}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The DNS of the tests: `db1.prod.internal` is the MySQL primary's address.
    fn dns(host: &str) -> Vec<IpAddr> {
        match host {
            "db1.prod.internal" => vec!["10.20.0.11".parse().unwrap()],
            other => other.parse().into_iter().collect(),
        }
    }

    fn no_dns(host: &str) -> Vec<IpAddr> {
        host.parse().into_iter().collect()
    }

    fn config(host: &str, port: u16) -> DatabaseConfig {
        DatabaseConfig::mysql("app", "s3cret", host, port, Some("eyened".into()))
    }

    fn identity(side: &'static str, fixture: &str, host: &str, port: u16) -> Identity {
        Identity::new(side, &config(host, port), &answers(fixture), &dns)
    }

    fn relate(source: (&str, &str, u16), target: (&str, &str, u16)) -> Relation {
        relation(
            &identity("source", source.0, source.1, source.2),
            &identity("target", target.0, target.1, target.2),
        )
    }

    fn linked(relation: &Relation) -> &str {
        match relation {
            Relation::Linked(link) => link,
            other => panic!("not linked: {other:?}"),
        }
    }

    const MARIADB_PRIMARY: (&str, &str, u16) = ("mariadb-10.11-primary", "127.0.0.1", 23401);
    const MARIADB_REPLICA: (&str, &str, u16) = ("mariadb-10.11-replica", "127.0.0.1", 23402);
    const MYSQL_PRIMARY: (&str, &str, u16) = ("mysql-8.0-primary", "db1.example.org", 3306);
    const MYSQL_REPLICA: (&str, &str, u16) = ("mysql-8.0-replica", "db2.example.org", 3306);

    #[test]
    fn standalone_servers_are_separate() {
        let mariadb = ("mariadb-10.11-standalone", "127.0.0.1", 3306);
        let mysql = ("mysql-8.0-standalone", "dev-laptop", 3306);
        assert_eq!(relate(mariadb, mysql), Relation::Separate);
        assert_eq!(relate(mysql, mariadb), Relation::Separate);
        // A standalone server and a primary on the same machine.
        assert_eq!(relate(mariadb, MARIADB_PRIMARY), Relation::Separate);
    }

    #[test]
    fn a_proxy_answers_with_its_backends_identity() {
        let proxied = ("mariadb-10.11-primary-via-proxy", "127.0.0.1", 23421);
        assert!(matches!(
            relate(MARIADB_PRIMARY, proxied),
            Relation::SameServer(ref e) if e.contains("server_id 11 on vm:23401")
        ));
        let proxysql = (
            "mysql-8.0-primary-via-proxy",
            "proxysql.prod.internal",
            6033,
        );
        assert!(matches!(
            relate(MYSQL_PRIMARY, proxysql),
            Relation::SameServer(ref e) if e.contains("5b2f6a4e-1c3d-11ee-8f1a-0242ac120002")
        ));
    }

    #[test]
    fn a_replica_and_its_primary_are_linked_either_way() {
        let down = relate(MARIADB_PRIMARY, MARIADB_REPLICA);
        assert_eq!(
            linked(&down),
            "target replicates from source (Master_Host=127.0.0.1, Master_Port=23401, Master_Server_Id=11)"
        );
        let up = relate(MARIADB_REPLICA, MARIADB_PRIMARY);
        assert!(
            linked(&up).starts_with("source replicates from target (Master_Host=127.0.0.1"),
            "{up:?}"
        );
        // MySQL: the replica connects to an address (10.20.0.11) that is none of the names
        // the primary is known by here; Source_UUID says who it is.
        let mysql = relate(MYSQL_PRIMARY, MYSQL_REPLICA);
        assert!(
            linked(&mysql).starts_with("target replicates from source (Source_Host=10.20.0.11, Source_Port=3306, Source_Server_Id=1, Source_UUID=5b2f6a4e"),
            "{mysql:?}"
        );
    }

    #[test]
    fn a_replica_that_hides_its_status_is_in_its_primarys_list() {
        let mariadb = relate(
            MARIADB_PRIMARY,
            ("mariadb-10.11-replica-unprivileged", "127.0.0.1", 23402),
        );
        assert_eq!(
            linked(&mariadb),
            "source lists target among its replicas (Host=localhost, Port=23402, Server_id=12)"
        );
        let mysql = relate(
            ("mysql-8.0-replica-unprivileged", "db2.example.org", 3306),
            MYSQL_PRIMARY,
        );
        assert!(
            linked(&mysql).starts_with("target lists source among its replicas (Host=db2"),
            "{mysql:?}"
        );
    }

    #[test]
    fn galera_nodes_are_linked() {
        let mariadb = relate(
            ("mariadb-10.11-galera-node1", "127.0.0.1", 23411),
            ("mariadb-10.11-galera-node2", "127.0.0.1", 23412),
        );
        assert_eq!(
            linked(&mariadb),
            "source and target are nodes of one Galera cluster (wsrep_cluster_state_uuid=f125a8c4-f081-11f1-8d9d-e344a8b47af6, wsrep_cluster_name=eyened_cluster)"
        );
        let pxc = relate(
            ("mysql-8.0-pxc-node1", "10.0.0.21", 3306),
            ("mysql-8.0-pxc-node2", "10.0.0.22", 3306),
        );
        assert!(
            linked(&pxc).contains("wsrep_cluster_name=pxc-cluster"),
            "{pxc:?}"
        );
        // A Galera node and a server outside the cluster.
        let apart = relate(
            ("mariadb-10.11-galera-node1", "127.0.0.1", 23411),
            ("mariadb-10.11-standalone", "127.0.0.1", 3306),
        );
        assert_eq!(apart, Relation::Separate);
    }

    #[test]
    fn replicas_of_one_primary_are_linked() {
        let both = relate(
            MYSQL_REPLICA,
            ("mysql-8.0-replica2", "db3.example.org", 3306),
        );
        assert!(
            linked(&both).starts_with(
                "source and target replicate from one primary (source: Source_Host=10.20.0.11"
            ),
            "{both:?}"
        );
    }

    #[test]
    fn an_unrelated_server_with_the_primarys_server_id_is_separate() {
        // A replica of production (whose primary has server_id 1) copied to a laptop whose
        // server has server_id 1 on port 3306 too.
        let mysql = relate(MYSQL_REPLICA, ("mysql-8.0-standalone", "localhost", 3306));
        assert_eq!(mysql, Relation::Separate);
        // MariaDB has no uuid: the replica's Master_Host (127.0.0.1, its own machine) must
        // name the other server's machine.
        let mut elsewhere = answers("mariadb-10.11-standalone");
        elsewhere
            .variables
            .insert("hostname".into(), "laptop".into());
        elsewhere.variables.insert("server_id".into(), "11".into());
        elsewhere.variables.insert("port".into(), "23401".into());
        let replica = identity("source", MARIADB_REPLICA.0, "127.0.0.1", 23402);
        let other = Identity::new("target", &config("laptop", 23401), &elsewhere, &dns);
        assert_eq!(relation(&replica, &other), Relation::Separate);
    }

    #[test]
    fn a_primary_host_name_is_matched_by_its_address() {
        let mut replica = answers(MARIADB_REPLICA.0);
        let Answer::Rows { rows, .. } = &mut replica.replication else {
            panic!("the recorded replica has rows");
        };
        rows[0].insert("Master_Host".into(), "db1.prod.internal".into());
        let source = Identity::new(
            "source",
            &config("10.20.0.11", 23401),
            &answers(MARIADB_PRIMARY.0),
            &dns,
        );
        let target = Identity::new("target", &config("10.20.0.12", 23402), &replica, &dns);
        assert!(linked(&relation(&source, &target)).contains("Master_Host=db1.prod.internal"));
        // Without the name resolving, nothing ties db1.prod.internal to the source (whose
        // list of replicas is left out here: it names the target too).
        let mut primary = answers(MARIADB_PRIMARY.0);
        primary.replicas = Answer::default();
        let source = Identity::new("source", &config("10.20.0.11", 23401), &primary, &no_dns);
        let target = Identity::new("target", &config("10.20.0.12", 23402), &replica, &no_dns);
        assert_eq!(relation(&source, &target), Relation::Separate);
    }

    #[test]
    fn one_host_port_and_datadir_started_apart_are_two_servers() {
        // E.g. `mariadb-0` of two Kubernetes clusters: same host name, port, datadir and id.
        let one = answers("mariadb-10.11-standalone");
        let mut other = one.clone();
        other.status.insert("uptime".into(), "7".into());
        let source = Identity::new("source", &config("prod.internal", 3306), &one, &dns);
        let target = Identity::new("target", &config("staging.internal", 3306), &other, &dns);
        assert_eq!(relation(&source, &target), Relation::Separate);
        let same = Identity::new("target", &config("staging.internal", 3306), &one, &dns);
        assert!(matches!(relation(&source, &same), Relation::SameServer(_)));
    }

    #[test]
    fn missing_privileges_are_recorded_not_fatal() {
        let target = identity(
            "target",
            "mariadb-10.11-replica-unprivileged",
            "127.0.0.1",
            23402,
        );
        assert_eq!((&target.primaries, &target.replicas), (&None, &None));
        assert_eq!(target.not_checked.len(), 2, "{:?}", target.not_checked);
        assert!(
            target.not_checked[0].starts_with("its primaries (SHOW ALL SLAVES STATUS: Access denied; you need (at least one of) the SUPER, SLAVE MONITOR privilege(s)"),
            "{:?}",
            target.not_checked
        );
        let source = identity(
            "source",
            "mysql-8.0-replica-unprivileged",
            "db2.example.org",
            3306,
        );
        assert!(
            source.not_checked[1].contains("REPLICATION SLAVE"),
            "{:?}",
            source.not_checked
        );
        assert_eq!(relation(&source, &target), Relation::Separate);
        let line = target.to_string();
        assert!(
            line.contains("replication status unknown, replicas unknown"),
            "{line}"
        );
    }

    #[test]
    fn the_refusal_is_one_line_naming_both_sides_and_the_link() {
        let topology = Topology {
            source: identity("source", MARIADB_PRIMARY.0, "127.0.0.1", 23401),
            target: identity("target", MARIADB_REPLICA.0, "127.0.0.1", 23402),
            relation: Relation::Linked("target replicates from source (Master_Host=db1)".into()),
        };
        let message = topology.check().unwrap_err().to_string();
        assert_eq!(
            message,
            "refusing to run: source app@127.0.0.1:23401/eyened and target app@127.0.0.1:23402/eyened are linked: target replicates from source (Master_Host=db1); the swap's DROP DATABASE and RENAME TABLE on the target would replicate into the source, so mirror into a server outside the source's cluster and replication"
        );
        assert!(!message.contains("s3cret"));
        let fine = Topology {
            relation: Relation::SameServer("server_uuid x".into()),
            ..topology
        };
        assert!(fine.check().is_ok() && fine.same_server());
    }

    #[test]
    fn identities_show_as_one_line() {
        let primary = identity("source", MARIADB_PRIMARY.0, "127.0.0.1", 23401);
        assert_eq!(
            primary.to_string(),
            "server_id 11, vm:23401 (10.11.19-MariaDB-0+deb12u1-log), no Galera cluster, not a replica, replicas localhost:23402 (server_id 12)"
        );
        let replica = identity("target", MYSQL_REPLICA.0, "db2.example.org", 3306);
        assert_eq!(
            replica.to_string(),
            "server_id 2, uuid 6c3e7b5f-1c3d-11ee-9a2b-0242ac120003, db2:3306 (8.0.36), no Galera cluster, replica of 10.20.0.11:3306 (server_id 1), no replicas"
        );
        let node = identity("source", "mariadb-10.11-galera-node2", "127.0.0.1", 23412);
        assert!(
            node.to_string()
                .contains("node galera2 of Galera cluster eyened_cluster (2 nodes, state f125a8c4"),
            "{node}"
        );
        let json = serde_json::to_value(&primary).unwrap();
        assert_eq!(json["server_id"], 11);
        assert_eq!(json["replicas"][0]["host"], "localhost");
        assert!(json.get("config_host").is_none());
    }

    #[test]
    fn host_names() {
        assert!(host_names_match("db1", "db1.example.org"));
        assert!(host_names_match("DB1.example.org", "db1.example.org"));
        assert!(!host_names_match("db1.a.org", "db1.b.org"));
        assert!(!host_names_match("10.0.0.1", "10.0.0.2"));
        assert!(!host_names_match("db1", "localhost"));
    }
}
