// The bodies of CShims.h: one libc call each, plus only the per-platform spelling.
#if defined(__linux__)
#define _GNU_SOURCE
#endif

#include "CShims.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <netinet/udp.h>
#include <pthread.h>
#if defined(__linux__)
#include <sched.h>
#include <sys/sendfile.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>
#endif
#if defined(__APPLE__)
#include <pthread.h>
#endif

// MARK: - Constants

const int32_t cshims_SOCK_STREAM = SOCK_STREAM;
const int32_t cshims_SOCK_DGRAM = SOCK_DGRAM;
const int32_t cshims_SOCK_RAW = SOCK_RAW;
const int32_t cshims_SOCK_SEQPACKET = SOCK_SEQPACKET;
#if defined(SOCK_NONBLOCK)
const int32_t cshims_SOCK_NONBLOCK = SOCK_NONBLOCK;
#else
const int32_t cshims_SOCK_NONBLOCK = 0;
#endif
#if defined(SO_REUSEPORT)
const int32_t cshims_SO_REUSEPORT = SO_REUSEPORT;
#else
const int32_t cshims_SO_REUSEPORT = -1;
#endif
#if defined(__APPLE__)
const int32_t cshims_TCP_KEEPIDLE = TCP_KEEPALIVE;
#else
const int32_t cshims_TCP_KEEPIDLE = TCP_KEEPIDLE;
#endif
const int32_t cshims_TCP_KEEPINTVL = TCP_KEEPINTVL;
const int32_t cshims_TCP_KEEPCNT = TCP_KEEPCNT;
#if defined(SO_RCVBUFFORCE)
const int32_t cshims_SO_RCVBUFFORCE = SO_RCVBUFFORCE;
#else
const int32_t cshims_SO_RCVBUFFORCE = -1;
#endif
#if defined(MSG_NOSIGNAL)
const int32_t cshims_MSG_NOSIGNAL = MSG_NOSIGNAL;
#else
const int32_t cshims_MSG_NOSIGNAL = 0;
#endif
const int32_t cshims_MSG_DONTWAIT = MSG_DONTWAIT;
const int32_t cshims_MSG_PEEK = MSG_PEEK;
const int32_t cshims_MSG_WAITALL = MSG_WAITALL;
const int32_t cshims_MSG_TRUNC = MSG_TRUNC;
const int32_t cshims_MSG_CTRUNC = MSG_CTRUNC;
const int32_t cshims_AI_ADDRCONFIG = AI_ADDRCONFIG;
const int32_t cshims_AI_V4MAPPED = AI_V4MAPPED;
const int32_t cshims_AI_ALL = AI_ALL;
const int32_t cshims_EAI_SYSTEM = EAI_SYSTEM;
#if defined(EAI_NODATA)
const int32_t cshims_EAI_NODATA = EAI_NODATA;
#else
const int32_t cshims_EAI_NODATA = -5;
#endif
#if defined(EAI_ADDRFAMILY)
const int32_t cshims_EAI_ADDRFAMILY = EAI_ADDRFAMILY;
#else
const int32_t cshims_EAI_ADDRFAMILY = -9;
#endif

// MARK: - Descriptors

#if defined(__APPLE__)
// Darwin has no atomic close-on-exec and no MSG_NOSIGNAL: set both right after creation.
static int32_t cshims_darwin_prepare(int32_t fd) {
    if (fd < 0) return fd;
    int on = 1;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on) == -1) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
#endif

int32_t cshims_socket(int32_t domain, int32_t type, int32_t protocol) {
#if defined(SOCK_CLOEXEC)
    return socket(domain, type | SOCK_CLOEXEC, protocol);
#else
    return cshims_darwin_prepare(socket(domain, type, protocol));
#endif
}

int32_t cshims_accept(int32_t fd, struct sockaddr *address, socklen_t *length) {
#if defined(__linux__)
    return accept4(fd, address, length, SOCK_CLOEXEC);
#else
    return cshims_darwin_prepare(accept(fd, address, length));
#endif
}

