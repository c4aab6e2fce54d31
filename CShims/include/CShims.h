// CShims: one thin, portable function per libc socket call, for the Swift library `Sockets`.
//
// Conventions, the same for every function here:
// - the name is the libc name prefixed `cshims_`; types are fixed-width or the libc struct itself;
// - every pointer is marked `_Nonnull` or `_Nullable`;
// - no logic, no allocation: a function only papers over what Swift cannot import or what is
//   spelled differently per platform (each one says why it is in C);
// - one return convention: -1 with `errno` set (`ENOSYS` where a call does not exist on a
//   platform); `getaddrinfo` and `getnameinfo` return their EAI code unchanged.
#ifndef CSHIMS_H
#define CSHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>
#include <poll.h>
#include <fcntl.h>
#if defined(__linux__)
// `struct sock_extended_err` and the `SO_EE_*` values, read from the error queue in Swift
// (`Internals/ControlMessages.swift`).
#include <linux/errqueue.h>
#endif

// MARK: - Constants Swift cannot import cleanly
//
// glibc spells the socket types as an enum (`__socket_type`) and some options only as macros
// that differ per platform; these give Swift one plain `int32_t` each. A value that does not
// exist on a platform is -1, and using it yields an error from the kernel (EINVAL/ENOPROTOOPT).

extern const int32_t cshims_SOCK_STREAM;
extern const int32_t cshims_SOCK_DGRAM;
extern const int32_t cshims_SOCK_RAW;
extern const int32_t cshims_SOCK_SEQPACKET;
/// `SOCK_NONBLOCK` to OR into a socket type (Linux); 0 where there is none (set `O_NONBLOCK` then).
extern const int32_t cshims_SOCK_NONBLOCK;
extern const int32_t cshims_SO_REUSEPORT;
extern const int32_t cshims_TCP_KEEPIDLE;
extern const int32_t cshims_TCP_KEEPINTVL;
extern const int32_t cshims_TCP_KEEPCNT;
extern const int32_t cshims_SO_RCVBUFFORCE;
extern const int32_t cshims_MSG_NOSIGNAL;
extern const int32_t cshims_MSG_DONTWAIT;
extern const int32_t cshims_MSG_PEEK;
extern const int32_t cshims_MSG_WAITALL;
extern const int32_t cshims_MSG_TRUNC;
extern const int32_t cshims_MSG_CTRUNC;
extern const int32_t cshims_AI_ADDRCONFIG;
extern const int32_t cshims_AI_V4MAPPED;
extern const int32_t cshims_AI_ALL;
extern const int32_t cshims_EAI_SYSTEM;
extern const int32_t cshims_EAI_NODATA;
extern const int32_t cshims_EAI_ADDRFAMILY;

// MARK: - Descriptors

/// `socket(2)` with close-on-exec set atomically (`SOCK_CLOEXEC`) where the platform can; on
/// Darwin, which has no `SOCK_CLOEXEC`, it sets `FD_CLOEXEC` and `SO_NOSIGPIPE` right after.
/// In C because the flag and the Darwin fallback differ per platform.
int32_t cshims_socket(int32_t domain, int32_t type, int32_t protocol);

/// `accept4(2)` with `SOCK_CLOEXEC` on Linux; `accept` then `FD_CLOEXEC` and `SO_NOSIGPIPE`
/// on Darwin. In C because `accept4` exists only on Linux.
int32_t cshims_accept(int32_t fd, struct sockaddr *_Nullable address,
                      socklen_t *_Nullable length);

/// `close(2)`. Never retried on EINTR (the descriptor is gone either way on Linux).
/// In C so that every descriptor call goes through one module.
int32_t cshims_close(int32_t fd);

/// `fcntl(2)` with one integer argument. In C because `fcntl` is variadic, which Swift cannot call.
int32_t cshims_fcntl(int32_t fd, int32_t command, int32_t argument);

/// `pipe2(2)` with `O_CLOEXEC` (and the given extra flags) on Linux; `pipe` and `FD_CLOEXEC` on
/// Darwin. In C because `pipe2` exists only on Linux.
int32_t cshims_pipe(int32_t fds[_Nonnull 2], int32_t flags);

// MARK: - Connection set-up

/// `connect(2)`. In C to keep one module and one convention for every socket call.
int32_t cshims_connect(int32_t fd, const struct sockaddr *_Nonnull address, socklen_t length);

/// `bind(2)`. In C to keep one module and one convention for every socket call.
int32_t cshims_bind(int32_t fd, const struct sockaddr *_Nonnull address, socklen_t length);

