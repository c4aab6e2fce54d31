// netclient's header/body splitter, fed the reply in fuzzer-chosen chunks, against the naive
// split: the body is everything after the first CR LF CR LF of the whole reply. The same for
// the load client's head finder (HTTPReplyHead.end, searched a chunk at a time as the bytes
// arrive), and its head parser must never trap and only give consistent heads. The chunked
// body framer (HTTPBodyFramer), fed the bytes in the same pieces, must agree with the naive
// whole-buffer decoder on where the body ends, its payload, and whether the bytes break it.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size >= 1 else { return 0 }
    let cuts = Int(data[0])  // Chunk length step: the reply is fed in chunks of 1 + (cuts % 17) bytes and more.
    let reply = UnsafeBufferPointer(start: data + 1, count: size - 1)
    // The reference.
    var expected: [UInt8] = []
    var expectedEnd: Int?
    var found = false
    if reply.count >= 4 {
        for index in 0...(reply.count - 4)
        where reply[index] == 13 && reply[index + 1] == 10 && reply[index + 2] == 13 && reply[index + 3] == 10 {
            expected = Array(reply[(index + 4)...])
            expectedEnd = index + 4
            found = true
            break
        }
    }
    // The splitter, chunk by chunk.
    var skipper = HeaderSkipper()
    var body: [UInt8] = []
    var headEnd: Int?
    var offset = 0
    var step = 0
    let whole = UnsafeRawBufferPointer(reply)
    while offset < reply.count {
        let length = min(reply.count - offset, 1 + (cuts + step * 7) % 17)
        let chunk = UnsafeRawBufferPointer(rebasing: whole[offset..<(offset + length)])
        if let start = skipper.bodyStart(in: chunk) { body.append(contentsOf: chunk[start...]) }
        if headEnd == nil {
            headEnd = HTTPReplyHead.end(in: UnsafeRawBufferPointer(rebasing: whole[..<(offset + length)]), searchedUpTo: offset)
        }
        offset += length
        step += 1
    }
    precondition(skipper.done == found, "headers end found: \(skipper.done), reference: \(found)")
    precondition(body == expected, "body of \(body.count) bytes, reference \(expected.count)")
    precondition(headEnd == expectedEnd, "head end \(String(describing: headEnd)), reference \(String(describing: expectedEnd))")
    if let head = HTTPReplyHead(parsing: UnsafeRawBufferPointer(rebasing: whole[..<(expectedEnd ?? whole.count)])) {
        precondition(head.status >= 100 && head.status <= 999, "status \(head.status)")
        precondition(head.contentLength.map { $0 >= 0 } ?? true, "negative Content-Length")
        precondition(!head.keepsConnection || head.contentLength != nil || head.chunked, "kept alive without a length or chunks")
    }
    checkChunkedFramer(Array(reply), cuts: cuts)
    return 0
}

/// The framer against the naive decoder, over inputs short enough that no length limit of the
/// framer's applies (the naive decoder has none).
private func checkChunkedFramer(_ body: [UInt8], cuts: Int) {
    guard body.count <= 4000 else { return }
    var framer = HTTPBodyFramer(.chunked)
    var offset = 0
    var step = 0
    var outcome = NaiveChunkedResult.incomplete
    body.withUnsafeBytes { whole in
        while offset < body.count {
            let length = min(body.count - offset, 1 + (cuts + step * 5) % 23)
            switch framer.consume(UnsafeRawBufferPointer(rebasing: whole[offset..<(offset + length)])) {
            case .needMore:
                offset += length
                step += 1
                continue
            case .done(let consumed):
                outcome = .complete(end: offset + consumed, payload: framer.payload)
            case .malformed:
                outcome = .invalid
            }
            break
        }
    }
    let expected = naiveChunkedDecode(body)
    precondition(outcome == expected, "framer \(outcome), naive \(expected)")
}
