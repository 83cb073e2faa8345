//! Misuses of the derives are compile errors with a clear message: the cases in `tests/ui/`.
//! After an intended change to a message, regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p eyened-orm-derive --test ui` and review them.

#[test]
fn misuses_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
