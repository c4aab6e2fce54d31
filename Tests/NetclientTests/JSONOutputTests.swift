// --json on every command: the document parses, names schema netclient/1 and its command, and
// matches docs/netclient-schema.json (checked here by its own small validator: type, required,
// properties, items, enum, $ref); the figures in it agree with what was moved.

import Foundation
import Sockets
import SocketsTesting
import Testing

/// docs/netclient-schema.json: a document per command, and shared definitions.
struct NetclientSchema: @unchecked Sendable {  // Immutable once loaded.
    let commands: [String: Any]
    let definitions: [String: Any]

    static let shared: NetclientSchema = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/netclient-schema.json")
        let data = (try? Data(contentsOf: path)) ?? Data()
        let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return NetclientSchema(commands: root["commands"] as? [String: Any] ?? [:],
                               definitions: root["definitions"] as? [String: Any] ?? [:])
    }()

    /// Every way `value` departs from the schema of `command`; empty when it matches.
    func violations(of value: Any, command: String) -> [String] {
        guard let schema = commands[command] as? [String: Any] else { return ["no schema for \(command)"] }
        return violations(of: value, schema, at: command)
    }

    private func violations(of value: Any, _ schema: [String: Any], at path: String) -> [String] {
        if let reference = schema["$ref"] as? String {
            guard let target = definitions[reference] as? [String: Any] else { return ["\(path): unknown $ref \(reference)"] }
            return violations(of: value, target, at: path)
        }
        let types: [String] = (schema["type"] as? [String]) ?? [(schema["type"] as? String)].compactMap { $0 }
        if !types.isEmpty && !types.contains(where: { Self.value(value, is: $0) }) {
            return ["\(path): \(value) is not \(types.joined(separator: " or "))"]
        }
        if value is NSNull { return [] }
        var found: [String] = []
        if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) {
            found.append("\(path): \(text) is not one of \(allowed)")
        }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                found.append("\(path): missing \(key)")
            }
            for (key, property) in schema["properties"] as? [String: Any] ?? [:] {
                if let member = object[key], let property = property as? [String: Any] {
                    found += violations(of: member, property, at: "\(path).\(key)")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { found += violations(of: item, items, at: "\(path)[\(index)]") }
        }
        return found
    }

    private static func value(_ value: Any, is type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "number": return value is NSNumber && !(value is String)
        case "integer":
            guard let number = value as? NSNumber else { return false }
            return number.doubleValue == number.doubleValue.rounded()
        default: return false
        }
    }
}

/// Runs netclient with `--json`, checks the document against the schema of `schema` (the
/// command's name unless given), and returns it.
func jsonDocument(_ arguments: [String], schema: String? = nil, status: Int32 = 0) throws -> [String: Any] {
    let result = try netclient(arguments + ["--json"], timeout: 60)
    #expect(result.status == status, "\(arguments): \(result.standardError)")
    let text = String(decoding: result.standardOutput, as: UTF8.self)
    #expect(text.hasSuffix("}\n") && text.split(separator: "\n").count == 1, "one document on one line: \(text)")
    let report = try document(result)
    #expect(report["schema"] as? String == "netclient/1")
    #expect(report["command"] as? String == arguments[0])
    let violations = NetclientSchema.shared.violations(of: report, command: schema ?? arguments[0])
    #expect(violations.isEmpty, "\(arguments): \(violations)")
    return report
}

@Suite struct JSONOutputTests {
    @Test func theSchemaFileLoads() {
        #expect(NetclientSchema.shared.commands.count == 8)
        #expect(NetclientSchema.shared.definitions.count == 3)
    }

