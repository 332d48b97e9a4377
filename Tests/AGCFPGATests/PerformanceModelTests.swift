import XCTest
@testable import AGCFPGA

/// The performance and energy model: consistent with its own parts and with the MAC array's peak.
final class PerformanceModelTests: XCTestCase {
    func testReportIsConsistent() {
        let program = EmulatorTests.program
        let config = HardwareConfig.pynqZ1
        let report = HardwareReport(program: program, config: config)
        XCTAssertTrue(report.fits, "the PYNQ-Z1 configuration must fit the XC7Z020")
        for stream in [report.frame, report.keyFrame] {
            // Engines add up to the stream (plus the launch); no engine beats its peak.
            XCTAssertEqual(stream.engines.reduce(config.launchCycles) { $0 + $1.cycles }, stream.cycles)
            let conv = stream.engines.first { $0.engine == "convolution" }!
            XCTAssertGreaterThanOrEqual(conv.cycles * config.tm * config.tn, conv.macs)
            for cost in stream.instructions {
                XCTAssertGreaterThanOrEqual(cost.cycles, max(cost.computeCycles, 1))
            }
        }
        XCTAssertEqual(report.frame.macs + report.keyFrame.macs, program.instructions.reduce(0) { $0 + $1.macs })
        XCTAssertEqual(report.energyPerPixelMicrojoules,
                       config.activePowerWatts / report.framesPerSecond * 1e6 / Double(program.size * program.size), accuracy: 1e-9)
    }

    func testWiderArraysAndFasterMemoryAreFaster() {
        let program = EmulatorTests.program
        let base = HardwareReport(program: program).frame.cycles
        var wide = HardwareConfig.pynqZ1
        wide.tm = 32
        XCTAssertLessThan(HardwareReport(program: program, config: wide).frame.cycles, base)
        var slow = HardwareConfig.pynqZ1
        slow.ddrBytesPerSecond /= 8
        XCTAssertGreaterThan(HardwareReport(program: program, config: slow).frame.cycles, base)
        // A much wider array no longer fits the device.
        var huge = HardwareConfig.pynqZ1
        huge.tm = 64
        XCTAssertFalse(HardwareReport(program: program, config: huge).fits)
    }
}
