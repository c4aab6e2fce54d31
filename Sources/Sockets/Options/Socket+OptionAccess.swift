// The typed get/set helpers every option property is built on.

extension Socket {
    /// Reads an `int` option as a Bool.
    borrowing func boolOption(_ level: Int32, _ name: Int32, _ cName: String) throws(SocketError) -> Bool {
        try intOption(level, name, cName) != 0
    }

    /// Sets an `int` option from a Bool.
    borrowing func setBoolOption(
        _ level: Int32, _ name: Int32, _ cName: String, _ value: Bool
    ) throws(SocketError) {
        try setIntOption(level, name, cName, value ? 1 : 0)
    }

    /// Reads an `int` option.
    borrowing func intOption(_ level: Int32, _ name: Int32, _ cName: String) throws(SocketError) -> Int {
        do throws(Errno) {
            return Int(try Sys.option(descriptor, level, name, as: Int32.self, initial: 0))
        } catch {
            throw .system(error, "getsockopt", cName)
        }
    }

    /// Sets an `int` option; a value that does not fit a C `int` is refused before the call.
    borrowing func setIntOption(
        _ level: Int32, _ name: Int32, _ cName: String, _ value: Int
    ) throws(SocketError) {
        guard let raw = Int32(exactly: value) else {
            throw .invalid("setsockopt", "value \(value) does not fit a C int", target: cName)
        }
        do throws(Errno) { try Sys.setOption(descriptor, level, name, raw) } catch {
            throw .system(error, "setsockopt", cName)
        }
    }

    /// Sets an option measured in whole seconds (`int`), refusing negative or sub-second values.
    borrowing func setSecondsOption(
        _ level: Int32, _ name: Int32, _ cName: String, _ value: Duration
    ) throws(SocketError) {
        let (seconds, attoseconds) = value.components
        guard seconds > 0 || (seconds == 0 && attoseconds == 0), attoseconds == 0 else {
            throw .invalid("setsockopt", "\(value) is not a whole, non-negative number of seconds",
                           target: cName)
        }
        try setIntOption(level, name, cName, Int(seconds))
    }

    /// Runs an option call, naming the option in its error.
    borrowing func withOption<R>(
        _ operation: String, _ cName: String, _ call: () throws(Errno) -> R
    ) throws(SocketError) -> R {
        do throws(Errno) { return try call() } catch { throw .system(error, operation, cName) }
    }
}
