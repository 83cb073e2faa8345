"""The row-by-row baseline for database-mirror-test: copies the rows that a database-mirror-test
run selected (read from its target, so both copy exactly the same subset) from the source into
a fresh target the way the Python tool did: schema with `mysqldump --no-data | mysql`, then one
SELECT and one INSERT per row, FOREIGN_KEY_CHECKS=0, one commit at the end.

    python rowwise_subset.py CNF SOURCE SUBSET_TARGET ROWWISE_TARGET
"""

import configparser
import subprocess
import sys
import time

import pymysql


def connect(cnf, db=None):
    c = configparser.ConfigParser()
    c.read(cnf)
    s = c["client"]
    return pymysql.connect(
        host=s.get("host"), port=int(s.get("port")), user=s.get("user"),
        password=s.get("password", ""), database=db, autocommit=False)


def main():
    cnf, source, subset, target = sys.argv[1:5]
    start = time.time()
    admin = connect(cnf)
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{target}`")
        cur.execute(f"CREATE DATABASE `{target}`")
    dump = subprocess.Popen(["mysqldump", f"--defaults-extra-file={cnf}", "--no-data", source],
                            stdout=subprocess.PIPE)
    subprocess.run(["mysql", f"--defaults-extra-file={cnf}", target], stdin=dump.stdout, check=True)
    dump.wait()
    schema_done = time.time()

    src = connect(cnf, source)
    dst = connect(cnf, target)
    rows = 0
    with admin.cursor() as cur, src.cursor() as s, dst.cursor() as d:
        d.execute("SET FOREIGN_KEY_CHECKS = 0")
        cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s", (subset,))
        for (table,) in cur.fetchall():
            cur.execute("SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s "
                        "AND TABLE_NAME = %s AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX", (subset, table))
            pk = [r[0] for r in cur.fetchall()]
            cur.execute(f"SELECT {', '.join('`%s`' % c for c in pk)} FROM `{subset}`.`{table}`")
            keys = cur.fetchall()
            where = " AND ".join(f"`{c}` = %s" for c in pk)
            for key in keys:
                s.execute(f"SELECT * FROM `{table}` WHERE {where}", key)
                row = s.fetchone()
                columns = [c[0] for c in s.description]
                d.execute(f"INSERT INTO `{table}` ({', '.join('`%s`' % c for c in columns)}) "
                          f"VALUES ({', '.join(['%s'] * len(columns))})", row)
                rows += 1
    dst.commit()
    d = dst.cursor()
    d.execute("SET FOREIGN_KEY_CHECKS = 1")
    end = time.time()
    print(f"{rows} rows, schema {schema_done - start:.1f}s, rows {end - schema_done:.1f}s, total {end - start:.1f}s")


if __name__ == "__main__":
    main()
