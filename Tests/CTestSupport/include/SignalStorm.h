// A storm of signals aimed at one thread, for tests that prove EINTR is handled: a helper
// thread sends SIGALRM to the calling thread every few microseconds, through a handler
// installed without SA_RESTART, so that blocking calls really fail with EINTR.
#ifndef SIGNAL_STORM_H
#define SIGNAL_STORM_H

#include <stdint.h>

/// Starts sending SIGALRM to the calling thread every `interval_us` microseconds (and unblocks
/// SIGALRM on it). Returns a handle for `signal_storm_stop`, or NULL if it could not start.
void *signal_storm_start(int64_t interval_us);

/// Stops the storm started with `handle`; returns how many signals the handler received.
int64_t signal_storm_stop(void *handle);

#endif
