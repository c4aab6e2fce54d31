// Libc constants, read once here so that no file outside Internals imports a C module.

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The raw values behind the library's typed constants, spelled in one place. Each is the C
/// name in lower case (`Constants.econnrefused` is `ECONNREFUSED`).
enum Constants {
    // Address families.
    static let af_unspec = Int32(AF_UNSPEC)
    static let af_inet = Int32(AF_INET)
    static let af_inet6 = Int32(AF_INET6)
    static let af_unix = Int32(AF_UNIX)

    // Socket types and protocols.
    static let sock_stream = cshims_SOCK_STREAM
    static let sock_dgram = cshims_SOCK_DGRAM
    static let sock_raw = cshims_SOCK_RAW
    static let sock_seqpacket = cshims_SOCK_SEQPACKET
    static let ipproto_tcp = Int32(IPPROTO_TCP)
    static let ipproto_udp = Int32(IPPROTO_UDP)
    static let ipproto_ip = Int32(IPPROTO_IP)
    static let ipproto_ipv6 = Int32(IPPROTO_IPV6)

    // Option levels and names.
    static let sol_socket = Int32(SOL_SOCKET)
    static let so_reuseaddr = Int32(SO_REUSEADDR)
    static let so_reuseport = cshims_SO_REUSEPORT
    static let so_keepalive = Int32(SO_KEEPALIVE)
    static let so_rcvbuf = Int32(SO_RCVBUF)
    static let so_rcvbufforce = cshims_SO_RCVBUFFORCE
    static let so_sndbuf = Int32(SO_SNDBUF)
    static let so_linger = Int32(SO_LINGER)
    static let so_broadcast = Int32(SO_BROADCAST)
    static let so_rcvtimeo = Int32(SO_RCVTIMEO)
    static let so_sndtimeo = Int32(SO_SNDTIMEO)
    static let so_error = Int32(SO_ERROR)
    static let so_type = Int32(SO_TYPE)
    static let tcp_nodelay = Int32(TCP_NODELAY)
    static let tcp_info = cshims_TCP_INFO
    static let tcp_keepidle = cshims_TCP_KEEPIDLE
    static let tcp_keepintvl = cshims_TCP_KEEPINTVL
    static let tcp_keepcnt = cshims_TCP_KEEPCNT
    static let ip_ttl = Int32(IP_TTL)
    static let ipv6_v6only = Int32(IPV6_V6ONLY)
    static let ipv6_unicast_hops = Int32(IPV6_UNICAST_HOPS)

    // Message flags.
    static let msg_peek = cshims_MSG_PEEK
    static let msg_waitall = cshims_MSG_WAITALL
    static let msg_dontwait = cshims_MSG_DONTWAIT
    static let msg_trunc = cshims_MSG_TRUNC
    static let msg_ctrunc = cshims_MSG_CTRUNC

    static let msg_zerocopy = cshims_MSG_ZEROCOPY
    static let msg_errqueue = cshims_MSG_ERRQUEUE

    // Datagram offload, metadata, the error queue and path MTU.
    static let sol_udp = cshims_SOL_UDP
    static let udp_segment = cshims_UDP_SEGMENT
    static let udp_gro = cshims_UDP_GRO
    static let so_protocol = cshims_SO_PROTOCOL
    static let so_domain = cshims_SO_DOMAIN
    static let so_timestampns = cshims_SO_TIMESTAMPNS
    static let ip_pktinfo = cshims_IP_PKTINFO
    static let ip_tos = cshims_IP_TOS
    static let ip_recvtos = cshims_IP_RECVTOS
    static let ip_recverr = cshims_IP_RECVERR
    static let ip_mtu_discover = cshims_IP_MTU_DISCOVER
    static let ip_mtu = cshims_IP_MTU
    static let ipv6_recvpktinfo = cshims_IPV6_RECVPKTINFO
    static let ipv6_pktinfo = cshims_IPV6_PKTINFO
    static let ipv6_tclass = cshims_IPV6_TCLASS
    static let ipv6_recvtclass = cshims_IPV6_RECVTCLASS
    static let ipv6_recverr = cshims_IPV6_RECVERR
    static let ipv6_mtu_discover = cshims_IPV6_MTU_DISCOVER
    static let ipv6_mtu = cshims_IPV6_MTU
    static let so_zerocopy = cshims_SO_ZEROCOPY
    static let splice_f_move = UInt32(bitPattern: cshims_SPLICE_F_MOVE)
    static let splice_f_more = UInt32(bitPattern: cshims_SPLICE_F_MORE)

