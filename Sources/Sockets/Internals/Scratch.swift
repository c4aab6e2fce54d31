// Per-thread scratch memory for the C arrays of a batch send: allocated on a thread's first
// batch, reused by every later one, freed when the thread ends. Neither the heap in the
// steady state nor tens of KiB of stack zeroed per call.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One block of raw memory per thread.
enum Scratch {
    /// The calling thread's block of at least `byteCount` bytes (64-byte aligned), valid
    /// until the thread ends. Its contents are whatever the last user left.
    static func block(byteCount: Int) -> UnsafeMutableRawPointer {
        if let block = pthread_getspecific(key), byteCount <= capacity { return block }
        precondition(byteCount <= capacity, "scratch block of \(byteCount) bytes exceeds \(capacity)")
        var block: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&block, 64, capacity) == 0, let block else {
            fatalError("out of memory for a \(capacity)-byte scratch block")
        }
        pthread_setspecific(key, block)
        return block
    }

    /// The size of every block: room for the largest user.
    static let capacity = 32 * 1024

    /// The key whose destructor frees a thread's block when the thread ends.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { block in free(block) }
        return key
    }()
}
