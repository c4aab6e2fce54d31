// A seam for the errno paths that no real socket produces on demand (EINTR, EAGAIN, ...).
// Debug builds only; release builds compile every hook away.

#if DEBUG
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records the system calls made on this thread and forces chosen ones to fail.
///
/// Install one with `MockingDriver.withMocking { driver in ... }`; it lives in thread-local
/// storage, so tests running in parallel on other threads are not affected. Every wrapped call
/// appends its C name to `trace`; a call named in `forcedErrors` is not made at all and fails
/// with the given errno instead, consuming the entry (table-driven: entries are used in order).
final class MockingDriver {
    /// The C names of the wrapped calls made on this thread while the driver was installed.
    var trace: [String] = []

    /// Pending forced failures, used in order: the next call named `call` fails with `errno`.
    var forcedErrors: [(call: String, errno: Errno)] = []

    /// Makes the next `times` calls named `call` fail with `errno` without being made.
    func force(_ errno: Errno, on call: String, times: Int = 1) {
        for _ in 0..<times { forcedErrors.append((call, errno)) }
    }

    /// How many times the call named `call` appears in the trace.
    func count(of call: String) -> Int { trace.reduce(0) { $0 + ($1 == call ? 1 : 0) } }

    /// Runs `body` with a fresh driver installed on this thread, then removes it.
    static func withMocking<R, E: Error>(
        _ body: (MockingDriver) throws(E) -> R
    ) throws(E) -> R {
        let driver = MockingDriver()
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(driver).toOpaque())
        defer { pthread_setspecific(key, previous) }
        return try body(driver)
    }

    /// The driver installed on this thread, if any.
    static var current: MockingDriver? {
        guard let raw = pthread_getspecific(key) else { return nil }
        return Unmanaged<MockingDriver>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Records `call` and returns the errno it must fail with, if one was forced.
    @inline(never)
    static func intercept(_ call: StaticString) -> Errno? {
        guard let driver = current else { return nil }
        let name = call.description
        driver.trace.append(name)
        guard let index = driver.forcedErrors.firstIndex(where: { $0.call == name }) else {
            return nil
        }
        return driver.forcedErrors.remove(at: index).errno
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
#endif
