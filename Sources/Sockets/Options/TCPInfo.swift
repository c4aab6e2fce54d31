/// What the kernel knows about a TCP connection (`TCP_INFO`, Linux): round-trip time,
/// retransmissions, congestion window and delivery rate, read with ``Socket/tcpInfo``.
///
/// Fields the running kernel does not fill are `nil`.
public struct TCPInfo: Hashable, Sendable {
    /// The connection's state (`tcpi_state`: 1 is ESTABLISHED, 7 CLOSE, ...).
    public var state: UInt8
    /// The smoothed round-trip time (`tcpi_rtt`).
    public var roundTripTime: Duration
    /// The round-trip time's variation (`tcpi_rttvar`).
    public var roundTripTimeVariance: Duration
    /// The smallest round-trip time seen (`tcpi_min_rtt`).
    public var minimumRoundTripTime: Duration?
    /// Segments retransmitted over the connection's life (`tcpi_total_retrans`).
    public var totalRetransmits: Int
    /// Segments now considered lost (`tcpi_lost`).
    public var lost: Int
    /// The congestion window, in segments (`tcpi_snd_cwnd`).
    public var congestionWindow: Int
    /// The slow-start threshold, in segments (`tcpi_snd_ssthresh`).
    public var slowStartThreshold: Int
    /// The sending maximum segment size (`tcpi_snd_mss`).
    public var sendMSS: Int
    /// The path MTU (`tcpi_pmtu`).
    public var pathMTU: Int
    /// The most recent delivery rate in bytes per second (`tcpi_delivery_rate`).
    public var deliveryRate: Int?
    /// The pacing rate in bytes per second (`tcpi_pacing_rate`).
    public var pacingRate: Int?
    /// Bytes the peer has acknowledged (`tcpi_bytes_acked`).
    public var bytesAcknowledged: Int?
    /// Bytes received (`tcpi_bytes_received`).
    public var bytesReceived: Int?
    /// Bytes sent, retransmissions included (`tcpi_bytes_sent`).
    public var bytesSent: Int?
    /// Bytes retransmitted (`tcpi_bytes_retrans`).
    public var bytesRetransmitted: Int?

    /// Reads the fields of Linux's `struct tcp_info` from the `length` bytes the kernel wrote
    /// (its layout is part of the kernel ABI; newer fields are present only when `length`
    /// covers them).
    init(linux raw: UnsafeRawBufferPointer, length: Int) {
        func u32(_ offset: Int) -> Int { Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        func u64(_ offset: Int) -> Int? {
            offset + 8 <= length ? Int(clamping: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) : nil
        }
        state = raw[0]
        lost = u32(32)
        pathMTU = u32(60)
        roundTripTime = .microseconds(u32(68))
        roundTripTimeVariance = .microseconds(u32(72))
        slowStartThreshold = u32(76)
        congestionWindow = u32(80)
        sendMSS = u32(16)
        totalRetransmits = u32(100)
        pacingRate = u64(104)
        bytesAcknowledged = u64(120)
        bytesReceived = u64(128)
        minimumRoundTripTime = length >= 152 ? .microseconds(u32(148)) : nil
        deliveryRate = u64(160)
        bytesSent = u64(200)
        bytesRetransmitted = u64(208)
    }

    /// The size of the prefix of Linux's `struct tcp_info` that is read.
    static let readLength = 232
}

extension Socket {
    /// The kernel's figures for this TCP connection (`TCP_INFO`). Read-only; Linux only.
    ///
    /// - Throws: ``SocketError`` of kind `.system`: `.optionNotAvailable` where there is no
    ///   `TCP_INFO` (not Linux), `.notSupported` on a socket that is not TCP.
    ///
    /// The corresponding C function is `getsockopt(TCP_INFO)`.
    public var tcpInfo: TCPInfo {
        get throws(SocketError) {
            guard Constants.tcp_info >= 0 else {
                throw SocketError(.system(.optionNotAvailable), operation: "getsockopt", target: "TCP_INFO",
                                  detail: "TCP_INFO is available on Linux only")
            }
            return try withOption("getsockopt", "TCP_INFO") { () throws(Errno) -> TCPInfo in
                try withUnsafeTemporaryAllocation(byteCount: TCPInfo.readLength, alignment: 8) {
                    (raw) throws(Errno) -> TCPInfo in
                    raw.initializeMemory(as: UInt8.self, repeating: 0)
                    let length = try Sys.rawOption(descriptor, Constants.ipproto_tcp, Constants.tcp_info, into: raw)
                    guard length >= 104 else { throw .optionNotAvailable }
                    return TCPInfo(linux: UnsafeRawBufferPointer(raw), length: length)
                }
            }
        }
    }
}
