//! Reading `mysql://` URLs the way users write them, passwords pasted without percent-encoding
//! included, and never quoting what could be the password in an error.
//!
//! A URL is `mysql://[user[:password]@]host[:port][/database][?parameters]`. The parts are
//! found in this order:
//!
//! 1. The **parameters** start at the first `?` that is followed by a parameter sqlx knows and
//!    `=` (`?ssl-mode=`, `?charset=`, ... see [`PARAMETERS`]).
//! 2. The **last `@`** before the parameters ends the user name and password, and the first `:`
//!    before it separates the two. So a password may hold any character, `@ : / ? # %` and
//!    spaces included, encoded or not: in `mysql://app:4711?x/y#z@db:3306/eyened` the user is
//!    `app` and the password `4711?x/y#z`. A `%` followed by two hex digits is read as a
//!    percent-encoded byte, as in any URL; write a literal `%` as `%25` to be sure.
//! 3. The **host** runs from there to the next `/`, `?` or `#`; an IPv6 address is in brackets
//!    (`[::1]:3306`). Without `@` there is no user name or password, and `host:port` is the
//!    whole authority.
//!
//! The URL connected with has the user name and password percent-encoded (so that sqlx, which
//! splits at the first `/`, `?` or `#`, reads them the same way) and the rest as given.

use percent_encoding::{percent_decode_str, utf8_percent_encode};

use super::{DEFAULT_MYSQL_PORT, USERINFO, decode, parse_port};

/// The URL parameters sqlx's MySQL driver understands; any other is an error (sqlx would ignore
/// it silently).
pub(super) const PARAMETERS: [&str; 14] = [
    "ssl-mode",
    "sslmode",
    "ssl-ca",
    "sslca",
    "ssl-cert",
    "sslcert",
    "ssl-key",
    "sslkey",
    "charset",
    "collation",
    "statement-cache-capacity",
    "socket",
    "timezone",
    "time-zone",
];

const SCHEME: &str = "mysql://";

/// What the parts of a URL are, for the errors: never the text, which may hold the password.
const SHAPE: &str = "mysql://user:password@host:port/database";

/// The parts of a `mysql://` URL, decoded. (No `Debug`: it holds the password.)
pub(super) struct MysqlUrl {
    pub user: String,
    pub password: String,
    /// Without brackets.
    pub host: String,
    pub port: u16,
    pub database: Option<String>,
    /// The URL to connect with: user name and password percent-encoded, the rest as given.
    pub normalized: String,
}

/// Parses `url` (which starts with `mysql://`, in any case) as described in the
/// [module docs](self). The error says what is wrong without quoting the URL.
pub(super) fn parse(url: &str) -> Result<MysqlUrl, String> {
    let rest = &url[SCHEME.len()..];
    let params_at = parameters_start(rest).unwrap_or(rest.len());
    let (userinfo, after) = match rest[..params_at].rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let (user, password) = match userinfo {
        Some(userinfo) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            (decode(user, "user name")?, decode(password, "password")?)
        }
        None => (String::new(), String::new()),
    };

    // Without '@', a password (and any '?' in it) reads as the port or the parameters.
    let no_at = |reason: String| match userinfo {
        Some(_) => reason,
        None => format!("{reason}; the URL has no '@', so no user name or password"),
    };
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_end];
    let (host, port) = host_and_port(authority, userinfo.is_some()).map_err(no_at)?;
    let database = database(&after[authority_end..]).map_err(no_at)?;

    let mut normalized = String::from(SCHEME);
    if let Some(userinfo) = userinfo {
        normalized.extend(utf8_percent_encode(&user, USERINFO));
        if userinfo.contains(':') {
            normalized.push(':');
            normalized.extend(utf8_percent_encode(&password, USERINFO));
        }
        normalized.push('@');
    }
    normalized.push_str(after);

    Ok(MysqlUrl {
        user,
        password,
        host,
        port,
        database,
        normalized,
    })
}

/// Byte index in `rest` (the URL after `mysql://`) of the `?` that starts the parameters: the
/// first `?` followed by a known parameter and `=`.
fn parameters_start(rest: &str) -> Option<usize> {
    rest.match_indices('?').map(|(i, _)| i).find(|&i| {
        let after = &rest[i + 1..];
        PARAMETERS.iter().any(|name| {
            after
                .strip_prefix(name)
                .is_some_and(|value| value.starts_with('='))
        })
    })
}

