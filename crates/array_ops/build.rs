//! Compiles the tutorial's `c_src/array_ops.c`, unchanged, into this crate.

fn main() {
    let source = "../../c_src/array_ops.c";
    println!("cargo:rerun-if-changed={source}");
    cc::Build::new()
        .file(source)
        // No fused multiply-add behind our back: C and Rust must give the same bits.
        .flag("-ffp-contract=off")
        .compile("array_ops_c");
}
