// The C side of the async benchmark: an epoll source that streams to many connections, an
// epoll echo server, and the plain C clients every async contender is measured against.
#define _GNU_SOURCE
#include "BenchC.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#if defined(__linux__)
#include <sys/epoll.h>
#endif

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int64_t bench_raise_descriptor_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    return (int64_t)limit.rlim_cur;
}

double bench_process_cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

#if defined(__linux__)

static void make_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

int32_t bench_many_source(int32_t listener, int32_t connections, int64_t bytes_each, int32_t idle_ms) {
    static char chunk[256 * 1024];
    memset(chunk, 'x', sizeof chunk);
    int *fds = calloc((size_t)connections, sizeof(int));
    int64_t *left = calloc((size_t)connections, sizeof(int64_t));
    if (!fds || !left) return -1;
    // Accept every connection first, so that data flows only once all are set up.
    for (int accepted = 0; accepted < connections;) {
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        fds[accepted] = fd;
        left[accepted] = bytes_each;
        accepted++;
    }
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    for (int index = 0; index < connections; index++) {
        make_nonblocking(fds[index]);
        struct epoll_event event = { .events = EPOLLOUT, .data = { .u32 = (uint32_t)index } };
        epoll_ctl(epoll, EPOLL_CTL_ADD, fds[index], &event);
    }
    int open = connections;
    struct epoll_event events[256];
    while (open > 0) {
        int ready = epoll_wait(epoll, events, 256, idle_ms);
        if (ready == 0) break;  // Nobody reads: give up.
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int event = 0; event < ready; event++) {
            int index = (int)events[event].data.u32;
            while (left[index] > 0) {
                size_t size = left[index] < (int64_t)sizeof chunk ? (size_t)left[index] : sizeof chunk;
                ssize_t sent = send(fds[index], chunk, size, MSG_NOSIGNAL);
                if (sent < 0) {
                    if (errno == EAGAIN || errno == EINTR) break;
                    left[index] = 0;  // The peer went away.
                    break;
                }
                left[index] -= sent;
            }
            if (left[index] == 0) {
                epoll_ctl(epoll, EPOLL_CTL_DEL, fds[index], NULL);
                close(fds[index]);
                left[index] = -1;
                open--;
            }
        }
    }
    for (int index = 0; index < connections; index++) if (left[index] >= 0) close(fds[index]);
    close(epoll);
    free(fds);
    free(left);
    return open == 0 ? 0 : -1;
}

int64_t bench_c_epoll_drain(const int32_t *fds, int32_t count, void *buffer, size_t size) {
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    for (int index = 0; index < count; index++) {
        make_nonblocking(fds[index]);
        struct epoll_event event = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data = { .u32 = (uint32_t)index } };
        epoll_ctl(epoll, EPOLL_CTL_ADD, fds[index], &event);
    }
    int64_t total = 0;
    int open = count;
    struct epoll_event events[256];
    while (open > 0) {
        int ready = epoll_wait(epoll, events, 256, 30000);
        if (ready <= 0) {
            if (ready < 0 && errno == EINTR) continue;
            break;
        }
        for (int event = 0; event < ready; event++) {
            int fd = fds[events[event].data.u32];
            for (;;) {
                ssize_t got = recv(fd, buffer, size, 0);
                if (got > 0) {
                    total += got;
                    continue;
                }
                if (got == 0) {
                    epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
                    open--;
                    break;
                }
                if (errno == EINTR) continue;
                if (errno != EAGAIN) {
                    epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
                    open--;
                }
                break;
            }
        }
    }
    close(epoll);
    return open == 0 ? total : -1;
}

