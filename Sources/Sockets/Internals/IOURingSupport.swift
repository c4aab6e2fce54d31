// Whether io_uring can run here, and with what: asked once, at start-up, by creating a small
// ring, reading the kernel's opcode table (IORING_REGISTER_PROBE) and registering a
// provided-buffer ring. Any "no" (no kernel support, `kernel.io_uring_disabled`, a seccomp
// filter's EPERM, a missing opcode) is a reason in words, and the async layer keeps epoll.

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the kernel's io_uring offers this process (`SOCKETS_IO_URING=disabled` makes it offer
/// nothing, to exercise the fallback).
package struct IOURingSupport: Sendable {
    /// Why io_uring cannot be used, or `nil` when everything the library needs is there.
    package var unavailableReason: String?
    /// The opcodes the kernel reports as supported.
    package var supportedOpcodes: Set<UInt8> = []
    /// The `IORING_FEAT_*` bits of a ring.
    package var features: UInt32 = 0
    /// Whether provided-buffer rings can be registered (Linux 5.19 and later).
    package var hasBufferRings = false

    /// Whether io_uring can be used.
    package var isAvailable: Bool { unavailableReason == nil }

    /// The opcodes the library's backend submits (exactly those: one it never submits must not
    /// make a kernel without it fall back, and one it does must be here), with their names for
    /// the reason text.
    package static let requiredOpcodes: [(opcode: UInt8, name: String)] = [
        (cshims_IORING_OP_NOP, "NOP"), (cshims_IORING_OP_POLL_ADD, "POLL_ADD"), (cshims_IORING_OP_POLL_REMOVE, "POLL_REMOVE"),
        (cshims_IORING_OP_RECV, "RECV"), (cshims_IORING_OP_SEND, "SEND"), (cshims_IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"),
    ]

    /// The answer for this process, probed on first use.
    package static let current = probe()

    /// Probes the kernel now: a ring of 8 entries, its opcode table, a buffer ring of one buffer.
    package static func probe() -> IOURingSupport {
        var support = IOURingSupport()
        if let setting = getenv("SOCKETS_IO_URING"), String(cString: setting) == "disabled" {
            // For tests and benchmarks: io_uring as a kernel that refuses it would leave it.
            support.unavailableReason = "io_uring: disabled by SOCKETS_IO_URING=disabled"
            return support
        }
        let ring: IOURing
        do throws(Errno) {
            ring = try IOURing(entries: 8)
        } catch {
            support.unavailableReason = Self.reason(creating: error)
            return support
        }
        support.features = ring.features
        // struct io_uring_probe: a 16-byte header, then 8 bytes per opcode (op, resv, flags, resv2).
        let opcodes = 256
        let table = UnsafeMutableRawPointer.allocate(byteCount: 16 + 8 * opcodes, alignment: 8)
        defer { table.deallocate() }
        memset(table, 0, 16 + 8 * opcodes)
        do throws(Errno) {
            try ring.register(cshims_IORING_REGISTER_PROBE, table, count: UInt32(opcodes))
        } catch {
            support.unavailableReason = "io_uring: the kernel cannot list its opcodes (IORING_REGISTER_PROBE: \(error))"
            return support
        }
        let listed = Int(table.load(fromByteOffset: 1, as: UInt8.self))
        for index in 0..<min(listed, opcodes) {
            let entry = table + 16 + 8 * index
            if entry.load(fromByteOffset: 2, as: UInt16.self) & cshims_IO_URING_OP_SUPPORTED != 0 {
                support.supportedOpcodes.insert(entry.load(as: UInt8.self))
            }
        }
        let missing = requiredOpcodes.filter { !support.supportedOpcodes.contains($0.opcode) }.map(\.name)
        support.hasBufferRings = (try? ProvidedBuffers(ring: ring, group: 0, count: 1, size: 64)) != nil
        if !missing.isEmpty {
            support.unavailableReason = "io_uring: the kernel lacks the opcodes \(missing.joined(separator: ", "))"
        } else if !support.hasBufferRings {
            support.unavailableReason = "io_uring: the kernel has no provided-buffer rings (Linux 5.19 or later needed)"
        } else if ring.features & cshims_IORING_FEAT_FAST_POLL == 0 {
            support.unavailableReason = "io_uring: the kernel lacks IORING_FEAT_FAST_POLL (Linux 5.7 or later needed)"
        }
        return support
    }

    /// Why a ring could not be created, in words.
    private static func reason(creating error: Errno) -> String {
        switch error {
        case .notImplemented:
            return "io_uring: not in this kernel (io_uring_setup: ENOSYS)"
        case .notPermitted, .permissionDenied:
            let disabled = (try? String(contentsOfProcFile: "/proc/sys/kernel/io_uring_disabled")) ?? ""
            if !disabled.isEmpty && disabled != "0" {
                return "io_uring: disabled by kernel.io_uring_disabled = \(disabled)"
            }
            return "io_uring: not permitted (a seccomp filter or container policy refuses io_uring_setup: \(error))"
        default:
            return "io_uring: io_uring_setup failed: \(error)"
        }
    }
}

extension String {
    /// The first line of a small /proc file.
    fileprivate init(contentsOfProcFile path: String) throws(Errno) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Errno(rawValue: errno) }
        defer { _ = close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = read(descriptor, &bytes, bytes.count)
        guard count >= 0 else { throw Errno(rawValue: errno) }
        self = String(decoding: bytes[..<count], as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }
}