int32_t cshims_close(int32_t fd) { return close(fd); }

int32_t cshims_fcntl(int32_t fd, int32_t command, int32_t argument) {
    return fcntl(fd, command, argument);
}

int32_t cshims_pipe(int32_t fds[2], int32_t flags) {
#if defined(__linux__)
    return pipe2(fds, O_CLOEXEC | flags);
#else
    if (pipe(fds) == -1) return -1;
    for (int i = 0; i < 2; i++) {
        int fdflags = fcntl(fds[i], F_GETFL);
        if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) == -1 ||
            (flags && fcntl(fds[i], F_SETFL, fdflags | flags) == -1)) {
            int saved = errno;
            close(fds[0]);
            close(fds[1]);
            errno = saved;
            return -1;
        }
    }
    return 0;
#endif
}

// MARK: - Connection set-up

int32_t cshims_connect(int32_t fd, const struct sockaddr *address, socklen_t length) {
    return connect(fd, address, length);
}

int32_t cshims_bind(int32_t fd, const struct sockaddr *address, socklen_t length) {
    return bind(fd, address, length);
}

int32_t cshims_listen(int32_t fd, int32_t backlog) { return listen(fd, backlog); }

int32_t cshims_shutdown(int32_t fd, int32_t how) { return shutdown(fd, how); }

int32_t cshims_getsockname(int32_t fd, struct sockaddr *address, socklen_t *length) {
    return getsockname(fd, address, length);
}

int32_t cshims_getpeername(int32_t fd, struct sockaddr *address, socklen_t *length) {
    return getpeername(fd, address, length);
}

// MARK: - Options

int32_t cshims_setsockopt(int32_t fd, int32_t level, int32_t name,
                          const void *value, socklen_t length) {
    return setsockopt(fd, level, name, value, length);
}

int32_t cshims_getsockopt(int32_t fd, int32_t level, int32_t name,
                          void *value, socklen_t *length) {
    return getsockopt(fd, level, name, value, length);
}

int32_t cshims_bytes_readable(int32_t fd, int32_t *count) {
    int value = 0;
    if (ioctl(fd, FIONREAD, &value) == -1) return -1;
    *count = value;
    return 0;
}

// MARK: - Name and service resolution

int32_t cshims_getaddrinfo(const char *node, const char *service,
                           const struct addrinfo *hints, struct addrinfo **result) {
    return getaddrinfo(node, service, hints, result);
}

void cshims_freeaddrinfo(struct addrinfo *list) { freeaddrinfo(list); }

const char *cshims_gai_strerror(int32_t code) { return gai_strerror(code); }

int32_t cshims_getnameinfo(const struct sockaddr *address, socklen_t length,
                           char *host, uint32_t hostLength,
                           char *service, uint32_t serviceLength, int32_t flags) {
    return getnameinfo(address, length, host, hostLength, service, serviceLength, flags);
}

#if defined(__APPLE__)
static pthread_mutex_t cshims_services_lock = PTHREAD_MUTEX_INITIALIZER;
#endif

int32_t cshims_getservbyname(const char *name, const char *protocol, uint16_t *port) {
#if defined(__GLIBC__)
    struct servent entry;
    struct servent *found = NULL;
    char buffer[4096];
    int error = getservbyname_r(name, protocol, &entry, buffer, sizeof buffer, &found);
    if (error != 0) { errno = error; return -1; }
    if (found == NULL) { errno = ENOENT; return -1; }
    *port = ntohs((uint16_t)found->s_port);
    return 0;
#else
    pthread_mutex_lock(&cshims_services_lock);
    struct servent *found = getservbyname(name, protocol);
    if (found != NULL) *port = ntohs((uint16_t)found->s_port);
    pthread_mutex_unlock(&cshims_services_lock);
    if (found == NULL) { errno = ENOENT; return -1; }
    return 0;
#endif
}

