//! Compiles the tutorial's `c_src/math_functions.c`, unchanged, into this crate.

fn main() {
    // A symlink to the tutorial's file in the repository's c_src/: `cargo package` and the
    // sdist copy its content, so the packaged crate builds on its own.
    let source = "c_src/math_functions.c";
    println!("cargo:rerun-if-changed={source}");
    cc::Build::new()
        .file(source)
        // The C file defines `square`, and so does this crate's C-ABI export (`c_abi.rs`):
        // rename the C one at compile time so the file itself stays byte for byte the tutorial's.
        .define("square", "c_square")
        // No fused multiply-add behind our back: C and Rust must give the same bits.
        .flag("-ffp-contract=off")
        .compile("math_functions_c");
}
