// Operations submitted to io_uring and awaited by completion rather than readiness: a receive
// goes to the kernel with the caller's buffer and the task resumes with the count, with no
// readiness round trip and, from the reactor's thread, no system call of its own (the
// reactor's next io_uring_enter submits it). Bounded by the reactor's timers and cancelled
// through IORING_OP_ASYNC_CANCEL; resumed only once the kernel has let go of the buffer.

import Sockets

/// The slots of the operations in flight, allocated once, with a generation each so that a
/// late cancellation never reaches the slot's next operation.
struct IOURingOperations: ~Copyable {
    enum Phase { case free, reserved, submitted }

    struct Slot {
        var generation: UInt32 = 0
        var phase = Phase.free
        var cancelRequested = false
        var continuation: UnsafeContinuation<Int32, Never>?
        /// A multishot's queue: it gets every completion, and the slot stays taken until the
        /// final one (without `IORING_CQE_F_MORE`).
        var stream: IOURingStream?
    }

    /// How many operations may be in flight; past that, operations wait for readiness instead.
    static let capacity = 16384
    /// The top bit marks an operation's user data; the pollers' tokens never have it.
    static let tag: UInt64 = 1 << 63

    private var slots: [Slot] = Array(repeating: Slot(), count: IOURingOperations.capacity)
    private var free: [Int] = Array((0..<IOURingOperations.capacity).reversed())

    /// A free slot and the user data that names it, or `nil` when all are taken.
    mutating func reserve() -> (slot: Int, userData: UInt64)? {
        guard let slot = free.popLast() else { return nil }
        slots[slot].phase = .reserved
        slots[slot].cancelRequested = false
        return (slot, Self.tag | UInt64(slots[slot].generation) << 32 | UInt64(slot))
    }

    /// Marks `slot` submitted with its continuation; `false` if a cancellation came first (the
    /// slot is freed then).
    mutating func submit(_ slot: Int, _ continuation: UnsafeContinuation<Int32, Never>) -> Bool {
        if slots[slot].cancelRequested {
            release(slot)
            return false
        }
        slots[slot].continuation = continuation
        slots[slot].phase = .submitted
        return true
    }

    /// Marks `slot` submitted as a multishot whose completions go to `stream`; `false` if a
    /// cancellation came first (the slot is freed then).
    mutating func submit(_ slot: Int, stream: IOURingStream) -> Bool {
        if slots[slot].cancelRequested {
            release(slot)
            return false
        }
        slots[slot].stream = stream
        slots[slot].phase = .submitted
        return true
    }

    /// Frees a slot that was reserved but never submitted.
    mutating func abandon(_ slot: Int) {
        if slots[slot].phase == .reserved { release(slot) }
    }

    /// For a cancellation of the operation named `userData`: whether it is in the kernel (so
    /// an ASYNC_CANCEL must go), noting it for a submission still to come otherwise.
    mutating func requestCancel(_ userData: UInt64) -> Bool {
        let slot = Int(userData & 0xFFFF_FFFF)
        guard slot < Self.capacity, slots[slot].generation == UInt32((userData >> 32) & 0x7FFF_FFFF) else { return false }
        switch slots[slot].phase {
        case .reserved:
            slots[slot].cancelRequested = true
            return false
        case .submitted:
            return true
        case .free:
            return false
        }
    }

    /// The continuation of the operation named `userData`, which has completed (its slot freed),
    /// or `nil` for a stale or foreign user data.
    mutating func complete(_ userData: UInt64) -> UnsafeContinuation<Int32, Never>? {
        complete(userData, more: false).continuation
    }

    /// Where a completion of the operation named `userData` goes: its continuation (the slot is
    /// freed), or its multishot's queue (the slot is freed unless `more` completions follow);
    /// neither for a stale or foreign user data.
    mutating func complete(_ userData: UInt64, more: Bool)
        -> (continuation: UnsafeContinuation<Int32, Never>?, stream: IOURingStream?) {
        let slot = Int(userData & 0xFFFF_FFFF)
        guard slot < Self.capacity, slots[slot].generation == UInt32((userData >> 32) & 0x7FFF_FFFF),
              slots[slot].phase == .submitted else { return (nil, nil) }
        let continuation = slots[slot].continuation
        let stream = slots[slot].stream
        if stream == nil || !more { release(slot) }
        return (continuation, stream)
    }

    private mutating func release(_ slot: Int) {
        slots[slot] = Slot(generation: (slots[slot].generation &+ 1) & 0x7FFF_FFFF)
        free.append(slot)
    }
}
