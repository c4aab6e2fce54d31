// The C side of the throughput benchmark: the traffic source and the plain C receive loops the
// library is measured against. Compiled with optimisation; only the benchmark links it.
#ifndef BENCH_C_H
#define BENCH_C_H

#include <stdint.h>
#include <stddef.h>

/// Pins the calling thread to one CPU (Linux); returns 0, or -1 where it cannot.
int32_t bench_pin_to_cpu(int32_t cpu);

/// Serves connections on the listening socket `listener`, one after another: each client
/// first sends a 16-byte request (little-endian uint64 byte count, uint64 milliseconds); the
/// source then sends that many bytes (or, with milliseconds > 0, until that much time has
/// passed, then shuts down its sending side) from a `chunk`-byte buffer, and closes once the
/// client has closed. Returns after `connections` connections, or
/// when no client comes for `idle_ms`.
int32_t bench_source_serve(int32_t listener, int32_t connections, size_t chunk, int32_t idle_ms);

/// The plain C recv loop: receives into `buffer` (`size` bytes at a time) until end of stream
/// or `limit` bytes (0: no limit), counting bytes and calls. Returns the bytes, or -1 with errno.
int64_t bench_c_recv_loop(int32_t fd, void *buffer, size_t size, int64_t limit, int64_t *calls);

/// Plain C datagram loop on a non-blocking socket: one recv per datagram until it would
/// block. Returns datagrams received, or -1 with errno.
int64_t bench_c_recv_datagrams(int32_t fd, void *buffer, size_t size);

/// C datagram loop with recvmmsg: `batch` datagrams per call into `size`-byte slots of
/// `arena`, until it would block. Returns datagrams received, or -1 with errno.
int64_t bench_c_recvmmsg_datagrams(int32_t fd, void *arena, size_t size, int32_t batch);

/// Sends `count` datagrams of `size` bytes on a connected UDP socket with sendmmsg, 64 at a
/// time. Returns datagrams sent, or -1 with errno.
int64_t bench_send_datagrams(int32_t fd, size_t size, int64_t count);

/// Sends `count` datagrams of `size` bytes on a connected UDP socket with segmentation
/// offload: one `sendmsg` with a `UDP_SEGMENT` control message per min(64, 65507 / size)
/// datagrams. Returns datagrams sent, or -1 with errno.
int64_t bench_send_datagrams_gso(int32_t fd, size_t size, int64_t count);

/// Sends `count` datagrams of `size` bytes on a connected UDP socket, one `send` each.
/// Returns datagrams sent, or -1 with errno.
int64_t bench_send_datagrams_plain(int32_t fd, size_t size, int64_t count);

/// C coalesced-receive loop on a non-blocking socket with `UDP_GRO` on: recvmmsg of `batch`
/// buffers of `size` bytes each (65536 to hold a coalesced run), each with a control buffer;
/// counts the datagrams in each buffer from its `UDP_GRO` segment size, until it would block.
/// Returns datagrams received, or -1 with errno.
int64_t bench_c_gro_datagrams(int32_t fd, void *_Nonnull arena, size_t size, int32_t batch);

/// CPU time (user + system) of the calling thread, in seconds.
double bench_thread_cpu_seconds(void);

// MARK: - The async benchmark (many connections, request/response)

/// Raises the soft descriptor limit to the hard one; returns the new limit, or -1.
int64_t bench_raise_descriptor_limit(void);

/// CPU time (user + system) of the whole process, in seconds.
double bench_process_cpu_seconds(void);

/// Accepts `connections` connections on the blocking `listener`, then streams `bytes_each`
/// bytes to every one of them with one epoll loop (level-triggered, non-blocking sends) and
/// closes each when done. Gives up after `idle_ms` with no progress. Returns 0, or -1.
int32_t bench_many_source(int32_t listener, int32_t connections, int64_t bytes_each, int32_t idle_ms);

/// The C baseline receiver: one thread, one edge-triggered epoll over `fds`, `recv` into
/// `buffer` until EAGAIN on each ready socket, until every socket reached end of stream.
/// Returns the bytes received, or -1.
int64_t bench_c_epoll_drain(const int32_t *_Nonnull fds, int32_t count, void *_Nonnull buffer, size_t size);

/// An epoll echo server on `listener` (TCP_NODELAY on each connection): sends back what
/// arrives, until `idle_ms` pass with no event. Returns 0.
int32_t bench_echo_serve(int32_t listener, int32_t idle_ms);

/// The C blocking ping-pong client: sends `size` bytes, reads `size` back, for `duration_ns`;
/// stores each round trip's nanoseconds in `latencies` (up to `capacity`). Returns the count.
int64_t bench_c_pingpong_blocking(int32_t fd, size_t size, int64_t duration_ns,
                                  int64_t *_Nonnull latencies, int64_t capacity);

/// The C epoll ping-pong client: one request outstanding per connection over `fds`, for
/// `duration_ns`; latencies as above. Returns the count of round trips.
int64_t bench_c_pingpong_epoll(const int32_t *_Nonnull fds, int32_t connections, size_t size,
                               int64_t duration_ns, int64_t *_Nonnull latencies, int64_t capacity);

/// The C connection-rate client: `concurrency` connections at a time to 127.0.0.1:`port`, each
/// connecting, sending `size` bytes, reading them back and closing (with a reset, so that no
/// TIME_WAIT is left to exhaust the ports), then starting over, for `duration_ns`. Returns the
/// completed cycles, or -1.
int64_t bench_c_connection_cycles(uint16_t port, int32_t concurrency, size_t size, int64_t duration_ns);

#endif
