/// An error code from `getaddrinfo` or `getnameinfo` (an `EAI_*` value).
///
/// A struct over the raw code, so that codes this library does not name still fit.
public struct ResolutionErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `EAI_*` value.
    public var rawValue: Int32

    /// Wraps a raw `EAI_*` value.
    ///
    /// - Parameter rawValue: the raw `EAI_*` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The C library's message for this code (`gai_strerror`), such as
    /// "Name or service not known".
    public var description: String { Sys.resolutionErrorMessage(rawValue) }

    /// `EAI_AGAIN`: a temporary failure in name resolution; try again later.
    public static let again = ResolutionErrorCode(rawValue: Constants.eai_again)
    /// `EAI_BADFLAGS`: the flags are invalid.
    public static let badFlags = ResolutionErrorCode(rawValue: Constants.eai_badflags)
    /// `EAI_FAIL`: a permanent failure in name resolution.
    public static let failure = ResolutionErrorCode(rawValue: Constants.eai_fail)
    /// `EAI_FAMILY`: the address family is not supported.
    public static let family = ResolutionErrorCode(rawValue: Constants.eai_family)
    /// `EAI_MEMORY`: out of memory.
    public static let memory = ResolutionErrorCode(rawValue: Constants.eai_memory)
    /// `EAI_NONAME`: the name or service is not known (or, with a numeric-only flag, not numeric).
    public static let noName = ResolutionErrorCode(rawValue: Constants.eai_noname)
    /// `EAI_SERVICE`: the service is not available for the socket type.
    public static let service = ResolutionErrorCode(rawValue: Constants.eai_service)
    /// `EAI_SOCKTYPE`: the socket type is not supported.
    public static let socketType = ResolutionErrorCode(rawValue: Constants.eai_socktype)
    /// `EAI_OVERFLOW`: a result buffer was too small.
    public static let overflow = ResolutionErrorCode(rawValue: Constants.eai_overflow)
    /// `EAI_SYSTEM`: a system error; the error's `errno` says which.
    public static let system = ResolutionErrorCode(rawValue: Constants.eai_system)
    /// `EAI_NODATA`: the host exists but has no address (glibc).
    public static let noData = ResolutionErrorCode(rawValue: Constants.eai_nodata)
    /// `EAI_ADDRFAMILY`: the host has no address in the requested family (glibc).
    public static let addressFamily = ResolutionErrorCode(rawValue: Constants.eai_addrfamily)
}
