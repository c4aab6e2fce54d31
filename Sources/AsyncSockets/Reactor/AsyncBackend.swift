// Which kernel interface the reactor waits on, chosen once when it starts: epoll by default,
// io_uring when `SOCKETS_ASYNC_BACKEND=io_uring` asks for it and the start-up probe says it can
// run; any "no" falls back to epoll and says why.

import Sockets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kernel interface behind the async layer's reactor.
///
/// epoll is the default and the fallback everywhere. io_uring runs when the environment
/// variable `SOCKETS_ASYNC_BACKEND` is `io_uring` and the kernel allows it: the reactor probes
/// once at start-up (a ring can be created, which `kernel.io_uring_disabled` and container
/// seccomp profiles forbid; the opcodes and provided-buffer rings the backend uses are there).
/// `SOCKETS_ASYNC_BACKEND=epoll` forces epoll. ``AsyncSocket/backend`` tells which one runs, and
/// ``AsyncSocket/backendNote`` why the one asked for does not.
///
/// With io_uring, an operation that has to wait arms a one-shot poll (a multishot poll per
/// socket made a completion for every wake-up nobody waited for), and a receive on the
/// reactor's executor goes to the kernel with the caller's buffer and completes there. With
/// `SOCKETS_IO_URING_MULTISHOT=enabled` as well, the receive loop runs as one multishot receive
/// into provided buffers (``AsyncSocket/multishotReceiveLoop``): measured slower than the
/// plain loop on Linux 6.18 (see docs/BENCHMARKS.md), so it is not the default.
public enum AsyncBackend: String, Sendable, CustomStringConvertible {
    /// `epoll_wait`, edge-triggered registrations (Linux).
    case epoll
    /// io_uring: one-shot polls per wait, receives and sends by completion (Linux 5.19 or later).
    case ioUring = "io_uring"

    /// `"epoll"` or `"io_uring"`, as `SOCKETS_ASYNC_BACKEND` spells them.
    public var description: String { rawValue }

    /// The backend the environment asks for and the probe allows, and why it differs, if so.
    static func choose() -> (backend: AsyncBackend, note: String?) {
        guard let asked = getenv("SOCKETS_ASYNC_BACKEND").map({ String(cString: $0) }), !asked.isEmpty else {
            return (.epoll, nil)
        }
        switch AsyncBackend(rawValue: asked) {
        case .epoll?:
            return (.epoll, nil)
        case .ioUring?:
            let support = IOURingSupport.current
            return support.isAvailable ? (.ioUring, nil) : (.epoll, "\(support.unavailableReason ?? "io_uring unavailable"): using epoll")
        case nil:
            return (.epoll, "SOCKETS_ASYNC_BACKEND=\(asked) is not epoll or io_uring: using epoll")
        }
    }
}

extension AsyncSocket {
    /// Whether the receive loop (`receiveAll(using:limit:_:)` with no limit, a buffer of at
    /// least 16 KiB, on the reactor's executor) runs as one io_uring multishot receive into the
    /// library's provided buffers: on the io_uring backend, when `SOCKETS_IO_URING_MULTISHOT` is
    /// `enabled` (read once, at the reactor's start).
    public static var multishotReceiveLoop: Bool { ReactorGroup.shared.reactors[0].completions?.multishotLoops ?? false }

    /// The backend the reactor runs on (starting the reactor if it has not started).
    public static var backend: AsyncBackend { ReactorGroup.shared.reactors[0].poller.backend }

    /// Why the backend asked for through `SOCKETS_ASYNC_BACKEND` is not the one running
    /// (io_uring unavailable here, or an unknown name), or `nil` (starting the reactor if it has
    /// not started).
    public static var backendNote: String? { ReactorGroup.shared.reactors[0].backendNote }
}