/// `listen(2)`. In C to keep one module and one convention for every socket call.
int32_t cshims_listen(int32_t fd, int32_t backlog);

/// `shutdown(2)`. In C to keep one module and one convention for every socket call.
int32_t cshims_shutdown(int32_t fd, int32_t how);

/// `getsockname(2)`. In C to keep one module and one convention for every socket call.
int32_t cshims_getsockname(int32_t fd, struct sockaddr *_Nonnull address, socklen_t *_Nonnull length);

/// `getpeername(2)`. In C to keep one module and one convention for every socket call.
int32_t cshims_getpeername(int32_t fd, struct sockaddr *_Nonnull address, socklen_t *_Nonnull length);

// MARK: - Options

/// `setsockopt(2)`. In C to keep one module and one convention for every socket call.
int32_t cshims_setsockopt(int32_t fd, int32_t level, int32_t name,
                          const void *_Nonnull value, socklen_t length);

/// `getsockopt(2)`. In C to keep one module and one convention for every socket call.
int32_t cshims_getsockopt(int32_t fd, int32_t level, int32_t name,
                          void *_Nonnull value, socklen_t *_Nonnull length);

/// `ioctl(FIONREAD)`: how many bytes wait in the receive queue. In C because `ioctl` is
/// variadic and its request type differs per platform.
int32_t cshims_bytes_readable(int32_t fd, int32_t *_Nonnull count);

// MARK: - Name and service resolution

/// `getaddrinfo(3)`; returns its EAI code unchanged (0 on success).
/// In C to keep one module for every resolver call.
int32_t cshims_getaddrinfo(const char *_Nullable node, const char *_Nullable service,
                           const struct addrinfo *_Nullable hints,
                           struct addrinfo *_Nullable *_Nonnull result);

/// `freeaddrinfo(3)`. In C to keep one module for every resolver call.
void cshims_freeaddrinfo(struct addrinfo *_Nonnull list);

/// `gai_strerror(3)`. In C to keep one module for every resolver call.
const char *_Nonnull cshims_gai_strerror(int32_t code);

/// `getnameinfo(3)`; returns its EAI code unchanged. In C because the buffer-length types
/// differ per platform (`socklen_t` vs `size_t`).
int32_t cshims_getnameinfo(const struct sockaddr *_Nonnull address, socklen_t length,
                           char *_Nullable host, uint32_t hostLength,
                           char *_Nullable service, uint32_t serviceLength, int32_t flags);

/// `getservbyname(3)`, thread-safe: `getservbyname_r` on glibc, a lock around the call
/// elsewhere. The port comes back in host byte order through `port`, never as a pointer into
/// static memory. Returns 0, or -1 with `errno` = `ENOENT` when there is no such service.
int32_t cshims_getservbyname(const char *_Nonnull name, const char *_Nonnull protocol, uint16_t *_Nonnull port);

/// `getservbyport(3)`, thread-safe like `cshims_getservbyname`: the service name for `port`
/// (host byte order) is copied into `name`. Returns 0, or -1 with `errno` = `ENOENT` when the
/// port has no name, `ERANGE` when `name` is too small.
int32_t cshims_getservbyport(uint16_t port, const char *_Nonnull protocol, char *_Nonnull name, size_t length);

// MARK: - Waiting

/// `poll(2)`. In C because `nfds_t` differs per platform.
int32_t cshims_poll(struct pollfd *_Nonnull fds, uint32_t count, int32_t timeoutMilliseconds);

// MARK: - Data

/// `recv(2)`. Inline, so that the recv loop pays nothing over calling libc directly; in C to
/// keep one module and one convention for every socket call.
static inline ssize_t cshims_recv(int32_t fd, void *_Nonnull buffer, size_t length, int32_t flags) {
    return recv(fd, buffer, length, flags);
}

/// `send(2)` that never raises SIGPIPE: adds `MSG_NOSIGNAL` on Linux (Darwin sockets made here
/// carry `SO_NOSIGPIPE`). Inline, like `cshims_recv`; in C because the two platforms spell this
/// differently.
static inline ssize_t cshims_send(int32_t fd, const void *_Nonnull buffer, size_t length, int32_t flags) {
#if defined(MSG_NOSIGNAL)
    return send(fd, buffer, length, flags | MSG_NOSIGNAL);
#else
    return send(fd, buffer, length, flags);
#endif
}

/// `sendto(2)`, with `MSG_NOSIGNAL` added on Linux as for `cshims_send`.
ssize_t cshims_sendto(int32_t fd, const void *_Nonnull buffer, size_t length, int32_t flags,
                      const struct sockaddr *_Nullable address, socklen_t addressLength);

