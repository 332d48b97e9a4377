// glibc's allocator tuning for the decoders' per-frame loop (see ScratchSpace.swift).
#include "agc_kernels.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void agc_keep_large_allocations_in_heap(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}
