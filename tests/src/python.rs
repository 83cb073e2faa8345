//! The Python reference implementation for cross-checks: a venv with numpy, zarr, pydicom and
//! Pillow, built on first use by `tests/python/setup-venv.sh` (once per machine; it needs PyPI
//! the first time), and a way to run a Python snippet in it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The venv's `python`, building the venv first if needed. Panics, saying how to build it by
/// hand, when it cannot be built.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/setup-venv.sh");
        let out = Command::new(&script)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let path = stdout.lines().last().unwrap_or_default().trim();
        if !out.status.success() || path.is_empty() {
            panic!(
                "the Python venv for cross-checks could not be built (it needs PyPI the first \
                 time); run {} to see why:\n{}",
                script.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        PathBuf::from(path)
    })
}

/// Runs `code` with the venv's Python, `args` as `sys.argv[1:]`; returns its standard output.
/// Panics with the script's standard error when it fails.
pub fn run_python(code: &str, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("running python");
    if !out.status.success() {
        panic!(
            "python failed ({}):\n{}\n--- code ---\n{code}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8(out.stdout).expect("python printed UTF-8")
}
