import CAGCKernels
import Dispatch

/// Runs `body(i)` for every `i` in `0..<count`, spread over `threads` threads (the caller's
/// included) of the kernels' persistent pool (`agc_parallel_for`: workers spin briefly between
/// jobs, so the decoder's many short parallel steps do not each pay for waking threads). While
/// another thread's job holds the pool (several decoders in one process), Dispatch's threads run
/// it instead. Each index is handled exactly once; the results must not depend on the split.
public func parallelFor(_ count: Int, threads: Int = KernelThreads.count, _ body: (Int) -> Void) {
    if threads <= 1 || count <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        var task = body
        let ran = withUnsafeMutablePointer(to: &task) { pointer in
            agc_parallel_for(count, Int32(threads), { context, index in
                context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
            }, pointer)
        }
        guard ran == 0 else { return }
        DispatchQueue.concurrentPerform(iterations: min(threads, count)) { worker in
            var i = worker
            while i < count {
                body(i)
                i += threads
            }
        }
    }
}
