// Small helpers the package's own targets share (netclient, SocketsTesting, the benchmark),
// defined once here with `package` access: visible inside this package, not to its users.

extension Duration {
    /// The duration in seconds, as a `Double`.
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Sleeps the calling thread for `duration`, resuming after signals until it has passed.
package func sleepThread(_ duration: Duration) {
    let deadline = Deadline.after(duration)
    while !deadline.hasPassed { Sys.sleep(deadline.remaining) }
}

/// Raises this process's soft limit on open descriptors to `wanted`, or to the hard limit if
/// that is lower, and returns the soft limit now in force. For a process (or a test) that holds
/// many connections at once.
@discardableResult
package func raiseDescriptorLimit(to wanted: Int) -> Int {
    guard let limits = Sys.openFileLimits() else { return 1024 }
    guard limits.soft < wanted else { return limits.soft }
    let raised = min(wanted, limits.hard)
    return Sys.setOpenFileSoftLimit(raised, hard: limits.hard) ? raised : limits.soft
}
