/// A POSIX error number, as a system call reports it in `errno`.
///
/// A struct over the raw code rather than an enum, so that codes this library does not name
/// still fit. Compare against the named statics: `error.kind == .system(.connectionRefused)`.
public struct Errno: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `errno` value.
    public var rawValue: Int32

    /// Wraps a raw `errno` value.
    ///
    /// - Parameter rawValue: the raw `errno` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The C library's message for this code (`strerror`), such as "Connection refused".
    public var description: String { Sys.errorMessage(rawValue) }

    /// `EPERM`: the operation is not permitted.
    public static let notPermitted = Errno(rawValue: Constants.eperm)
    /// `ENOENT`: no such file, directory or entry.
    public static let noSuchEntry = Errno(rawValue: Constants.enoent)
    /// `EINTR`: a signal interrupted the call; the library retries it (never for `close`).
    public static let interrupted = Errno(rawValue: Constants.eintr)
    /// `EBADF`: the descriptor is not open. On a descriptor a ``Socket`` owns only a bug can cause
    /// it (something closed the descriptor behind the socket's back), so the library stops with a
    /// precondition failure naming the operation; ``Socket/init(adopting:)`` reports it as an error.
    public static let badDescriptor = Errno(rawValue: Constants.ebadf)
    /// `EAGAIN` / `EWOULDBLOCK`: a non-blocking operation would have to wait.
    public static let wouldBlock = Errno(rawValue: Constants.eagain)
    /// `ENOMEM`: the kernel is out of memory.
    public static let noMemory = Errno(rawValue: Constants.enomem)
    /// `EACCES`: permission denied.
    public static let permissionDenied = Errno(rawValue: Constants.eacces)
    /// `EFAULT`: a bad memory address was passed to the kernel. Only a bug can cause it (the
    /// library's own buffers are valid), so the library stops with a precondition failure.
    public static let badAddress = Errno(rawValue: Constants.efault)
    /// `EINVAL`: an argument is invalid.
    public static let invalidArgument = Errno(rawValue: Constants.einval)
    /// `EIO`: an input/output error; for a segmented UDP send, the route's device cannot
    /// offload it.
    public static let ioError = Errno(rawValue: Constants.eio)
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

// The C names, as swift-system offers them: each is unavailable and renamed, so the compiler
// offers the fix-it to the Swift name (`Errno.ECONNREFUSED` becomes `.connectionRefused`).
extension Errno {
    /// `EPERM`: use ``notPermitted``.
    @available(*, unavailable, renamed: "notPermitted")
    public static var EPERM: Errno { notPermitted }

    /// `ENOENT`: use ``noSuchEntry``.
    @available(*, unavailable, renamed: "noSuchEntry")
    public static var ENOENT: Errno { noSuchEntry }

    /// `EINTR`: use ``interrupted``.
    @available(*, unavailable, renamed: "interrupted")
    public static var EINTR: Errno { interrupted }

    /// `EBADF`: use ``badDescriptor``.
    @available(*, unavailable, renamed: "badDescriptor")
    public static var EBADF: Errno { badDescriptor }

    /// `EAGAIN`: use ``wouldBlock``.
    @available(*, unavailable, renamed: "wouldBlock")
    public static var EAGAIN: Errno { wouldBlock }

    /// `EWOULDBLOCK`: use ``wouldBlock``.
    @available(*, unavailable, renamed: "wouldBlock")
    public static var EWOULDBLOCK: Errno { wouldBlock }

    /// `ENOMEM`: use ``noMemory``.
    @available(*, unavailable, renamed: "noMemory")
    public static var ENOMEM: Errno { noMemory }

    /// `EACCES`: use ``permissionDenied``.
    @available(*, unavailable, renamed: "permissionDenied")
    public static var EACCES: Errno { permissionDenied }

    /// `EFAULT`: use ``badAddress``.
    @available(*, unavailable, renamed: "badAddress")
    public static var EFAULT: Errno { badAddress }

    /// `EIO`: use ``ioError``.
    @available(*, unavailable, renamed: "ioError")
    public static var EIO: Errno { ioError }

    /// `EINVAL`: use ``invalidArgument``.
    @available(*, unavailable, renamed: "invalidArgument")
    public static var EINVAL: Errno { invalidArgument }

    /// `EMFILE`: use ``tooManyOpenFiles``.
    @available(*, unavailable, renamed: "tooManyOpenFiles")
    public static var EMFILE: Errno { tooManyOpenFiles }

