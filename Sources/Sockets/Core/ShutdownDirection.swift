/// Which half of a connection ``Socket/shutdown(_:)`` closes.
public enum ShutdownDirection: Sendable, Hashable {
    /// `SHUT_RD`: no more receiving.
    case read
    /// `SHUT_WR`: no more sending; the peer sees EOF after the data already sent.
    case write
    /// `SHUT_RDWR`: both.
    case both

    var rawValue: Int32 {
        switch self {
        case .read: Constants.shut_rd
        case .write: Constants.shut_wr
        case .both: Constants.shut_rdwr
        }
    }
}
