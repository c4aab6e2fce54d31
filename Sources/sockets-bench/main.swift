// sockets-bench: the library's recv loop against a plain C recv loop, side by side in one run.
//
//   sockets-bench [--sizes 64,1024,...] [--repetitions 5] [--modes drain,stream]
//                 [--duration 0.5] [--bytes 268435456] [--udp-count 100000] [--no-udp]
//                 [--no-tcp] [--json FILE] [--svg FILE]
//
// Contenders run interleaved (A B C, B C A, ...); rates are the medians of the repetitions,
// CPU per GiB is the total over them; every ratio compares with the C loop of the same run.

import BenchC
import BenchReport
import Foundation
import Sockets

struct Options {
    var sizes = [64, 1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024]
    var repetitions = 5
    var modes: [Mode] = [.drain, .stream]
    var duration = Duration.milliseconds(500)
    var drainBytes = 256 << 20
    var udpCount = 100_000
    var udpSizes = [64, 1200]
    var tcp = true
    var udp = true
    var json: String?
    var svg: String?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw usage("\(flag) needs a value") }
            return next
        }
        func number(_ flag: String, _ text: String) throws -> Int {
            guard let number = Int(text), number > 0 else { throw usage("\(flag): not a positive number: \(text)") }
            return number
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--sizes": sizes = try value(flag).split(separator: ",").map { try number(flag, String($0)) }
            case "--repetitions": repetitions = try number(flag, value(flag))
            case "--modes":
                modes = try value(flag).split(separator: ",").map {
                    guard let mode = Mode(rawValue: String($0)) else { throw usage("--modes: drain or stream") }
                    return mode
                }
            case "--duration":
                guard let seconds = Double(try value(flag)), seconds > 0, seconds < 3600 else {
                    throw usage("--duration: seconds, more than 0")
                }
                duration = .milliseconds(Int64(seconds * 1000))
            case "--bytes": drainBytes = try number(flag, value(flag))
            case "--udp-count": udpCount = try number(flag, value(flag))
            case "--udp-sizes": udpSizes = try value(flag).split(separator: ",").map { try number(flag, String($0)) }
            case "--no-udp": udp = false
            case "--no-tcp": tcp = false
            case "--json": json = try value(flag)
            case "--svg": svg = try value(flag)
            default: throw usage("unknown flag \(flag)")
            }
        }
    }
}

struct UsageError: Error, CustomStringConvertible { var description: String }
func usage(_ message: String) -> UsageError { UsageError(description: message) }

/// Rotates `items` by `shift`, for interleaving the contenders' order between repetitions.
func rotated<T>(_ items: [T], by shift: Int) -> [T] {
    guard !items.isEmpty else { return items }
    let start = shift % items.count
    return Array(items[start...] + items[..<start])
}

/// Repetition `index`'s order: rotated, and reversed on odd repetitions, so that no contender
/// always runs right after the same one (a predecessor's leftovers, such as a full receive
/// queue being freed, would otherwise always fall on the same contender).
func interleaved<T>(_ items: [T], repetition index: Int) -> [T] {
    let order = rotated(items, by: index / 2)
    return index % 2 == 0 ? order : order.reversed()
}

/// Medians per contender, with ratios against `baseline`.
func summarize(_ results: [String: [RunMeasurement]], order: [String], baseline: String, workload: String,
               mode: String, size: Int) -> [Row] {
    func medians(_ name: String) -> (Double, Double, Double) {
        let runs = results[name] ?? []
        return (median(runs.map(\.gibPerSecond)), median(runs.map(\.callsPerSecond)),
                // CPU per GiB over all repetitions together: a single drain run can be too short
                // for the thread's CPU clock to resolve a few percent.
                runs.reduce(0) { $0 + $1.cpuSeconds } / (Double(runs.reduce(0) { $0 + $1.bytes }) / Double(1 << 30)))
    }
    let (cRate, cCalls, cCPU) = medians(baseline)
    return order.map { name in
        let (rate, calls, cpu) = medians(name)
        return Row(workload: workload, mode: mode, size: size, contender: name,
                   repetitions: results[name]?.count ?? 0, gibPerSecond: rate, callsPerSecond: calls,
                   cpuSecondsPerGiB: cpu, ratioToC: rate / cRate, callsRatioToC: calls / cCalls,
                   cpuRatioToC: cpu / cCPU)
    }
}

func printTable(_ rows: [Row]) {
    let header = ["workload", "mode", "size", "contender", "GiB/s", "calls/s", "CPU s/GiB", "x C", "calls x C", "CPU x C"]
    var lines = [header]
    for row in rows {
        lines.append([row.workload, row.mode, "\(row.size)", row.contender,
                      String(format: "%.2f", row.gibPerSecond), String(format: "%.0f", row.callsPerSecond),
                      String(format: "%.3f", row.cpuSecondsPerGiB), String(format: "%.3f", row.ratioToC),
                      String(format: "%.3f", row.callsRatioToC), String(format: "%.3f", row.cpuRatioToC)])
    }
    let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
    for (index, line) in lines.enumerated() {
        print(line.enumerated().map { column, cell in
            column == 3 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[column] - cell.count) + cell
        }.joined(separator: "  "))
        if index == 0 { print(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))) }
    }
}

