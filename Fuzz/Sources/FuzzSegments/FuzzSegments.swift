// The GRO segment splitter: the ranges tile the buffer exactly, in order, every one of the
// segment size but the last, which is no longer; iteration and indexing agree.

import Sockets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSegments(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size >= 6 else { return 0 }
    let raw = UnsafeRawPointer(data)
    let byteCount = Int(raw.loadUnaligned(as: Int32.self)) % 200_000
    let segmentSize = Int(raw.loadUnaligned(fromByteOffset: 4, as: Int16.self))
    let segments = DatagramSegments(byteCount: byteCount, segmentSize: segmentSize)
    let iterated = Array(segments)
    let indexed = segments.indices.map { segments[$0] }
    precondition(iterated == indexed, "iteration and indexing disagree for \(byteCount)/\(segmentSize)")
    precondition(iterated.count == segments.count && !iterated.isEmpty, "count mismatch for \(byteCount)/\(segmentSize)")
    let total = max(byteCount, 0)
    precondition(iterated.first!.lowerBound == 0 && iterated.last!.upperBound == total, "ranges do not cover 0..<\(total)")
    let size = segmentSize > 0 && segmentSize < total ? segmentSize : max(total, 1)
    for (index, range) in iterated.enumerated() {
        if index > 0 { precondition(range.lowerBound == iterated[index - 1].upperBound, "gap before segment \(index)") }
        if index < iterated.count - 1 {
            precondition(range.count == size, "segment \(index) is \(range.count), not \(size)")
        } else {
            precondition(range.count <= size && (range.count > 0 || total == 0), "last segment \(range.count) of \(size)")
        }
    }
    return 0
}
