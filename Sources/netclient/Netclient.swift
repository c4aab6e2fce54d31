// netclient: the classic network client, thin over the Sockets library.

import ArgumentParser

@main
struct Netclient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netclient",
        abstract: "A network client: HTTP/1.0 GET and load, UDP request/reply, resolve, port lookup, throughput.",
        discussion: """
        Ports are numbers or service names. Every failure prints one line on stderr. With \
        --json, every command prints one JSON document (schema netclient/1) on stdout.

        Exit codes:
        \(Exit.table)
        """,
        subcommands: [Get.self, Load.self, UDP.self, Resolve.self, Port.self, Throughput.self])

    /// Parses and runs the command; bad arguments get one line on stderr (and exit 64)
    /// instead of the usage text, which `--help` prints.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == Exit.usage.rawValue {
                let message = self.message(for: error)
                Output.standardError.writeLine("netclient: \(message) (see 'netclient help')")
                exit(withError: ExitCode(code.rawValue))
            }
            exit(withError: error)
        }
    }
}
