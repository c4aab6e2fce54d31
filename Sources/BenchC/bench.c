#define _GNU_SOURCE
#include "BenchC.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>

int32_t bench_pin_to_cpu(int32_t cpu) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
#else
    (void)cpu;
    errno = ENOSYS;
    return -1;
#endif
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int read_exactly(int fd, void *buffer, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = recv(fd, (char *)buffer + done, size - done, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int32_t bench_source_serve(int32_t listener, int32_t connections, size_t chunk, int32_t idle_ms) {
    char *buffer = aligned_alloc(4096, (chunk + 4095) & ~(size_t)4095);
    if (!buffer) return -1;
    for (size_t i = 0; i < chunk; i++) buffer[i] = (char)(i * 31 + (i >> 9));
    for (int32_t served = 0; served < connections; served++) {
        struct pollfd entry = { .fd = listener, .events = POLLIN };
        if (poll(&entry, 1, idle_ms) <= 0) break;
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) continue;
        uint64_t request[2];
        if (read_exactly(fd, request, sizeof request) == 0) {
            uint64_t bytes = request[0], milliseconds = request[1];
            double stop = now_seconds() + (double)milliseconds / 1000.0;
            uint64_t sent = 0;
            while (milliseconds > 0 ? now_seconds() < stop : sent < bytes) {
                size_t size = chunk;
                if (milliseconds == 0 && bytes - sent < size) size = (size_t)(bytes - sent);
                ssize_t n = send(fd, buffer, size, MSG_NOSIGNAL);
                if (n < 0) {
                    if (errno == EINTR) continue;
                    break;
                }
                sent += (uint64_t)n;
            }
            // A stream ends with end of stream; a drain run ends at its byte count, with no FIN
            // (a FIN would make event-loop clients read everything before the timed region).
            if (milliseconds > 0) shutdown(fd, SHUT_WR);
            // Wait for the receiver to close, so the data is never cut short by our close.
            char sink[256];
            while (recv(fd, sink, sizeof sink, 0) > 0) {}
        }
        close(fd);
    }
    free(buffer);
    return 0;
}

int64_t bench_c_recv_loop(int32_t fd, void *buffer, size_t size, int64_t limit, int64_t *calls) {
    int64_t total = 0, count = 0;
    while (limit <= 0 || total < limit) {
        size_t wanted = limit > 0 && (uint64_t)(limit - total) < size ? (size_t)(limit - total) : size;
        ssize_t n = recv(fd, buffer, wanted, 0);
        count++;
        if (n > 0) { total += n; continue; }
        if (n == 0) break;
        if (errno == EINTR) continue;
        *calls = count;
        return -1;
    }
    *calls = count;
    return total;
}

int64_t bench_c_recv_datagrams(int32_t fd, void *buffer, size_t size) {
    int64_t count = 0;
    for (;;) {
        ssize_t n = recv(fd, buffer, size, 0);
        if (n >= 0) { count++; continue; }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return count;
        return -1;
    }
}

int64_t bench_c_recvmmsg_datagrams(int32_t fd, void *arena, size_t size, int32_t batch) {
#if defined(__linux__)
    struct mmsghdr messages[batch];
    struct iovec vectors[batch];
    int64_t count = 0;
    for (;;) {
        for (int i = 0; i < batch; i++) {
            vectors[i].iov_base = (char *)arena + (size_t)i * size;
            vectors[i].iov_len = size;
            memset(&messages[i].msg_hdr, 0, sizeof messages[i].msg_hdr);
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(fd, messages, (unsigned)batch, MSG_WAITFORONE, NULL);
        if (n > 0) { count += n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return count;
        return -1;
    }
#else
    (void)fd; (void)arena; (void)size; (void)batch;
    errno = ENOSYS;
    return -1;
#endif
}

int64_t bench_send_datagrams(int32_t fd, size_t size, int64_t count) {
#if defined(__linux__)
    enum { batch = 64 };
    char *payload = calloc(1, size ? size : 1);
    struct mmsghdr messages[batch];
    struct iovec vectors[batch];
    int64_t sent = 0;
    while (sent < count) {
        int n = (int)(count - sent < batch ? count - sent : batch);
        for (int i = 0; i < n; i++) {
            vectors[i].iov_base = payload;
            vectors[i].iov_len = size;
            memset(&messages[i].msg_hdr, 0, sizeof messages[i].msg_hdr);
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        int done = sendmmsg(fd, messages, (unsigned)n, 0);
        if (done < 0) {
            if (errno == EINTR) continue;
            free(payload);
            return -1;
        }
        sent += done;
    }
    free(payload);
    return sent;
#else
    (void)fd; (void)size; (void)count;
    errno = ENOSYS;
    return -1;
#endif
}

int64_t bench_send_datagrams_gso(int32_t fd, size_t size, int64_t count) {
#if defined(__linux__) && defined(UDP_SEGMENT)
    size_t per = size ? 65507 / size : 1;
    if (per > 64) per = 64;
    if (per < 1) per = 1;
    char *payload = calloc(1, per * size + 1);
    int64_t sent = 0;
    union { char bytes[CMSG_SPACE(sizeof(uint16_t))]; struct cmsghdr align; } control;
    while (sent < count) {
        size_t now = (size_t)(count - sent) < per ? (size_t)(count - sent) : per;
        struct iovec vector = { payload, now * size };
        struct msghdr message = { 0 };
        message.msg_iov = &vector;
        message.msg_iovlen = 1;
        if (now > 1) {
            memset(&control, 0, sizeof control);
            message.msg_control = control.bytes;
            message.msg_controllen = sizeof control.bytes;
            struct cmsghdr *header = CMSG_FIRSTHDR(&message);
            header->cmsg_level = SOL_UDP;
            header->cmsg_type = UDP_SEGMENT;
            header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            uint16_t segment = (uint16_t)size;
            memcpy(CMSG_DATA(header), &segment, sizeof segment);
        }
        ssize_t done = sendmsg(fd, &message, 0);
        if (done < 0) {
            if (errno == EINTR) continue;
            free(payload);
            return -1;
        }
        sent += (int64_t)now;
    }
    free(payload);
    return sent;
#else
    (void)fd; (void)size; (void)count;
    errno = ENOSYS;
    return -1;
#endif
}

int64_t bench_send_datagrams_plain(int32_t fd, size_t size, int64_t count) {
    char *payload = calloc(1, size ? size : 1);
    int64_t sent = 0;
    while (sent < count) {
        ssize_t done = send(fd, payload, size, 0);
        if (done < 0) {
            if (errno == EINTR) continue;
            free(payload);
            return -1;
        }
        sent++;
    }
    free(payload);
    return sent;
}

int64_t bench_c_gro_datagrams(int32_t fd, void *arena, size_t size, int32_t batch) {
#if defined(__linux__) && defined(UDP_GRO)
    enum { control_size = 256 };
    struct mmsghdr messages[batch];
    struct iovec vectors[batch];
    char controls[batch][control_size] __attribute__((aligned(8)));
    int64_t count = 0;
    for (;;) {
        for (int i = 0; i < batch; i++) {
            vectors[i].iov_base = (char *)arena + (size_t)i * size;
            vectors[i].iov_len = size;
            memset(&messages[i].msg_hdr, 0, sizeof messages[i].msg_hdr);
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
            messages[i].msg_hdr.msg_control = controls[i];
            messages[i].msg_hdr.msg_controllen = control_size;
        }
        int n = recvmmsg(fd, messages, (unsigned)batch, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return count;
            return -1;
        }
        for (int i = 0; i < n; i++) {
            int segment = 0;
            for (struct cmsghdr *header = CMSG_FIRSTHDR(&messages[i].msg_hdr); header;
                 header = CMSG_NXTHDR(&messages[i].msg_hdr, header)) {
                if (header->cmsg_level == SOL_UDP && header->cmsg_type == UDP_GRO) {
                    memcpy(&segment, CMSG_DATA(header), sizeof segment);
                }
            }
            unsigned length = messages[i].msg_len;
            count += (segment > 0 && length > 0) ? (length + (unsigned)segment - 1) / (unsigned)segment : 1;
        }
    }
#else
    (void)fd; (void)arena; (void)size; (void)batch;
    errno = ENOSYS;
    return -1;
#endif
}

double bench_thread_cpu_seconds(void) {
#if defined(RUSAGE_THREAD)
    struct rusage usage;
    getrusage(RUSAGE_THREAD, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
#else
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
#endif
}
