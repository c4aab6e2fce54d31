// One row of the report.

import BenchReport

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
