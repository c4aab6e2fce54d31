// SwiftNIO peer: a ClientBootstrap client counting bytes in channelRead, with a fixed-size
// receive allocator of the benchmark's buffer size.

import BenchReport
import Foundation
import NIOCore
import NIOPosix

/// Counts what arrives and completes when the server closes.
final class CountingHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    var total = 0
    var calls = 0
    let limit: Int
    let done: EventLoopPromise<Void>

    init(limit: Int, done: EventLoopPromise<Void>) {
        self.limit = limit
        self.done = done
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        total += unwrapInboundIn(data).readableBytes
        calls += 1
        if total >= limit { done.succeed(()) }
    }

    func channelInactive(context: ChannelHandlerContext) { done.succeed(()) }  // a no-op once done

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

/// Holds back reads until opened: lets the source fill the queue before NIO reads (drain mode),
/// the usual NIO back-pressure pattern.
final class ReadGate: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = NIOAny
    private var isOpen: Bool
    private var pending = false
    private var context: ChannelHandlerContext?

    init(open: Bool) { isOpen = open }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func read(context: ChannelHandlerContext) {
        if isOpen { context.read() } else { pending = true }
    }

    /// Lets reads through from now on (call on the event loop).
    func open() {
        isOpen = true
        if pending, let context {
            pending = false
            context.read()
        }
    }
}

/// One NIO run against the source.
func measureNIO(group: EventLoopGroup, size: Int, mode: String, bytes: Int, milliseconds: Int,
                port: Int) throws -> RunMeasurement {
    let loop = group.next()
    let done = loop.makePromise(of: Void.self)
    let handler = CountingHandler(limit: mode == "drain" ? bytes : Int.max, done: done)
    let gate = ReadGate(open: mode == "stream")
    var bootstrap = ClientBootstrap(group: loop)
        .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: size))
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers([gate, handler])
            }
        }
    if mode == "drain" {
        // SO_RCVBUFFORCE (33) as root, as for every other contender.
        bootstrap = bootstrap.channelOption(ChannelOptions.Types.SocketOption(level: Int(SOL_SOCKET), name: 33), value: 1 << 30)
    }
    let channel = try bootstrap.connect(host: "127.0.0.1", port: port).wait()
    var request = channel.allocator.buffer(capacity: 16)
    request.writeInteger(UInt64(mode == "drain" ? bytes : 0), endianness: .little)
    request.writeInteger(UInt64(mode == "stream" ? milliseconds : 0), endianness: .little)
    try channel.writeAndFlush(request).wait()
    if mode == "drain" {
        // NIO does not expose the queue length; wait well past the time the source needs.
        Thread.sleep(forTimeInterval: 0.3 + Double(bytes) / Double(1 << 30))
    }
    let cpuStart = processCPUSeconds()
    let start = DispatchTime.now()
    if mode == "drain" { loop.execute { gate.open() } }
    try done.futureResult.wait()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    let cpu = processCPUSeconds() - cpuStart
    try? channel.close().wait()
    return RunMeasurement(bytes: handler.total, seconds: seconds, calls: handler.calls + (mode == "drain" ? 0 : 1),
                       cpuSeconds: cpu)
}

/// CPU time (user + system) of the whole process, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
