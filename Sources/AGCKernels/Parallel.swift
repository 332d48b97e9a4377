import Dispatch

/// Runs `body(i)` for every `i` in `0..<count`, spread over `KernelThreads.count` threads.
/// Each index is handled exactly once; the results must not depend on the split.
@inline(__always)
func parallelFor(_ count: Int, threads: Int = KernelThreads.count, _ body: (Int) -> Void) {
    if threads <= 1 || count <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: min(threads, count)) { worker in
            var i = worker
            while i < count {
                body(i)
                i += threads
            }
        }
    }
}
