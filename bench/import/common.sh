# Sourced by run.sh and eorm.sh: the server to use, the work directory, and fresh_db.
# Server: BENCH_MYSQL_HOST (127.0.0.1), BENCH_MYSQL_PORT (3306), BENCH_MYSQL_USER (root),
# password in MYSQL_PWD (empty by default).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
host="${BENCH_MYSQL_HOST:-127.0.0.1}"
port="${BENCH_MYSQL_PORT:-3306}"
user="${BENCH_MYSQL_USER:-root}"
pw="${MYSQL_PWD:-}"
work="$root/target/bench-import"
auth="$user${pw:+:$pw}"
mysql_cli=(mysql "-h$host" "-P$port" "-u$user" --batch --skip-column-names)

# A migrated database with one source, device and modality (ids 1).
fresh_db() {
    local db="$1"
    "${mysql_cli[@]}" -e "CREATE DATABASE \`$db\`"
    target/release/migration -u "mysql://$auth@$host:$port/$db" up >/dev/null
    "${mysql_cli[@]}" "$db" -e "
        INSERT INTO SourceInfo (SourceName, SourcePath, ThumbnailPath) VALUES ('bench', '/images', '/thumbnails');
        INSERT INTO DeviceModel (Manufacturer, ManufacturerModelName) VALUES ('Topcon', 'TRC-NW8');
        INSERT INTO DeviceInstance (DeviceModelID, Description) VALUES (1, 'camera');
        INSERT INTO Modality (ModalityTag) VALUES ('CF');"
}
