import AGCFPGA
import ArgumentParser
import Dispatch
import Foundation

/// `agc-fpga-sim create DIR` / `agc-fpga-sim serve DIR`: a simulated AGC accelerator that the
/// device backend (`--backend fpga --device DIR`) drives like the real one.
@main
struct SimulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agc-fpga-sim",
        abstract: "A simulated AGC accelerator: its register window and DDR region as files, served by the emulator (or by the RTL, --rtl).",
        subcommands: [Create.self, Serve.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Creates a simulated device's folder (regs, ddr, device.json).")

        @Argument(help: "The folder to create (must not exist).")
        var directory: String

        @Option(name: .customLong("ddr-mb"), help: "DDR size in MiB.")
        var ddrMB = 64

        func run() throws {
            guard ddrMB > 0 else { throw ValidationError("--ddr-mb \(ddrMB): expected a positive size") }
            do {
                let info = try SimulatedDevice.create(at: URL(fileURLWithPath: directory), ddrSize: ddrMB << 20)
                print("\(directory): simulated AGC accelerator, \(ddrMB) MiB of DDR at 0x\(String(info.ddrPhysicalAddress, radix: 16))")
            } catch {
                FileHandle.standardError.write(Data("agc-fpga-sim: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serves the simulated device in a folder until SIGINT or SIGTERM.",
            discussion: "Serving resets the registers, as a power-on would; start it before the host opens the device.")

        @Argument(help: "A folder made by `agc-fpga-sim create`.")
        var directory: String

        @Option(help: "Emulator threads per run.")
        var threads = ProcessInfo.processInfo.activeProcessorCount

        @Flag(help: "Take each start but never finish it (to test a host's time-out).")
        var stall = false

        @Flag(help: "Run the accelerator's RTL (hardware/, Verilator's agc-rtl-sim) instead of the emulator.")
        var rtl = false

        @Option(name: .customLong("rtl-harness"), help: "The agc-rtl-sim binary (default: $AGC_RTL_SIM, or hardware/sim/build/agc-rtl-sim).")
        var rtlHarness: String?

        @Option(name: .customLong("rtl-log"), help: "With --rtl: append one JSON line per run (RTL cycles per descriptor) to this file.")
        var rtlLog: String?

        func run() throws {
            if rtl && stall { throw ValidationError("--rtl and --stall do not go together") }
            if !rtl && (rtlHarness != nil || rtlLog != nil) { throw ValidationError("--rtl-harness and --rtl-log need --rtl") }
            let stopDevice: () -> Void
            do {
                if rtl {
                    let device = try RTLSimulatedDevice(directory: URL(fileURLWithPath: directory),
                                                        harness: rtlHarness.map { URL(fileURLWithPath: $0) }, logPath: rtlLog)
                    device.serve()
                    stopDevice = { device.stop() }
                } else {
                    let device = try SimulatedDevice(directory: URL(fileURLWithPath: directory), threads: threads, stall: stall)
                    device.serve()
                    stopDevice = { device.stop() }
                }
            } catch {
                FileHandle.standardError.write(Data("agc-fpga-sim: \(error)\n".utf8))
                throw ExitCode.failure
            }
            var sources: [DispatchSourceSignal] = []
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
                source.setEventHandler {
                    stopDevice()
                    Foundation.exit(0)
                }
                source.resume()
                sources.append(source)
            }
            // The line a supervising process waits for before it opens the device.
            print("serving \(directory)")
            fflush(stdout)
            withExtendedLifetime(sources) { dispatchMain() }
        }
    }
}
