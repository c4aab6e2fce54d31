// peers-bench: the recv loop of Sockets against SwiftNIO, Foundation, Python and iperf3, with
// the plain C loop as the baseline, on the same source (sockets-bench's C source process),
// interleaved, medians of the repetitions, ratios against C from the same run.
//
//   peers-bench --sockets-bench PATH [--sizes 1024,65536,1048576] [--repetitions 5]
//               [--modes drain,stream] [--duration 0.5] [--bytes 268435456]

import BenchReport
import Foundation
import NIOPosix

struct Options {
    var socketsBench = "../.build/release/sockets-bench"
    var sizes = [1024, 64 * 1024, 1024 * 1024]
    var repetitions = 5
    var modes = ["drain", "stream"]
    var milliseconds = 500
    var drainBytes = 256 << 20

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw Failure("\(flag) needs a value") }
            switch flag {
            case "--sockets-bench": socketsBench = value
            case "--sizes": sizes = value.split(separator: ",").compactMap { Int($0) }
            case "--repetitions": repetitions = Int(value) ?? 5
            case "--modes": modes = value.split(separator: ",").map(String.init)
            case "--duration": milliseconds = Int((Double(value) ?? 0.5) * 1000)
            case "--bytes": drainBytes = Int(value) ?? drainBytes
            default: throw Failure("unknown flag \(flag)")
            }
        }
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command and returns its standard output (the JSON line of a measurement).
func run(_ executable: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw Failure("\(executable) \(arguments) failed") }
    return data
}

func measurement(_ data: Data) throws -> RunMeasurement {
    try JSONDecoder().decode(RunMeasurement.self, from: data)
}

let options = try Options(Array(CommandLine.arguments.dropFirst()))
let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Scripts/recv_into.py").path

// The source: sockets-bench's C source process, pinned to CPU 0.
let source = Process()
source.executableURL = URL(fileURLWithPath: options.socketsBench)
source.arguments = ["source"]
let sourceOutput = Pipe()
source.standardOutput = sourceOutput
try source.run()
defer { source.terminate() }
guard let port = UInt16(String(decoding: sourceOutput.fileHandleForReading.availableData, as: UTF8.self)
    .trimmingCharacters(in: .whitespacesAndNewlines)) else { throw Failure("the source gave no port") }

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let contenders = ["C recv loop", "Sockets receiveAll", "SwiftNIO", "Foundation FileHandle", "Python recv_into"]
print("peers-bench: medians of \(options.repetitions) interleaved runs; ratios against the C loop of the same run")
print("mode    size  contender               GiB/s     calls/s  CPU s/GiB   x C  Sockets x it")
for mode in options.modes {
    for size in options.sizes {
        let bytes = min(options.drainBytes, size * 1_000_000)
        var results: [String: [RunMeasurement]] = [:]
        for repetition in 0..<options.repetitions {
            let order = Array(contenders[(repetition % contenders.count)...] + contenders[..<(repetition % contenders.count)])
            for contender in order {
                let common = ["\(size)", mode, "\(bytes)", "\(options.milliseconds)", "\(port)"]
                let result: RunMeasurement
                switch contender {
                case "C recv loop": result = try measurement(run(options.socketsBench, ["receive", "c"] + common))
                case "Sockets receiveAll": result = try measurement(run(options.socketsBench, ["receive", "span"] + common))
                case "SwiftNIO":
                    result = try measureNIO(group: group, size: size, mode: mode, bytes: bytes,
                                            milliseconds: options.milliseconds, port: Int(port))
                case "Foundation FileHandle":
                    result = try measureFoundation(size: size, mode: mode, bytes: bytes,
                                                   milliseconds: options.milliseconds, port: port)
                default:
                    result = try measurement(run("taskset", ["-c", "1", "python3", script, "\(port)", "\(size)", mode,
                                                             "\(bytes)", "\(options.milliseconds)"]))
                }
                if mode == "drain" && result.bytes != bytes { throw Failure("\(contender) received \(result.bytes) of \(bytes)") }
                results[contender, default: []].append(result)
            }
        }
        let rate = { (name: String) in median(results[name]!.map(\.gibPerSecond)) }
        for contender in contenders {
            let runs = results[contender]!
            print(String(format: "%-6@ %7d  %-22@ %6.2f %11.0f %10.3f %5.2f %12.2f", mode as NSString, size,
                         contender as NSString, rate(contender), median(runs.map(\.callsPerSecond)),
                         median(runs.map(\.cpuSecondsPerGiB)), rate(contender) / rate("C recv loop"),
                         rate("Sockets receiveAll") / rate(contender)))
        }
    }
}

// iperf3 -R, where installed: its own sender, so a separate line rather than a ratio.
if FileManager.default.isExecutableFile(atPath: "/usr/bin/iperf3") {
    let serverPort = 5299
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/iperf3")
    server.arguments = ["-s", "-1", "-B", "127.0.0.1", "-p", "\(serverPort)", "-A", "0"]
    server.standardOutput = FileHandle.nullDevice
    try server.run()
    Thread.sleep(forTimeInterval: 0.5)
    let data = try run("/usr/bin/iperf3", ["-c", "127.0.0.1", "-p", "\(serverPort)", "-R", "-t", "2", "-l", "64K", "-A", "1", "-J"])
    server.waitUntilExit()
    if let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
       let end = json["end"] as? [String: Any], let received = end["sum_received"] as? [String: Any],
       let bits = received["bits_per_second"] as? Double {
        print(String(format: "iperf3 -R (own sender, stream mode, 64 KiB reads): %.2f GiB/s", bits / 8 / Double(1 << 30)))
    }
} else {
    print("iperf3 not installed: skipped (apt-get install iperf3)")
}
try group.syncShutdownGracefully()
