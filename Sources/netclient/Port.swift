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

    func run() throws {
        try reportingFailures {
            let transport: Service.TransportProtocol = udp ? .udp : .tcp
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
                try Output.standardOutput.write("\(service)\n")
            } else {
                try Output.standardOutput.write("\(port)\n")
            }
        }
    }
}