int32_t cshims_getservbyport(uint16_t port, const char *protocol, char *name, size_t length) {
#if defined(__GLIBC__)
    struct servent entry;
    struct servent *found = NULL;
    char buffer[4096];
    int error = getservbyport_r(htons(port), protocol, &entry, buffer, sizeof buffer, &found);
    if (error != 0) { errno = error; return -1; }
    if (found == NULL) { errno = ENOENT; return -1; }
    if (strlen(found->s_name) >= length) { errno = ERANGE; return -1; }
    strcpy(name, found->s_name);
    return 0;
#else
    int32_t result = 0;
    pthread_mutex_lock(&cshims_services_lock);
    struct servent *found = getservbyport(htons(port), protocol);
    if (found == NULL) { errno = ENOENT; result = -1; }
    else if (strlen(found->s_name) >= length) { errno = ERANGE; result = -1; }
    else strcpy(name, found->s_name);
    pthread_mutex_unlock(&cshims_services_lock);
    return result;
#endif
}

// MARK: - Waiting

int32_t cshims_poll(struct pollfd *fds, uint32_t count, int32_t timeoutMilliseconds) {
    return poll(fds, (nfds_t)count, timeoutMilliseconds);
}

// MARK: - Data

ssize_t cshims_sendto(int32_t fd, const void *buffer, size_t length, int32_t flags,
                      const struct sockaddr *address, socklen_t addressLength) {
    return sendto(fd, buffer, length, flags | cshims_MSG_NOSIGNAL, address, addressLength);
}

ssize_t cshims_recvfrom(int32_t fd, void *buffer, size_t length, int32_t flags,
                        struct sockaddr *address, socklen_t *addressLength) {
    return recvfrom(fd, buffer, length, flags, address, addressLength);
}

// MARK: - Vectored, batched and kernel-side zero-copy I/O

