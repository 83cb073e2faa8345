//! Checking the staged copy before it replaces the target: per-table row counts and content
//! fingerprints, the DDL of every table, and (for subsets) zero orphans per foreign key.
//!
//! The fingerprint of a table is order-independent: for every row, the MD5 of the row's SQL text
//! (see [`super::catalog::TableInfo::row_literal`]); the first 8 bytes are XORed and the last 8
//! summed over all rows. The copy computes it on the client from the very rows it streams from
//! the snapshot; the server computes it for the staged table with one query. Equal counts and
//! fingerprints mean equal multisets of rows (up to MD5 collisions), and since the text renders
//! every value exactly, equal values.

use md5::{Digest, Md5};

use super::catalog::{TableInfo, normalize_ddl};
use super::conn::{self, Conn, text};
use super::error::MirrorError;
use crate::schema::ForeignKey;
use crate::sql::qualified;

/// The fingerprint of a set of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// Number of rows.
    pub rows: u64,
    /// XOR of the first 8 bytes (big-endian) of every row's MD5; with [`Method::Checksum`], the
    /// `CHECKSUM TABLE` value instead.
    pub xor: u64,
    /// Sum of the last 8 bytes (big-endian) of every row's MD5; 0 with [`Method::Checksum`].
    pub sum: u128,
}

impl Fingerprint {
    /// Adds one row, given as its SQL text.
    pub fn add(&mut self, row_literal: &[u8]) {
        let digest = Md5::digest(row_literal);
        let mut hi = [0u8; 8];
        let mut lo = [0u8; 8];
        hi.copy_from_slice(&digest[..8]);
        lo.copy_from_slice(&digest[8..16]);
        self.rows += 1;
        self.xor ^= u64::from_be_bytes(hi);
        self.sum += u128::from(u64::from_be_bytes(lo));
    }

    /// Adds one row, given as the hex MD5 of its SQL text (as the server's `MD5()` writes it);
    /// `None` if `hex` is not 32 hex digits.
    pub fn add_md5_hex(&mut self, hex: &str) -> Option<()> {
        if hex.len() != 32 {
            return None;
        }
        let hi = u64::from_str_radix(hex.get(..16)?, 16).ok()?;
        let lo = u64::from_str_radix(hex.get(16..)?, 16).ok()?;
        self.rows += 1;
        self.xor ^= hi;
        self.sum += u128::from(lo);
        Some(())
    }

    /// Adds the rows `other` fingerprints, e.g. another chunk of the same table.
    pub fn merge(&mut self, other: &Fingerprint) {
        self.rows += other.rows;
        self.xor ^= other.xor;
        self.sum += other.sum;
    }
}

/// The query computing [`Fingerprint`] of `database.table` on the server.
pub fn fingerprint_sql(table: &TableInfo, database: &str) -> String {
    format!(
        "SELECT COUNT(*), CAST(IFNULL(BIT_XOR(CAST(CONV(SUBSTRING(h,1,16),16,10) AS UNSIGNED)),0) AS CHAR), \
         CAST(IFNULL(SUM(CAST(CONV(SUBSTRING(h,17,16),16,10) AS UNSIGNED)),0) AS CHAR) \
         FROM (SELECT MD5({}) AS h FROM {}) AS x",
        table.row_literal(),
        qualified(database, &table.name),
    )
}

/// Runs [`fingerprint_sql`].
pub async fn server_fingerprint(
    conn: &mut Conn,
    role: &str,
    table: &TableInfo,
    database: &str,
) -> Result<Fingerprint, MirrorError> {
    let rows = conn::rows(conn, fingerprint_sql(table, database), || {
        format!("{role}: fingerprint of {database}.{}", table.name)
    })
    .await?;
    let row = rows.first();
    let get = |i| row.and_then(|r| text(r, i)).unwrap_or_default();
    Ok(Fingerprint {
        rows: get(0).parse().unwrap_or(0),
        xor: get(1).parse().unwrap_or(0),
        sum: get(2).parse().unwrap_or(0),
    })
}

/// How copies are compared with their source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// [`Fingerprint`] of the rows' SQL text: works between any two servers, and for subsets.
    Literal,
    /// `CHECKSUM TABLE` and `COUNT(*)`: native and much faster, but only comparable between
    /// servers of the same version (the checksum covers the stored representation). Inside a
    /// snapshot transaction, `CHECKSUM TABLE` reads the snapshot.
    Checksum,
}

