// swift-tools-version:6.0
// AGC: a generative talking-face video codec toolchain.
import PackageDescription

/// Kernels and the network run in release builds with bounds checks off in the hot loops.
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "AGC",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "agc-encode", targets: ["agc-encode"]),
        .executable(name: "agc-decode", targets: ["agc-decode"]),
        .executable(name: "agc-model-eval", targets: ["agc-model-eval"]),
        .executable(name: "agc-rd", targets: ["agc-rd"]),
        .executable(name: "agc-bench", targets: ["agc-bench"]),
        .executable(name: "agc-fpga-sim", targets: ["agc-fpga-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // FFmpeg's own libraries, with a shim header for the macros Swift cannot import.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libswresample libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libswresample-dev", "libavutil-dev"])]
        ),
        // The bitstream format: units, CRC-32, index, range coder, keypoint coding. Foundation only.
        .target(name: "AGCBitstream"),
        // Demux, decode, scale, encode, mux: FFmpeg in Swift terms.
        .target(name: "AGCMedia", dependencies: ["CFFmpeg"]),
        // The hot operations: one scalar reference and one optimised version each.
        // INT8 vector kernels in C, one per instruction set (AVX-512 VNNI, AVX-VNNI, AVX2,
        // portable), chosen at run time.
        .target(name: "CAGCKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "AGCKernels", dependencies: ["CAGCKernels"], swiftSettings: fast),
        // Tensors, safetensors, the three float sub-networks and the shipped weights.
        .target(
            name: "AGCModel",
            dependencies: ["AGCKernels", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources")],
            swiftSettings: fast
        ),
        // Full-reference quality metrics: PSNR, SSIM, MS-SSIM.
        .target(name: "AGCMetrics", swiftSettings: fast),
        // OpenCV's cascade face detector behind a C interface (Debian's libopencv-objdetect-dev).
        .target(
            name: "CFaceDetect",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4"])],
            linkerSettings: [.linkedLibrary("opencv_objdetect"), .linkedLibrary("opencv_imgproc"),
                             .linkedLibrary("opencv_core")]
        ),
        // OpenCV's ECC image alignment behind a C interface: the camera's motion (Debian's
        // libopencv-video-dev).
        .target(
            name: "CCameraMotion",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4"])],
            linkerSettings: [.linkedLibrary("opencv_video"), .linkedLibrary("opencv_imgproc"),
                             .linkedLibrary("opencv_core")]
        ),
        // The codec: face crop, encoder with its closed loop, decoder, backends.
        .target(
            name: "AGCCodec",
            dependencies: ["AGCFPGA", "AGCBitstream", "AGCMedia", "AGCModel", "AGCMetrics", "CFaceDetect", "CCameraMotion"],
            swiftSettings: fast
        ),
        // The quantized accelerator and its bit-exact emulation.
        .target(
            name: "AGCFPGA",
            dependencies: ["AGCModel", "AGCKernels", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources")],
            swiftSettings: fast
        ),
        // What the command-line tools share: batch options and their runner.
        .target(name: "AGCTools", dependencies: [
            "AGCCodec", "AGCMedia", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "agc-encode", dependencies: [
            "AGCCodec", "AGCMedia", "AGCBitstream", "AGCTools", "AGCKernels",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "agc-decode", dependencies: [
            "AGCCodec", "AGCTools", "AGCFPGA", "AGCKernels", "AGCMedia", "AGCBitstream",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "agc-model-eval", dependencies: [
            "AGCCodec", "AGCModel", "AGCFPGA", "AGCKernels", "AGCMedia", "AGCMetrics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fast),
        // A simulated accelerator behind the device driver's register map, for hosts without the board.
        .executableTarget(name: "agc-fpga-sim", dependencies: [
            "AGCFPGA",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Decoder and encoder speed against the machine's peak (scripts/bench-decode.sh adds the peers).
        .executableTarget(name: "agc-bench", dependencies: [
            "AGCCodec", "AGCFPGA", "AGCKernels", "AGCMedia", "AGCModel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Rate-distortion comparisons: AGC ladders against HEVC and AV1 anchors, BD-rate, reports.
        .target(name: "AGCRD", dependencies: ["AGCCodec", "AGCMedia", "AGCMetrics"], swiftSettings: fast),
        .executableTarget(name: "agc-rd", dependencies: [
            "AGCRD", "AGCMedia",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "AGCRDTests", dependencies: ["AGCRD", "AGCMedia", "AGCMetrics"]),
        .testTarget(name: "AGCBitstreamTests", dependencies: ["AGCBitstream"]),
        .testTarget(name: "AGCMediaTests", dependencies: ["AGCMedia"]),
        .testTarget(name: "AGCKernelsTests", dependencies: ["AGCKernels", "CAGCKernels"]),
        .testTarget(name: "AGCCodecTests", dependencies: [
            "AGCCodec", "AGCMedia", "AGCFPGA", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "AGCMetricsTests", dependencies: ["AGCMetrics"]),
        .testTarget(name: "AGCFPGATests", dependencies: ["AGCFPGA", "AGCModel", "AGCKernels"]),
        .testTarget(name: "AGCModelTests", dependencies: ["AGCModel"], resources: [.copy("Fixtures")]),
    ],
    // Kernels share raw buffers across threads by index ranges; Swift 5 mode keeps that readable.
    swiftLanguageModes: [.v5]
)
