// A pass-through malloc that counts the calling thread's allocations while asked to.
// The real functions come from dlsym(RTLD_NEXT); while dlsym itself allocates, a small static
// arena serves it.
#define _GNU_SOURCE
#include "MallocCounter.h"

#include <stddef.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MALLOC_COUNTER_DISABLED 1
#endif
#endif

#if defined(__linux__) && !defined(MALLOC_COUNTER_DISABLED)
#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>

static __thread int counting;
static __thread int64_t allocations;
static _Atomic int counting_all;
static _Atomic int64_t allocations_all;

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);

static _Alignas(64) char bootstrap[16384];
static size_t bootstrap_used;
static int resolving;

static void *bootstrap_alloc(size_t size) {
    size_t start = (bootstrap_used + 63) & ~(size_t)63;
    if (start + size > sizeof bootstrap) return NULL;
    bootstrap_used = start + size;
    return bootstrap + start;
}

static int from_bootstrap(void *pointer) {
    return (char *)pointer >= bootstrap && (char *)pointer < bootstrap + sizeof bootstrap;
}

static void resolve(void) {
    if (real_malloc || resolving) return;
    resolving = 1;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    resolving = 0;
}

#include <execinfo.h>
#include <stdlib.h>
static _Atomic int traces_left;
/// With MALLOC_COUNTER_TRACE=N in the environment, the first N allocations counted across all
/// threads print their stack to stderr: the way to find what allocates on a hot path.
static void trace(void) {
    if (traces_left <= 0) return;
    traces_left--;
    void *frames[24];
    int count = backtrace(frames, 24);
    backtrace_symbols_fd(frames, count, 2);
    (void)!write(2, "--\n", 3);
}
#define COUNT() do { \
    if (counting) { allocations++; trace(); } \
    if (counting_all) { allocations_all++; trace(); } \
} while (0)

void *malloc(size_t size) {
    resolve();
    if (!real_malloc) return bootstrap_alloc(size);
    COUNT();
    return real_malloc(size);
}

void *calloc(size_t count, size_t size) {
    resolve();
    if (!real_calloc) return bootstrap_alloc(count * size);  // static memory is zeroed
    COUNT();
    return real_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    resolve();
    if (from_bootstrap(pointer)) {
        void *moved = malloc(size);
        if (moved) memcpy(moved, pointer, size);
        return moved;
    }
    COUNT();
    return real_realloc(pointer, size);
}

void free(void *pointer) {
    if (pointer == NULL || from_bootstrap(pointer)) return;
    resolve();
    real_free(pointer);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    resolve();
    COUNT();
    return real_posix_memalign(result, alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    resolve();
    COUNT();
    return real_aligned_alloc(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    resolve();
    COUNT();
    return real_memalign(alignment, size);
}

int32_t malloc_counter_available(void) { return 1; }

void malloc_counter_start(void) {
    const char *limit = getenv("MALLOC_COUNTER_TRACE");
    if (limit) {
        void *frames[2];
        backtrace(frames, 2);  // Loads what backtrace needs before counting starts.
        traces_left = atoi(limit);
    }
    allocations = 0;
    counting = 1;
}

int64_t malloc_counter_stop(void) {
    counting = 0;
    return allocations;
}

void malloc_counter_start_all_threads(void) {
    const char *limit = getenv("MALLOC_COUNTER_TRACE");
    if (limit) {
        void *frames[2];
        backtrace(frames, 2);  // Loads what backtrace needs before counting starts.
        traces_left = atoi(limit);
    }
    allocations_all = 0;
    counting_all = 1;
}

int64_t malloc_counter_stop_all_threads(void) {
    counting_all = 0;
    return allocations_all;
}

#else

int32_t malloc_counter_available(void) { return 0; }
void malloc_counter_start(void) {}
int64_t malloc_counter_stop(void) { return -1; }
void malloc_counter_start_all_threads(void) {}
int64_t malloc_counter_stop_all_threads(void) { return -1; }

#endif
