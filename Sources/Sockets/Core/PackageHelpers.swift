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
