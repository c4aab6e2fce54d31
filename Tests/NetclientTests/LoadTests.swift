// netclient load against real servers on loopback: nginx (from the project's config) and
// python3's http.server, whose logs must count exactly the requests the JSON report counts;
// a server that goes away midway, one that stalls, and bad arguments.

import Foundation
import Sockets
import SocketsTesting
import Testing

/// The parsed JSON document a netclient run printed.
func document(_ result: ChildResult) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: result.standardOutput)
    return try #require(object as? [String: Any], "not a JSON object: \(String(decoding: result.standardOutput, as: UTF8.self))")
}

/// The value at `path` (keys of nested objects) in `object`.
func field(_ object: [String: Any], _ path: String...) -> Any? { value(in: object, at: path) }

/// The integer at `path` in `object`.
func integer(_ object: [String: Any], _ path: String...) -> Int? { (value(in: object, at: path) as? NSNumber)?.intValue }

private func value(in object: [String: Any], at path: [String]) -> Any? {
    path.reduce(object as Any?) { ($0 as? [String: Any])?[$1] }
}

/// Checks a latency distribution: as many values as `count`, and min <= p50 <= p90 <= p99 <=
/// p99.9 <= max, all positive.
func expectOrdered(_ distribution: Any?, count: Int, _ name: String) {
    guard let distribution = distribution as? [String: Any] else {
        Issue.record("\(name): no distribution")
        return
    }
    #expect((distribution["count"] as? NSNumber)?.intValue == count, "\(name): \(distribution)")
    let values = ["min", "p50", "p90", "p99", "p99_9", "max"].compactMap { (distribution[$0] as? NSNumber)?.doubleValue }
    #expect(values.count == 6, "\(name): \(distribution)")
    #expect(values.first.map { $0 > 0 } ?? false && zip(values, values.dropFirst()).allSatisfy { $0 <= $1 },
            "\(name) percentiles out of order: \(values)")
}

/// A folder with one 1 KiB file, index.html, readable by everyone (nginx's worker runs as nobody).
func servedPage() throws -> ServedFiles {
    let files = try ServedFiles()
    let file = try files.add("index.html", Data(TestPattern.bytes(count: 1024, seed: 3)))
    _ = chmod(file, 0o644)
    return files
}

@Suite(.serialized, .enabled(if: NginxServer.unavailableReason == nil, Comment(rawValue: NginxServer.unavailableReason ?? "")))
struct LoadAgainstNginxTests {
    @Test(arguments: [false, true])
    func requestCountMatchesTheAccessLog(keepAlive: Bool) throws {
        let files = try servedPage()
        let nginx = try NginxServer(root: files.path)
        let result = try netclient(["load", "127.0.0.1", "\(nginx.port)", "/index.html", "-c", "8", "-n", "600", "--json"]
                                   + (keepAlive ? ["--keep-alive"] : []), timeout: 120)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try document(result)
        #expect(integer(report, "requests", "completed") == 600)
        #expect(integer(report, "requests", "failed") == 0)
        #expect(nginx.loggedRequests(expecting: 600) == 600)
        #expect(integer(report, "status_counts", "200") == 600)
        #expect(field(report, "mode") as? String == (keepAlive ? "keep-alive" : "new-connection"))
        let connections = integer(report, "connections") ?? -1
        if keepAlive {
            #expect(connections >= 1 && connections <= 8, "\(connections) connections for 8 kept-alive clients")
        } else {
            #expect(connections == 600)
        }
        #expect((integer(report, "bytes") ?? 0) >= 600 * 1024)
        expectOrdered(field(report, "latency_seconds"), count: 600, "latency")
        expectOrdered(field(report, "phases_seconds", "first_byte"), count: 600, "first byte")
        expectOrdered(field(report, "phases_seconds", "connect"), count: connections, "connect")
        print("load: 600 requests over \(connections) connections, nginx logged \(nginx.loggedRequests) (keep-alive \(keepAlive))")
    }

    @Test func durationModeCountsMatchTheAccessLog() throws {
        let files = try servedPage()
        let nginx = try NginxServer(root: files.path)
        let result = try netclient(["load", "127.0.0.1", "\(nginx.port)", "/index.html", "-c", "4", "-d", "500ms",
                                    "--keep-alive", "--json"], timeout: 60)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try document(result)
        let completed = integer(report, "requests", "completed") ?? -1
        #expect(completed > 0)
        #expect(nginx.loggedRequests(expecting: completed) == completed)
    }

    @Test(arguments: [false, true])
    func twoThreadsAndTheOpenLoopMatchTheAccessLog(openLoop: Bool) throws {
        let files = try servedPage()
        let nginx = try NginxServer(root: files.path)
        let result = try netclient(["load", "127.0.0.1", "\(nginx.port)", "/index.html", "-t", "2", "-c", "8", "-n", "600",
                                    "--keep-alive", "--json"] + (openLoop ? ["-R", "1000"] : []), timeout: 120)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try document(result)
        #expect(integer(report, "threads") == 2)
        #expect(integer(report, "requests", "completed") == 600)
        #expect(nginx.loggedRequests(expecting: 600) == 600)
        expectOrdered(field(report, "latency_seconds"), count: 600, "latency")
        if openLoop {
            #expect(integer(report, "schedule", "due") == 600)
            expectOrdered(field(report, "latency_corrected_seconds"), count: 600, "latency from when due")
        }
    }

