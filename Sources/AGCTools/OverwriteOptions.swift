import AGCMedia
import ArgumentParser
import Foundation

/// What a one-file run does when its output exists, as ffmpeg's `-y` and `-n` say: by default
/// it refuses before any work, so an existing file is never replaced unless asked.
public struct OverwriteOptions: ParsableArguments {
    @Flag(name: [.customShort("y"), .customLong("overwrite")], help: "Replace the output if it exists.")
    public var overwrite = false

    @Flag(name: [.customShort("n"), .customLong("no-overwrite")], help: "Do nothing (exit 0) if the output exists.")
    public var noOverwrite = false

    public init() {}

    public func validate() throws {
        if overwrite && noOverwrite { throw ValidationError("-y and -n exclude each other") }
    }

    /// Whether the run should write `output`: true when nothing is there or with `-y`, false
    /// with `-n` when something is; throws (naming the file) when something is and neither was given.
    public func shouldWrite(_ output: String) throws -> Bool {
        var info = stat()
        guard output != "-", lstat(output, &info) == 0 else { return true }  // nothing of that name
        if overwrite { return true }
        if noOverwrite { return false }
        throw OutputExists(path: output)
    }

    /// Throws when `-y` or `-n` is given to a batch, whose rules differ (complete outputs are
    /// skipped, the rest redone; `--force` redoes all).
    public func refuseInBatch() throws {
        if overwrite || noOverwrite {
            throw ValidationError("-y and -n are for one output: a batch skips complete outputs and redoes the rest (--force redoes all)")
        }
    }
}

/// The output of a one-file run exists and neither `-y` nor `-n` was given.
public struct OutputExists: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "\(path): the output exists (-y replaces it, -n skips it)" }
}

/// Checks every side output (JSON reports) before any work: not an input, not a folder, in a
/// writable folder. They are reports and are replaced when they exist.
public func checkSideOutputs(_ outputs: [String?], against inputs: [String]) throws {
    for case let output? in outputs { try OutputPreflight.check(output, against: inputs) }
}
