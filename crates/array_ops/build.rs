//! Compiles the tutorial's `c_src/array_ops.c`, unchanged, into this crate: once for every
//! x86-64 CPU, and on x86-64 twice more, for AVX2 and AVX-512 (renamed `square_array_avx2`
//! and `square_array_avx512`); `ffi.rs` picks the one for `simd::InstructionSet::best`. NumPy
//! ships its own loops the same way; a single build for the baseline CPU would leave the C
//! code with 2-lane SSE2 against NumPy's AVX-512.

fn main() {
    // A symlink to the tutorial's file in the repository's c_src/: `cargo package` and the
    // sdist copy its content, so the packaged crate builds on its own.
    let source = "c_src/array_ops.c";
    println!("cargo:rerun-if-changed={source}");
    let x86_64 = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64");
    let mut builds = vec![("array_ops_c", None, vec![])];
    if x86_64 {
        builds.push((
            "array_ops_c_avx2",
            Some("square_array_avx2"),
            vec!["-mavx2"],
        ));
        builds.push((
            "array_ops_c_avx512",
            Some("square_array_avx512"),
            // 512-bit vectors, the point of this build: with some tunings gcc keeps to 256
            // bits even where AVX-512 is enabled.
            vec!["-mavx512f", "-mprefer-vector-width=512"],
        ));
    }
    for (library, rename, flags) in builds {
        let mut build = cc::Build::new();
        build
            .file(source)
            // No fused multiply-add behind our back: C and Rust must give the same bits.
            .flag("-ffp-contract=off")
            // gcc does not unroll its vectorised loop unless asked (LLVM does, for the Rust
            // kernel), and on cached data the loop's own counting then costs the baseline
            // (SSE2) build much of its speed (docs/measurements/section-4.md has the figures).
            .flag("-funroll-loops");
        if let Some(name) = rename {
            build.define("square_array", name);
        }
        for flag in flags {
            build.flag(flag);
        }
        build.compile(library);
    }
}