/// The host (without brackets) and port of `authority` (the text between the `@`, if any, and
/// the path). `after_at`: whether the URL has a user part, for the hint when the host is missing.
fn host_and_port(authority: &str, after_at: bool) -> Result<(String, u16), String> {
    if authority.is_empty() {
        return Err(if after_at {
            format!("no host after the last '@'; write {SHAPE}")
        } else {
            format!("no host; write {SHAPE}")
        });
    }
    let (host, port_text) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or_else(|| {
            "the host has '[' without ']'; write an IPv6 address as [::1]".to_owned()
        })?;
        if !is_ipv6(host) {
            return Err("the host in brackets is not an IPv6 address".to_owned());
        }
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => {
                    return Err(
                        "unexpected text after the IPv6 address; write [address]:port".to_owned(),
                    );
                }
            },
        }
    } else {
        if authority.matches(':').count() > 1 {
            return Err(
                "the host has more than one ':'; write an IPv6 address in brackets, e.g. [::1]:3306"
                    .to_owned(),
            );
        }
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err(format!("no host before the port; write {SHAPE}"));
        }
        if !host.chars().all(is_host_char) {
            return Err(
                "the host name has a character host names cannot have (only letters, digits, '-', '.' and '_')"
                    .to_owned(),
            );
        }
        (host, port)
    };
    let port = match port_text {
        None | Some("") => DEFAULT_MYSQL_PORT,
        // Not quoted: without '@', what reads as the port may be a password.
        Some(text) => parse_port(text)
            .ok_or_else(|| "the port is not a number between 1 and 65535".to_owned())?,
    };
    Ok((host.to_owned(), port))
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')
}

/// Whether `text` (between brackets) is an IPv6 address. Zones (`%25eth0`) are not: the URL
/// parser of the driver rejects them.
fn is_ipv6(text: &str) -> bool {
    text.parse::<std::net::Ipv6Addr>().is_ok()
}

/// The database of `tail` (what follows the host and port: `/database?parameters`), checking
/// the parameters.
fn database(tail: &str) -> Result<Option<String>, String> {
    // The password, which may hold '#', ended at the last '@': this '#' is after the host.
    if tail.contains('#') {
        return Err(
            "unexpected '#' after the host; a URL for MySQL has no fragment (write '#' in a database name as %23)"
                .to_owned(),
        );
    }
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    check_parameters(query)?;
    let Some(name) = path.strip_prefix('/') else {
        return Ok(None);
    };
    if name.contains('/') {
        return Err(
            "the database name contains '/'; percent-encode it as %2F, or check for a stray '/' after the host"
                .to_owned(),
        );
    }
    if name.chars().any(char::is_control) {
        return Err("the database name contains a control character (tab, newline)".to_owned());
    }
    let name = decode(name, "database name")?;
    Ok((!name.is_empty()).then_some(name))
}

