// A real HTTP server on loopback for the CLI's tests: Python's http.server, bounded by
// `timeout` so that it stops by itself, and ended by its process id when the test is done.

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `python3 -m http.server` serving a directory on a loopback address.
final class PythonHTTPServer {
    let port: UInt16
    private let pid: pid_t
    private let output = TemporaryFile()
    private let errors = TemporaryFile()

    /// Starts a server for `directory` on `bind` (127.0.0.1 or ::1), on `port` (0: any free one);
    /// it exits by itself after `lifetime` seconds. With `namespace` (a `TestNetwork`'s), it
    /// runs there, bound to that network's server address.
    init(directory: String, bind: String = "127.0.0.1", port: UInt16 = 0, lifetime: Int = 300,
         namespace: String? = nil) throws {
        precondition(bind == "127.0.0.1" || bind == "::1" || (namespace != nil && (bind.hasPrefix("198.18.") || bind.hasPrefix("fd00:"))),
                     "test servers stay on loopback or in a test network")
        let command = ["timeout", "\(lifetime)", "python3", "-u", "-m", "http.server", "\(port)", "--bind", bind,
                       "--directory", directory]
        let (outputPath, errorPath) = (output.path, errors.path)
        if let namespace {
            pid = try spawnChild("ip", ["netns", "exec", namespace] + command, output: outputPath, error: errorPath)
        } else {
            pid = try spawnChild(command[0], Array(command.dropFirst()), output: outputPath, error: errorPath)
        }
        // The server prints "Serving HTTP on ... port N (...)" once it listens.
        let deadline = Date(timeIntervalSinceNow: 20)
        var found: UInt16?
        while found == nil && Date() < deadline {
            let text = (try? String(contentsOfFile: output.path, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"port \d+"#, options: .regularExpression) {
                found = UInt16(text[range].dropFirst(5))
            } else {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { break }
                usleep(10_000)
            }
        }
        guard let found else {
            kill(pid, SIGKILL)
            _ = waitForChild(pid, timeout: 5)
            let errorText = (try? String(contentsOfFile: errors.path, encoding: .utf8)) ?? ""
            throw ServerDidNotStart(output: errorText)
        }
        self.port = found
    }

    /// How many requests the server has logged (one line on stderr per request it answered).
    var loggedRequests: Int {
        let text = (try? String(contentsOfFile: errors.path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("\"GET ") }.count
    }

    /// The requests logged, read again until `expected` have been, for at most 10 s.
    func loggedRequests(expecting expected: Int) -> Int {
        countReaching(expected) { loggedRequests }
    }

    private var stopped = false

    /// Stops the server now (it is also stopped when the value goes away); once only, so that
    /// a reaped process id is never signalled.
    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        _ = waitForChild(pid, timeout: 5)
    }

    deinit { stop() }
}

/// The Python server did not report a port.
struct ServerDidNotStart: Error { var output: String }

/// A temporary directory with files for the server, removed at the end.
final class ServedFiles {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "netclient-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `data` as `name` and returns its full path.
    @discardableResult
    func add(_ name: String, _ data: Data) throws -> String {
        let file = path + "/" + name
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
