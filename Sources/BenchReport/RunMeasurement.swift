// One measured recv-loop run and the statistics over repetitions, shared by `sockets-bench`
// and the peers benchmark (which reads `sockets-bench receive`'s JSON into it).

/// What one run of one contender measured.
public struct RunMeasurement: Codable, Sendable {
    /// Bytes received in the timed region.
    public var bytes: Int
    /// Wall-clock seconds of the timed region.
    public var seconds: Double
    /// Receive calls made (datagrams, for UDP).
    public var calls: Int
    /// CPU seconds (user + system) the receiver spent in the timed region.
    public var cpuSeconds: Double

    /// A measurement of `bytes` in `seconds` with `calls` calls and `cpuSeconds` of CPU.
    public init(bytes: Int, seconds: Double, calls: Int, cpuSeconds: Double) {
        self.bytes = bytes
        self.seconds = seconds
        self.calls = calls
        self.cpuSeconds = cpuSeconds
    }

    /// Throughput in GiB/s.
    public var gibPerSecond: Double { Double(bytes) / seconds / Double(1 << 30) }
    /// Calls per second.
    public var callsPerSecond: Double { Double(calls) / seconds }
    /// Receiver CPU seconds per GiB received.
    public var cpuSecondsPerGiB: Double { cpuSeconds / (Double(bytes) / Double(1 << 30)) }
}

/// The median of `values` (the mean of the middle two for an even count; 0 when empty).
public func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