    // Shutdown directions.
    static let shut_rd = Int32(SHUT_RD)
    static let shut_wr = Int32(SHUT_WR)
    static let shut_rdwr = Int32(SHUT_RDWR)

    // getaddrinfo flags and errors.
    static let ai_passive = Int32(AI_PASSIVE)
    static let ai_canonname = Int32(AI_CANONNAME)
    static let ai_numerichost = Int32(AI_NUMERICHOST)
    static let ai_numericserv = Int32(AI_NUMERICSERV)
    static let ai_addrconfig = cshims_AI_ADDRCONFIG
    static let ai_v4mapped = cshims_AI_V4MAPPED
    static let ai_all = cshims_AI_ALL
    static let ni_namereqd = Int32(NI_NAMEREQD)
    static let ni_numerichost = Int32(NI_NUMERICHOST)
    static let ni_numericserv = Int32(NI_NUMERICSERV)
    static let ni_dgram = Int32(NI_DGRAM)
    static let eai_again = Int32(EAI_AGAIN)
    static let eai_badflags = Int32(EAI_BADFLAGS)
    static let eai_fail = Int32(EAI_FAIL)
    static let eai_family = Int32(EAI_FAMILY)
    static let eai_memory = Int32(EAI_MEMORY)
    static let eai_noname = Int32(EAI_NONAME)
    static let eai_service = Int32(EAI_SERVICE)
    static let eai_socktype = Int32(EAI_SOCKTYPE)
    static let eai_overflow = Int32(EAI_OVERFLOW)
    static let eai_system = cshims_EAI_SYSTEM
    static let eai_nodata = cshims_EAI_NODATA
    static let eai_addrfamily = cshims_EAI_ADDRFAMILY

    // errno values.
    static let eperm = Int32(EPERM)
    static let enoent = Int32(ENOENT)
    static let eintr = Int32(EINTR)
    static let ebadf = Int32(EBADF)
    static let eagain = Int32(EAGAIN)
    static let enomem = Int32(ENOMEM)
    static let eacces = Int32(EACCES)
    static let efault = Int32(EFAULT)
    static let einval = Int32(EINVAL)
    static let eio = Int32(EIO)
    static let emfile = Int32(EMFILE)
    static let epipe = Int32(EPIPE)
    static let erange = Int32(ERANGE)
    static let enametoolong = Int32(ENAMETOOLONG)
    static let enosys = Int32(ENOSYS)
    static let enotsock = Int32(ENOTSOCK)
    static let emsgsize = Int32(EMSGSIZE)
    static let enoprotoopt = Int32(ENOPROTOOPT)
    static let eopnotsupp = Int32(EOPNOTSUPP)
    static let eafnosupport = Int32(EAFNOSUPPORT)
    static let eaddrinuse = Int32(EADDRINUSE)
    static let eaddrnotavail = Int32(EADDRNOTAVAIL)
    static let enetdown = Int32(ENETDOWN)
    static let enetunreach = Int32(ENETUNREACH)
    static let econnaborted = Int32(ECONNABORTED)
    static let econnreset = Int32(ECONNRESET)
    static let enobufs = Int32(ENOBUFS)
    static let eisconn = Int32(EISCONN)
    static let enotconn = Int32(ENOTCONN)
    static let etimedout = Int32(ETIMEDOUT)
    static let econnrefused = Int32(ECONNREFUSED)
    static let ehostunreach = Int32(EHOSTUNREACH)
    static let ealready = Int32(EALREADY)
    static let einprogress = Int32(EINPROGRESS)

    // fcntl and poll.
    static let f_getfl = Int32(F_GETFL)
    static let f_setfl = Int32(F_SETFL)
    static let f_getfd = Int32(F_GETFD)
    static let o_accmode = Int32(O_ACCMODE)
    static let o_wronly = Int32(O_WRONLY)
    static let sock_nonblock = cshims_SOCK_NONBLOCK
    static let o_nonblock = Int32(O_NONBLOCK)
    static let fd_cloexec = Int32(FD_CLOEXEC)
    static let pollin = Int16(POLLIN)
    static let pollout = Int16(POLLOUT)
    static let pollerr = Int16(POLLERR)
    static let pollhup = Int16(POLLHUP)
}
