import Dispatch
import XCTest
@testable import AGCKernels

/// The kernels' thread pool: every index exactly once, for any thread count, from several
/// threads at once (one gets the pool, the others Dispatch) and from inside a task.
final class ParallelForTests: XCTestCase {
    func counts(_ n: Int, threads: Int) -> [Int] {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: n)
        hits.initialize(repeating: 0, count: n)
        defer { hits.deallocate() }
        parallelFor(n, threads: threads) { i in hits[i] += 1 }
        return Array(UnsafeBufferPointer(start: hits, count: n))
    }

    func testEveryIndexExactlyOnce() {
        for threads in [1, 2, 3, 8] {
            for n in [0, 1, 2, 7, 1000] {
                for _ in 0..<20 { XCTAssertEqual(counts(n, threads: threads), Array(repeating: 1, count: n), "\(n) over \(threads)") }
            }
        }
    }

    func testConcurrentCallersAndNestedCalls() {
        let callers = 4, n = 513
        let results = UnsafeMutablePointer<Bool>.allocate(capacity: callers)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: callers) { c in
            var ok = true
            for _ in 0..<50 {
                ok = ok && counts(n, threads: 2) == Array(repeating: 1, count: n)
                // A parallel loop inside a task runs serially on that task's thread.
                let inner = UnsafeMutablePointer<Int>.allocate(capacity: 8 * 16)
                inner.initialize(repeating: 0, count: 8 * 16)
                parallelFor(8, threads: 2) { i in parallelFor(16, threads: 2) { j in inner[i * 16 + j] += 1 } }
                ok = ok && UnsafeBufferPointer(start: inner, count: 8 * 16).allSatisfy { $0 == 1 }
                inner.deallocate()
            }
            results[c] = ok
        }
        XCTAssertTrue(UnsafeBufferPointer(start: results, count: callers).allSatisfy { $0 })
    }
}
