// `netclient port NAME`: a service name's port, or a port number's service name.

import ArgumentParser
import Sockets

struct Port: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the port of a service name, or the service name of a port number.",
        discussion: """
        Exit codes:
        \(Exit.table)
        """)

    @Argument(help: "A service name (http) or a port number (80).")
    var name: String

    @Flag(name: .long, help: "Look up the udp entry instead of the tcp one.")
    var udp = false

    @Flag(name: .long, help: "Print one JSON document (schema netclient/1) on stdout.")
    var json = false

    func run() throws {
        let report = JSONReport(enabled: json, command: "port")
        try report.run {
            let transport: Service.TransportProtocol = udp ? .udp : .tcp
            func fields(port: UInt16, service: String?) -> [(String, JSON)] {
                [("name", .string(name)), ("protocol", .string(transport.rawValue)), ("port", .int(Int(port))),
                 ("service", .optional(service))]
            }
            let port: UInt16
            do throws(SocketError) {
                port = try Service.port(name, protocol: transport)
            } catch {
                throw Failure(error, during: .portLookup)
            }
            if name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                guard let service = Service.name(ofPort: port, protocol: transport) else {
                    throw Failure(.portLookup, "port lookup failed: port \(port)/\(transport.rawValue) has no service name")
                }
                try json ? report.print(fields(port: port, service: service)) : Output.standardOutput.write("\(service)\n")
            } else {
                let service = Service.name(ofPort: port, protocol: transport)
                try json ? report.print(fields(port: port, service: service)) : Output.standardOutput.write("\(port)\n")
            }
        }
    }
}