/// `recvfrom(2)`. In C to keep one module and one convention for every socket call.
ssize_t cshims_recvfrom(int32_t fd, void *_Nonnull buffer, size_t length, int32_t flags,
                        struct sockaddr *_Nullable address, socklen_t *_Nullable addressLength);

// MARK: - Vectored, batched and kernel-side zero-copy I/O

/// One datagram of a batch: the `mmsghdr` of Linux, spelled the same on every platform.
struct cshims_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

/// `recvmsg(2)`. In C to keep one module and one convention for every socket call.
ssize_t cshims_recvmsg(int32_t fd, struct msghdr *_Nonnull message, int32_t flags);

/// `sendmsg(2)` with `MSG_NOSIGNAL` added on Linux, as for `cshims_send`.
ssize_t cshims_sendmsg(int32_t fd, const struct msghdr *_Nonnull message, int32_t flags);

/// `recvmmsg(2)`: up to `count` datagrams in one call; no timeout (NULL). Linux only: -1 with
/// `ENOSYS` elsewhere. In C because it exists only on Linux.
int32_t cshims_recvmmsg(int32_t fd, struct cshims_mmsghdr *_Nonnull messages, uint32_t count,
                        int32_t flags);

/// `sendmmsg(2)`: up to `count` datagrams in one call, with `MSG_NOSIGNAL`. Linux only: -1 with
/// `ENOSYS` elsewhere. In C because it exists only on Linux.
int32_t cshims_sendmmsg(int32_t fd, struct cshims_mmsghdr *_Nonnull messages, uint32_t count,
                        int32_t flags);

/// `splice(2)` from `in` to `out` (one of them a pipe), moving at most `length` bytes inside
/// the kernel. Linux only: -1 with `ENOSYS` elsewhere. In C because it exists only on Linux.
ssize_t cshims_splice(int32_t in, int32_t out, size_t length, uint32_t flags);

/// `sendfile(2)` from a file at `*offset` to a socket. Linux's argument order; -1 with `ENOSYS`
/// elsewhere (Darwin's `sendfile` has another shape). In C because the two platforms differ.
ssize_t cshims_sendfile(int32_t socket, int32_t file, int64_t *_Nonnull offset, size_t count);

extern const int32_t cshims_SPLICE_F_MOVE;
extern const int32_t cshims_SPLICE_F_NONBLOCK;
extern const int32_t cshims_SPLICE_F_MORE;
extern const int32_t cshims_SO_ZEROCOPY;
extern const int32_t cshims_MSG_ZEROCOPY;
extern const int32_t cshims_MSG_ERRQUEUE;
extern const int32_t cshims_MSG_WAITFORONE;

// MARK: - Datagram offload, metadata and the error queue
//
// UDP segmentation offload (`UDP_SEGMENT`) and coalesced receive (`UDP_GRO`) are Linux-only;
// the per-datagram options are spelled differently or missing elsewhere. -1 where absent.

extern const int32_t cshims_SOL_UDP;
extern const int32_t cshims_UDP_SEGMENT;
extern const int32_t cshims_UDP_GRO;
extern const int32_t cshims_SO_PROTOCOL;
extern const int32_t cshims_SO_DOMAIN;
extern const int32_t cshims_TCP_INFO;
extern const int32_t cshims_SO_TIMESTAMPNS;
extern const int32_t cshims_IP_PKTINFO;
extern const int32_t cshims_IP_TOS;
extern const int32_t cshims_IP_RECVTOS;
extern const int32_t cshims_IP_RECVERR;
extern const int32_t cshims_IP_MTU_DISCOVER;
extern const int32_t cshims_IP_MTU;
extern const int32_t cshims_IPV6_RECVPKTINFO;
extern const int32_t cshims_IPV6_PKTINFO;
extern const int32_t cshims_IPV6_TCLASS;
extern const int32_t cshims_IPV6_RECVTCLASS;
extern const int32_t cshims_IPV6_RECVERR;
extern const int32_t cshims_IPV6_MTU_DISCOVER;
extern const int32_t cshims_IPV6_MTU;

/// `struct in_pktinfo` (Linux): glibc declares it only under `_GNU_SOURCE`, which the Swift
/// importer does not define. The layout is checked against the real one in shims.c.
typedef struct {
    int32_t ifindex;
    uint32_t spec_dst;  // network byte order
    uint32_t addr;      // network byte order
} cshims_in_pktinfo;

/// `struct in6_pktinfo`, for the same reason; checked in shims.c.
typedef struct {
    uint8_t addr[16];
    uint32_t ifindex;
} cshims_in6_pktinfo;

