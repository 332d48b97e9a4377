import CAGCKernels

/// A reusable working buffer that grows to the largest size asked for and is kept: the
/// optimised kernels lay their inputs out in it, so that a decoder's per-frame loop allocates
/// nothing (big allocations cost page faults and, with several threads, TLB shootdowns).
/// One space serves one caller at a time.
public final class ScratchSpace: @unchecked Sendable {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0

    public init() {}

    deinit {
        storage?.deallocate()
    }

    /// At least `count` bytes, valid until the next call.
    public func bytes(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if count > capacity {
            storage?.deallocate()
            capacity = max(count, capacity * 3 / 2)
            storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        }
        return storage!.assumingMemoryBound(to: UInt8.self)
    }

    /// At least `count` 32-bit words (64-byte aligned), valid until the next call.
    public func int32s(_ count: Int) -> UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(bytes(4 * count)).assumingMemoryBound(to: Int32.self)
    }
}

/// Keeps large allocations in the heap instead of fresh mappings (glibc: mmap and trim
/// thresholds raised to 256 MB), so that tensors freed and allocated again each frame reuse the
/// same pages: no page faults and no cross-core TLB shootdowns in the per-frame loop. Call once,
/// at the start of a tool.
public func keepLargeAllocationsInTheHeap() {
    agc_keep_large_allocations_in_heap()
}