/// `COUNT(*)` and `CHECKSUM TABLE` of `database.table`, as a [`Fingerprint`] (`xor` holds the
/// checksum).
pub async fn server_checksum(
    conn: &mut Conn,
    role: &str,
    table: &TableInfo,
    database: &str,
) -> Result<Fingerprint, MirrorError> {
    let q = qualified(database, &table.name);
    let ctx = || format!("{role}: checksum of {database}.{}", table.name);
    let count = conn::scalar(conn, format!("SELECT COUNT(*) FROM {q}"), ctx).await?;
    let rows = conn::rows(conn, format!("CHECKSUM TABLE {q}"), ctx).await?;
    let checksum = rows
        .first()
        .and_then(|r| text(r, 1))
        .ok_or_else(|| MirrorError::Sql {
            context: ctx(),
            message: "CHECKSUM TABLE gave no checksum".into(),
        })?;
    Ok(Fingerprint {
        rows: count.and_then(|c| c.parse().ok()).unwrap_or(0),
        xor: checksum.parse().unwrap_or(0),
        sum: 0,
    })
}

/// Runs the comparison query of `method`.
pub async fn measure(
    conn: &mut Conn,
    method: Method,
    role: &str,
    table: &TableInfo,
    database: &str,
) -> Result<Fingerprint, MirrorError> {
    match method {
        Method::Literal => server_fingerprint(conn, role, table, database).await,
        Method::Checksum => server_checksum(conn, role, table, database).await,
    }
}

/// Compares the staged table's DDL with the source's; `None` when equal.
pub async fn ddl_difference(
    conn: &mut Conn,
    table: &TableInfo,
    staging: &str,
) -> Result<Option<String>, MirrorError> {
    let rows = conn::rows(
        conn,
        format!("SHOW CREATE TABLE {}", qualified(staging, &table.name)),
        || format!("target: SHOW CREATE TABLE {staging}.{}", table.name),
    )
    .await?;
    let staged = rows.first().and_then(|r| text(r, 1)).unwrap_or_default();
    let (src_cols, src_other, src_tail) = normalize_ddl(&table.create_sql);
    let (dst_cols, dst_other, dst_tail) = normalize_ddl(&staged);
    if src_cols != dst_cols {
        let diff = src_cols
            .iter()
            .zip(dst_cols.iter())
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("source `{a}`, copy `{b}`"))
            .unwrap_or_else(|| format!("{} columns vs {}", src_cols.len(), dst_cols.len()));
        return Ok(Some(format!("{}: columns differ: {diff}", table.name)));
    }
    if src_other != dst_other {
        let missing: Vec<&String> = src_other
            .iter()
            .filter(|d| !dst_other.contains(d))
            .collect();
        let extra: Vec<&String> = dst_other
            .iter()
            .filter(|d| !src_other.contains(d))
            .collect();
        return Ok(Some(format!(
            "{}: keys or constraints differ: missing {missing:?}, unexpected {extra:?}",
            table.name
        )));
    }
    if src_tail != dst_tail {
        return Ok(Some(format!(
            "{}: table options differ: source `{src_tail}`, copy `{dst_tail}`",
            table.name
        )));
    }
    Ok(None)
}

/// Rows of `child` in `database` whose (all non-NULL) `key` finds no parent row: one query.
pub async fn orphans(
    conn: &mut Conn,
    database: &str,
    child: &str,
    key: &ForeignKey,
) -> Result<u64, MirrorError> {
    let sql = format!(
        "SELECT COUNT(*) {}",
        crate::sql::orphans_from(
            &qualified(database, child),
            &qualified(database, &key.referenced_table),
            key
        )
    );
    let n = conn::scalar(conn, sql, || {
        format!(
            "target: orphan check of {child}.({}) -> {}",
            key.columns.join(","),
            key.referenced_table
        )
    })
    .await?;
    Ok(n.and_then(|s| s.parse().ok()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_order_independent() {
        let mut a = Fingerprint::default();
        a.add(b"(1,'x')");
        a.add(b"(2,'y')");
        let mut b = Fingerprint::default();
        b.add(b"(2,'y')");
        b.add(b"(1,'x')");
        assert_eq!(a, b);
        let mut c = Fingerprint::default();
        c.add(b"(1,'x')");
        c.add(b"(2,'z')");
        assert_ne!(a, c);
        // MD5('') = d41d8cd98f00b204e9800998ecf8427e
        let mut e = Fingerprint::default();
        e.add(b"");
        assert_eq!(e.xor, 0xd41d8cd98f00b204);
        assert_eq!(e.sum, 0xe9800998ecf8427e);
        let mut h = Fingerprint::default();
        h.add_md5_hex("d41d8cd98f00b204e9800998ecf8427e").unwrap();
        assert_eq!(h, e);
        assert!(h.add_md5_hex("d41d8cd98f00b204").is_none());
        assert!(h.add_md5_hex("x41d8cd98f00b204e9800998ecf8427e").is_none());
    }
}
