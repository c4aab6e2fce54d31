// The only file that calls CShims or the C library. Each wrapper turns -1 into an `Errno` and
// retries EINTR, except where retrying is wrong: `close` (the descriptor is gone either way),
// `connect` (the attempt goes on in the kernel; the caller waits for it instead) and `poll` (the
// caller recomputes what is left of its deadline). Policy (timeouts, loops, error context) is
// the public layer's job, not this file's.

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed `getaddrinfo` or `getnameinfo`: its EAI code, and `errno` for `EAI_SYSTEM`.
struct ResolverFailure: Error {
    var code: ResolutionErrorCode
    var systemErrno: Errno?
}

/// Thin wrappers over the C calls, one per call.
package enum Sys {
    // MARK: - Error convention

    /// Runs `call` until it returns something other than -1 with `EINTR`.
    @inline(__always)
    static func retrying<R: FixedWidthInteger>(
        _ name: StaticString, _ call: () -> R
    ) throws(Errno) -> R {
        while true {
            #if DEBUG
            if let forced = MockingDriver.intercept(name) {
                if forced == .interrupted { continue }
                throw forced
            }
            #endif
            let result = call()
            if result != -1 { return result }
            let code = Errno(rawValue: errno)
            if code != .interrupted { throw code }
        }
    }

    /// Runs `call` once; -1 becomes its `errno`, EINTR included.
    @inline(__always)
    static func once<R: FixedWidthInteger>(
        _ name: StaticString, _ call: () -> R
    ) throws(Errno) -> R {
        #if DEBUG
        if let forced = MockingDriver.intercept(name) { throw forced }
        #endif
        let result = call()
        if result != -1 { return result }
        throw Errno(rawValue: errno)
    }

    /// `strerror`: the C library's message for an errno value.
    static func errorMessage(_ code: Int32) -> String {
        guard let message = strerror(code) else { return "error \(code)" }
        return String(cString: message)
    }

    /// `gai_strerror`: the C library's message for an EAI code.
    static func resolutionErrorMessage(_ code: Int32) -> String {
        String(cString: cshims_gai_strerror(code))
    }

    // MARK: - Descriptors

    /// `socket` with close-on-exec (and no SIGPIPE on Darwin).
    static func socket(_ domain: Int32, _ type: Int32, _ protocol: Int32) throws(Errno) -> Int32 {
        try retrying("socket") { cshims_socket(domain, type, `protocol`) }
    }

    /// `close`, never retried.
    static func close(_ fd: Int32) throws(Errno) {
        _ = try once("close") { cshims_close(fd) }
    }

    /// `fcntl` with an integer argument.
    static func fcntl(_ fd: Int32, _ command: Int32, _ argument: Int32 = 0) throws(Errno) -> Int32 {
        try retrying("fcntl") { cshims_fcntl(fd, command, argument) }
    }

    /// `pipe2` with close-on-exec and `flags`: (read end, write end).
    static func pipe(flags: Int32 = 0) throws(Errno) -> (read: Int32, write: Int32) {
        var fds: (Int32, Int32) = (-1, -1)
        _ = try withUnsafeMutablePointer(to: &fds) { (pair) throws(Errno) in
            try pair.withMemoryRebound(to: Int32.self, capacity: 2) { (fds) throws(Errno) in
                try retrying("pipe") { cshims_pipe(fds, flags) }
            }
        }
        return fds
    }

    // MARK: - Connection set-up

    /// `connect`, not retried on EINTR: the attempt goes on, and the caller waits for it.
    static func connect(_ fd: Int32, _ address: SocketAddress) throws(Errno) {
        try address.withSockAddr { (pointer, length) throws(Errno) in
            _ = try once("connect") { cshims_connect(fd, pointer, length) }
        }
    }

    /// `bind`.
    static func bind(_ fd: Int32, _ address: SocketAddress) throws(Errno) {
        try address.withSockAddr { (pointer, length) throws(Errno) in
            _ = try retrying("bind") { cshims_bind(fd, pointer, length) }
        }
    }

    /// `listen`.
    static func listen(_ fd: Int32, _ backlog: Int32) throws(Errno) {
        _ = try retrying("listen") { cshims_listen(fd, backlog) }
    }

    /// `accept4` with close-on-exec: the new descriptor and the peer's address.
    package static func accept(_ fd: Int32) throws(Errno) -> (fd: Int32, peer: SocketAddress?) {
        try withAddressStorage { (address, length) throws(Errno) in
            try retrying("accept") { cshims_accept(fd, address, length) }
        }
    }

    /// `shutdown`.
    static func shutdown(_ fd: Int32, _ how: Int32) throws(Errno) {
        _ = try retrying("shutdown") { cshims_shutdown(fd, how) }
    }

    /// `getsockname`.
    static func localAddress(_ fd: Int32) throws(Errno) -> SocketAddress? {
        try socketAddress("getsockname") { cshims_getsockname(fd, $0, $1) }
    }

    /// `getpeername`.
    static func remoteAddress(_ fd: Int32) throws(Errno) -> SocketAddress? {
        try socketAddress("getpeername") { cshims_getpeername(fd, $0, $1) }
    }

    private static func socketAddress(
        _ name: StaticString,
        _ call: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) throws(Errno) -> SocketAddress? {
        try withAddressStorage { (address, length) throws(Errno) in
            try retrying(name) { call(address, length) }
        }.1
    }

    /// Calls `body` with room for any socket address and its length, then decodes what the
    /// kernel wrote there.
    private static func withAddressStorage<R>(
        _ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) throws(Errno) -> R
    ) throws(Errno) -> (R, SocketAddress?) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(Errno) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(Errno) in
                try body(address, &length)
            }
        }
        return (result, SocketAddress(storage: storage, length: length))
    }

    // MARK: - Options

    /// `setsockopt` with a plain value.
    static func setOption<T: BitwiseCopyable>(
        _ fd: Int32, _ level: Int32, _ name: Int32, _ value: T
    ) throws(Errno) {
        var value = value
        _ = try retrying("setsockopt") {
            cshims_setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<T>.size))
        }
    }

    /// `getsockopt` into a plain value.
    static func option<T: BitwiseCopyable>(
        _ fd: Int32, _ level: Int32, _ name: Int32, as type: T.Type, initial: T
    ) throws(Errno) -> T {
        var value = initial
        var length = socklen_t(MemoryLayout<T>.size)
        _ = try retrying("getsockopt") { cshims_getsockopt(fd, level, name, &value, &length) }
        return value
    }

    /// `setsockopt` with raw bytes.
    static func setRawOption(
        _ fd: Int32, _ level: Int32, _ name: Int32, _ value: UnsafeRawBufferPointer
    ) throws(Errno) {
        guard let base = value.baseAddress else { throw .invalidArgument }
        _ = try retrying("setsockopt") {
            cshims_setsockopt(fd, level, name, base, socklen_t(value.count))
        }
    }

    /// `getsockopt` into raw bytes; returns the length the kernel wrote.
    static func rawOption(
        _ fd: Int32, _ level: Int32, _ name: Int32, into buffer: UnsafeMutableRawBufferPointer
    ) throws(Errno) -> Int {
        guard let base = buffer.baseAddress else { throw .invalidArgument }
        var length = socklen_t(buffer.count)
        _ = try retrying("getsockopt") { cshims_getsockopt(fd, level, name, base, &length) }
        return Int(length)
    }

    /// `SO_RCVTIMEO`/`SO_SNDTIMEO` as a duration; zero means none.
    static func setTimeval(_ fd: Int32, _ name: Int32, _ duration: Duration?) throws(Errno) {
        let (seconds, attoseconds) = (duration ?? .zero).components
        let value = timeval(tv_sec: numericCast(seconds), tv_usec: numericCast(attoseconds / 1_000_000_000_000))
        try setOption(fd, Constants.sol_socket, name, value)
    }

    /// `SO_RCVTIMEO`/`SO_SNDTIMEO` read back; zero becomes `nil`.
    static func timevalOption(_ fd: Int32, _ name: Int32) throws(Errno) -> Duration? {
        let value = try option(fd, Constants.sol_socket, name, as: timeval.self, initial: timeval())
        if value.tv_sec == 0 && value.tv_usec == 0 { return nil }
        return .seconds(Int64(value.tv_sec)) + .microseconds(Int64(value.tv_usec))
    }

    /// `SO_LINGER` as an optional duration (whole seconds); `nil` turns lingering off.
    static func setLinger(_ fd: Int32, _ duration: Duration?) throws(Errno) {
        let value = linger(l_onoff: duration == nil ? 0 : 1,
                           l_linger: Int32(duration?.components.seconds ?? 0))
        try setOption(fd, Constants.sol_socket, Constants.so_linger, value)
    }

    /// `SO_LINGER` read back.
    static func lingerOption(_ fd: Int32) throws(Errno) -> Duration? {
        let value = try option(fd, Constants.sol_socket, Constants.so_linger, as: linger.self,
                               initial: linger())
        return value.l_onoff == 0 ? nil : .seconds(Int64(value.l_linger))
    }

    /// `ioctl(FIONREAD)`: the bytes waiting to be received.
    static func bytesReadable(_ fd: Int32) throws(Errno) -> Int {
        var count: Int32 = 0
        _ = try retrying("ioctl") { cshims_bytes_readable(fd, &count) }
        return Int(count)
    }

    // MARK: - Waiting

    /// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds (a vDSO call, no system call).
    static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// `nanosleep` for `duration` (or less, when a signal interrupts it).
    static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: numericCast(max(seconds, 0)), tv_nsec: numericCast(max(attoseconds, 0) / 1_000_000_000))
        _ = nanosleep(&request, nil)
    }

    /// `poll` on one descriptor, not retried on EINTR (the caller recomputes its deadline).
    /// Returns the events that are ready (empty on a timeout).
    package static func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) throws(Errno) -> Int16 {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        let ready = try once("poll") { cshims_poll(&entry, 1, timeoutMilliseconds) }
        return ready == 0 ? 0 : entry.revents
    }

    /// `poll` on several descriptors for the same events, not retried on EINTR. Returns each
    /// descriptor's ready events, in order (all empty on a timeout).
    static func poll(
        _ fds: [Int32], events: Int16, timeoutMilliseconds: Int32
    ) throws(Errno) -> [Int16] {
        var entries = fds.map { pollfd(fd: $0, events: events, revents: 0) }
        _ = try entries.withUnsafeMutableBufferPointer { (buffer) throws(Errno) in
            try once("poll") { cshims_poll(buffer.baseAddress!, UInt32(buffer.count), timeoutMilliseconds) }
        }
        return entries.map(\.revents)
    }

    /// Sets or clears `O_NONBLOCK` on a raw descriptor.
    static func setNonBlocking(_ fd: Int32, _ nonBlocking: Bool) throws(Errno) {
        let flags = try fcntl(fd, Constants.f_getfl)
        let wanted = nonBlocking ? flags | Constants.o_nonblock : flags & ~Constants.o_nonblock
        if wanted != flags { _ = try fcntl(fd, Constants.f_setfl, wanted) }
    }

    /// `getsockopt(SO_ERROR)`: the pending error on a raw descriptor, if any.
    static func pendingError(_ fd: Int32) throws(Errno) -> Errno? {
        let code = try option(fd, Constants.sol_socket, Constants.so_error, as: Int32.self, initial: 0)
        return code == 0 ? nil : Errno(rawValue: code)
    }

    // MARK: - Data

    /// `recv`.
    @inline(__always)
    package static func recv(
        _ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ flags: Int32
    ) throws(Errno) -> Int {
        try retrying("recv") { cshims_recv(fd, buffer, count, flags) }
    }

    /// `send`, never raising SIGPIPE.
    @inline(__always)
    package static func send(
        _ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ flags: Int32
    ) throws(Errno) -> Int {
        try retrying("send") { cshims_send(fd, buffer, count, flags) }
    }

    /// `sendto`, never raising SIGPIPE.
    package static func sendTo(
        _ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ flags: Int32,
        _ address: SocketAddress
    ) throws(Errno) -> Int {
        try address.withSockAddr { (pointer, length) throws(Errno) in
            try retrying("sendto") { cshims_sendto(fd, buffer, count, flags, pointer, length) }
        }
    }

    /// `recvfrom`: the byte count and the sender's address.
    package static func receiveFrom(
        _ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ flags: Int32
    ) throws(Errno) -> (count: Int, sender: SocketAddress?) {
        try withAddressStorage { (address, length) throws(Errno) in
            try retrying("recvfrom") { cshims_recvfrom(fd, buffer, count, flags, address, length) }
        }
    }

    // MARK: - Vectored, batched and kernel-side zero-copy I/O

    /// `sendmsg` gathering from `buffers`, skipping the first `skip` bytes of them (for
    /// resuming a partial vectored write). The `iovec` array lives on the stack.
    static func sendVectored(
        _ fd: Int32, _ buffers: borrowing [UnsafeRawBufferPointer], skip: Int, _ flags: Int32
    ) throws(Errno) -> Int {
        try withIOVectors(buffers.count, { buffers[$0].baseAddress }, { buffers[$0].count }, skip: skip) {
            (vectors, count) throws(Errno) in
            var message = msghdr()
            message.msg_iov = vectors
            message.msg_iovlen = numericCast(count)
            return try retrying("sendmsg") { cshims_sendmsg(fd, &message, flags) }
        }
    }

    /// `recvmsg` scattering into `buffers`, in order.
    static func receiveVectored(
        _ fd: Int32, _ buffers: borrowing [UnsafeMutableRawBufferPointer], _ flags: Int32
    ) throws(Errno) -> Int {
        try withIOVectors(buffers.count, { UnsafeRawPointer(buffers[$0].baseAddress) }, { buffers[$0].count }, skip: 0) {
            (vectors, count) throws(Errno) in
            var message = msghdr()
            message.msg_iov = vectors
            message.msg_iovlen = numericCast(count)
            return try retrying("recvmsg") { cshims_recvmsg(fd, &message, flags) }
        }
    }

    /// Builds `iovec`s on the stack for `count` buffers, dropping empty ones and the first
    /// `skip` bytes, and calls `body` with them.
    private static func withIOVectors<R>(
        _ count: Int, _ base: (Int) -> UnsafeRawPointer?, _ length: (Int) -> Int, skip: Int,
        _ body: (UnsafeMutablePointer<iovec>, Int) throws(Errno) -> R
    ) throws(Errno) -> R {
        let result = withUnsafeTemporaryAllocation(of: iovec.self, capacity: max(count, 1)) { vectors in
            var used = 0
            var skip = skip
            for index in 0..<count {
                let size = length(index)
                guard size > skip, let start = base(index) else { skip -= min(skip, size); continue }
                vectors[used] = iovec(iov_base: UnsafeMutableRawPointer(mutating: start + skip),
                                      iov_len: size - skip)
                skip = 0
                used += 1
            }
            return Result { () throws(Errno) -> R in try body(vectors.baseAddress!, used) }
        }
        return try result.get()
    }

    /// `recvmsg` into a prepared header.
    static func receiveMessage(_ fd: Int32, _ header: UnsafeMutablePointer<msghdr>, _ flags: Int32) throws(Errno) -> Int {
        try retrying("recvmsg") { cshims_recvmsg(fd, header, flags) }
    }

    /// `recvmmsg` (Linux), with `MSG_WAITFORONE`: returns as soon as one datagram is there.
    static func receiveBatch(_ fd: Int32, _ headers: BatchHeaders, _ flags: Int32) throws(Errno) -> Int {
        headers.prepareForReceive()
        return Int(try retrying("recvmmsg") {
            cshims_recvmmsg(fd, headers.messages, UInt32(headers.slots), flags | cshims_MSG_WAITFORONE)
        })
    }

    /// `sendmmsg` (Linux) of the prepared datagrams from `first` on; returns how many the
    /// kernel took.
    static func sendBatch(_ fd: Int32, _ headers: OutgoingHeaders, from first: Int, _ flags: Int32) throws(Errno) -> Int {
        Int(try retrying("sendmmsg") {
            cshims_sendmmsg(fd, headers.messages + first, UInt32(headers.count - first), flags)
        })
    }

    /// `splice` from `input` to `output` (one a pipe), at most `count` bytes.
    static func splice(_ input: Int32, _ output: Int32, _ count: Int, _ flags: UInt32) throws(Errno) -> Int {
        try retrying("splice") { cshims_splice(input, output, count, flags) }
    }

    /// `sendfile` from `file` at `offset` (advanced by what was sent) to `socket`.
    static func sendFile(_ socket: Int32, _ file: Int32, offset: inout Int64, _ count: Int) throws(Errno) -> Int {
        try retrying("sendfile") { cshims_sendfile(socket, file, &offset, count) }
    }

    /// One zero-copy completion from the error queue (`recvmsg(MSG_ERRQUEUE)`): the range of
    /// send ids the kernel is done with, and whether it copied after all. `EAGAIN` when none is
    /// waiting; `ENOSYS` where there is no `MSG_ZEROCOPY`.
    static func zeroCopyCompletion(_ fd: Int32) throws(Errno) -> (first: UInt32, last: UInt32, copied: Bool) {
        #if os(Linux)
        return try withUnsafeTemporaryAllocation(
            byteCount: ControlMessages.space(for: MemoryLayout<sock_extended_err>.size + 64),
            alignment: MemoryLayout<cmsghdr>.alignment
        ) { (control) throws(Errno) in
            var message = msghdr()
            message.msg_control = control.baseAddress
            message.msg_controllen = control.count
            _ = try retrying("recvmsg") { cshims_recvmsg(fd, &message, Constants.msg_errqueue) }
            for item in ControlMessages(UnsafeRawBufferPointer(control), length: Int(message.msg_controllen))
            where (item.level == Constants.ipproto_ip && item.type == IP_RECVERR)
                || (item.level == Constants.ipproto_ipv6 && item.type == IPV6_RECVERR) {
                guard item.data.count >= MemoryLayout<sock_extended_err>.size else { continue }
                let error = item.data.loadUnaligned(as: sock_extended_err.self)
                guard error.ee_origin == UInt8(SO_EE_ORIGIN_ZEROCOPY) else { continue }
                return (error.ee_info, error.ee_data, error.ee_code & UInt8(SO_EE_CODE_ZEROCOPY_COPIED) != 0)
            }
            throw .wouldBlock
        }
        #else
        throw .notImplemented
        #endif
    }

    // MARK: - Addresses and names

    /// `inet_ntop(AF_INET6)`.
    static func formatIPv6(_ address: IPv6Address) -> String {
        var raw = address.in6
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else {
            return "invalid IPv6 address"
        }
        return string(fromCChars: text)
    }

    /// `if_nametoindex`: an interface's index, `nil` if there is no such interface.
    static func interfaceIndex(_ name: String) -> UInt32? {
        let index = if_nametoindex(name)
        return index == 0 ? nil : index
    }

    /// `getservbyname`, thread-safe: the port in host byte order, `nil` for an unknown name.
    static func servicePort(_ name: String, protocol: String) -> UInt16? {
        var port: UInt16 = 0
        return cshims_getservbyname(name, `protocol`, &port) == 0 ? port : nil
    }

    /// `getservbyport`, thread-safe: the service's name, `nil` if the port has none.
    static func serviceName(_ port: UInt16, protocol: String) -> String? {
        var name = [CChar](repeating: 0, count: 256)
        guard cshims_getservbyport(port, `protocol`, &name, name.count) == 0 else { return nil }
        return string(fromCChars: name)
    }

    /// `getaddrinfo`: every result, in order, or the EAI code.
    static func getaddrinfo(
        host: String?, service: String?, family: Int32, type: Int32, protocol: Int32, flags: Int32
    ) -> Result<[ResolvedAddress], ResolverFailure> {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = type
        hints.ai_protocol = `protocol`
        hints.ai_flags = flags
        var list: UnsafeMutablePointer<addrinfo>?
        #if DEBUG
        if let forced = MockingDriver.intercept("getaddrinfo") {
            return .failure(ResolverFailure(code: .system, systemErrno: forced))
        }
        #endif
        let code = withOptionalCString(host) { host in
            withOptionalCString(service) { service in
                cshims_getaddrinfo(host, service, &hints, &list)
            }
        }
        guard code == 0 else {
            let failure = ResolverFailure(
                code: ResolutionErrorCode(rawValue: code),
                systemErrno: code == Constants.eai_system ? Errno(rawValue: errno) : nil)
            return .failure(failure)
        }
        defer { if let list { cshims_freeaddrinfo(list) } }
        var results: [ResolvedAddress] = []
        var entry = list
        while let current = entry?.pointee {
            if let raw = current.ai_addr,
               let address = SocketAddress(address: raw, length: current.ai_addrlen) {
                results.append(ResolvedAddress(
                    address: address, type: SocketType(rawValue: current.ai_socktype),
                    protocol: SocketProtocol(rawValue: current.ai_protocol),
                    canonicalName: current.ai_canonname.map { String(cString: $0) }))
            }
            entry = current.ai_next
        }
        if results.isEmpty { return .failure(ResolverFailure(code: .noData)) }
        return .success(results)
    }

    /// `getnameinfo`: the host (and service) for an address, or the EAI code.
    static func getnameinfo(
        _ address: SocketAddress, flags: Int32, wantService: Bool
    ) -> Result<(host: String, service: String), ResolverFailure> {
        var host = [CChar](repeating: 0, count: 1025)
        var service = [CChar](repeating: 0, count: 32)
        let code: Int32
        do throws(Errno) {
            code = try address.withSockAddr { (pointer, length) throws(Errno) in
                service.withUnsafeMutableBufferPointer { service in
                    cshims_getnameinfo(pointer, length, &host, UInt32(host.count),
                                       wantService ? service.baseAddress : nil,
                                       wantService ? UInt32(service.count) : 0, flags)
                }
            }
        } catch {
            return .failure(ResolverFailure(code: .system, systemErrno: error))
        }
        guard code == 0 else {
            return .failure(ResolverFailure(
                code: ResolutionErrorCode(rawValue: code),
                systemErrno: code == Constants.eai_system ? Errno(rawValue: errno) : nil))
        }
        return .success((string(fromCChars: host), string(fromCChars: service)))
    }

    /// The text of a NUL-terminated C buffer.
    private static func string(fromCChars chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func withOptionalCString<R>(
        _ text: String?, _ body: (UnsafePointer<CChar>?) -> R
    ) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }
}

// MARK: - Process limits

extension Sys {
    /// The soft and hard limits on open descriptors (`getrlimit(RLIMIT_NOFILE)`), or `nil`.
    static func openFileLimits() -> (soft: Int, hard: Int)? {
        var limit = rlimit()
        guard getrlimit(openFileResource, &limit) == 0 else { return nil }
        return (Int(clamping: limit.rlim_cur), Int(clamping: limit.rlim_max))
    }

    /// Sets the soft limit on open descriptors (`setrlimit(RLIMIT_NOFILE)`), keeping the hard
    /// one; `false` when refused.
    static func setOpenFileSoftLimit(_ soft: Int, hard: Int) -> Bool {
        var limit = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        return setrlimit(openFileResource, &limit) == 0
    }

    #if canImport(Glibc)
    private static let openFileResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let openFileResource = RLIMIT_NOFILE
    #endif
}
