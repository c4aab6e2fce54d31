import Foundation
import Sockets
import SocketsTesting
import Testing

@Suite struct OtherCommandTests {
    @Test(arguments: ["127.0.0.1", "::1"])
    func udpRequestAndReply(_ host: String) throws {
        let loopback: SocketAddress = host == "::1" ? .ipv6(.loopback, port: 0) : .ipv4(.loopback, port: 0)
        let server = try TestServer.udpEcho(datagrams: 4, on: loopback, lifetime: .seconds(20))
        let result = try netclient(["udp", host, "\(server.address.port!)", "hello there"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(String(decoding: result.standardOutput, as: UTF8.self) == "hello there\n")
        let probes = try netclient(["udp", host, "\(server.address.port!)", "x", "--count", "3", "--interval", "0"])
        let lines = String(decoding: probes.standardOutput, as: UTF8.self).split(separator: "\n")
        #expect(probes.status == 0)
        #expect(lines.count == 3 && lines.allSatisfy { $0.contains("time=") && $0.hasSuffix(": x") })
    }

    @Test func parallelStreamsMoveExactlyTheBytesAsked() throws {
        let embedded = try netclient(["throughput", "-P", "4", "--bytes", "50000003"])
        #expect(embedded.status == 0, "\(embedded.standardError)")
        let text = String(decoding: embedded.standardOutput, as: UTF8.self)
        #expect(text.contains("received 50000003 bytes") && text.contains("over 4 streams"), "\(text)")
        let streams = text.split(separator: "\n").filter { $0.hasPrefix("tcp_info: stream ") }
        #expect(streams.count == 4 && streams.allSatisfy { $0.contains("rtt ") && $0.contains("retransmits ") })
        #expect(text.contains("tcp_info: total: 50000003 bytes"))
        let server = try TestServer.source(bytes: 1_000_000, connections: 4, lifetime: .seconds(30))
        let remote = try netclient(["throughput", "127.0.0.1", "\(server.address.port!)", "-P", "4", "--bytes", "4000000"])
        #expect(remote.status == 0, "\(remote.standardError)")
        #expect(String(decoding: remote.standardOutput, as: UTF8.self).contains("received 4000000 bytes"))
        try server.wait()
        for bad in ["0", "129", "x"] { #expect(try netclient(["throughput", "-P", bad]).status == 64) }
    }

    @Test func udpSizeSendsDatagramsOfExactlyThatSize() throws {
        let server = try TestServer.udpEcho(datagrams: 3, on: .ipv4(.loopback, port: 0), lifetime: .seconds(20))
        let result = try netclient(["udp", "127.0.0.1", "\(server.address.port!)", "abc", "--size", "5000",
                                    "--count", "3", "--interval", "0"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.hasPrefix("5000 bytes from 127.0.0.1:") && $0.contains("time=") })
        for flags in [["--size", "0"], ["--size", "65508"], ["--count", "0"]] {
            #expect(try netclient(["udp", "127.0.0.1", "9", "x"] + flags).status == 64)
        }
    }

    @Test(arguments: ["plain", "batch", "gro"])
    func udpThroughputNamesItsPaths(_ path: String) throws {
        let result = try netclient(["throughput", "--udp", "--path", path, "--count", "20000", "--size", "1200"])
        #expect(result.status == 0, "\(result.standardError)")
        let text = String(decoding: result.standardOutput, as: UTF8.self)
        #expect(text.contains("of 20000 datagrams of 1200 bytes"), "\(text)")
        #expect(text.contains("datagrams/s") && text.contains("receive path \(path == "gro" ? "GRO" : path)"))
        #expect(text.contains("send path GSO"))
    }

    @Test func udpThroughputRefusesBadArguments() throws {
        for flags in [["--size", "0"], ["--size", "70000"], ["--count", "0"], ["--bytes", "10"], ["127.0.0.1", "9"],
                      ["--path", "fast"]] {
            let result = try netclient(["throughput", "--udp"] + flags)
            #expect(result.status == 64, "\(flags)")
            #expect(!result.standardError.isEmpty)
        }
    }

    @Test func udpWithoutAReplyTimesOut() throws {
        let quiet = try Socket(.ipv4, .datagram)
        try quiet.bind(to: .ipv4(.loopback, port: 0))
        let result = try netclient(["udp", "127.0.0.1", "\(try quiet.localAddress.port!)", "x", "--timeout", "0.3"])
        #expect(result.status == 5 || result.status == 7)
        #expect(!result.standardError.isEmpty)
    }

    @Test func resolveListsEveryAddressAndReverseLooksUpIPs() throws {
        let names = try netclient(["resolve", "localhost", "80"])
        let text = String(decoding: names.standardOutput, as: UTF8.self)
        #expect(names.status == 0)
        #expect(text.contains("canonical name: localhost"))
        #expect(text.contains("IPv4\tstream\ttcp\t127.0.0.1:80"))
        #expect(text.contains("IPv4\tdatagram\tudp\t127.0.0.1:80"))
        let reverse = try netclient(["resolve", "127.0.0.1"])
        #expect(String(decoding: reverse.standardOutput, as: UTF8.self).contains("reverse: 127.0.0.1 is localhost"))
        let noName = try netclient(["resolve", "127.0.0.2"])
        #expect(noName.status == 8)
        #expect(noName.standardError.contains("host lookup failed"))
        let bad = try netclient(["resolve", "nosuchhost.invalid"])
        #expect(bad.status == 3)
    }

    @Test func portLooksUpBothWays() throws {
        #expect(try netclient(["port", "http"]).standardOutput == Data("80\n".utf8))
        #expect(try netclient(["port", "domain", "--udp"]).standardOutput == Data("53\n".utf8))
        #expect(try netclient(["port", "443"]).standardOutput == Data("https\n".utf8))
        let unknown = try netclient(["port", "nosuchservice"])
        #expect(unknown.status == 2 && unknown.standardError.contains("unknown service name"))
    }

    @Test func throughputDrainsTheEmbeddedSourceAndARemoteOne() throws {
        let embedded = try netclient(["throughput", "--bytes", "50000000"])
        #expect(String(decoding: embedded.standardOutput, as: UTF8.self).contains("tcp_info: rtt "))
        let line = String(decoding: embedded.standardOutput, as: UTF8.self)
        #expect(embedded.status == 0, "\(embedded.standardError)")
        #expect(line.hasPrefix("received 50000000 bytes") && line.contains("GiB/s"))
        let server = try TestServer.source(bytes: 3_000_000)
        let remote = try netclient(["throughput", "127.0.0.1", "\(server.address.port!)"])
        #expect(String(decoding: remote.standardOutput, as: UTF8.self).hasPrefix("received 3000000 bytes"))
        try server.wait()
    }

    @Test func happyEyeballsCanBeTurnedOffOrTuned() throws {
        let server = try TestServer.source(bytes: 1000, connections: 2)
        for flags in [["--no-happy-eyeballs"], ["--attempt-delay", "20"]] {
            let result = try netclient(["throughput", "127.0.0.1", "\(server.address.port!)"] + flags)
            #expect(result.status == 0, "\(result.standardError)")
        }
        #expect(try netclient(["throughput", "127.0.0.1", "1", "--attempt-delay", "5"]).status == 64)
    }

    @Test func helpListsTheExitCodes() throws {
        let help = try netclient(["get", "--help"])
        let text = String(decoding: help.standardOutput, as: UTF8.self)
        #expect(text.contains("5\ttimed out") && text.contains("--timeout") && text.contains("-6"))
        let bad = try netclient(["get", "127.0.0.1"])
        #expect(bad.status == 64)
    }
}
