// The escape hatch for options this library does not name.

extension Socket {
    /// Sets any option from raw bytes, for options this library does not name.
    ///
    /// - Parameters:
    ///   - level: the C level, such as `SOL_SOCKET` (1 on Linux).
    ///   - name: the C option name's value.
    ///   - value: the option's bytes, exactly as the C call takes them; must not be empty.
    /// - Throws: ``SocketError`` of kind `.system` (`EINVAL`, `ENOPROTOOPT`), or
    ///   `.system(.invalidArgument)` for an empty value.
    ///
    /// The corresponding C function is `setsockopt`.
    public borrowing func setRawOption(
        level: Int32, name: Int32, value: UnsafeRawBufferPointer
    ) throws(SocketError) {
        try withOption("setsockopt", "level \(level) option \(name)") { () throws(Errno) in
            try Sys.setRawOption(descriptor, level, name, value)
        }
    }

    /// Reads any option into raw bytes.
    ///
    /// - Parameters:
    ///   - level: the C level, such as `SOL_SOCKET` (1 on Linux).
    ///   - name: the C option name's value.
    ///   - buffer: where the option's bytes go; must not be empty.
    /// - Returns: how many bytes the kernel wrote into `buffer`.
    /// - Throws: ``SocketError`` of kind `.system` (`EINVAL`, `ENOPROTOOPT`), or
    ///   `.system(.invalidArgument)` for an empty buffer.
    ///
    /// The corresponding C function is `getsockopt`.
    public borrowing func rawOption(
        level: Int32, name: Int32, into buffer: UnsafeMutableRawBufferPointer
    ) throws(SocketError) -> Int {
        try withOption("getsockopt", "level \(level) option \(name)") { () throws(Errno) in
            try Sys.rawOption(descriptor, level, name, into: buffer)
        }
    }
}
