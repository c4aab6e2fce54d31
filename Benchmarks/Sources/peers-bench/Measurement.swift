// One measured run, as `sockets-bench` reports it, and medians.

/// What one run of one contender measured.
struct Measurement: Codable {
    var bytes: Int
    var seconds: Double
    var calls: Int
    var cpuSeconds: Double

    var gibPerSecond: Double { Double(bytes) / seconds / Double(1 << 30) }
    var callsPerSecond: Double { Double(calls) / seconds }
    var cpuSecondsPerGiB: Double { cpuSeconds / (Double(bytes) / Double(1 << 30)) }
}

/// The median of `values`.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
