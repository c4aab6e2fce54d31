// netclient across a real link: the client in one network namespace, python3's http.server in
// another, under each impairment. Root only: skipped with one line otherwise.

import Foundation
import Sockets
import SocketsTesting
import Testing

/// Runs netclient inside the test network's client namespace.
private func netclient(in network: TestNetwork, _ arguments: [String], timeout: Double = 120) throws -> ChildResult {
    try runChild("ip", ["netns", "exec", network.clientNamespace, netclientPath] + arguments, timeout: timeout)
}

@Suite(.serialized, .enabled(if: TestNetwork.unavailableReason == nil,
                             Comment(rawValue: TestNetwork.unavailableReason ?? "")))
struct NetclientNetworkTests {
    @Test func getAcrossTheLinkUnderEachImpairment() throws {
        let network = try TestNetwork()
        let files = try ServedFiles()
        // 16 MiB: over 11,000 segments, some 600 of them lost under 5% loss. (64 MiB once took
        // a sanitized run past its timeouts: a starved receiver drops, the sender backs off.)
        let body = Data(TestPattern.bytes(count: 16 << 20, seed: 9))
        try files.add("data.bin", body)
        let server = try PythonHTTPServer(directory: files.path, bind: "198.18.0.2", lifetime: 900,
                                          namespace: network.serverNamespace)
        let port = "\(server.port)"
        let output = TemporaryFile()
        func get(_ extra: [String] = [], timeout: Double = 120) throws -> ChildResult {
            try netclient(in: network, ["get", "198.18.0.2", port, "/data.bin", "--body", "--output", output.path] + extra,
                          timeout: timeout)
        }
        let counters = { (try? "client: \(network.tcpCounters(.client))server: \(network.tcpCounters(.server))") ?? "" }

        let clean = try get()
        #expect(clean.status == 0, "\(clean.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output.path)) == body)

        try network.impair(.loss(percent: 5))
        let lossy = try get(["--timeout", "120"], timeout: 300)
        #expect(lossy.status == 0, "\(lossy.standardError)\n\(counters())")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output.path)) == body)
        try network.heal()

        try network.impair(.blackHole(nil))
        let silent = try get(["--timeout", "1"])
        #expect(silent.status == 5, "\(silent.standardError)")
        #expect(silent.standardError.contains("timed out"))
        try network.heal()

        try network.impair(.reset(port: server.port))
        let reset = try get(["--timeout", "5"])
        #expect(reset.status == 4, "\(reset.standardError)")
        #expect(reset.standardError.contains("refused") || reset.standardError.contains("reset"))
        try network.heal()

        try network.impair(.unreachable(port: nil, host: true))
        let unreachable = try get(["--timeout", "5"])
        #expect(unreachable.status == 4, "\(unreachable.standardError)")
        #expect(unreachable.standardError.contains("No route to host"))
        try network.heal()

        try network.impair(.mtu(1280))
        let small = try get()
        let received = try Data(contentsOf: URL(fileURLWithPath: output.path))
        #expect(small.status == 0 && received == body)
    }

    /// A name server that never answers: the lookup runs on the async layer's blocking pool and
    /// ends at `--timeout` (1 s) with a timeout that names `getaddrinfo`, long before the
    /// resolver's own 5 s would have ended it with a resolution failure.
    @Test func aLookupThatIsNeverAnsweredEndsAtTheTimeout() throws {
        let network = try TestNetwork()
        let dns = try TestNameServer(on: network, behaviour: .silent, resolverTimeout: 5)
        let stalled = try netclient(in: network, ["load", "-n", "1", "--timeout", "1", "stalled.test", "80", "/"], timeout: 60)
        #expect(stalled.status == 5, "\(stalled.standardError)")
        #expect(stalled.standardError.contains("getaddrinfo") && stalled.standardError.contains("timed out"),
                "\(stalled.standardError)")
        #expect(dns.queries >= 1, "the query never reached the name server")
    }

    /// The same name service answering (at once and late): the name resolves to the server
    /// host, and every request arrives.
    @Test func aNameResolvedThroughTheTestNameServerConnects() throws {
        let network = try TestNetwork()
        let files = try ServedFiles()
        try files.add("hello.txt", Data("hello\n".utf8))
        let server = try PythonHTTPServer(directory: files.path, bind: "198.18.0.2", lifetime: 120,
                                          namespace: network.serverNamespace)
        for behaviour in [TestNameServer.Behaviour.answer, .slow(.milliseconds(300))] {
            let dns = try TestNameServer(on: network, behaviour: behaviour)
            let result = try netclient(in: network, ["load", "-n", "3", "-4", "--timeout", "5", "--json", "web.test", "\(server.port)", "/hello.txt"],
                                       timeout: 60)
            #expect(result.status == 0, "\(behaviour): \(result.standardError)")
            let text = String(decoding: result.standardOutput, as: UTF8.self)
            #expect(text.contains("198.18.0.2"), "\(behaviour): \(text)")
            #expect(dns.queries >= 1)
            dns.stop()
        }
    }

    @Test func throughputOnASlowLinkShowsItsProgressLineMoving() throws {
        let network = try TestNetwork()
        try network.impair(.rateLimit(megabits: 10))
        let total = 4 << 20  // About 3.4 seconds at 10 Mbit/s: the line appears after 1 s.
        let source = try network.within(.server) {
            try TestServer.source(bytes: total, on: network.address(.server, .ipv4), lifetime: .seconds(60))
        }
        // `script` gives netclient a terminal, where the progress line is drawn.
        let command = "\(netclientPath) throughput 198.18.0.2 \(source.address.port!) --timeout 1"
        let result = try runChild("ip", ["netns", "exec", network.clientNamespace, "script", "-qefc", command, "/dev/null"],
                                  timeout: 60)
        #expect(result.status == 0, "\(result.standardError)")
        let text = String(decoding: result.standardOutput, as: UTF8.self)
        #expect(text.contains("received \(total) bytes"), "\(text)")
        // Each redraw starts with a carriage return and shows the bytes so far; they grow.
        let sizes = text.split(separator: "\r").compactMap { line -> Double? in
            guard let number = line.split(separator: " ").first, line.contains("MiB/s") || line.contains("KiB/s") else { return nil }
            return Double(number)
        }
        #expect(sizes.count >= 2, "\(text.debugDescription)")
        #expect(sizes == sizes.sorted() && Set(sizes).count >= 2, "\(sizes)")
        try source.wait()
    }
}
