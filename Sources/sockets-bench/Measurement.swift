// One measured run and the statistics over repetitions.

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

/// The median of `values` (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// One row of the report: a contender's medians for one workload.
struct Row: Codable {
    var workload: String
    var mode: String
    var size: Int
    var contender: String
    var repetitions: Int
    var gibPerSecond: Double
    var callsPerSecond: Double
    var cpuSecondsPerGiB: Double
    var ratioToC: Double
    var callsRatioToC: Double
    var cpuRatioToC: Double
}
