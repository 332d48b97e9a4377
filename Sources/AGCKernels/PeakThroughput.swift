import CAGCKernels
import Dispatch

extension KernelISA {
    /// This machine's INT8 multiply-accumulates per second (in billions) for this instruction set
    /// with `threads` threads: the dot-product instruction on registers only, timed for about
    /// `seconds`. The ceiling the convolution kernels are measured against.
    public func peakGMACs(threads: Int, seconds: Double = 0.5) -> Double {
        let probe: UInt64 = 1 << 16
        var start = DispatchTime.now().uptimeNanoseconds
        _ = agc_peak_int8_macs(cValue, probe)
        let probeSeconds = max(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, 1e-6)
        let iterations = UInt64(Double(probe) * seconds / probeSeconds)
        var macs = [UInt64](repeating: 0, count: threads)
        start = DispatchTime.now().uptimeNanoseconds
        macs.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: threads) { t in out[t] = agc_peak_int8_macs(cValue, iterations) }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(macs.reduce(0, +)) / elapsed / 1e9
    }
}