#if defined(__linux__)
_Static_assert(sizeof(struct cshims_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
const int32_t cshims_SPLICE_F_MOVE = SPLICE_F_MOVE;
const int32_t cshims_SPLICE_F_NONBLOCK = SPLICE_F_NONBLOCK;
const int32_t cshims_SPLICE_F_MORE = SPLICE_F_MORE;
#else
const int32_t cshims_SPLICE_F_MOVE = 0;
const int32_t cshims_SPLICE_F_NONBLOCK = 0;
const int32_t cshims_SPLICE_F_MORE = 0;
#endif
#if defined(SO_ZEROCOPY) && defined(MSG_ZEROCOPY)
const int32_t cshims_SO_ZEROCOPY = SO_ZEROCOPY;
const int32_t cshims_MSG_ZEROCOPY = MSG_ZEROCOPY;
#else
const int32_t cshims_SO_ZEROCOPY = -1;
const int32_t cshims_MSG_ZEROCOPY = 0;
#endif
#if defined(__linux__)
const int32_t cshims_MSG_WAITFORONE = MSG_WAITFORONE;
#else
const int32_t cshims_MSG_WAITFORONE = 0;
#endif
#if defined(MSG_ERRQUEUE)
const int32_t cshims_MSG_ERRQUEUE = MSG_ERRQUEUE;
#else
const int32_t cshims_MSG_ERRQUEUE = 0;
#endif

#if defined(SOL_UDP)
const int32_t cshims_SOL_UDP = SOL_UDP;
#else
const int32_t cshims_SOL_UDP = -1;
#endif
#if defined(UDP_SEGMENT)
const int32_t cshims_UDP_SEGMENT = UDP_SEGMENT;
#else
const int32_t cshims_UDP_SEGMENT = -1;
#endif
#if defined(UDP_GRO)
const int32_t cshims_UDP_GRO = UDP_GRO;
#else
const int32_t cshims_UDP_GRO = -1;
#endif
#if defined(SO_PROTOCOL)
const int32_t cshims_SO_PROTOCOL = SO_PROTOCOL;
#else
const int32_t cshims_SO_PROTOCOL = -1;
#endif
#if defined(__linux__) && defined(TCP_INFO)
const int32_t cshims_TCP_INFO = TCP_INFO;
#else
const int32_t cshims_TCP_INFO = -1;
#endif
#if defined(SO_DOMAIN)
const int32_t cshims_SO_DOMAIN = SO_DOMAIN;
#else
const int32_t cshims_SO_DOMAIN = -1;
#endif
#if defined(SO_TIMESTAMPNS)
const int32_t cshims_SO_TIMESTAMPNS = SO_TIMESTAMPNS;
#else
const int32_t cshims_SO_TIMESTAMPNS = -1;
#endif
#if defined(IP_PKTINFO)
const int32_t cshims_IP_PKTINFO = IP_PKTINFO;
#else
const int32_t cshims_IP_PKTINFO = -1;
#endif
#if defined(IP_TOS)
const int32_t cshims_IP_TOS = IP_TOS;
#else
const int32_t cshims_IP_TOS = -1;
#endif
#if defined(IP_RECVTOS)
const int32_t cshims_IP_RECVTOS = IP_RECVTOS;
#else
const int32_t cshims_IP_RECVTOS = -1;
#endif
#if defined(IP_RECVERR)
const int32_t cshims_IP_RECVERR = IP_RECVERR;
#else
const int32_t cshims_IP_RECVERR = -1;
#endif
#if defined(IP_MTU_DISCOVER)
const int32_t cshims_IP_MTU_DISCOVER = IP_MTU_DISCOVER;
#else
const int32_t cshims_IP_MTU_DISCOVER = -1;
#endif
#if defined(IP_MTU)
const int32_t cshims_IP_MTU = IP_MTU;
#else
const int32_t cshims_IP_MTU = -1;
#endif
#if defined(IPV6_RECVPKTINFO)
const int32_t cshims_IPV6_RECVPKTINFO = IPV6_RECVPKTINFO;
#else
const int32_t cshims_IPV6_RECVPKTINFO = -1;
#endif
#if defined(IPV6_PKTINFO)
const int32_t cshims_IPV6_PKTINFO = IPV6_PKTINFO;
#else
const int32_t cshims_IPV6_PKTINFO = -1;
#endif
#if defined(IPV6_TCLASS)
const int32_t cshims_IPV6_TCLASS = IPV6_TCLASS;
#else
const int32_t cshims_IPV6_TCLASS = -1;
#endif
#if defined(IPV6_RECVTCLASS)
const int32_t cshims_IPV6_RECVTCLASS = IPV6_RECVTCLASS;
#else
const int32_t cshims_IPV6_RECVTCLASS = -1;
#endif
#if defined(IPV6_RECVERR)
const int32_t cshims_IPV6_RECVERR = IPV6_RECVERR;
#else
const int32_t cshims_IPV6_RECVERR = -1;
#endif
#if defined(IPV6_MTU_DISCOVER)
const int32_t cshims_IPV6_MTU_DISCOVER = IPV6_MTU_DISCOVER;
#else
const int32_t cshims_IPV6_MTU_DISCOVER = -1;
#endif
#if defined(IPV6_MTU)
const int32_t cshims_IPV6_MTU = IPV6_MTU;
#else
const int32_t cshims_IPV6_MTU = -1;
#endif
#if defined(__linux__)
_Static_assert(sizeof(cshims_in_pktinfo) == sizeof(struct in_pktinfo), "in_pktinfo layout");
_Static_assert(offsetof(cshims_in_pktinfo, addr) == offsetof(struct in_pktinfo, ipi_addr), "in_pktinfo layout");
_Static_assert(sizeof(cshims_in6_pktinfo) == sizeof(struct in6_pktinfo), "in6_pktinfo layout");
_Static_assert(offsetof(cshims_in6_pktinfo, ifindex) == offsetof(struct in6_pktinfo, ipi6_ifindex), "in6_pktinfo layout");
#endif

ssize_t cshims_recvmsg(int32_t fd, struct msghdr *message, int32_t flags) {
    return recvmsg(fd, message, flags);
}

ssize_t cshims_sendmsg(int32_t fd, const struct msghdr *message, int32_t flags) {
    return sendmsg(fd, message, flags | cshims_MSG_NOSIGNAL);
}

int32_t cshims_recvmmsg(int32_t fd, struct cshims_mmsghdr *messages, uint32_t count,
                        int32_t flags) {
#if defined(__linux__)
    return recvmmsg(fd, (struct mmsghdr *)messages, count, flags, NULL);
#else
    (void)fd; (void)messages; (void)count; (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

int32_t cshims_sendmmsg(int32_t fd, struct cshims_mmsghdr *messages, uint32_t count,
                        int32_t flags) {
#if defined(__linux__)
    return sendmmsg(fd, (struct mmsghdr *)messages, count, flags | MSG_NOSIGNAL);
#else
    (void)fd; (void)messages; (void)count; (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

ssize_t cshims_splice(int32_t in, int32_t out, size_t length, uint32_t flags) {
#if defined(__linux__)
    return splice(in, NULL, out, NULL, length, flags);
#else
    (void)in; (void)out; (void)length; (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

ssize_t cshims_sendfile(int32_t socket, int32_t file, int64_t *offset, size_t count) {
#if defined(__linux__)
    off_t position = (off_t)*offset;
    ssize_t sent = sendfile(socket, file, &position, count);
    *offset = (int64_t)position;
    return sent;
#else
    (void)socket; (void)file; (void)offset; (void)count;
    errno = ENOSYS;
    return -1;
#endif
}

// MARK: - Readiness

#if defined(__linux__)
const uint32_t cshims_EPOLLIN = EPOLLIN;
const uint32_t cshims_EPOLLOUT = EPOLLOUT;
const uint32_t cshims_EPOLLERR = EPOLLERR;
const uint32_t cshims_EPOLLHUP = EPOLLHUP;
const uint32_t cshims_EPOLLRDHUP = EPOLLRDHUP;
const uint32_t cshims_EPOLLET = EPOLLET;

int32_t cshims_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int32_t cshims_epoll_ctl(int32_t epfd, int32_t operation, int32_t fd, uint32_t events, uint64_t token) {
    struct epoll_event event = { .events = events, .data = { .u64 = token } };
    return epoll_ctl(epfd, operation, fd, &event);
}

int32_t cshims_epoll_wait(int32_t epfd, cshims_poll_event *events, int32_t count,
                          int32_t timeout_milliseconds) {
    struct epoll_event raw[1024];
    if (count > 1024) count = 1024;
    int ready = epoll_wait(epfd, raw, count, timeout_milliseconds);
    for (int index = 0; index < ready; index++) {
        events[index].events = raw[index].events;
        events[index].token = raw[index].data.u64;
    }
    return ready;
}

int32_t cshims_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int32_t cshims_eventfd_signal(int32_t fd) { return eventfd_write(fd, 1); }

int32_t cshims_eventfd_drain(int32_t fd) {
    eventfd_t value;
    return eventfd_read(fd, &value);
}
#else
const uint32_t cshims_EPOLLIN = 0;
const uint32_t cshims_EPOLLOUT = 0;
const uint32_t cshims_EPOLLERR = 0;
const uint32_t cshims_EPOLLHUP = 0;
const uint32_t cshims_EPOLLRDHUP = 0;
const uint32_t cshims_EPOLLET = 0;

int32_t cshims_epoll_create(void) { errno = ENOSYS; return -1; }
int32_t cshims_epoll_ctl(int32_t epfd, int32_t operation, int32_t fd, uint32_t events, uint64_t token) {
    (void)epfd; (void)operation; (void)fd; (void)events; (void)token;
    errno = ENOSYS;
    return -1;
}
int32_t cshims_epoll_wait(int32_t epfd, cshims_poll_event *events, int32_t count,
                          int32_t timeout_milliseconds) {
    (void)epfd; (void)events; (void)count; (void)timeout_milliseconds;
    errno = ENOSYS;
    return -1;
}
int32_t cshims_eventfd(void) { errno = ENOSYS; return -1; }
int32_t cshims_eventfd_signal(int32_t fd) { (void)fd; errno = ENOSYS; return -1; }
int32_t cshims_eventfd_drain(int32_t fd) { (void)fd; errno = ENOSYS; return -1; }
#endif

int32_t cshims_thread_start(void (*body)(void *), void *context) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    int result = pthread_create(&thread, &attributes, (void *(*)(void *))body, context);
    pthread_attr_destroy(&attributes);
    if (result != 0) { errno = result; return -1; }
    return 0;
}

// MARK: - io_uring

uint32_t cshims_load_acquire_u32(const uint32_t *address) { return __atomic_load_n(address, __ATOMIC_ACQUIRE); }

void cshims_store_release_u32(uint32_t *address, uint32_t value) { __atomic_store_n(address, value, __ATOMIC_RELEASE); }

void cshims_store_release_u16(uint16_t *address, uint16_t value) { __atomic_store_n(address, value, __ATOMIC_RELEASE); }

#if defined(__linux__)
// The fixed layouts of CShims.h must be the kernel's, field for field.
_Static_assert(sizeof(cshims_io_uring_sqe) == sizeof(struct io_uring_sqe), "sqe size");
_Static_assert(offsetof(cshims_io_uring_sqe, fd) == offsetof(struct io_uring_sqe, fd), "sqe fd");
_Static_assert(offsetof(cshims_io_uring_sqe, offset) == offsetof(struct io_uring_sqe, off), "sqe off");
_Static_assert(offsetof(cshims_io_uring_sqe, address) == offsetof(struct io_uring_sqe, addr), "sqe addr");
_Static_assert(offsetof(cshims_io_uring_sqe, length) == offsetof(struct io_uring_sqe, len), "sqe len");
_Static_assert(offsetof(cshims_io_uring_sqe, operation_flags) == offsetof(struct io_uring_sqe, msg_flags), "sqe flags");
_Static_assert(offsetof(cshims_io_uring_sqe, user_data) == offsetof(struct io_uring_sqe, user_data), "sqe user_data");
_Static_assert(offsetof(cshims_io_uring_sqe, buffer_group) == offsetof(struct io_uring_sqe, buf_group), "sqe buf_group");
_Static_assert(offsetof(cshims_io_uring_sqe, splice_fd_in) == offsetof(struct io_uring_sqe, splice_fd_in), "sqe splice");
_Static_assert(offsetof(cshims_io_uring_sqe, address3) == offsetof(struct io_uring_sqe, addr3), "sqe addr3");
_Static_assert(sizeof(cshims_io_uring_cqe) == sizeof(struct io_uring_cqe), "cqe size");
_Static_assert(offsetof(cshims_io_uring_cqe, result) == offsetof(struct io_uring_cqe, res), "cqe res");
_Static_assert(offsetof(cshims_io_uring_cqe, flags) == offsetof(struct io_uring_cqe, flags), "cqe flags");
_Static_assert(sizeof(cshims_io_uring_buffer) == sizeof(struct io_uring_buf), "buf size");
_Static_assert(offsetof(cshims_io_uring_buffer, buffer_id) == offsetof(struct io_uring_buf, bid), "buf bid");
_Static_assert(offsetof(cshims_io_uring_buffer, tail) == offsetof(struct io_uring_buf_ring, tail), "buf ring tail");
_Static_assert(sizeof(cshims_io_uring_params) == sizeof(struct io_uring_params), "params size");
_Static_assert(offsetof(cshims_io_uring_params, sq_head) == offsetof(struct io_uring_params, sq_off.head), "sq_off");
_Static_assert(offsetof(cshims_io_uring_params, cq_head) == offsetof(struct io_uring_params, cq_off.head), "cq_off");
_Static_assert(offsetof(cshims_io_uring_params, cq_cqes) == offsetof(struct io_uring_params, cq_off.cqes), "cq cqes");
_Static_assert(sizeof(cshims_io_uring_buffer_registration) == sizeof(struct io_uring_buf_reg), "buf_reg size");

const uint8_t cshims_IORING_OP_NOP = IORING_OP_NOP;
const uint8_t cshims_IORING_OP_POLL_ADD = IORING_OP_POLL_ADD;
const uint8_t cshims_IORING_OP_POLL_REMOVE = IORING_OP_POLL_REMOVE;
const uint8_t cshims_IORING_OP_ACCEPT = IORING_OP_ACCEPT;
const uint8_t cshims_IORING_OP_ASYNC_CANCEL = IORING_OP_ASYNC_CANCEL;
const uint8_t cshims_IORING_OP_LINK_TIMEOUT = IORING_OP_LINK_TIMEOUT;
const uint8_t cshims_IORING_OP_CONNECT = IORING_OP_CONNECT;
const uint8_t cshims_IORING_OP_SEND = IORING_OP_SEND;
const uint8_t cshims_IORING_OP_RECV = IORING_OP_RECV;
const uint8_t cshims_IORING_OP_SEND_ZC = IORING_OP_SEND_ZC;
const uint8_t cshims_IOSQE_BUFFER_SELECT = IOSQE_BUFFER_SELECT;
const uint16_t cshims_IORING_RECV_MULTISHOT = IORING_RECV_MULTISHOT;
const uint32_t cshims_IORING_CQE_F_BUFFER = IORING_CQE_F_BUFFER;
const uint32_t cshims_IORING_CQE_F_MORE = IORING_CQE_F_MORE;
const uint32_t cshims_IORING_CQE_BUFFER_SHIFT = IORING_CQE_BUFFER_SHIFT;
const uint32_t cshims_IORING_ENTER_GETEVENTS = IORING_ENTER_GETEVENTS;
const uint32_t cshims_IORING_SETUP_SINGLE_ISSUER = IORING_SETUP_SINGLE_ISSUER;
const uint32_t cshims_IORING_SETUP_COOP_TASKRUN = IORING_SETUP_COOP_TASKRUN;
const uint32_t cshims_IORING_SETUP_CQSIZE = IORING_SETUP_CQSIZE;
const uint32_t cshims_IORING_FEAT_SINGLE_MMAP = IORING_FEAT_SINGLE_MMAP;
const uint32_t cshims_IORING_FEAT_NODROP = IORING_FEAT_NODROP;
const uint32_t cshims_IORING_FEAT_FAST_POLL = IORING_FEAT_FAST_POLL;
const uint64_t cshims_IORING_OFF_SQ_RING = IORING_OFF_SQ_RING;
const uint64_t cshims_IORING_OFF_CQ_RING = IORING_OFF_CQ_RING;
const uint64_t cshims_IORING_OFF_SQES = IORING_OFF_SQES;
const uint32_t cshims_IORING_REGISTER_PROBE = IORING_REGISTER_PROBE;
const uint32_t cshims_IORING_REGISTER_PBUF_RING = IORING_REGISTER_PBUF_RING;
const uint32_t cshims_IORING_UNREGISTER_PBUF_RING = IORING_UNREGISTER_PBUF_RING;
const uint16_t cshims_IO_URING_OP_SUPPORTED = IO_URING_OP_SUPPORTED;

int32_t cshims_io_uring_setup(uint32_t entries, cshims_io_uring_params *params) {
    return (int32_t)syscall(__NR_io_uring_setup, entries, params);
}

int32_t cshims_io_uring_enter(int32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags) {
    return (int32_t)syscall(__NR_io_uring_enter, ring, to_submit, min_complete, flags, NULL, 0);
}

int32_t cshims_io_uring_wait(int32_t ring, uint32_t to_submit, uint32_t min_complete, int64_t timeout_nanoseconds) {
    if (timeout_nanoseconds < 0) {
        return (int32_t)syscall(__NR_io_uring_enter, ring, to_submit, min_complete, IORING_ENTER_GETEVENTS, NULL, 0);
    }
    struct __kernel_timespec limit = { .tv_sec = timeout_nanoseconds / 1000000000,
                                       .tv_nsec = timeout_nanoseconds % 1000000000 };
    struct io_uring_getevents_arg argument = { .ts = (uint64_t)(uintptr_t)&limit };
    return (int32_t)syscall(__NR_io_uring_enter, ring, to_submit, min_complete,
                            IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &argument, sizeof argument);
}

int32_t cshims_io_uring_register(int32_t ring, uint32_t opcode, void *argument, uint32_t count) {
    return (int32_t)syscall(__NR_io_uring_register, ring, opcode, argument, count);
}
#else
const uint8_t cshims_IORING_OP_NOP = 0;
const uint8_t cshims_IORING_OP_POLL_ADD = 0;
const uint8_t cshims_IORING_OP_POLL_REMOVE = 0;
const uint8_t cshims_IORING_OP_ACCEPT = 0;
const uint8_t cshims_IORING_OP_ASYNC_CANCEL = 0;
const uint8_t cshims_IORING_OP_LINK_TIMEOUT = 0;
const uint8_t cshims_IORING_OP_CONNECT = 0;
const uint8_t cshims_IORING_OP_SEND = 0;
const uint8_t cshims_IORING_OP_RECV = 0;
const uint8_t cshims_IORING_OP_SEND_ZC = 0;
const uint8_t cshims_IOSQE_BUFFER_SELECT = 0;
const uint16_t cshims_IORING_RECV_MULTISHOT = 0;
const uint32_t cshims_IORING_CQE_F_BUFFER = 0;
const uint32_t cshims_IORING_CQE_F_MORE = 0;
const uint32_t cshims_IORING_CQE_BUFFER_SHIFT = 0;
const uint32_t cshims_IORING_ENTER_GETEVENTS = 0;
const uint32_t cshims_IORING_SETUP_SINGLE_ISSUER = 0;
const uint32_t cshims_IORING_SETUP_COOP_TASKRUN = 0;
const uint32_t cshims_IORING_SETUP_CQSIZE = 0;
const uint32_t cshims_IORING_FEAT_SINGLE_MMAP = 0;
const uint32_t cshims_IORING_FEAT_NODROP = 0;
const uint32_t cshims_IORING_FEAT_FAST_POLL = 0;
const uint64_t cshims_IORING_OFF_SQ_RING = 0;
const uint64_t cshims_IORING_OFF_CQ_RING = 0;
const uint64_t cshims_IORING_OFF_SQES = 0;
const uint32_t cshims_IORING_REGISTER_PROBE = 0;
const uint32_t cshims_IORING_REGISTER_PBUF_RING = 0;
const uint32_t cshims_IORING_UNREGISTER_PBUF_RING = 0;
const uint16_t cshims_IO_URING_OP_SUPPORTED = 0;

int32_t cshims_io_uring_setup(uint32_t entries, cshims_io_uring_params *params) {
    (void)entries; (void)params; errno = ENOSYS; return -1;
}
int32_t cshims_io_uring_enter(int32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags) {
    (void)ring; (void)to_submit; (void)min_complete; (void)flags; errno = ENOSYS; return -1;
}
int32_t cshims_io_uring_wait(int32_t ring, uint32_t to_submit, uint32_t min_complete, int64_t timeout_nanoseconds) {
    (void)ring; (void)to_submit; (void)min_complete; (void)timeout_nanoseconds; errno = ENOSYS; return -1;
}
int32_t cshims_io_uring_register(int32_t ring, uint32_t opcode, void *argument, uint32_t count) {
    (void)ring; (void)opcode; (void)argument; (void)count; errno = ENOSYS; return -1;
}
#endif

int32_t cshims_setns_network(int32_t fd) {
#if defined(__linux__)
    return setns(fd, CLONE_NEWNET);
#else
    (void)fd;
    errno = ENOSYS;
    return -1;
#endif
}
