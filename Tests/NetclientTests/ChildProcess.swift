// Running the built netclient (and the Python HTTP server) as child processes, bounded in time.
//
// Children are started with posix_spawn and a clean signal state: the test runner's threads
// block signals, and a child inheriting that mask would ignore SIGTERM (and `timeout` its own
// SIGALRM), so it could outlive the test.

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of a finished child process.
struct ChildResult {
    var status: Int32
    var standardOutput: Data
    var standardError: String
    /// Peak resident memory in KiB (`ru_maxrss`).
    var peakMemoryKiB: Int
}

/// The built executable `name`, next to the test bundle (or in the nearest folder above it).
func builtExecutable(_ name: String) -> String {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = testBinary.deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path),
          directory.path != "/" {
        directory = directory.deletingLastPathComponent()
    }
    return directory.appendingPathComponent(name).path
}

/// The built `netclient` executable, next to the test bundle.
let netclientPath = builtExecutable("netclient")

/// `read()`, read again every 50 ms until it reaches `expected` or 10 s have passed: a server
/// logs a request a moment after the client has its reply.
func countReaching(_ expected: Int, _ read: () -> Int) -> Int {
    let deadline = Date(timeIntervalSinceNow: 10)
    while true {
        let count = read()
        if count >= expected || Date() > deadline { return count }
        usleep(50_000)
    }
}

/// Runs `netclient` with `arguments`, killing it (by its pid) after `timeout` seconds.
func netclient(_ arguments: [String], timeout: Double = 60) throws -> ChildResult {
    try runChild(netclientPath, arguments, timeout: timeout)
}

/// A temporary file path that is removed when the value goes away.
final class TemporaryFile {
    let path = NSTemporaryDirectory() + "netclient-test-\(UUID().uuidString)"
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Starts `path` with `arguments`, stdin from /dev/null and stdout/stderr into files, with
/// every signal unblocked and at its default action. Returns the child's pid.
func spawnChild(_ path: String, _ arguments: [String], output: String, error: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, path, &actions, &attributes, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    return pid
}

/// Waits for child `pid` at most `timeout` seconds, then kills it; returns its exit status
/// (128 + signal if a signal ended it) and resource usage.
func waitForChild(_ pid: pid_t, timeout: Double) -> (status: Int32, usage: rusage, timedOut: Bool) {
    var status: Int32 = 0
    var usage = rusage()
    let deadline = Date(timeIntervalSinceNow: timeout)
    var timedOut = false
    while wait4(pid, &status, WNOHANG, &usage) != pid {
        if Date() > deadline {
            timedOut = true
            kill(pid, SIGKILL)
            _ = wait4(pid, &status, 0, &usage)
            break
        }
        usleep(2000)
    }
    let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exitCode, usage, timedOut)
}

/// Runs `path` with `arguments` to completion (at most `timeout` seconds).
func runChild(_ path: String, _ arguments: [String], timeout: Double) throws -> ChildResult {
    let output = TemporaryFile()
    let error = TemporaryFile()
    let pid = try spawnChild(path, arguments, output: output.path, error: error.path)
    let (status, usage, timedOut) = waitForChild(pid, timeout: timeout)
    if timedOut { throw ChildTimeout(arguments: arguments) }
    return ChildResult(
        status: status,
        standardOutput: (try? Data(contentsOf: URL(fileURLWithPath: output.path))) ?? Data(),
        standardError: (try? String(contentsOfFile: error.path, encoding: .utf8)) ?? "",
        peakMemoryKiB: usage.ru_maxrss)
}

/// A child process ran past its time and was killed.
struct ChildTimeout: Error, CustomStringConvertible {
    var arguments: [String]
    var description: String { "\(arguments) did not finish in time and was killed" }
}