// MARK: - Readiness (the async layer's reactor)
//
// Linux has epoll and eventfd; elsewhere these return -1 with ENOSYS (kqueue on Darwin is the
// planned second poller behind the same Swift interface).

/// One readiness event: the `EPOLL*` bits and the 64-bit token given at registration. In C
/// because glibc's `struct epoll_event` is packed on x86_64 and not elsewhere.
typedef struct {
    uint32_t events;
    uint64_t token;
} cshims_poll_event;

extern const uint32_t cshims_EPOLLIN;
extern const uint32_t cshims_EPOLLOUT;
extern const uint32_t cshims_EPOLLERR;
extern const uint32_t cshims_EPOLLHUP;
extern const uint32_t cshims_EPOLLRDHUP;
extern const uint32_t cshims_EPOLLET;

/// `epoll_create1(EPOLL_CLOEXEC)`. In C because epoll exists only on Linux.
int32_t cshims_epoll_create(void);

/// `epoll_ctl(2)` with the events and token spelled out (`EPOLL_CTL_ADD` = 1, `DEL` = 2,
/// `MOD` = 3). In C because of the packed `epoll_event`.
int32_t cshims_epoll_ctl(int32_t epfd, int32_t operation, int32_t fd, uint32_t events, uint64_t token);

/// `epoll_wait(2)` into `count` unpacked events (at most 1024). In C because of the packed
/// `epoll_event`: the events are copied out one by one, the only loop in this file.
int32_t cshims_epoll_wait(int32_t epfd, cshims_poll_event *_Nonnull events, int32_t count,
                          int32_t timeout_milliseconds);

/// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`. In C because eventfd exists only on Linux.
int32_t cshims_eventfd(void);

/// `eventfd_write(fd, 1)`: wakes whoever polls the eventfd. In C because it is Linux-only.
int32_t cshims_eventfd_signal(int32_t fd);

/// `eventfd_read`: resets the eventfd's counter. In C because it is Linux-only.
int32_t cshims_eventfd_drain(int32_t fd);

// MARK: - io_uring (the async layer's second backend)
//
// glibc has no io_uring wrappers and Debian's liburing (2.3) predates buffer rings, so the three
// system calls are here, with the few kernel structures the library uses declared with fixed
// layouts of their own (checked against <linux/io_uring.h> in shims.c at compile time). The
// rings themselves are mapped and driven from Swift (`Internals/IOURing.swift`). Elsewhere the
// calls return -1 with ENOSYS and the constants are 0.

/// One submission queue entry, as the kernel reads it (64 bytes). `operation_flags` is the
/// union of per-operation flags (`msg_flags`, `accept_flags`, `timeout_flags`, ...).
typedef struct {
    uint8_t opcode;
    uint8_t flags;
    uint16_t ioprio;
    int32_t fd;
    uint64_t offset;
    uint64_t address;
    uint32_t length;
    uint32_t operation_flags;
    uint64_t user_data;
    uint16_t buffer_group;
    uint16_t personality;
    int32_t splice_fd_in;
    uint64_t address3;
    uint64_t padding;
} cshims_io_uring_sqe;

/// One completion queue entry (16 bytes): the submission's `user_data`, its result (a count or
/// -errno) and `IORING_CQE_F_*` flags (the upper 16 bits carry a provided buffer's id).
typedef struct {
    uint64_t user_data;
    int32_t result;
    uint32_t flags;
} cshims_io_uring_cqe;

/// One entry of a provided-buffer ring (16 bytes); the ring's tail is the `tail` field of entry 0.
typedef struct {
    uint64_t address;
    uint32_t length;
    uint16_t buffer_id;
    uint16_t tail;
} cshims_io_uring_buffer;

/// What `io_uring_setup` is given and fills in: sizes, flags, features, and the offsets of the
/// ring fields in the mapped memory.
typedef struct {
    uint32_t sq_entries;
    uint32_t cq_entries;
    uint32_t flags;
    uint32_t sq_thread_cpu;
    uint32_t sq_thread_idle;
    uint32_t features;
    uint32_t wq_fd;
    uint32_t reserved[3];
    uint32_t sq_head, sq_tail, sq_ring_mask, sq_ring_entries, sq_flags, sq_dropped, sq_array, sq_reserved1;
    uint64_t sq_reserved2;
    uint32_t cq_head, cq_tail, cq_ring_mask, cq_ring_entries, cq_overflow, cq_cqes, cq_flags, cq_reserved1;
    uint64_t cq_reserved2;
} cshims_io_uring_params;

