/// A POSIX error number, as a system call reports it in `errno`.
///
/// A struct over the raw code rather than an enum, so that codes this library does not name
/// still fit. Compare against the named statics: `error.kind == .system(.connectionRefused)`.
public struct Errno: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `errno` value.
    public var rawValue: Int32

    /// Wraps a raw `errno` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The C library's message for this code (`strerror`), such as "Connection refused".
    public var description: String { Sys.errorMessage(rawValue) }

    /// `EPERM`: the operation is not permitted.
    public static let notPermitted = Errno(rawValue: Constants.eperm)
    /// `ENOENT`: no such file, directory or entry.
    public static let noSuchEntry = Errno(rawValue: Constants.enoent)
    /// `EINTR`: a signal interrupted the call; the library retries it (never for `close`).
    public static let interrupted = Errno(rawValue: Constants.eintr)
    /// `EBADF`: the descriptor is not open. A programmer error this library's ownership prevents.
    public static let badDescriptor = Errno(rawValue: Constants.ebadf)
    /// `EAGAIN` / `EWOULDBLOCK`: a non-blocking operation would have to wait.
    public static let wouldBlock = Errno(rawValue: Constants.eagain)
    /// `ENOMEM`: the kernel is out of memory.
    public static let noMemory = Errno(rawValue: Constants.enomem)
    /// `EACCES`: permission denied.
    public static let permissionDenied = Errno(rawValue: Constants.eacces)
    /// `EFAULT`: a bad address was passed. A programmer error.
    public static let badAddress = Errno(rawValue: Constants.efault)
    /// `EINVAL`: an argument is invalid.
    public static let invalidArgument = Errno(rawValue: Constants.einval)
    /// `EMFILE`: the process has too many open descriptors.
    public static let tooManyOpenFiles = Errno(rawValue: Constants.emfile)
    /// `EPIPE`: the peer has closed the connection for writing.
    public static let brokenPipe = Errno(rawValue: Constants.epipe)
    /// `ERANGE`: a result does not fit.
    public static let outOfRange = Errno(rawValue: Constants.erange)
    /// `ENAMETOOLONG`: a name (such as a Unix socket path) is too long.
    public static let nameTooLong = Errno(rawValue: Constants.enametoolong)
    /// `ENOSYS`: the call does not exist on this platform.
    public static let notImplemented = Errno(rawValue: Constants.enosys)
    /// `ENOTSOCK`: the descriptor is not a socket.
    public static let notSocket = Errno(rawValue: Constants.enotsock)
    /// `EMSGSIZE`: a datagram is too large to send in one piece.
    public static let messageTooLong = Errno(rawValue: Constants.emsgsize)
    /// `ENOPROTOOPT`: the option is not known at this level.
    public static let optionNotAvailable = Errno(rawValue: Constants.enoprotoopt)
    /// `EOPNOTSUPP`: the operation is not supported on this socket.
    public static let notSupported = Errno(rawValue: Constants.eopnotsupp)
    /// `EAFNOSUPPORT`: the address family is not supported.
    public static let familyNotSupported = Errno(rawValue: Constants.eafnosupport)
    /// `EADDRINUSE`: the local address is already in use.
    public static let addressInUse = Errno(rawValue: Constants.eaddrinuse)
    /// `EADDRNOTAVAIL`: the address is not available on this machine.
    public static let addressNotAvailable = Errno(rawValue: Constants.eaddrnotavail)
    /// `ENETDOWN`: the network is down.
    public static let networkDown = Errno(rawValue: Constants.enetdown)
    /// `ENETUNREACH`: the network is unreachable.
    public static let networkUnreachable = Errno(rawValue: Constants.enetunreach)
    /// `ECONNABORTED`: the connection was aborted.
    public static let connectionAborted = Errno(rawValue: Constants.econnaborted)
    /// `ECONNRESET`: the peer reset the connection.
    public static let connectionReset = Errno(rawValue: Constants.econnreset)
    /// `ENOBUFS`: no buffer space is available.
    public static let noBufferSpace = Errno(rawValue: Constants.enobufs)
    /// `EISCONN`: the socket is already connected.
    public static let alreadyConnected = Errno(rawValue: Constants.eisconn)
    /// `ENOTCONN`: the socket is not connected.
    public static let notConnected = Errno(rawValue: Constants.enotconn)
    /// `ETIMEDOUT`: the kernel gave up on the connection.
    public static let timedOut = Errno(rawValue: Constants.etimedout)
    /// `ECONNREFUSED`: nothing listens at the address.
    public static let connectionRefused = Errno(rawValue: Constants.econnrefused)
    /// `EHOSTUNREACH`: no route to the host.
    public static let hostUnreachable = Errno(rawValue: Constants.ehostunreach)
    /// `EALREADY`: a non-blocking connect is already under way.
    public static let alreadyInProgress = Errno(rawValue: Constants.ealready)
    /// `EINPROGRESS`: a non-blocking connect has started and not finished.
    public static let inProgress = Errno(rawValue: Constants.einprogress)
}
