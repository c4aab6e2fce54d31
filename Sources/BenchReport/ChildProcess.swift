// A benchmark's helper process (a traffic source, an echo server): started from an executable,
// it prints its port on its first line, and is ended by its pid. Shared by sockets-bench,
// async-bench and the peers benchmarks.

import Foundation

/// A child process that serves on a loopback port and says which.
public final class ChildProcess {
    /// The port the child printed.
    public let port: UInt16
    private let process = Process()

    /// Starts `executable` with `arguments` and reads the port from its first line.
    ///
    /// - Parameters:
    ///   - executable: the path of the executable.
    ///   - arguments: its arguments.
    /// - Throws: what `Process.run()` throws, or ``ChildProcessError`` when no port came.
    public init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = UInt16(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            process.waitUntilExit()
            throw ChildProcessError(description: "\(executable) \(arguments) printed no port: \(line)")
        }
        self.port = port
    }

    /// Ends the child (by its pid) if it still runs, and waits for it.
    public func finish() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// A child process that did not start serving.
public struct ChildProcessError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
}