/// The registration of a provided-buffer ring (`IORING_REGISTER_PBUF_RING`).
typedef struct {
    uint64_t ring_address;
    uint32_t ring_entries;
    uint16_t group;
    uint16_t padding;
    uint64_t reserved[3];
} cshims_io_uring_buffer_registration;

extern const uint8_t cshims_IORING_OP_NOP;
extern const uint8_t cshims_IORING_OP_POLL_ADD;
extern const uint8_t cshims_IORING_OP_POLL_REMOVE;
extern const uint8_t cshims_IORING_OP_ACCEPT;
extern const uint8_t cshims_IORING_OP_ASYNC_CANCEL;
extern const uint8_t cshims_IORING_OP_LINK_TIMEOUT;
extern const uint8_t cshims_IORING_OP_CONNECT;
extern const uint8_t cshims_IORING_OP_SEND;
extern const uint8_t cshims_IORING_OP_RECV;
extern const uint8_t cshims_IORING_OP_SEND_ZC;
extern const uint8_t cshims_IOSQE_BUFFER_SELECT;
extern const uint16_t cshims_IORING_RECV_MULTISHOT;
extern const uint32_t cshims_IORING_CQE_F_BUFFER;
extern const uint32_t cshims_IORING_CQE_F_MORE;
extern const uint32_t cshims_IORING_CQE_BUFFER_SHIFT;
extern const uint32_t cshims_IORING_ENTER_GETEVENTS;
extern const uint32_t cshims_IORING_SETUP_SINGLE_ISSUER;
extern const uint32_t cshims_IORING_SETUP_COOP_TASKRUN;
extern const uint32_t cshims_IORING_SETUP_CQSIZE;
extern const uint32_t cshims_IORING_FEAT_SINGLE_MMAP;
extern const uint32_t cshims_IORING_FEAT_NODROP;
extern const uint32_t cshims_IORING_FEAT_FAST_POLL;
extern const uint64_t cshims_IORING_OFF_SQ_RING;
extern const uint64_t cshims_IORING_OFF_CQ_RING;
extern const uint64_t cshims_IORING_OFF_SQES;
extern const uint32_t cshims_IORING_REGISTER_PROBE;
extern const uint32_t cshims_IORING_REGISTER_PBUF_RING;
extern const uint32_t cshims_IORING_UNREGISTER_PBUF_RING;
extern const uint16_t cshims_IO_URING_OP_SUPPORTED;

/// An acquiring load of a ring index the kernel writes (`__atomic_load_n`). In C because Swift
/// has no atomic access to memory it does not own (the rings are mapped from the kernel).
uint32_t cshims_load_acquire_u32(const uint32_t *_Nonnull address);

/// A releasing store of a ring index the kernel reads (`__atomic_store_n`). In C, as above.
void cshims_store_release_u32(uint32_t *_Nonnull address, uint32_t value);

/// A releasing store of a provided-buffer ring's 16-bit tail. In C, as above.
void cshims_store_release_u16(uint16_t *_Nonnull address, uint16_t value);

/// `io_uring_setup(2)`: a new ring of `entries` submissions; returns its descriptor. In C
/// because glibc has no wrapper (a raw `syscall`).
int32_t cshims_io_uring_setup(uint32_t entries, cshims_io_uring_params *_Nonnull params);

/// `io_uring_enter(2)` without a signal mask. In C because glibc has no wrapper.
int32_t cshims_io_uring_enter(int32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags);

/// `io_uring_enter(2)` that submits `to_submit` entries and waits for `min_complete` completions, at most `timeout_nanoseconds`
/// (negative: no limit) through `IORING_ENTER_EXT_ARG`; a timeout is -1 with `ETIME`. In C
/// because glibc has no wrapper and the kernel's getevents argument and timespec are its own.
int32_t cshims_io_uring_wait(int32_t ring, uint32_t to_submit, uint32_t min_complete, int64_t timeout_nanoseconds);

/// `io_uring_register(2)`. In C because glibc has no wrapper.
int32_t cshims_io_uring_register(int32_t ring, uint32_t opcode, void *_Nullable argument, uint32_t count);

/// `setns(fd, CLONE_NEWNET)`: moves the calling thread into the network namespace open at
/// `fd`, for SocketsTesting's test networks. In C because glibc declares it only under
/// `_GNU_SOURCE`; Linux only (-1 with `ENOSYS` elsewhere).
int32_t cshims_setns_network(int32_t fd);

/// `pthread_create` of a detached thread running `body(context)`. In C because the
/// `pthread_t` type and the start routine's signature differ per platform.
int32_t cshims_thread_start(void (*_Nonnull body)(void *_Nullable), void *_Nullable context);

#endif
