// See CAsyncRuntime.h.

#define _GNU_SOURCE
#include "CAsyncRuntime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>
#include <stddef.h>
#if defined(__linux__)
#include <sched.h>
#endif
#include <unistd.h>

// The hook's types, from the Swift runtime's include/swift/Runtime/Concurrency.h: both the hook
// and the original it is handed use Swift's calling convention.
#define CASYNC_SWIFTCC __attribute__((swiftcall))
typedef CASYNC_SWIFTCC void (*casync_original_enqueue)(void *job);
typedef CASYNC_SWIFTCC void (*casync_enqueue_hook)(void *job, casync_original_enqueue original);

static casync_enqueue_function installed_enqueue;

static CASYNC_SWIFTCC void casync_enqueue_global(void *job, casync_original_enqueue original) {
    (void)original;
    __atomic_load_n(&installed_enqueue, __ATOMIC_ACQUIRE)(job);
}

static casync_enqueue_hook *_Nullable hook_address(void) {
    return (casync_enqueue_hook *)dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobal_hook");
}

int32_t casync_install_global_executor(casync_enqueue_function enqueue) {
    casync_enqueue_hook *hook = hook_address();
    if (hook == NULL) return CASYNC_HOOK_MISSING;
    __atomic_store_n(&installed_enqueue, enqueue, __ATOMIC_RELEASE);
    casync_enqueue_hook expected = NULL;
    if (!__atomic_compare_exchange_n(hook, &expected, casync_enqueue_global, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        return CASYNC_HOOK_TAKEN;
    }
    return CASYNC_INSTALLED;
}

// swift_job_run(Job *, SerialExecutorRef): the reference is two words (identity, implementation),
// passed in two registers; the generic executor is both zero.
extern CASYNC_SWIFTCC void swift_job_run(void *job, void *identity, uintptr_t implementation);

void casync_run_global_job(void *job) { swift_job_run(job, NULL, 0); }

static _Thread_local void *current_reactor;

void *casync_current_reactor(void) { return current_reactor; }

void casync_set_current_reactor(void *reactor) { current_reactor = reactor; }

int32_t casync_available_cpus(void) {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int32_t)online : 1;
}

void casync_name_thread(const char *name) {
#if defined(__linux__)
    char shortened[16];
    strncpy(shortened, name, sizeof(shortened) - 1);
    shortened[sizeof(shortened) - 1] = 0;
    pthread_setname_np(pthread_self(), shortened);
#else
    (void)name;
#endif
}

int32_t casync_is_main_thread(void) {
#if defined(__linux__)
    return gettid() == getpid();
#else
    return pthread_main_np() == 1;
#endif
}
