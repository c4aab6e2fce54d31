import Synchronization

/// The one owner of a socket descriptor: closed exactly once, by `deinit` or by ``close()``.
///
/// `Socket` is `~Copyable`, so a descriptor cannot be closed twice or used after close: the
/// compiler refuses a second owner. Pass it `borrowing` to use it, `consuming` to hand it on.
/// New sockets are close-on-exec and never raise SIGPIPE (failed sends report `EPIPE`).
///
///     let socket = try Socket(.ipv4, .stream)
///     try socket.connect(to: SocketAddress("127.0.0.1:8080"), timeout: .seconds(2))
public struct Socket: ~Copyable, Sendable {
    /// The descriptor, closed when this socket ends.
    private let owned: OwnedDescriptor

    /// The descriptor this socket owns.
    package var descriptor: Int32 { owned.descriptor }

    /// What the datagram send path has learned about this socket (see ``datagramSendPath``):
    /// whether it is UDP, and whether the kernel refused segmentation offload on it.
    let offload = Atomic<UInt8>(OffloadState.unknown.rawValue)

    /// How long operations may wait; see ``setTimeout(_:)``.
    public private(set) var timeout: Timeout

    /// Creates a socket.
    ///
    /// - Parameters:
    ///   - family: `.ipv4`, `.ipv6` or `.unix`.
    ///   - type: `.stream` or `.datagram` (or a rarer type).
    ///   - protocol: `.tcp`, `.udp`, or `.default` for the type's usual protocol.
    /// - Throws: ``SocketError`` of kind `.system` (`EAFNOSUPPORT`, `EMFILE`, ...).
    ///
    /// The corresponding C function is `socket`, with `SOCK_CLOEXEC`.
    public init(
        _ family: AddressFamily, _ type: SocketType, _ protocol: SocketProtocol = .default
    ) throws(SocketError) {
        do throws(Errno) {
            owned = OwnedDescriptor(try Sys.socket(family.rawValue, type.rawValue, `protocol`.rawValue))
        } catch {
            throw .system(error, "socket", "\(family) \(type)")
        }
        timeout = .blocking
    }

    /// Creates a socket whose descriptor is already non-blocking (`SOCK_NONBLOCK` on Linux, in
    /// the same call; `fcntl` after it elsewhere), for the async layer.
    package init(
        _ family: AddressFamily, _ type: SocketType, _ protocol: SocketProtocol = .default, nonBlocking: Bool
    ) throws(SocketError) {
        let flag = nonBlocking ? Constants.sock_nonblock : 0
        let created: Int32
        do throws(Errno) {
            created = try Sys.socket(family.rawValue, type.rawValue | flag, `protocol`.rawValue)
        } catch {
            throw .system(error, "socket", "\(family) \(type)")
        }
        if nonBlocking && flag == 0 {
            do throws(Errno) { try Sys.setNonBlocking(created, true) } catch {
                try? Sys.close(created)
                throw .system(error, "fcntl")
            }
        }
        owned = OwnedDescriptor(created)
        timeout = .blocking
    }

    /// Takes ownership of an open socket descriptor, which this socket will close. Its timeout
    /// is ``Timeout/nonBlocking`` if the descriptor has `O_NONBLOCK` set, else
    /// ``Timeout/blocking``.
    ///
    /// The descriptor is checked here, once: afterwards the socket owns it, and `EBADF` from any
    /// call on it can only mean a bug (something closed it behind the socket's back), which
    /// stops the program with the operation's name.
    ///
    /// - Parameter descriptor: an open socket descriptor; on success the socket owns it, on
    ///   failure the caller still does.
    /// - Throws: ``SocketError`` of kind `.system(.badDescriptor)` if the descriptor is not
    ///   open, or `.system(.notSocket)` if it is not a socket.
    ///
    /// The corresponding C functions are `fcntl(F_GETFL)` and `getsockopt(SO_TYPE)`.
    public init(adopting descriptor: Int32) throws(SocketError) {
        let flags: Int32
        do throws(Errno) {
            flags = try Sys.fcntl(descriptor, Constants.f_getfl)
            _ = try Sys.option(descriptor, Constants.sol_socket, Constants.so_type, as: Int32.self, initial: 0)
        } catch {
            let detail = error == .badDescriptor ? "descriptor \(descriptor) is not open"
                : error == .notSocket ? "descriptor \(descriptor) is not a socket" : nil
            throw SocketError(.system(error), operation: "adopt", target: "descriptor \(descriptor)",
                              detail: detail)
        }
        owned = OwnedDescriptor(descriptor)
        timeout = flags & Constants.o_nonblock != 0 ? .nonBlocking : .blocking
    }

    /// An accepted descriptor, already known to be open and blocking.
    package init(accepted descriptor: Int32) {
        owned = OwnedDescriptor(descriptor)
        timeout = .blocking
    }

    /// Closes the socket now and reports the error that `deinit` would have to ignore.
    /// The descriptor is released whatever the outcome; `close` is never retried.
    ///
    /// - Throws: ``SocketError`` of kind `.system` with the error `close` reported (`EIO`; `EINTR` on
    ///   some platforms); the descriptor is closed all the same.
    ///
    /// The corresponding C function is `close`.
    public consuming func close() throws(SocketError) {
        do throws(Errno) { try owned.close() } catch { throw .system(error, "close") }
    }

    /// Gives up ownership: returns the descriptor, which the caller must now close.
    public consuming func releaseDescriptor() -> Int32 {
        owned.release()
    }

    /// Calls `body` with the raw descriptor, for calls this library does not wrap. Do not close
    /// it, and do not keep it past `body`.
    ///
    /// - Parameter body: the work to do with the descriptor.
    /// - Throws: what `body` throws.
    public borrowing func withUnsafeDescriptor<R: ~Copyable, E: Error>(
        _ body: (Int32) throws(E) -> R
    ) throws(E) -> R {
        try body(descriptor)
    }

    /// Sets how long operations may wait, with the meaning of Python's `settimeout`:
    /// ``Timeout/blocking`` waits forever, ``Timeout/nonBlocking`` never waits, and
    /// ``Timeout/after(_:)`` waits at most that long per operation. A zero duration means
    /// non-blocking; a negative one is an error.
    ///
    /// With a duration, the descriptor is put in non-blocking mode and the library waits with
    /// `poll` only when an operation would block, so a ready operation costs one system call.
    ///
    /// - Parameter timeout: `.blocking`, `.nonBlocking` or `.after(duration)`.
    /// - Throws: ``SocketError`` of kind `.system(.invalidArgument)` for a negative duration, or the
    ///   `fcntl` error.
    ///
    /// The corresponding C function is `fcntl(F_SETFL, O_NONBLOCK)`.
    public mutating func setTimeout(_ timeout: Timeout) throws(SocketError) {
        var timeout = timeout
        if case .after(let duration) = timeout {
            guard duration >= .zero else {
                throw .invalid("settimeout", "negative timeout \(duration)")
            }
            if duration == .zero { timeout = .nonBlocking }
        }
        try setNonBlocking(timeout != .blocking)
        self.timeout = timeout
    }

    /// Sets or clears `O_NONBLOCK`, leaving the other flags as they are.
    package borrowing func setNonBlocking(_ nonBlocking: Bool) throws(SocketError) {
        do throws(Errno) { try Sys.setNonBlocking(descriptor, nonBlocking) } catch {
            throw .system(error, "fcntl")
        }
    }
}
