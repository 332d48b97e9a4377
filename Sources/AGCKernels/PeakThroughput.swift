import CAGCKernels
import Dispatch

extension KernelISA {
    /// This machine's INT8 multiply-accumulates per second (in billions) for this instruction set
    /// with `threads` threads: the dot-product instruction on registers only, timed for about
    /// `seconds`. The ceiling the INT8 convolution kernels are measured against.
    public func peakGMACs(threads: Int, seconds: Double = 0.5) -> Double {
        peak(threads: threads, seconds: seconds) { agc_peak_int8_macs($0, $1) }
    }

    /// The same for the float kernels' fused multiply-add.
    public func peakFloatGMACs(threads: Int, seconds: Double = 0.5) -> Double {
        peak(threads: threads, seconds: seconds) { agc_peak_f32_macs($0, $1) }
    }

    private func peak(threads: Int, seconds: Double, _ loop: @escaping @Sendable (agc_isa, UInt64) -> UInt64) -> Double {
        let probe: UInt64 = 1 << 16
        var start = DispatchTime.now().uptimeNanoseconds
        _ = loop(cValue, probe)
        let probeSeconds = max(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, 1e-6)
        let iterations = UInt64(Double(probe) * seconds / probeSeconds)
        var macs = [UInt64](repeating: 0, count: threads)
        start = DispatchTime.now().uptimeNanoseconds
        let isa = cValue
        macs.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: threads) { t in out[t] = loop(isa, iterations) }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(macs.reduce(0, +)) / elapsed / 1e9
    }
}