/// Every `name=value` of `query` names a parameter sqlx knows. Names are not quoted: without
/// '@' in the URL, a mistyped password could end up here.
fn check_parameters(query: &str) -> Result<(), String> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        let name = percent_decode_str(name).decode_utf8_lossy();
        if !PARAMETERS.contains(&name.as_ref()) {
            return Err(format!(
                "a URL parameter is not one sqlx knows; use {}",
                PARAMETERS.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;
    use std::sync::Arc;

    use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
    use sea_orm::sqlx::ConnectOptions as _;
    use sea_orm::sqlx::mysql::MySqlConnectOptions;
    use sea_orm::{DbErr, RuntimeErr};

    use crate::config::{DatabaseConfig, resolve_inner};

    /// What a URL should read as.
    enum Expect {
        /// User, host, port, database.
        Parts(&'static str, &'static str, u16, Option<&'static str>),
        /// The error says this.
        Error(&'static str),
    }
    use Expect::{Error, Parts};

    /// (URL, the password in it, what it reads as). No three consecutive characters of a
    /// password occur in the rest of its URL or in the messages.
    const CASES: &[(&str, &str, Expect)] = &[
        // Unencoded specials in the password: the last '@' ends it.
        (
            "mysql://app:4711?x@127.0.0.1:1/db",
            "4711?x",
            Parts("app", "127.0.0.1", 1, Some("db")),
        ),
        (
            "mysql://app:Zq#9Lw@db.example:3307/eyened",
            "Zq#9Lw",
            Parts("app", "db.example", 3307, Some("eyened")),
        ),
        (
            "mysql://app:Zq/9L/w@db.example/eyened",
            "Zq/9L/w",
            Parts("app", "db.example", 3306, Some("eyened")),
        ),
        (
            "mysql://app:Zq@9L@w@db.example/eyened",
            "Zq@9L@w",
            Parts("app", "db.example", 3306, Some("eyened")),
        ),
        (
            "mysql://app:Zq?9#L/w@h:3306/db?ssl-mode=DISABLED&charset=utf8mb4",
            "Zq?9#L/w",
            Parts("app", "h", 3306, Some("db")),
        ),
        (
            "mysql://app:Zq9?ssl@h/db",
            "Zq9?ssl",
            Parts("app", "h", 3306, Some("db")),
        ),
        (
            "mysql://app:50%Zq9@h/db",
            "50%Zq9",
            Parts("app", "h", 3306, Some("db")),
        ),
        (
            "mysql://app:my Zq9 wd@h/db",
            "my Zq9 wd",
            Parts("app", "h", 3306, Some("db")),
        ),
        (
            "mysql://app:Zq9\tLw@h/db",
            "Zq9\tLw",
            Parts("app", "h", 3306, Some("db")),
        ),
        (
            "mysql://user:pa:ss@host/db",
            "pa:ss",
            Parts("user", "host", 3306, Some("db")),
        ),
        (
            "mysql://:Zq9Lw@h/db",
            "Zq9Lw",
            Parts("", "h", 3306, Some("db")),
        ),
        (
            "mysql://app:Zq9%2FLw@h/db",
            "Zq9/Lw",
            Parts("app", "h", 3306, Some("db")),
        ),
        (
            "MYSQL://app:Zq9Lw@h/db",
            "Zq9Lw",
            Parts("app", "h", 3306, Some("db")),
        ),
        (
            "mysql://app:Zq9Lw@[::1]:3307/db",
            "Zq9Lw",
            Parts("app", "::1", 3307, Some("db")),
        ),
        (
            "mysql://app:Zq9Lw@h:/db",
            "Zq9Lw",
            Parts("app", "h", 3306, Some("db")),
        ),
        (
            "mysql://app:Zq9Lw@h",
            "Zq9Lw",
            Parts("app", "h", 3306, None),
        ),
        (
            "mysql://app:Zq9Lw@h/db?ssl-mode=DISABLED",
            "Zq9Lw",
            Parts("app", "h", 3306, Some("db")),
        ),
        // The parameters start before an '@' in a parameter.
        (
            "mysql://app:Zq9Lw@h/db?ssl-ca=/etc/me@corp/ca.pem",
            "Zq9Lw",
            Parts("app", "h", 3306, Some("db")),
        ),
        // Broken: the error says what is wrong and shows none of the password.
        (
            "mysql://app:Zq9Lw@/db",
            "Zq9Lw",
            Error("no host after the last '@'"),
        ),
        (
            "mysql://app:Zq9Lw@",
            "Zq9Lw",
            Error("no host after the last '@'"),
        ),
        (
            "mysql://app:Zq9Lw@:3306/db",
            "Zq9Lw",
            Error("no host before the port"),
        ),
        // No '@': what follows ':' is the port.
        (
            "mysql://app:Zq9Lw/db",
            "Zq9Lw",
            Error("the port is not a number"),
        ),
        (
            "mysql://app:Zq9/Lw/h/db",
            "Zq9/Lw",
            Error("the port is not a number"),
        ),
        (
            "mysql://app:4711?Zq9",
            "4711?Zq9",
            Error("a URL parameter is not one sqlx knows"),
        ),
        (
            "mysql://app:Zq9Lw@h:99999/db",
            "Zq9Lw",
            Error("the port is not a number"),
        ),
        (
            "mysql://app:Zq9Lw@h:x1/db",
            "Zq9Lw",
            Error("the port is not a number"),
        ),
        (
            "mysql://app:Zq9%ffLw@h/db",
            "Zq9%ffLw",
            Error("the password is not valid UTF-8"),
        ),
        (
            "mysql://app:Zq9Lw@::1/db",
            "Zq9Lw",
            Error("IPv6 address in brackets"),
        ),
        (
            "mysql://app:Zq9Lw@[::1/db",
            "Zq9Lw",
            Error("'[' without ']'"),
        ),
        (
            "mysql://app:Zq9Lw@[zz]/db",
            "Zq9Lw",
            Error("not an IPv6 address"),
        ),
        (
            "mysql://app:Zq9Lw@[fe80::1%25eth0]/db",
            "Zq9Lw",
            Error("not an IPv6 address"),
        ),
        (
            "mysql://app:Zq9Lw@[::1]x/db",
            "Zq9Lw",
            Error("after the IPv6 address"),
        ),
        (
            "mysql://app:Zq9 Lw@h x/db",
            "Zq9 Lw",
            Error("a character host names cannot have"),
        ),
        (
            "mysql://app:Zq9Lw@h/db?ssl_mode=x",
            "Zq9Lw",
            Error("not one sqlx knows"),
        ),
        (
            "mysql://app:Zq9Lw@h/db/extra",
            "Zq9Lw",
            Error("the database name contains '/'"),
        ),
        (
            "mysql://app:Zq9Lw@h/db#frag",
            "Zq9Lw",
            Error("unexpected '#' after the host"),
        ),
        ("app:Zq9Lw@h/db", "Zq9Lw", Error("no URL scheme")),
        ("Zq9Lw:x", "Zq9Lw", Error("no URL scheme")),
        (
            "postgres://app:Zq9Lw@h/db",
            "Zq9Lw",
            Error("unsupported scheme 'postgres'"),
        ),
        (
            "mysql:app:Zq9Lw@h",
            "Zq9Lw",
            Error("a MySQL URL starts with mysql://"),
        ),
    ];

    /// Every piece of `password` of three or more characters.
    fn pieces(password: &str) -> Vec<String> {
        let chars: Vec<char> = password.chars().collect();
        let mut out = Vec::new();
        for start in 0..chars.len() {
            for end in start + 3..=chars.len() {
                out.push(chars[start..end].iter().collect());
            }
        }
        out
    }

    fn assert_one_line(url: &str, errors: &[String]) {
        for text in errors {
            assert!(!text.contains('\n'), "{url}: more than one line: {text}");
        }
    }

    fn assert_hidden(url: &str, password: &str, texts: &[String]) {
        for text in texts {
            for piece in pieces(password) {
                assert!(
                    !text.contains(&piece),
                    "{url}: '{piece}' of the password shows in: {text}"
                );
            }
        }
    }

    /// The errors a driver may give, quoting what it was given.
    fn driver_errors(config: &DatabaseConfig, password: &str) -> Vec<DbErr> {
        let sqlx = |e: sea_orm::sqlx::Error| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e)));
        let encoded = utf8_percent_encode(password, NON_ALPHANUMERIC).to_string();
        vec![
            DbErr::Conn(RuntimeErr::Internal(format!(
                "The connection string '{}' cannot be parsed",
                config.url()
            ))),
            sqlx(sea_orm::sqlx::Error::Configuration(
                format!("bad URL {} (server {})", config.url(), config.server_url()).into(),
            )),
            sqlx(sea_orm::sqlx::Error::Protocol(format!(
                "auth failed for password {password} / {encoded}"
            ))),
            sqlx(sea_orm::sqlx::Error::Io(std::io::Error::other(
                "Connection refused (os error 111)",
            ))),
        ]
    }

    /// The URL sqlx is given reads as the parts this module found.
    fn assert_sqlx_agrees(url: &str, config: &DatabaseConfig, password: &str) {
        let options = MySqlConnectOptions::from_str(&config.url())
            .unwrap_or_else(|e| panic!("{url}: sqlx cannot parse the URL connected with: {e}"));
        if !config.user().is_empty() {
            assert_eq!(options.get_username(), config.user(), "{url}");
        }
        assert_eq!(
            options
                .get_host()
                .trim_start_matches('[')
                .trim_end_matches(']'),
            config.host(),
            "{url}"
        );
        assert_eq!(options.get_port(), config.port(), "{url}");
        assert_eq!(options.get_database(), config.database(), "{url}");
        let rebuilt = options.to_url_lossy();
        let sqlx_password = percent_decode_str(rebuilt.password().unwrap_or_default())
            .decode_utf8()
            .unwrap();
        assert!(
            sqlx_password == password,
            "{url}: sqlx reads another password"
        );
    }

    #[test]
    fn no_part_of_a_password_is_ever_shown() {
        for (url, password, expect) in CASES {
            let from_env = resolve_inner(None, None, None, &|name| {
                (name == "DATABASE_URL").then(|| (*url).to_owned())
            });
            let parsed = DatabaseConfig::from_url(url);
            match (expect, parsed) {
                (Parts(user, host, port, database), Ok(config)) => {
                    assert_eq!(config.password().expose(), *password, "{url}");
                    assert_eq!(
                        (
                            config.user(),
                            config.host(),
                            config.port(),
                            config.database()
                        ),
                        (*user, *host, *port, *database),
                        "{url}"
                    );
                    assert_sqlx_agrees(url, &config, password);
                    assert_eq!(from_env.as_ref(), Ok(&config), "{url}");
                    let mut texts = vec![
                        config.display(),
                        format!("{config}"),
                        format!("{config:?}"),
                        format!("{config:#?}"),
                        config.with_database("other").display(),
                    ];
                    for err in driver_errors(&config, password) {
                        let err = config.connect_error(&err);
                        assert_one_line(url, &[err.to_string()]);
                        texts.push(err.to_string());
                        texts.push(format!("{err:?}"));
                    }
                    assert_hidden(url, password, &texts);
                }
                (Error(expected), Err(err)) => {
                    assert!(err.to_string().contains(expected), "{url}: {err}");
                    let from_env = from_env.expect_err(url);
                    assert!(
                        from_env
                            .to_string()
                            .contains("DATABASE_URL in the environment"),
                        "{url}: {from_env}"
                    );
                    let texts = [
                        err.to_string(),
                        format!("{err:?}"),
                        from_env.to_string(),
                        format!("{from_env:?}"),
                    ];
                    assert_one_line(url, &texts);
                    assert_hidden(url, password, &texts);
                }
                (Parts(..), Err(err)) => panic!("{url}: {err}"),
                (Error(expected), Ok(config)) => {
                    panic!("{url}: read as {config}, not rejected with \"{expected}\"")
                }
            }
        }
    }

    #[tokio::test]
    async fn connecting_with_an_unencoded_password_names_no_part_of_it() {
        let config = DatabaseConfig::from_url("mysql://app:4711?x@127.0.0.1:1/db").unwrap();
        // Nothing listens on port 1 of the loopback interface.
        let err = config
            .connect_with(|o| {
                o.acquire_timeout(std::time::Duration::from_millis(500));
            })
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("cannot connect to app@127.0.0.1:1/db: "),
            "{text}"
        );
        assert_one_line(
            "mysql://app:4711?x@127.0.0.1:1/db",
            std::slice::from_ref(&text),
        );
        assert_hidden("mysql://app:4711?x@127.0.0.1:1/db", "4711?x", &[text]);
    }

    #[test]
    fn the_url_connected_with_has_the_password_encoded() {
        let config = DatabaseConfig::from_url("mysql://app:4711?x/y#z@db:3306/eyened").unwrap();
        assert_eq!(config.url(), "mysql://app:4711%3Fx%2Fy%23z@db:3306/eyened");
        assert_eq!(
            config.with_database("o").url(),
            "mysql://app:4711%3Fx%2Fy%23z@db:3306/o"
        );
        assert_eq!(config.server_url(), "mysql://app:4711%3Fx%2Fy%23z@db:3306");
        // Parameters stay as given.
        let config = DatabaseConfig::from_url("mysql://a@h/d?ssl-ca=/x@y/ca.pem").unwrap();
        assert_eq!(config.url(), "mysql://a@h/d?ssl-ca=/x@y/ca.pem");
    }
}