    @Test func textReportNamesTheFigures() throws {
        let files = try servedPage()
        let nginx = try NginxServer(root: files.path)
        let result = try netclient(["load", "127.0.0.1", "\(nginx.port)", "/index.html", "-c", "2", "-n", "50"])
        #expect(result.status == 0, "\(result.standardError)")
        let text = String(decoding: result.standardOutput, as: UTF8.self)
        for needle in ["requests: 50 completed, 0 failed", "requests/s", "latency: p50 ", "p99.9 ", "connect: mean ",
                       "first byte: mean ", "status: 200 x50", "errors: none", "µs per request"] {
            #expect(text.contains(needle), "missing \(needle) in \(text)")
        }
    }
}

@Suite struct LoadTests {
    @Test(arguments: [false, true])
    func requestCountMatchesPythonsLog(keepAlive: Bool) throws {
        let files = try servedPage()
        let server = try PythonHTTPServer(directory: files.path, lifetime: 120)
        let result = try netclient(["load", "127.0.0.1", "\(server.port)", "/index.html", "-c", "4", "-n", "200", "--json"]
                                   + (keepAlive ? ["--keep-alive"] : []), timeout: 120)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try document(result)
        #expect(integer(report, "requests", "completed") == 200)
        #expect(integer(report, "requests", "failed") == 0)
        #expect(server.loggedRequests(expecting: 200) == 200)
        // http.server speaks HTTP/1.0 and closes after each reply, keep-alive asked or not.
        #expect(integer(report, "connections") == 200)
        expectOrdered(field(report, "latency_seconds"), count: 200, "latency")
    }

    @Test func aServerThatGoesAwayMidwayGivesClassifiedErrors() throws {
        let server = try TestServer.http(connections: 40, lifetime: .seconds(60))
        let result = try netclient(["load", "127.0.0.1", "\(server.address.port!)", "/", "-c", "4", "-n", "200",
                                    "--timeout", "5", "--json"], timeout: 60)
        try server.wait()
        #expect([4, 6, 7].contains(result.status), "exit \(result.status): \(result.standardError)")
        let report = try document(result)
        #expect(integer(report, "requests", "completed") == 40)
        #expect(integer(report, "requests", "failed") == 160)
        let classes = Set((field(report, "error_counts") as? [String: Any])?.keys.map { $0 } ?? [])
        #expect(!classes.isEmpty && classes.isSubset(of: ["connection", "sending", "receiving"]), "\(classes)")
        #expect(integer(report, "error", "exit_code") == Int(result.status))
        #expect(result.standardError.split(separator: "\n").count == 1)
        #expect(result.standardError.contains("160 of 200 requests failed"), "\(result.standardError)")
    }

    @Test func aKeptAliveConnectionTheServerClosedIsRetriedOnce() throws {
        // The server promises keep-alive but closes after every reply: each request after the
        // first finds its connection closed before any reply byte, and goes again on a new one.
        let server = try TestServer.http(reply: "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
                                         connections: 10, lifetime: .seconds(60))
        let result = try netclient(["load", "127.0.0.1", "\(server.address.port!)", "/", "-n", "10", "--keep-alive",
                                    "--timeout", "5", "--json"], timeout: 60)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try document(result)
        #expect(integer(report, "requests", "completed") == 10)
        #expect(integer(report, "requests", "failed") == 0)
        #expect(integer(report, "connections") == 10)
        #expect(server.connectionsAccepted == 10)
    }

    @Test func aServerThatStallsTimesOutEveryRequest() throws {
        let server = try TestServer.silent(connections: 2, lifetime: .seconds(30))
        let result = try netclient(["load", "127.0.0.1", "\(server.address.port!)", "/", "-n", "2", "--timeout", "0.3",
                                    "--json"], timeout: 60)
        #expect(result.status == 5, "\(result.standardError)")
        let report = try document(result)
        #expect(integer(report, "error_counts", "timeout") == 2)
        #expect(integer(report, "requests", "completed") == 0)
    }

    @Test func aRefusedPortIsAConnectionError() throws {
        let probe = try Socket(.ipv4, .stream)
        try probe.bind(to: .ipv4(.loopback, port: 0))
        let closedPort = try probe.localAddress.port!  // Bound, not listening: refused, and no one else's.
        let result = try netclient(["load", "127.0.0.1", "\(closedPort)", "/", "-n", "3"])
        try probe.close()
        #expect(result.status == 4, "\(result.standardError)")
        #expect(result.standardError.contains("Connection refused"))
        #expect(String(decoding: result.standardOutput, as: UTF8.self).contains("errors: connection x3"))
    }

    @Test(arguments: [
        ["-c", "0"], ["-n", "-1"], ["-n", "0"], ["-d", "junk"], ["-d", "0"], ["-d", "-5s"], ["-n", "5", "-d", "1s"],
        ["-c", "x"], ["--timeout", "0"], ["-4", "-6"], ["-c", "20001"],
        ["-R", "0"], ["-R", "-5"], ["-R", "x"], ["-R", "nan"], ["-R", "0.001", "-n", "1000"], ["-t", "0"], ["-t", "65"],
        ["--latency-file", ""], ["-H", "NoColon"], ["-H", "Bad Name: x"], ["-H", "Content-Length: 5"],
        ["--body", "/nonexistent/netclient-body"], ["-m", "GE T"], ["-m", ""], ["--pipeline", "0"], ["--pipeline", "2"],
        ["--pipeline", "2", "--keep-alive", "-R", "10"], ["--http1.1", "--http1.0"],
    ])
    func badArgumentsExit64WithOneLine(_ arguments: [String]) throws {
        let result = try netclient(["load", "127.0.0.1", "80", "/"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.standardError)")
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("netclient: "), "\(arguments): \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test func aBadPathIsRefusedBeforeTheNetwork() throws {
        let result = try netclient(["load", "127.0.0.1", "80", "/a b"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("refusing path"))
    }
}
