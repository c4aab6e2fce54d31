// The tests that hold many connections in this one process (both ends of each) raise its
// limit on open descriptors first: the other tests running beside them need descriptors too.

import Foundation

/// Raises this process's soft limit on open descriptors to `wanted`, or to the hard limit if that
/// is lower, and returns the soft limit now in force.
func raiseDescriptorLimit(to wanted: Int) -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
    if limit.rlim_cur < rlim_t(wanted) {
        var raised = limit
        raised.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
    }
    return Int(clamping: limit.rlim_cur)
}
