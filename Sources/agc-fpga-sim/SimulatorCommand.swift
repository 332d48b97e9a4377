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
        abstract: "A simulated AGC accelerator: its register window and DDR region as files, served by the emulator.",
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

        func run() throws {
            let device: SimulatedDevice
            do {
                device = try SimulatedDevice(directory: URL(fileURLWithPath: directory), threads: threads, stall: stall)
            } catch {
                FileHandle.standardError.write(Data("agc-fpga-sim: \(error)\n".utf8))
                throw ExitCode.failure
            }
            device.serve()
            var sources: [DispatchSourceSignal] = []
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
                source.setEventHandler {
                    device.stop()
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