    @Test func theValidatorRejectsWhatDoesNotMatch() {
        let schema = NetclientSchema.shared
        #expect(!schema.violations(of: ["schema": "netclient/1", "command": "port", "name": "http", "protocol": "tcp",
                                        "port": "80", "service": NSNull()], command: "port").isEmpty)
        #expect(!schema.violations(of: ["schema": "netclient/1", "command": "port"], command: "port").isEmpty)
        #expect(!schema.violations(of: ["schema": "netclient/1", "command": "port", "name": "http", "protocol": "sctp",
                                        "port": 80, "service": NSNull()], command: "port").isEmpty)
        #expect(schema.violations(of: ["schema": "netclient/1", "command": "port", "name": "http", "protocol": "tcp",
                                       "port": 80, "service": "http"], command: "port").isEmpty)
    }

    @Test func getTimingsAreOrderedAndAddUp() throws {
        let files = try ServedFiles()
        try files.add("page.bin", Data(TestPattern.bytes(count: 200_000, seed: 4)))
        let server = try PythonHTTPServer(directory: files.path)
        let output = TemporaryFile()
        let report = try jsonDocument(["get", "127.0.0.1", "\(server.port)", "/page.bin", "--body", "--output", output.path])
        #expect(integer(report, "status") == 200)
        #expect(integer(report, "body_bytes") == 200_000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: output.path)).count == 200_000)
        let names = ["namelookup", "connect", "starttransfer", "total"]
        let cumulative = names.compactMap { (field(report, "timings_seconds", $0) as? NSNumber)?.doubleValue }
        #expect(cumulative.count == 4 && zip(cumulative, cumulative.dropFirst()).allSatisfy { $0 <= $1 }, "\(cumulative)")
        let steps = ["namelookup", "connect", "first_byte", "transfer"]
            .compactMap { (field(report, "timings_seconds", "steps", $0) as? NSNumber)?.doubleValue }
        #expect(steps.count == 4 && steps.allSatisfy { $0 >= 0 })
        #expect(abs(steps.reduce(0, +) - (cumulative.last ?? -1)) < 1e-9, "steps \(steps) add up to \(cumulative)")
        // The reply went only to --output: stdout held the document alone.
    }

    @Test func loadDocument() throws {
        let files = try servedPage()
        let server = try PythonHTTPServer(directory: files.path)
        let report = try jsonDocument(["load", "127.0.0.1", "\(server.port)", "/index.html", "-n", "20", "-c", "2"])
        #expect(integer(report, "requests", "completed") == 20)
        #expect(field(report, "error") is NSNull)
        // The backend the clients ran on: epoll unless SOCKETS_ASYNC_BACKEND asks for io_uring.
        let asked = ProcessInfo.processInfo.environment["SOCKETS_ASYNC_BACKEND"] ?? "epoll"
        let backend = field(report, "backend") as? String
        #expect(asked == "io_uring" ? ["epoll", "io_uring"].contains(backend ?? "") : backend == "epoll", "\(String(describing: backend))")
    }

    @Test func udpDocument() throws {
        let server = try TestServer.udpEcho(datagrams: 3, lifetime: .seconds(20))
        let report = try jsonDocument(["udp", "127.0.0.1", "\(server.address.port!)", "ping", "--count", "2", "--interval", "0"])
        let probes = report["probes"] as? [[String: Any]] ?? []
        #expect(probes.count == 2 && probes.allSatisfy { $0["reply"] as? String == "ping" && integer($0, "bytes") == 4 })
    }

    @Test func resolveAndPortDocuments() throws {
        let resolved = try jsonDocument(["resolve", "127.0.0.1", "http"])
        let addresses = resolved["addresses"] as? [[String: Any]] ?? []
        #expect(addresses.contains { $0["address"] as? String == "127.0.0.1" && integer($0, "port") == 80 })
        #expect(field(resolved, "reverse", "address") as? String == "127.0.0.1")
        let named = try jsonDocument(["port", "http"])
        #expect(integer(named, "port") == 80 && named["service"] as? String == "http")
        let numbered = try jsonDocument(["port", "53", "--udp"])
        #expect(numbered["service"] as? String == "domain" && numbered["protocol"] as? String == "udp")
    }

    @Test func throughputDocumentsMoveExactlyTheBytesAsked() throws {
        let tcp = try jsonDocument(["throughput", "-P", "4", "--bytes", "50000003"])
        #expect(integer(tcp, "bytes") == 50_000_003)
        let streams = tcp["streams"] as? [[String: Any]] ?? []
        #expect(streams.count == 4)
        #expect(streams.reduce(0) { $0 + (integer($1, "bytes") ?? 0) } == 50_000_003)
        #expect(streams.allSatisfy { ($0["tcp_info"] as? [String: Any])?["rtt_seconds"] is NSNumber }, "TCP_INFO on every stream")
        let udp = try jsonDocument(["throughput", "--udp", "--count", "2000", "--size", "600"], schema: "throughput_udp")
        #expect(integer(udp, "sent") == 2000 && integer(udp, "size") == 600)
        #expect((integer(udp, "received") ?? 0) + (integer(udp, "lost") ?? 0) == 2000)
    }

    @Test func failuresAreDocumentsWithTheirClass() throws {
        let probe = try Socket(.ipv4, .stream)
        try probe.bind(to: .ipv4(.loopback, port: 0))
        let closedPort = try probe.localAddress.port!  // Bound, not listening: refused, and no one else's.
        let refused = try jsonDocument(["get", "127.0.0.1", "\(closedPort)", "/"], schema: "failure", status: 4)
        try probe.close()
        #expect(field(refused, "error", "class") as? String == "connection")
        #expect(integer(refused, "error", "exit_code") == 4)
        let unknown = try jsonDocument(["port", "no-such-service-here"], schema: "failure", status: 2)
        #expect(field(unknown, "error", "class") as? String == "port_lookup")
    }
}
