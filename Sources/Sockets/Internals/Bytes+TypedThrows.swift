// Bridges from the standard library's `rethrows` buffer calls to this library's typed throws.

extension Array where Element == UInt8 {
    /// `withUnsafeBytes`, keeping the typed error of `body`.
    func withBytes<R>(
        _ body: (UnsafeRawBufferPointer) throws(SocketError) -> R
    ) throws(SocketError) -> R {
        let result = withUnsafeBytes { raw in
            Result { () throws(SocketError) -> R in try body(raw) }
        }
        return try result.get()
    }

    /// An array of at most `capacity` bytes filled by `body`, which returns how many it wrote.
    static func filled(
        capacity: Int, _ body: (UnsafeMutableRawBufferPointer) throws(SocketError) -> Int
    ) throws(SocketError) -> [UInt8] {
        var failure: SocketError?
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            switch Result(catching: { () throws(SocketError) -> Int in
                try body(UnsafeMutableRawBufferPointer(buffer))
            }) {
            case .success(let written): count = Swift.min(written, capacity)
            case .failure(let error): failure = error; count = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }
}