int32_t bench_echo_serve(int32_t listener, int32_t idle_ms) {
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    make_nonblocking(listener);
    struct epoll_event add = { .events = EPOLLIN, .data = { .fd = listener } };
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &add);
    char buffer[65536];
    struct epoll_event events[256];
    for (;;) {
        int ready = epoll_wait(epoll, events, 256, idle_ms);
        if (ready == 0) break;
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int event = 0; event < ready; event++) {
            int fd = events[event].data.fd;
            if (fd == listener) {
                int client;
                while ((client = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
                    int on = 1;
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                    struct epoll_event watch = { .events = EPOLLIN, .data = { .fd = client } };
                    epoll_ctl(epoll, EPOLL_CTL_ADD, client, &watch);
                }
                continue;
            }
            ssize_t got = recv(fd, buffer, sizeof buffer, 0);
            if (got > 0) {
                ssize_t done = 0;
                while (done < got) {  // Small messages: the send buffer has room.
                    ssize_t sent = send(fd, buffer + done, (size_t)(got - done), MSG_NOSIGNAL);
                    if (sent < 0) {
                        if (errno == EAGAIN || errno == EINTR) continue;
                        break;
                    }
                    done += sent;
                }
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
                close(fd);
            }
        }
    }
    close(epoll);
    return 0;
}

/// Reads exactly `size` bytes (blocking or after readiness); -1 on EOF or error.
static int read_exactly(int fd, char *buffer, size_t size) {
    size_t got = 0;
    while (got < size) {
        ssize_t count = recv(fd, buffer + got, size - got, 0);
        if (count > 0) {
            got += (size_t)count;
            continue;
        }
        if (count < 0 && errno == EINTR) continue;
        if (count < 0 && errno == EAGAIN) return (int)got;  // Non-blocking: partial.
        return -1;
    }
    return (int)got;
}

int64_t bench_c_pingpong_blocking(int32_t fd, size_t size, int64_t duration_ns, int64_t *latencies, int64_t capacity) {
    char message[4096];
    memset(message, 'p', sizeof message);
    if (size > sizeof message) return -1;
    int64_t count = 0;
    int64_t end = now_ns() + duration_ns;
    for (;;) {
        int64_t start = now_ns();
        if (start >= end) break;
        if (send(fd, message, size, MSG_NOSIGNAL) != (ssize_t)size) return -1;
        if (read_exactly(fd, message, size) != (int)size) return -1;
        if (count < capacity) latencies[count] = now_ns() - start;
        count++;
    }
    return count;
}

int64_t bench_c_pingpong_epoll(const int32_t *fds, int32_t connections, size_t size, int64_t duration_ns,
                               int64_t *latencies, int64_t capacity) {
    char message[4096];
    memset(message, 'p', sizeof message);
    if (size > sizeof message) return -1;
    int64_t *started = calloc((size_t)connections, sizeof(int64_t));
    int *have = calloc((size_t)connections, sizeof(int));
    if (!started || !have) return -1;
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    int64_t end = now_ns() + duration_ns;
    for (int index = 0; index < connections; index++) {
        make_nonblocking(fds[index]);
        struct epoll_event event = { .events = EPOLLIN, .data = { .u32 = (uint32_t)index } };
        epoll_ctl(epoll, EPOLL_CTL_ADD, fds[index], &event);
        started[index] = now_ns();
        send(fds[index], message, size, MSG_NOSIGNAL);
    }
    int64_t count = 0;
    int outstanding = connections;
    struct epoll_event events[256];
    while (outstanding > 0) {
        int ready = epoll_wait(epoll, events, 256, 10000);
        if (ready <= 0) {
            if (ready < 0 && errno == EINTR) continue;
            break;
        }
        for (int event = 0; event < ready; event++) {
            int index = (int)events[event].data.u32;
            int got = read_exactly(fds[index], message + 0, size - (size_t)have[index]);
            if (got < 0) { outstanding--; continue; }
            have[index] += got;
            if ((size_t)have[index] < size) continue;
            have[index] = 0;
            int64_t now = now_ns();
            if (count < capacity) latencies[count] = now - started[index];
            count++;
            if (now >= end) {
                outstanding--;
                epoll_ctl(epoll, EPOLL_CTL_DEL, fds[index], NULL);
                continue;
            }
            started[index] = now;
            send(fds[index], message, size, MSG_NOSIGNAL);
        }
    }
    close(epoll);
    free(started);
    free(have);
    return count;
}

