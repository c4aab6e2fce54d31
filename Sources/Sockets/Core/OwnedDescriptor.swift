// The descriptor a Socket owns, closed exactly once: by `deinit`, or by `close()`/`release()`.

/// A descriptor with one owner. ``Socket`` holds one, so that `Socket` itself can carry state
/// that is not trivially destroyed (an atomic) and still hand its descriptor on.
struct OwnedDescriptor: ~Copyable, Sendable {
    /// The open descriptor.
    let descriptor: Int32

    /// Takes ownership of `descriptor`.
    init(_ descriptor: Int32) { self.descriptor = descriptor }

    deinit { try? Sys.close(descriptor) }

    /// Closes the descriptor now, reporting what `close` said; it is released either way.
    consuming func close() throws(Errno) {
        let descriptor = self.descriptor
        discard self
        try Sys.close(descriptor)
    }

    /// Gives the descriptor up without closing it.
    consuming func release() -> Int32 {
        let descriptor = self.descriptor
        discard self
        return descriptor
    }
}
