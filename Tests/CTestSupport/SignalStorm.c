// See SignalStorm.h.
#define _GNU_SOURCE
#include "SignalStorm.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_long delivered;

static void on_alarm(int signal) {
    (void)signal;
    atomic_fetch_add_explicit(&delivered, 1, memory_order_relaxed);
}

struct storm {
    pthread_t target;
    pthread_t thread;
    int64_t interval_us;
    atomic_int stop;
    long start_count;
};

static void *storm_main(void *argument) {
    struct storm *storm = argument;
    struct timespec pause = { .tv_sec = storm->interval_us / 1000000,
                              .tv_nsec = (long)(storm->interval_us % 1000000) * 1000 };
    while (!atomic_load(&storm->stop)) {
        pthread_kill(storm->target, SIGALRM);
        nanosleep(&pause, NULL);
    }
    return NULL;
}

void *signal_storm_start(int64_t interval_us) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    action.sa_flags = 0;  // no SA_RESTART: blocking calls fail with EINTR
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, NULL) != 0) return NULL;
    sigset_t alarm;
    sigemptyset(&alarm);
    sigaddset(&alarm, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &alarm, NULL);
    struct storm *storm = calloc(1, sizeof *storm);
    if (!storm) return NULL;
    storm->target = pthread_self();
    storm->interval_us = interval_us > 0 ? interval_us : 1;
    storm->start_count = atomic_load(&delivered);
    if (pthread_create(&storm->thread, NULL, storm_main, storm) != 0) {
        free(storm);
        return NULL;
    }
    return storm;
}

int64_t signal_storm_stop(void *handle) {
    struct storm *storm = handle;
    if (!storm) return 0;
    atomic_store(&storm->stop, 1);
    pthread_join(storm->thread, NULL);
    int64_t count = atomic_load(&delivered) - storm->start_count;
    free(storm);
    return count;
}
