/// Why a receive loop with a throwing body stopped: the socket failed, or the body threw.
///
/// The loop's typed throws keep both errors typed: a body that throws `MyError` gives a
/// `ReceiveLoopError<MyError>`, and a body that throws nothing gives the loop a plain
/// ``SocketError`` instead (the non-throwing overload).
///
///     do {
///         _ = try socket.receiveAll(using: &buffer) { chunk throws(WriteError) in try file.write(chunk) }
///     } catch .socket(let error) {
///         print("receive failed after \(error.bytesTransferred) bytes: \(error)")
///     } catch .body(let error) {
///         print("writing failed: \(error)")
///     }
public enum ReceiveLoopError<BodyError: Error>: Error, CustomStringConvertible {
    /// Receiving failed; the error's ``SocketError/bytesTransferred`` counts the bytes the body
    /// was handed before it.
    case socket(SocketError)
    /// The body threw this error; the loop stopped without receiving more.
    case body(BodyError)

    /// The socket's error or the body's, as text.
    public var description: String {
        switch self {
        case .socket(let error): "\(error)"
        case .body(let error): "\(error)"
        }
    }
}
