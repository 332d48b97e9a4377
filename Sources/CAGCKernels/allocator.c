// glibc's allocator tuning for the decoders' per-frame loop (see ScratchSpace.swift), and a
// working buffer per thread.
#include "agc_kernels.h"
#include <pthread.h>
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void agc_keep_large_allocations_in_heap(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

// A working buffer per thread, kept and grown as needed, freed when the thread ends.
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

typedef struct {
    void *data;
    size_t bytes;
} thread_scratch;

static void scratch_free(void *p) {
    thread_scratch *s = p;
    free(s->data);
    free(s);
}

static void scratch_key_create(void) { pthread_key_create(&scratch_key, scratch_free); }

void *agc_thread_scratch(size_t bytes) {
    pthread_once(&scratch_once, scratch_key_create);
    thread_scratch *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = calloc(1, sizeof(thread_scratch));
        if (!s) return NULL;
        pthread_setspecific(scratch_key, s);
    }
    if (bytes > s->bytes) {
        free(s->data);
        size_t grown = bytes + bytes / 2;
        if (posix_memalign(&s->data, 64, grown) != 0) {
            s->data = NULL;
            s->bytes = 0;
            return NULL;
        }
        s->bytes = grown;
    }
    return s->data;
}
