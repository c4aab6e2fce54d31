// The pieces of the async runtime that Swift cannot spell: the concurrency runtime's global
// executor hook (a Swift-calling-convention function pointer found with dlsym), a thread-local
// "current reactor", and the CPUs this process may run on. Internal to AsyncSockets; nothing
// here is API.

#ifndef CASYNCRUNTIME_H
#define CASYNCRUNTIME_H

#include <stdint.h>

/// Receives each job the concurrency runtime would have queued on its global executor.
typedef void (*casync_enqueue_function)(void *_Nonnull job);

/// The outcomes of `casync_install_global_executor`.
enum {
    /// Installed: every global job now goes to `enqueue`.
    CASYNC_INSTALLED = 0,
    /// The concurrency runtime has no `swift_task_enqueueGlobal_hook` (another runtime).
    CASYNC_HOOK_MISSING = 1,
    /// Some other code has already installed a hook.
    CASYNC_HOOK_TAKEN = 2,
};

/// Installs `enqueue` as the concurrency runtime's global enqueue hook (`swift_task_enqueueGlobal_hook`,
/// looked up with dlsym and set with a compare-and-exchange). In C because the hook has Swift's
/// calling convention and a Swift-convention parameter, which a Swift closure cannot be
/// guaranteed to match. Returns one of the `CASYNC_*` outcomes.
int32_t casync_install_global_executor(casync_enqueue_function _Nonnull enqueue);

/// Runs a job of the global executor the way Swift's own global executor does: on the generic
/// executor, with no task executor (`swift_job_run(job, SerialExecutorRef::generic())`). Run
/// with a task executor instead, a task with no executor preference would leave that executor
/// at its next `swift_task_switch` (a hop through the queue per call). In C for the Swift
/// calling convention and the two-word executor reference.
void casync_run_global_job(void *_Nonnull job);

/// The reactor that runs on the calling thread, or NULL. In C for `_Thread_local`: one load,
/// no pthread key lookup.
void *_Nullable casync_current_reactor(void);

/// Sets the calling thread's reactor (once, as a reactor thread starts).
void casync_set_current_reactor(void *_Nullable reactor);

/// How many CPUs the process may run on (`sched_getaffinity`), at least 1.
int32_t casync_available_cpus(void);

/// Whether the calling thread is the process's main thread (its thread id is the process id;
/// `gettid` is not in Swift's Glibc module).
int32_t casync_is_main_thread(void);

/// Names the calling thread (`pthread_setname_np`, at most 15 bytes kept), so that `top -H`,
/// `perf` and debuggers show which threads are reactors. Glibc-only, hence in C.
void casync_name_thread(const char *_Nonnull name);

#endif
