// io_uring through its raw system calls: the submission and completion rings mapped from the
// kernel and driven from here, and provided-buffer rings of library-owned, aligned buffers.
// `package` access: the async layer's io_uring backend builds on this; users never see it.

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A submission queue entry, as the prepare functions fill it.
package typealias IOURingSubmission = cshims_io_uring_sqe

/// One io_uring instance: its descriptor, its two rings and its submission entries, mapped
/// once and unmapped with the value. Not thread-safe: one thread submits and reaps.
package final class IOURing {
    /// The ring's descriptor.
    package let descriptor: Int32
    /// The `IORING_FEAT_*` bits the kernel reported.
    package let features: UInt32
    /// How many submissions fit in the ring.
    package let submissionEntries: UInt32

    /// Both rings, in one mapping (`IORING_FEAT_SINGLE_MMAP`).
    private let rings: UnsafeMutableRawPointer
    private let ringsSize: Int
    private let submissionSlots: UnsafeMutablePointer<cshims_io_uring_sqe>
    private let submissionSlotsSize: Int

    private let submissionHead: UnsafeMutablePointer<UInt32>
    private let submissionTail: UnsafeMutablePointer<UInt32>
    private let submissionMask: UInt32
    private let submissionArray: UnsafeMutablePointer<UInt32>
    private let completionHead: UnsafeMutablePointer<UInt32>
    private let completionTail: UnsafeMutablePointer<UInt32>
    private let completionMask: UInt32
    private let completions: UnsafeMutablePointer<cshims_io_uring_cqe>

    /// Our copy of the submission tail (the kernel only reads it).
    private var localTail: UInt32

    /// `IORING_SETUP_COOP_TASKRUN`: completions are processed when the ring's thread next enters
    /// the kernel instead of interrupting it (Linux 5.19 and later).
    package static let cooperativeTaskRun = cshims_IORING_SETUP_COOP_TASKRUN

    /// Sets up a ring of at least `entries` submissions (rounded up to a power of two by the
    /// kernel) with `IORING_SETUP_*` `flags`, and maps it; with `completionEntries`, a
    /// completion ring of that many (`IORING_SETUP_CQSIZE`) instead of twice `entries`.
    ///
    /// - Throws: `Errno`: `.notImplemented` without io_uring, `.notPermitted` where it is
    ///   disabled (`kernel.io_uring_disabled`, a seccomp filter), `.noMemory`, ...
    ///
    /// The corresponding C functions are `io_uring_setup` and `mmap`.
    package init(entries: UInt32, completionEntries: UInt32? = nil, flags: UInt32 = 0) throws(Errno) {
        var parameters = cshims_io_uring_params()
        parameters.flags = flags
        if let completionEntries {
            parameters.flags |= cshims_IORING_SETUP_CQSIZE
            parameters.cq_entries = completionEntries
        }
        let descriptor = try Sys.retrying("io_uring_setup") { cshims_io_uring_setup(entries, &parameters) }
        guard parameters.features & cshims_IORING_FEAT_SINGLE_MMAP != 0 else {
            _ = close(descriptor)
            throw .notSupported  // Kernels before 5.4; the library needs newer ones anyway.
        }
        let ringSize = max(Int(parameters.sq_array) + Int(parameters.sq_entries) * 4,
                           Int(parameters.cq_cqes) + Int(parameters.cq_entries) * MemoryLayout<cshims_io_uring_cqe>.stride)
        let slotsSize = Int(parameters.sq_entries) * MemoryLayout<cshims_io_uring_sqe>.stride
        guard let ring = Self.map(descriptor, size: ringSize, offset: cshims_IORING_OFF_SQ_RING) else {
            let error = Errno(rawValue: errno)
            _ = close(descriptor)
            throw error
        }
        guard let sqes = Self.map(descriptor, size: slotsSize, offset: cshims_IORING_OFF_SQES) else {
            let error = Errno(rawValue: errno)
            _ = munmap(ring, ringSize)
            _ = close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        features = parameters.features
        submissionEntries = parameters.sq_entries
        rings = ring
        ringsSize = ringSize
        submissionSlots = sqes.assumingMemoryBound(to: cshims_io_uring_sqe.self)
        submissionSlotsSize = slotsSize
        func field(_ offset: UInt32) -> UnsafeMutablePointer<UInt32> {
            (ring + Int(offset)).assumingMemoryBound(to: UInt32.self)
        }
        submissionHead = field(parameters.sq_head)
        submissionTail = field(parameters.sq_tail)
        submissionMask = field(parameters.sq_ring_mask).pointee
        submissionArray = field(parameters.sq_array)
        completionHead = field(parameters.cq_head)
        completionTail = field(parameters.cq_tail)
        completionMask = field(parameters.cq_ring_mask).pointee
        completions = (ring + Int(parameters.cq_cqes)).assumingMemoryBound(to: cshims_io_uring_cqe.self)
        localTail = submissionTail.pointee
    }

    deinit {
        _ = munmap(submissionSlots, submissionSlotsSize)
        _ = munmap(rings, ringsSize)
        _ = close(descriptor)
    }

    private static func map(_ descriptor: Int32, size: Int, offset: UInt64) -> UnsafeMutableRawPointer? {
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, descriptor, off_t(offset))
        return address == MAP_FAILED ? nil : address
    }

    /// Whether `count` more submission entries are free.
    package func hasRoom(for count: UInt32) -> Bool {
        localTail &- cshims_load_acquire_u32(submissionHead) + count <= submissionEntries
    }

    /// The next free submission entry, zeroed, or `nil` when the ring is full (submit first).
    /// It goes to the kernel with the next ``submit(waitingFor:)``.
    package func nextSubmission() -> UnsafeMutablePointer<cshims_io_uring_sqe>? {
        let head = cshims_load_acquire_u32(submissionHead)
        guard localTail &- head < submissionEntries else { return nil }
        let index = localTail & submissionMask
        let entry = submissionSlots + Int(index)
        entry.initialize(to: cshims_io_uring_sqe())
        submissionArray[Int(index)] = index
        localTail &+= 1
        return entry
    }

    /// Hands the filled-in submissions to the kernel and, with `waitingFor` > 0, waits until
    /// that many completions are there.
    ///
    /// - Returns: how many submissions the kernel took.
    /// - Throws: `Errno` from `io_uring_enter` (`EINTR` is retried).
    ///
    /// The corresponding C function is `io_uring_enter`.
    @discardableResult
    package func submit(waitingFor completions: UInt32 = 0) throws(Errno) -> Int {
        cshims_store_release_u32(submissionTail, localTail)
        let count = localTail &- cshims_load_acquire_u32(submissionHead)
        let flags = completions > 0 ? cshims_IORING_ENTER_GETEVENTS : 0
        let taken = try Sys.retrying("io_uring_enter") { cshims_io_uring_enter(descriptor, count, completions, flags) }
        return Int(taken)
    }

    /// Makes the submissions filled in so far visible to the kernel without entering it, and
    /// returns how many there are; the next ``waitForCompletion(submitting:timeout:)`` hands
    /// them over.
    package func publish() -> UInt32 {
        cshims_store_release_u32(submissionTail, localTail)
        // Everything the kernel has not consumed yet, including entries an enter that failed
        // (EINTR, EBUSY) left behind: none is stranded behind the newer ones.
        return localTail &- cshims_load_acquire_u32(submissionHead)
    }

    /// Hands `submitting` published submissions to the kernel, then waits until a completion is
    /// there or `timeout` passes (`nil`: no limit).
    ///
    /// - Returns: whether it returned before the timeout.
    /// - Throws: `Errno` from `io_uring_enter` (`EINTR` is retried).
    ///
    /// The corresponding C function is `io_uring_enter` with `IORING_ENTER_EXT_ARG`.
    @discardableResult
    package func waitForCompletion(submitting: UInt32 = 0, timeout: Duration?) throws(Errno) -> Bool {
        var nanoseconds: Int64 = -1
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            nanoseconds = max(0, min(seconds, 86_400 * 365) * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
        do throws(Errno) {
            _ = try Sys.retrying("io_uring_enter") { cshims_io_uring_wait(descriptor, submitting, 1, nanoseconds) }
            return true
        } catch {
            if error.rawValue == ETIME { return false }
            throw error
        }
    }

    /// Calls `body` with every completion that has arrived, oldest first, and frees their slots.
    ///
    /// - Returns: how many there were.
    @discardableResult
    package func reapCompletions(_ body: (IOURingCompletion) -> Void) -> Int {
        var head = completionHead.pointee
        let tail = cshims_load_acquire_u32(completionTail)
        var count = 0
        while head != tail {
            body(IOURingCompletion(completions[Int(head & completionMask)]))
            head &+= 1
            count += 1
        }
        cshims_store_release_u32(completionHead, head)
        return count
    }

    /// `io_uring_register` on this ring.
    ///
    /// - Throws: `Errno` (`EINVAL` for an opcode this kernel does not have).
    ///
    /// The corresponding C function is `io_uring_register`.
    package func register(_ opcode: UInt32, _ argument: UnsafeMutableRawPointer?, count: UInt32) throws(Errno) {
        _ = try Sys.retrying("io_uring_register") { cshims_io_uring_register(descriptor, opcode, argument, count) }
    }
}

/// A provided-buffer ring (`IORING_REGISTER_PBUF_RING`): `count` aligned buffers of `size` bytes
/// owned by the library, which the kernel picks from for receives that select a buffer from
/// `group`; each completion names the buffer it filled, and ``recycle(_:)`` gives it back.
package final class ProvidedBuffers {
    /// The buffer group the ring is registered as.
    package let group: UInt16
    /// How many buffers (a power of two).
    package let count: Int
    /// Each buffer's size in bytes.
    package let size: Int
    private let ring: IOURing
    private let slots: UnsafeMutablePointer<cshims_io_uring_buffer>
    private let storage: UnsafeMutableRawPointer
    private var tail: UInt16 = 0

    /// Registers `count` (a power of two, 1 to 32768) buffers of `size` bytes as `group` on `ring`,
    /// all of them handed to the kernel.
    ///
    /// - Throws: `Errno`: `.invalidArgument` for a bad count or size, or from the
    ///   registration (`EINVAL` on kernels before 5.19).
    ///
    /// The corresponding C function is `io_uring_register(IORING_REGISTER_PBUF_RING)`.
    package init(ring: IOURing, group: UInt16, count: Int, size: Int) throws(Errno) {
        guard count >= 1, count <= 32768, count & (count - 1) == 0, size >= 1, size <= 1 << 30 else {
            throw .invalidArgument
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var slotMemory: UnsafeMutableRawPointer?
        var bufferMemory: UnsafeMutableRawPointer?
        guard posix_memalign(&slotMemory, page, count * MemoryLayout<cshims_io_uring_buffer>.stride) == 0,
              posix_memalign(&bufferMemory, page, count * size) == 0, let slotMemory, let bufferMemory else {
            free(slotMemory)
            throw .noMemory
        }
        memset(slotMemory, 0, count * MemoryLayout<cshims_io_uring_buffer>.stride)
        self.ring = ring
        self.group = group
        self.count = count
        self.size = size
        slots = slotMemory.bindMemory(to: cshims_io_uring_buffer.self, capacity: count)
        storage = bufferMemory
        var registration = cshims_io_uring_buffer_registration()
        registration.ring_address = UInt64(UInt(bitPattern: slotMemory))
        registration.ring_entries = UInt32(count)
        registration.group = group
        do throws(Errno) {
            try ring.register(cshims_IORING_REGISTER_PBUF_RING, &registration, count: 1)
        } catch {
            free(slotMemory)
            free(bufferMemory)
            throw error
        }
        for id in 0..<count { recycle(UInt16(id)) }
    }

    deinit {
        var registration = cshims_io_uring_buffer_registration()
        registration.group = group
        try? ring.register(cshims_IORING_UNREGISTER_PBUF_RING, &registration, count: 1)
        free(slots)
        free(storage)
    }

    /// Buffer `id`'s memory: the first `length` bytes, as a completion reported them.
    package func bytes(_ id: UInt16, length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + Int(id) * size, count: min(max(length, 0), size))
    }

    /// Gives buffer `id` back to the kernel.
    package func recycle(_ id: UInt16) {
        let slot = slots + Int(tail & UInt16(count - 1))
        slot.pointee.address = UInt64(UInt(bitPattern: storage + Int(id) * size))
        slot.pointee.length = UInt32(size)
        slot.pointee.buffer_id = id
        tail &+= 1
        // The tail lives in the last field of entry 0, written after the entry it publishes.
        withUnsafeMutablePointer(to: &slots.pointee.tail) { cshims_store_release_u16($0, tail) }
    }
}

extension IOURing {
    /// Fills `entry` as a multishot receive on `descriptor` into buffers picked from `group`:
    /// one completion per arrival until the socket ends, fails, or the group runs dry
    /// (`-ENOBUFS`, without `IORING_CQE_F_MORE`: submit it again once buffers are back).
    package static func prepareMultishotReceive(
        _ entry: UnsafeMutablePointer<cshims_io_uring_sqe>, descriptor: Int32, group: UInt16, userData: UInt64
    ) {
        entry.pointee.opcode = cshims_IORING_OP_RECV
        entry.pointee.fd = descriptor
        entry.pointee.ioprio = cshims_IORING_RECV_MULTISHOT
        entry.pointee.flags = cshims_IOSQE_BUFFER_SELECT
        entry.pointee.buffer_group = group
        entry.pointee.user_data = userData
    }

    /// Fills `entry` as a one-shot poll of `descriptor` for `events` (`EPOLLIN`, `EPOLLOUT`,
    /// ... bits): one completion with the ready bits. (Multishot polls were measured: they make
    /// a completion for every wake-up, readiness nobody waits for included.)
    package static func preparePoll(
        _ entry: UnsafeMutablePointer<cshims_io_uring_sqe>, descriptor: Int32, events: UInt32, userData: UInt64
    ) {
        entry.pointee.opcode = cshims_IORING_OP_POLL_ADD
        entry.pointee.fd = descriptor
        entry.pointee.operation_flags = events
        entry.pointee.user_data = userData
    }

    /// Fills `entry` as the removal of the poll submitted with `target` as its user data.
    package static func preparePollRemoval(_ entry: UnsafeMutablePointer<cshims_io_uring_sqe>, target: UInt64, userData: UInt64) {
        entry.pointee.opcode = cshims_IORING_OP_POLL_REMOVE
        entry.pointee.fd = -1
        entry.pointee.address = target
        entry.pointee.user_data = userData
    }

    /// Fills `entry` as one receive of up to `buffer.count` bytes into `buffer` on `descriptor`.
    package static func prepareReceive(
        _ entry: UnsafeMutablePointer<cshims_io_uring_sqe>, descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer,
        flags: Int32, userData: UInt64
    ) {
        prepareTransfer(entry, cshims_IORING_OP_RECV, descriptor, UnsafeRawBufferPointer(buffer), flags, userData)
    }

    /// Fills `entry` as one send of up to `buffer.count` bytes from `buffer` on `descriptor`
    /// (`MSG_NOSIGNAL` added: a closed peer is `EPIPE`, never a signal).
    package static func prepareSend(
        _ entry: UnsafeMutablePointer<cshims_io_uring_sqe>, descriptor: Int32, from buffer: UnsafeRawBufferPointer,
        flags: Int32, userData: UInt64
    ) {
        prepareTransfer(entry, cshims_IORING_OP_SEND, descriptor, buffer, flags | cshims_MSG_NOSIGNAL, userData)
    }

    /// Fills `entry` as `opcode` (RECV, SEND) over `buffer` on `descriptor` with `MSG_*` `flags`.
    private static func prepareTransfer(
        _ entry: UnsafeMutablePointer<cshims_io_uring_sqe>, _ opcode: UInt8, _ descriptor: Int32,
        _ buffer: UnsafeRawBufferPointer, _ flags: Int32, _ userData: UInt64
    ) {
        entry.pointee.opcode = opcode
        entry.pointee.fd = descriptor
        entry.pointee.address = UInt64(UInt(bitPattern: buffer.baseAddress))
        entry.pointee.length = UInt32(min(buffer.count, Int(UInt32.max)))
        entry.pointee.operation_flags = UInt32(bitPattern: flags)
        entry.pointee.user_data = userData
    }

    /// Fills `entry` as the cancellation of the submission whose user data is `target`.
    package static func prepareCancel(_ entry: UnsafeMutablePointer<cshims_io_uring_sqe>, target: UInt64, userData: UInt64) {
        entry.pointee.opcode = cshims_IORING_OP_ASYNC_CANCEL
        entry.pointee.fd = -1
        entry.pointee.address = target
        entry.pointee.user_data = userData
    }

    /// Fills `entry` as a no-op that completes with `userData`.
    package static func prepareNoOperation(_ entry: UnsafeMutablePointer<cshims_io_uring_sqe>, userData: UInt64) {
        entry.pointee.opcode = cshims_IORING_OP_NOP
        entry.pointee.user_data = userData
    }
}

extension IOURing {
    /// Fills the next submission with `fill`; hands it to the kernel at once when
    /// `submittingNow`, else leaves it for the next ``publish()`` (submitting what is pending
    /// first when the ring is full).
    ///
    /// - Returns: `false` when no entry could be had (the kernel took none of the pending ones).
    @discardableResult
    package func enqueue(submittingNow: Bool, _ fill: (UnsafeMutablePointer<cshims_io_uring_sqe>) -> Void) -> Bool {
        if !hasRoom(for: 1) { _ = try? submit() }
        guard let entry = nextSubmission() else { return false }
        fill(entry)
        if submittingNow { _ = try? submit() }
        return true
    }
}

/// One completion: the submission's user data, its result (a count, poll bits, or -errno) and
/// what its flags say.
package struct IOURingCompletion {
    /// The user data of the submission it completes.
    package var userData: UInt64
    /// The result: a count or ready bits, or -errno.
    package var result: Int32
    /// The raw `IORING_CQE_F_*` flags.
    package var flags: UInt32

    init(_ raw: cshims_io_uring_cqe) {
        userData = raw.user_data
        result = raw.result
        flags = raw.flags
    }

    /// A completion with `result` and `flags`, as one was reaped (its user data 0).
    package init(result: Int32, flags: UInt32) {
        userData = 0
        self.result = result
        self.flags = flags
    }

    /// Whether more completions of the same submission follow (a multishot stays armed).
    package var hasMore: Bool { flags & cshims_IORING_CQE_F_MORE != 0 }

    /// The result given for a submission the ring had no room for, `-EBUSY`.
    package static let ringFullResult = -EBUSY

    /// The result of a multishot receive that found no provided buffer, `-ENOBUFS`.
    package static let noBuffersResult = -ENOBUFS

    /// The result of a cancelled submission, `-ECANCELED`.
    package static let cancelledResult = -ECANCELED

    /// Whether the submission was cancelled or removed (`-ECANCELED`, `-ENOENT`).
    package var wasCancelled: Bool { result == -ECANCELED || result == -ENOENT }

    /// The provided buffer this completion filled, if any.
    package var bufferID: UInt16? {
        flags & cshims_IORING_CQE_F_BUFFER != 0 ? UInt16(truncatingIfNeeded: flags >> cshims_IORING_CQE_BUFFER_SHIFT) : nil
    }
}
