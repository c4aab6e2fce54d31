// Foundation peer: FileHandle reading the socket, `size` bytes at a time.

import BenchReport
import Foundation
import Sockets

/// One Foundation run against the source (the socket is set up with the library; the reads
/// are FileHandle's).
func measureFoundation(size: Int, mode: String, bytes: Int, milliseconds: Int, port: UInt16) throws -> RunMeasurement {
    let socket = try Socket(.ipv4, .stream)
    if mode == "drain" {
        do { try socket.setReceiveBufferSize(1 << 30, force: true) } catch { try socket.setReceiveBufferSize(1 << 30) }
    }
    try socket.connect(to: .ipv4(.loopback, port: port), timeout: .seconds(10))
    let request = [UInt64(mode == "drain" ? bytes : 0).littleEndian, UInt64(mode == "stream" ? milliseconds : 0).littleEndian]
    try request.withUnsafeBytes { try socket.sendAll($0) }
    if mode == "drain" {
        let deadline = Date(timeIntervalSinceNow: 60)
        while try socket.availableBytes < bytes, Date() < deadline { usleep(500) }
    }
    return try socket.withUnsafeDescriptor { descriptor in
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        var total = 0
        var calls = 0
        let cpuStart = processCPUSeconds()
        let start = DispatchTime.now()
        let limit = mode == "drain" ? bytes : Int.max
        while total < limit {
            calls += 1
            guard let data = try handle.read(upToCount: min(size, limit - total)), !data.isEmpty else { break }
            total += data.count
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return RunMeasurement(bytes: total, seconds: seconds, calls: calls, cpuSeconds: processCPUSeconds() - cpuStart)
    }
}