/// `sockets-bench receive CONTENDER SIZE MODE BYTES MILLISECONDS PORT`: one measured run
/// against a running source, printed as one JSON line (for the peers benchmark, which runs the
/// C loop and the library through this and its peers in-process, against the same source).
func runOneReceive(_ arguments: [String]) throws -> Never {
    guard arguments.count == 6, let contender = TCPContender.allCases.first(where: { "\($0)" == arguments[0] }),
          let size = Int(arguments[1]), let mode = Mode(rawValue: arguments[2]), let bytes = Int(arguments[3]),
          let milliseconds = Int64(arguments[4]), let port = UInt16(arguments[5]) else {
        throw usage("receive CONTENDER(c|span|raw) SIZE MODE BYTES MILLISECONDS PORT")
    }
    if ProcessInfo.processInfo.activeProcessorCount > 1 { _ = bench_pin_to_cpu(1) }
    let run = try measureTCP(contender, size: size, mode: mode, bytes: bytes,
                             duration: .milliseconds(milliseconds), sourcePort: port)
    print(String(decoding: try JSONEncoder().encode(run), as: UTF8.self))
    exit(0)
}

func main() throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "source" { try runSourceProcess(connections: 1_000_000) }
    if arguments.first == "receive" { try runOneReceive(Array(arguments.dropFirst())) }
    let options = try Options(arguments)
    if ProcessInfo.processInfo.activeProcessorCount > 1 { _ = bench_pin_to_cpu(1) }
    var rows: [Row] = []
    if options.tcp {
        let source = try ChildProcess(CommandLine.arguments[0], ["source"])
        defer { source.finish() }
        for mode in options.modes {
            for size in options.sizes {
                let bytes = min(options.drainBytes, size * 1_000_000)
                var results: [String: [RunMeasurement]] = [:]
                for repetition in 0..<options.repetitions {
                    for contender in rotated(TCPContender.allCases, by: repetition) {
                        let run = try measureTCP(contender, size: size, mode: mode, bytes: bytes,
                                                 duration: options.duration, sourcePort: source.port)
                        results[contender.rawValue, default: []].append(run)
                    }
                }
                let summary = summarize(results, order: TCPContender.allCases.map(\.rawValue),
                                        baseline: TCPContender.c.rawValue, workload: "tcp", mode: mode.rawValue, size: size)
                rows += summary
                FileHandle.standardError.write(Data("tcp \(mode.rawValue) \(size) B: done\n".utf8))
            }
        }
    }
    var twins: [String] = []
    if options.udp {
        for size in options.udpSizes {
            var results: [String: [RunMeasurement]] = [:]
            var sends: [String: [RunMeasurement]] = [:]
            for repetition in 0..<options.repetitions {
                for contender in interleaved(UDPContender.allCases, repetition: repetition) {
                    results[contender.rawValue, default: []].append(try measureUDP(contender, size: size, count: options.udpCount))
                }
                for contender in interleaved(UDPSendContender.allCases, repetition: repetition) {
                    sends[contender.rawValue, default: []].append(
                        try measureUDPSend(contender, size: size, count: options.udpCount))
                }
            }
            let drain = summarize(results, order: UDPContender.allCases.map(\.rawValue),
                                  baseline: UDPContender.cPlain.rawValue, workload: "udp", mode: "drain", size: size)
            let send = summarize(sends, order: UDPSendContender.allCases.map(\.rawValue),
                                 baseline: UDPSendContender.cPlain.rawValue, workload: "udp", mode: "send", size: size)
            rows += drain + send
            twins += twinRatios(drain, pairs: UDPContender.allCases.compactMap { c in c.twin.map { (c.rawValue, $0.rawValue) } })
            twins += twinRatios(send, pairs: UDPSendContender.allCases.compactMap { c in c.twin.map { (c.rawValue, $0.rawValue) } })
            FileHandle.standardError.write(Data("udp \(size) B: done\n".utf8))
        }
    }
    print("sockets-bench: medians of \(options.repetitions) interleaved runs (CPU s/GiB: total over them); ratios against the C loop of the same run")
    print("(udp rows: calls/s is datagrams/s)")
    printTable(rows)
    if !twins.isEmpty {
        print("\nlibrary paths against their C twins (medians of the same run):")
        twins.forEach { print($0) }
    }
    if let path = options.json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(rows).write(to: URL(fileURLWithPath: path))
    }
    if let path = options.svg {
        let mode = options.modes.first?.rawValue ?? "drain"
        try throughputChart(rows, mode: mode, title: "TCP recv loop over loopback, \(mode) mode (sockets-bench)")
            .write(toFile: path, atomically: true, encoding: .utf8)
    }
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("sockets-bench: \(error)\n".utf8))
    exit(1)
}