int64_t bench_c_connection_cycles(uint16_t port, int32_t concurrency, size_t size, int64_t duration_ns) {
    char message[4096];
    memset(message, 'c', sizeof message);
    if (size > sizeof message) return -1;
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port),
                                   .sin_addr = { .s_addr = htonl(0x7F000001) } };
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    int *fds = calloc((size_t)concurrency, sizeof(int));
    int *have = calloc((size_t)concurrency, sizeof(int));
    if (!fds || !have) return -1;
    int64_t end = now_ns() + duration_ns;
    int64_t cycles = 0;
    int active = 0;
    // Opens connection `index`: a non-blocking connect, then the request once writable.
    #define OPEN(index) do { \
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0); \
        struct linger reset = { .l_onoff = 1, .l_linger = 0 }; \
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset); \
        int on = 1; \
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on); \
        connect(fd, (struct sockaddr *)&address, sizeof address); \
        fds[index] = fd; have[index] = -1; \
        struct epoll_event event = { .events = EPOLLOUT | EPOLLIN, .data = { .u32 = (uint32_t)(index) } }; \
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event); \
        active++; \
    } while (0)
    for (int index = 0; index < concurrency; index++) OPEN(index);
    struct epoll_event events[256];
    while (active > 0) {
        int ready = epoll_wait(epoll, events, 256, 10000);
        if (ready <= 0) {
            if (ready < 0 && errno == EINTR) continue;
            break;
        }
        for (int event = 0; event < ready; event++) {
            int index = (int)events[event].data.u32;
            int fd = fds[index];
            if (have[index] < 0) {  // Connected (or failed): send the request, then wait to read.
                if (events[event].events & (EPOLLERR | EPOLLHUP)) return -1;
                if (send(fd, message, size, MSG_NOSIGNAL) != (ssize_t)size) return -1;
                have[index] = 0;
                struct epoll_event event = { .events = EPOLLIN, .data = { .u32 = (uint32_t)index } };
                epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event);
                continue;
            }
            int got = read_exactly(fd, message, size - (size_t)have[index]);
            if (got < 0) return -1;
            have[index] += got;
            if ((size_t)have[index] < size) continue;
            close(fd);  // Closing removes it from the epoll set.
            active--;
            cycles++;
            if (now_ns() < end) OPEN(index);
        }
    }
    #undef OPEN
    close(epoll);
    free(fds);
    free(have);
    return cycles;
}

#else

int32_t bench_many_source(int32_t listener, int32_t connections, int64_t bytes_each, int32_t idle_ms) {
    (void)listener; (void)connections; (void)bytes_each; (void)idle_ms;
    errno = ENOSYS;
    return -1;
}
int64_t bench_c_epoll_drain(const int32_t *fds, int32_t count, void *buffer, size_t size) {
    (void)fds; (void)count; (void)buffer; (void)size;
    errno = ENOSYS;
    return -1;
}
int32_t bench_echo_serve(int32_t listener, int32_t idle_ms) { (void)listener; (void)idle_ms; errno = ENOSYS; return -1; }
int64_t bench_c_pingpong_blocking(int32_t fd, size_t size, int64_t duration_ns, int64_t *latencies, int64_t capacity) {
    (void)fd; (void)size; (void)duration_ns; (void)latencies; (void)capacity;
    errno = ENOSYS;
    return -1;
}
int64_t bench_c_pingpong_epoll(const int32_t *fds, int32_t connections, size_t size, int64_t duration_ns,
                               int64_t *latencies, int64_t capacity) {
    (void)fds; (void)connections; (void)size; (void)duration_ns; (void)latencies; (void)capacity;
    errno = ENOSYS;
    return -1;
}

int64_t bench_c_connection_cycles(uint16_t port, int32_t concurrency, size_t size, int64_t duration_ns) {
    (void)port; (void)concurrency; (void)size; (void)duration_ns;
    errno = ENOSYS;
    return -1;
}

#endif
