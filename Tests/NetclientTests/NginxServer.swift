// nginx on loopback for the load tests, from the project's own config (scripts/nginx/), in a
// private prefix folder: bounded by `timeout`, ended by its process id, its access log counted.

import Foundation
import Sockets

#if canImport(Glibc)
import Glibc
#endif

/// One nginx (a master and one worker) serving a folder on 127.0.0.1.
final class NginxServer {
    let port: UInt16
    let prefix: String
    private let pid: pid_t
    private var stopped = false

    /// The nginx binary, or `nil` when it is not installed (`make test` installs it as root).
    static let binary: String? = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the nginx tests cannot run here, or `nil`.
    static var unavailableReason: String? {
        binary == nil ? "nginx is not installed (Debian package nginx-light; make test installs it as root): skipped" : nil
    }

    /// The config template, beside the sources.
    private static let template = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/nginx/nginx.conf.in").path

    /// Starts nginx serving `root`; it exits by itself after `lifetime` seconds.
    init(root: String, lifetime: Int = 300) throws {
        guard let binary = Self.binary else { throw ServerDidNotStart(output: Self.unavailableReason ?? "") }
        prefix = NSTemporaryDirectory() + "netclient-nginx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        // The worker runs as nobody when started as root: the served files must be readable.
        _ = chmod(root, 0o755)
        let probe = try Socket(.ipv4, .stream)
        try probe.bind(to: .ipv4(.loopback, port: 0))
        let port = try probe.localAddress.port!
        try probe.close()
        let config = try String(contentsOfFile: Self.template, encoding: .utf8)
            .replacingOccurrences(of: "@PREFIX@", with: prefix)
            .replacingOccurrences(of: "@ROOT@", with: root)
            .replacingOccurrences(of: "@LISTEN@", with: "127.0.0.1:\(port)")
        try config.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
        pid = try spawnChild("timeout", ["\(lifetime)", binary, "-p", prefix, "-c", prefix + "/nginx.conf"],
                             output: prefix + "/stdout.log", error: prefix + "/stderr.log")
        self.port = port
        // Ready once it accepts a connection.
        let deadline = Date(timeIntervalSinceNow: 20)
        while (try? Socket.connected(to: .ipv4(.loopback, port: port), timeout: .seconds(1))) == nil {
            var status: Int32 = 0
            if Date() > deadline || waitpid(pid, &status, WNOHANG) == pid {
                stopped = true
                let errors = (try? String(contentsOfFile: prefix + "/stderr.log", encoding: .utf8)) ?? ""
                kill(pid, SIGKILL)
                throw ServerDidNotStart(output: errors)
            }
            usleep(20_000)
        }
    }

    /// The requests in the access log so far. The readiness probes made no request, so every
    /// line is one of the test's.
    var loggedRequests: Int {
        let text = (try? String(contentsOfFile: prefix + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("\"GET ") }.count
    }

    /// The requests logged, read until `expected` have been (nginx writes a line just after
    /// sending its reply, a moment after the client has it), for at most 10 s.
    func loggedRequests(expecting expected: Int) -> Int {
        countReaching(expected) { loggedRequests }
    }

    /// Stops nginx now: `timeout` passes the signal on to it. Once only.
    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        _ = waitForChild(pid, timeout: 10)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: prefix)
    }
}
