// The calls behind the async layer's reactor: epoll, an eventfd to wake it, and its thread.
// `package` access: the async layer (a separate target in this package) shares these instead of
// a second syscall layer; users of the library never see them.

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One readiness event as the poller reports it: the ready bits and the registration's token.
package struct PollEvent {
    /// The ready bits (see ``PollBits``).
    package var bits: UInt32
    /// The token given when the descriptor was registered.
    package var token: UInt64
    /// The direction (0 read, 1 write) whose one-shot poll this completes, or -1 (epoll).
    package var pollDirection = -1

    /// An event of `bits` for `token`.
    package init(bits: UInt32, token: UInt64, pollDirection: Int = -1) {
        self.bits = bits
        self.token = token
        self.pollDirection = pollDirection
    }
}

/// The readiness bits a poller reports.
package enum PollBits {
    package static let readable = cshims_EPOLLIN
    package static let writable = cshims_EPOLLOUT
    package static let error = cshims_EPOLLERR
    package static let hangUp = cshims_EPOLLHUP
    package static let readHangUp = cshims_EPOLLRDHUP
    package static let edgeTriggered = cshims_EPOLLET
}

/// A buffer the poller writes events into, allocated once per reactor.
package final class PollEvents {
    let raw: UnsafeMutablePointer<cshims_poll_event>
    /// How many events fit.
    package let capacity: Int

    /// Room for `capacity` events (at most 1024 per wait).
    package init(capacity: Int) {
        self.capacity = min(max(capacity, 1), 1024)
        raw = .allocate(capacity: self.capacity)
    }

    deinit { raw.deallocate() }

    /// Event `index` of the last wait.
    package subscript(index: Int) -> PollEvent {
        PollEvent(bits: raw[index].events, token: raw[index].token)
    }
}

extension Sys {
    /// `epoll_create1(EPOLL_CLOEXEC)`.
    package static func pollerCreate() throws(Errno) -> Int32 {
        try retrying("epoll_create") { cshims_epoll_create() }
    }

    /// `epoll_ctl(EPOLL_CTL_ADD)`.
    package static func pollerAdd(_ poller: Int32, _ fd: Int32, bits: UInt32, token: UInt64) throws(Errno) {
        _ = try retrying("epoll_ctl") { cshims_epoll_ctl(poller, 1, fd, bits, token) }
    }

    /// `epoll_ctl(EPOLL_CTL_MOD)`.
    package static func pollerModify(_ poller: Int32, _ fd: Int32, bits: UInt32, token: UInt64) throws(Errno) {
        _ = try retrying("epoll_ctl") { cshims_epoll_ctl(poller, 3, fd, bits, token) }
    }

    /// `epoll_ctl(EPOLL_CTL_DEL)`.
    package static func pollerRemove(_ poller: Int32, _ fd: Int32) throws(Errno) {
        _ = try retrying("epoll_ctl") { cshims_epoll_ctl(poller, 2, fd, 0, 0) }
    }

    /// `epoll_wait` into `events`; -1 waits forever. Not retried on EINTR (returns 0 then, so
    /// the caller recomputes its timers).
    package static func pollerWait(_ poller: Int32, _ events: PollEvents, timeoutMilliseconds: Int32) throws(Errno) -> Int {
        do throws(Errno) {
            return Int(try once("epoll_wait") {
                cshims_epoll_wait(poller, events.raw, Int32(events.capacity), timeoutMilliseconds)
            })
        } catch where error == .interrupted {
            return 0
        }
    }

    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`.
    package static func wakerCreate() throws(Errno) -> Int32 {
        try retrying("eventfd") { cshims_eventfd() }
    }

    /// `eventfd_write(fd, 1)`.
    package static func wakerSignal(_ fd: Int32) {
        _ = try? retrying("eventfd_write") { cshims_eventfd_signal(fd) }
    }

    /// `eventfd_read`: resets the counter (EAGAIN when it was already zero is fine).
    package static func wakerDrain(_ fd: Int32) {
        _ = try? retrying("eventfd_read") { cshims_eventfd_drain(fd) }
    }

    /// The calling thread's id (`pthread_self`), never 0.
    package static func currentThreadID() -> UInt {
        #if canImport(Glibc)
        return UInt(pthread_self())
        #else
        return UInt(bitPattern: pthread_self())
        #endif
    }

    /// `close` of a descriptor that is not a socket the library owns (a poller or an eventfd).
    package static func closeDescriptor(_ fd: Int32) {
        _ = try? once("close") { cshims_close(fd) }
    }

    /// Starts a detached thread running `body`.
    package static func startThread(_ body: @escaping @Sendable () -> Void) throws(Errno) {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        do throws(Errno) {
            _ = try once("pthread_create") {
                cshims_thread_start({ context in
                    let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
                    body.run()
                }, context)
            }
        } catch {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            throw error
        }
    }
}

/// A thread's body, boxed to cross the C boundary.
private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

// MARK: - Calls that report failure without throwing
//
// The async layer's fast path: a call that would block is the common case there, not an
// error, so these return `-errno` instead of throwing (no error is thrown, so nothing observes
// a throw, and the caller branches on one integer).

extension Sys {
    /// Runs `call` until it returns something other than -1 with `EINTR`; -1 becomes `-errno`.
    @inline(__always)
    static func attempt(_ name: StaticString, _ call: () -> Int) -> Int {
        while true {
            #if DEBUG
            if let forced = MockingDriver.intercept(name) {
                if forced == .interrupted { continue }
                return -Int(forced.rawValue)
            }
            #endif
            let result = call()
            if result != -1 { return result }
            let code = errno
            if code != Constants.eintr { return -Int(code) }
        }
    }

    /// `recv`; `-errno` on failure.
    @inline(__always)
    package static func recvOrErrno(
        _ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ flags: Int32
    ) -> Int {
        attempt("recv") { cshims_recv(fd, buffer, count, flags) }
    }

    /// `send`, never raising SIGPIPE; `-errno` on failure.
    @inline(__always)
    package static func sendOrErrno(
        _ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ flags: Int32
    ) -> Int {
        attempt("send") { cshims_send(fd, buffer, count, flags) }
    }

    /// `accept4` with close-on-exec; the new descriptor, or `-errno`.
    package static func acceptOrErrno(_ fd: Int32) -> Int {
        attempt("accept") { Int(cshims_accept(fd, nil, nil)) }
    }
}
