// Counts heap allocations made by the calling thread, for tests that prove a path allocates
// nothing. The test executable defines malloc and friends (passing through to the C library's),
// which interposes them for the whole process; counting is per thread and off by default.
#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H

#include <stdint.h>

/// Whether counting works in this build (not under a sanitizer, which owns malloc itself).
int32_t malloc_counter_available(void);

/// Starts counting this thread's allocations from zero.
void malloc_counter_start(void);

/// Stops counting and returns how many allocations this thread made since the start.
int64_t malloc_counter_stop(void);

/// Starts counting every thread's allocations from zero (for work that moves between threads,
/// such as a task that suspends; run such a test alone, serially).
void malloc_counter_start_all_threads(void);

/// Stops counting every thread's allocations and returns how many were made since the start.
int64_t malloc_counter_stop_all_threads(void);

#endif
