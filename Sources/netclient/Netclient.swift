// netclient: the classic network client, thin over the Sockets library.

import ArgumentParser

@main
struct Netclient: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netclient",
        abstract: "A network client: HTTP/1.0 GET, UDP request/reply, resolve, port lookup, throughput.",
        discussion: """
        Ports are numbers or service names. Every failure prints one line on stderr.

        Exit codes:
        \(Exit.table)
        """,
        subcommands: [Get.self, UDP.self, Resolve.self, Port.self, Throughput.self])
}
