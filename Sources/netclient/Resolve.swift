// `netclient resolve HOST [SERVICE]`: every address, and a reverse lookup for an IP address.

import ArgumentParser
import Sockets

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every address getaddrinfo returns for HOST (and SERVICE).",
        discussion: """
        Each line gives the family, socket type, protocol and address; the canonical name comes \
        first when there is one. An IP address also gets a reverse lookup.

        Exit codes:
        \(Exit.table)
        """)

    @Argument(help: "The host name or address.")
    var host: String

    @Argument(help: "A service name or port number, such as http or 80.")
    var service: String?

    @Flag(name: .customShort("4"), help: "IPv4 addresses only.")
    var ipv4Only = false

    @Flag(name: .customShort("6"), help: "IPv6 addresses only.")
    var ipv6Only = false

    @Flag(name: .long, help: "Print one JSON document (schema netclient/1) on stdout.")
    var json = false

    func run() throws {
        let report = JSONReport(enabled: json, command: "resolve")
        try report.run {
            let family: AddressFamily = ipv4Only ? .ipv4 : ipv6Only ? .ipv6 : .unspecified
            let results: [ResolvedAddress]
            do throws(SocketError) {
                results = try Resolver.resolve(host, service: service, family: family, flags: [.canonicalName])
            } catch {
                throw Failure(error, during: error.kind == .resolution(.service) ? .portLookup : .resolve)
            }
            var reverse: (address: String, name: String)?
            if let numeric = try? SocketAddress(host) {
                do throws(SocketError) {
                    reverse = (numeric.host, try Resolver.hostName(of: numeric))
                } catch {
                    throw Failure(error, during: .reverseLookup)
                }
            }
            if json {
                return try report.print([
                    ("host", .string(host)), ("service", .optional(service)),
                    ("canonical_name", .optional(results.first?.canonicalName)),
                    ("addresses", .array(results.map { result in
                        .object([("family", .string("\(result.family)")), ("type", .string("\(result.type)")),
                                 ("protocol", .string("\(result.protocol)")), ("address", .string(result.address.host)),
                                 ("port", .optional(result.address.port.map(Int.init)))])
                    })),
                    ("reverse", reverse.map { .object([("address", .string($0.address)), ("name", .string($0.name))]) } ?? .null),
                ])
            }
            if let canonical = results.first?.canonicalName {
                try Output.standardOutput.write("canonical name: \(canonical)\n")
            }
            for result in results {
                try Output.standardOutput.write("\(result.family)\t\(result.type)\t\(result.protocol)\t\(result.address)\n")
            }
            if let reverse {
                try Output.standardOutput.write("reverse: \(reverse.address) is \(reverse.name)\n")
            }
        }
    }
}