    /// `EPIPE`: use ``brokenPipe``.
    @available(*, unavailable, renamed: "brokenPipe")
    public static var EPIPE: Errno { brokenPipe }

    /// `ERANGE`: use ``outOfRange``.
    @available(*, unavailable, renamed: "outOfRange")
    public static var ERANGE: Errno { outOfRange }

    /// `ENAMETOOLONG`: use ``nameTooLong``.
    @available(*, unavailable, renamed: "nameTooLong")
    public static var ENAMETOOLONG: Errno { nameTooLong }

    /// `ENOSYS`: use ``notImplemented``.
    @available(*, unavailable, renamed: "notImplemented")
    public static var ENOSYS: Errno { notImplemented }

    /// `ENOTSOCK`: use ``notSocket``.
    @available(*, unavailable, renamed: "notSocket")
    public static var ENOTSOCK: Errno { notSocket }

    /// `EMSGSIZE`: use ``messageTooLong``.
    @available(*, unavailable, renamed: "messageTooLong")
    public static var EMSGSIZE: Errno { messageTooLong }

    /// `ENOPROTOOPT`: use ``optionNotAvailable``.
    @available(*, unavailable, renamed: "optionNotAvailable")
    public static var ENOPROTOOPT: Errno { optionNotAvailable }

    /// `EOPNOTSUPP`: use ``notSupported``.
    @available(*, unavailable, renamed: "notSupported")
    public static var EOPNOTSUPP: Errno { notSupported }

    /// `EAFNOSUPPORT`: use ``familyNotSupported``.
    @available(*, unavailable, renamed: "familyNotSupported")
    public static var EAFNOSUPPORT: Errno { familyNotSupported }

    /// `EADDRINUSE`: use ``addressInUse``.
    @available(*, unavailable, renamed: "addressInUse")
    public static var EADDRINUSE: Errno { addressInUse }

    /// `EADDRNOTAVAIL`: use ``addressNotAvailable``.
    @available(*, unavailable, renamed: "addressNotAvailable")
    public static var EADDRNOTAVAIL: Errno { addressNotAvailable }

    /// `ENETDOWN`: use ``networkDown``.
    @available(*, unavailable, renamed: "networkDown")
    public static var ENETDOWN: Errno { networkDown }

    /// `ENETUNREACH`: use ``networkUnreachable``.
    @available(*, unavailable, renamed: "networkUnreachable")
    public static var ENETUNREACH: Errno { networkUnreachable }

    /// `ECONNABORTED`: use ``connectionAborted``.
    @available(*, unavailable, renamed: "connectionAborted")
    public static var ECONNABORTED: Errno { connectionAborted }

    /// `ECONNRESET`: use ``connectionReset``.
    @available(*, unavailable, renamed: "connectionReset")
    public static var ECONNRESET: Errno { connectionReset }

    /// `ENOBUFS`: use ``noBufferSpace``.
    @available(*, unavailable, renamed: "noBufferSpace")
    public static var ENOBUFS: Errno { noBufferSpace }

    /// `EISCONN`: use ``alreadyConnected``.
    @available(*, unavailable, renamed: "alreadyConnected")
    public static var EISCONN: Errno { alreadyConnected }

    /// `ENOTCONN`: use ``notConnected``.
    @available(*, unavailable, renamed: "notConnected")
    public static var ENOTCONN: Errno { notConnected }

    /// `ETIMEDOUT`: use ``timedOut``.
    @available(*, unavailable, renamed: "timedOut")
    public static var ETIMEDOUT: Errno { timedOut }

    /// `ECONNREFUSED`: use ``connectionRefused``.
    @available(*, unavailable, renamed: "connectionRefused")
    public static var ECONNREFUSED: Errno { connectionRefused }

    /// `EHOSTUNREACH`: use ``hostUnreachable``.
    @available(*, unavailable, renamed: "hostUnreachable")
    public static var EHOSTUNREACH: Errno { hostUnreachable }

    /// `EALREADY`: use ``alreadyInProgress``.
    @available(*, unavailable, renamed: "alreadyInProgress")
    public static var EALREADY: Errno { alreadyInProgress }

    /// `EINPROGRESS`: use ``inProgress``.
    @available(*, unavailable, renamed: "inProgress")
    public static var EINPROGRESS: Errno { inProgress }
}
