// A small persistent thread pool for the kernels' parallel loops.
//
// The decoder runs some thirty short operations per frame (0.05-0.5 ms each), each split over the
// cores. Waking sleeping threads for every one costs tens of microseconds each time (Dispatch's
// workers sleep in the kernel), so the workers here spin for a while after each job, as
// OpenMP's and ONNX Runtime's pools do, and only then sleep on a condition variable.
// Tasks are handed out from a shared counter in shrinking chunks; each index runs exactly once.
// One job runs at a time: a call from inside a task runs its indices itself, serially; a call
// made while another thread's job runs returns without running anything, and the caller splits
// the work its own way.
#include "agc_kernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define PAUSE() _mm_pause()
#else
#define PAUSE() ((void)0)
#endif

enum { MAX_WORKERS = 63, SPIN_ROUNDS = 200000 };

// The job is published like a sequence lock: `sequence` is odd while the caller writes the job's
// fields and even once they are complete; a worker takes a job only if the sequence was the same
// even number before and after it read them, so it never mixes two jobs.
static struct {
    pthread_mutex_t lock;       // held by the caller for the whole job
    pthread_mutex_t sleep_lock; // with wake: sleeping workers
    pthread_cond_t wake;
    int workers;                // started so far
    _Atomic unsigned long sequence;
    _Atomic int sleepers;
    _Atomic(agc_task_fn) fn;
    _Atomic(void *) context;
    _Atomic long count;
    _Atomic int helpers;        // workers 0 ..< helpers take part
    _Atomic long next;          // the next task index to hand out
    _Atomic int running;        // helpers not yet done with the job
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static _Thread_local bool inside_task;
/// The sequence number when worker i was started (it takes every job published after).
static unsigned long started_at[MAX_WORKERS];

// Guided scheduling: each grab takes a share of what is left (remaining / (2 x threads), at least
// one), so that a job of many small tasks costs a few shared-counter updates per thread instead
// of one per task (each moves a cache line between cores), and the last grabs are single tasks.
static void run_tasks(agc_task_fn fn, void *context, long count, int threads) {
    long first = atomic_load_explicit(&pool.next, memory_order_relaxed);
    while (first < count) {
        long chunk = (count - first) / (2 * threads);
        if (chunk < 1) chunk = 1;
        if (!atomic_compare_exchange_weak_explicit(&pool.next, &first, first + chunk, memory_order_relaxed,
                                                   memory_order_relaxed)) {
            continue;  // `first` now holds the current value
        }
        for (long i = first; i < first + chunk; i++) fn(context, i);
        first = atomic_load_explicit(&pool.next, memory_order_relaxed);
    }
}

/// Waits until the sequence is a published number other than `seen` and returns it.
static unsigned long next_job(unsigned long seen) {
    unsigned long now;
    for (int spins = 0; ((now = atomic_load(&pool.sequence)) == seen || (now & 1)) && spins < SPIN_ROUNDS; spins++) PAUSE();
    if (now != seen && !(now & 1)) return now;
    pthread_mutex_lock(&pool.sleep_lock);
    atomic_fetch_add(&pool.sleepers, 1);
    while ((now = atomic_load(&pool.sequence)) == seen || (now & 1)) pthread_cond_wait(&pool.wake, &pool.sleep_lock);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.sleep_lock);
    return now;
}

static void *worker_main(void *argument) {
    int id = (int)(long)argument;
    inside_task = true;
    unsigned long seen = started_at[id];
    for (;;) {
        unsigned long now = next_job(seen);
        agc_task_fn fn = atomic_load_explicit(&pool.fn, memory_order_relaxed);
        void *context = atomic_load_explicit(&pool.context, memory_order_relaxed);
        long count = atomic_load_explicit(&pool.count, memory_order_relaxed);
        int helpers = atomic_load_explicit(&pool.helpers, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&pool.sequence, memory_order_relaxed) != now) continue;  // torn: read again
        seen = now;
        if (id < helpers) {
            run_tasks(fn, context, count, helpers + 1);
            atomic_fetch_sub_explicit(&pool.running, 1, memory_order_release);
        }
    }
    return NULL;
}

int agc_parallel_for(long count, int threads, agc_task_fn fn, void *context) {
    if (threads > MAX_WORKERS + 1) threads = MAX_WORKERS + 1;
    if (threads <= 1 || count <= 1 || inside_task) {
        for (long i = 0; i < count; i++) fn(context, i);
        return 1;
    }
    if (pthread_mutex_trylock(&pool.lock) != 0) return 0;
    int helpers = (int)(count - 1 < threads - 1 ? count - 1 : threads - 1);
    while (pool.workers < helpers) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        started_at[pool.workers] = atomic_load(&pool.sequence);
        int failed = pthread_create(&thread, &attributes, worker_main, (void *)(long)pool.workers);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        pool.workers++;
    }
    if (helpers > pool.workers) helpers = pool.workers;
    atomic_fetch_add(&pool.sequence, 1);  // odd: writing
    atomic_store_explicit(&pool.fn, fn, memory_order_relaxed);
    atomic_store_explicit(&pool.context, context, memory_order_relaxed);
    atomic_store_explicit(&pool.count, count, memory_order_relaxed);
    atomic_store_explicit(&pool.helpers, helpers, memory_order_relaxed);
    atomic_store_explicit(&pool.next, 0, memory_order_relaxed);
    atomic_store_explicit(&pool.running, helpers, memory_order_relaxed);
    atomic_fetch_add(&pool.sequence, 1);  // even: published (sequentially consistent, before the sleeper check)
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.sleep_lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.sleep_lock);
    }
    inside_task = true;
    run_tasks(fn, context, count, helpers + 1);
    inside_task = false;
    while (atomic_load_explicit(&pool.running, memory_order_acquire) > 0) PAUSE();
    pthread_mutex_unlock(&pool.lock);
    return 1;
}
