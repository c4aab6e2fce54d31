// async-peer-tokio: the tokio peer of async-peers (Benchmarks/Sources/async-peers), a task per
// connection, against async-bench's C echo server and C source, and echo pairs inside one
// process; on tokio's current-thread runtime (async-peers runs it under `taskset -c 1`) or its
// multi-thread runtime with 2 workers (under `taskset -c 0,1`). Built offline from Debian's
// crates by `make bench-async-peers` (see Cargo.toml and .cargo/config.toml):
//
//   async-peer-tokio [--runtime current|multi2] pingpong HOST PORT CONNECTIONS SECONDS
//   async-peer-tokio [--runtime current|multi2] drain HOST PORT CONNECTIONS BYTES_EACH
//   async-peer-tokio [--runtime current|multi2] connect HOST PORT CONCURRENCY SECONDS
//   async-peer-tokio [--runtime current|multi2] echo-pairs PAIRS SECONDS
//
// Each mode mirrors the C client of `async-bench measure` and prints one JSON line in the shape
// async-peers reads from it: pingpong and echo-pairs {transactions, seconds, p50, p99, p999}
// (latencies in µs), drain {bytes, seconds, calls, cpuSeconds}, connect {connectionsPerSecond};
// each also carries cpuSeconds and the voluntary and involuntary context switches of the timed
// region (getrusage of the whole process). Connections are set up before the clock starts.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::unix::io::AsRawFd;
use std::process::exit;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The process's CPU seconds and voluntary and involuntary context switches so far.
fn usage() -> (f64, i64, i64) {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) as f64 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) as f64 / 1e6;
    (cpu, ru.ru_nvcsw as i64, ru.ru_nivcsw as i64)
}

fn fail(message: String) -> ! {
    eprintln!("async-peer-tokio: {}", message);
    exit(1)
}

/// `text` as a number (or an IP address); the run fails when it is not one.
fn number<T: std::str::FromStr>(text: &str) -> T {
    text.parse().unwrap_or_else(|_| fail(format!("cannot read {:?} (a number or an IP address)", text)))
}

/// Raises the soft descriptor limit to the hard one, for 10,000 connections.
fn raise_descriptor_limit() {
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// `count` connections to `address`, made blocking (as the C client's) and handed to tokio,
/// with TCP_NODELAY and, when given, the receive buffer size.
fn connect_all(address: SocketAddr, count: usize, receive_buffer: Option<i32>) -> io::Result<Vec<TcpStream>> {
    let mut streams = Vec::with_capacity(count);
    for _ in 0..count {
        let stream = std::net::TcpStream::connect(address)?;
        stream.set_nodelay(true)?;
        if let Some(size) = receive_buffer {
            unsafe {
                libc::setsockopt(stream.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVBUF,
                                 &size as *const i32 as *const libc::c_void, std::mem::size_of::<i32>() as libc::socklen_t);
            }
        }
        stream.set_nonblocking(true)?;
        streams.push(TcpStream::from_std(stream)?);
    }
    Ok(streams)
}

/// A 64-byte request, then the 64-byte reply, until `end`, on every stream, a task each; every
/// round trip's latency in nanoseconds.
async fn ping_pong(streams: Vec<TcpStream>, end: Instant) -> io::Result<Vec<u64>> {
    let capacity = 4_000_000 / streams.len().max(1) + 1;
    let tasks: Vec<_> = streams.into_iter().map(|mut stream| tokio::spawn(async move {
        let request = [0x70u8; 64];
        let mut reply = [0u8; 64];
        let mut latencies = Vec::with_capacity(capacity);
        let mut clock = Instant::now();
        while clock < end {
            stream.write_all(&request).await?;
            stream.read_exact(&mut reply).await?;
            let now = Instant::now();
            latencies.push((now - clock).as_nanos() as u64);
            clock = now;
        }
        Ok::<_, io::Error>(latencies)
    })).collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.map_err(|e| io::Error::new(io::ErrorKind::Other, e))??);
    }
    Ok(all)
}

/// The JSON fields of a ping-pong run: the count and the latency percentiles in µs.
fn transactions(mut latencies: Vec<u64>) -> String {
    latencies.sort_unstable();
    let at = |fraction: f64| -> f64 {
        if latencies.is_empty() { return 0.0 }
        latencies[((latencies.len() as f64 * fraction) as usize).min(latencies.len() - 1)] as f64 / 1000.0
    };
    format!(r#""transactions":{},"p50":{},"p99":{},"p999":{}"#, latencies.len(), at(0.5), at(0.99), at(0.999))
}

/// Reads each stream to its end into a 16 KiB buffer of its own, a task each, as the C loop
/// does (whose connections have a 256 KiB receive buffer, as these); checks the byte count.
async fn drain(streams: Vec<TcpStream>, each: u64) -> io::Result<String> {
    let count = streams.len() as u64;
    let tasks: Vec<_> = streams.into_iter().map(|mut stream| tokio::spawn(async move {
        let mut buffer = vec![0u8; 16 * 1024];
        let mut received = 0u64;
        loop {
            let n = stream.read(&mut buffer).await?;
            if n == 0 { break }
            received += n as u64;
        }
        Ok::<_, io::Error>(received)
    })).collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.map_err(|e| io::Error::new(io::ErrorKind::Other, e))??;
    }
    if total != each * count {
        fail(format!("received {} bytes, not {}", total, each * count));
    }
    Ok(format!(r#""bytes":{},"calls":0"#, total))
}

async fn connect(address: SocketAddr, concurrency: usize, end: Instant) -> io::Result<u64> {
    // Connect, one 64-byte request and reply, close with a reset (SO_LINGER 0: no TIME_WAIT),
    // over and over, CONCURRENCY at a time.
    let tasks: Vec<_> = (0..concurrency).map(|_| tokio::spawn(async move {
        let request = [0x63u8; 64];
        let mut reply = [0u8; 64];
        let mut cycles = 0u64;
        while Instant::now() < end {
            let mut stream = TcpStream::connect(address).await?;
            stream.set_linger(Some(Duration::ZERO))?;
            stream.set_nodelay(true)?;
            stream.write_all(&request).await?;
            stream.read_exact(&mut reply).await?;
            cycles += 1;
        }
        Ok::<_, io::Error>(cycles)
    })).collect();
    let mut cycles = 0;
    for task in tasks {
        cycles += task.await.map_err(|e| io::Error::new(io::ErrorKind::Other, e))??;
    }
    Ok(cycles)
}

/// A listener and PAIRS connections to it, each with a server task that echoes what it reads,
/// in this process; returns the clients' ends.
async fn echo_pairs(pairs: usize) -> io::Result<Vec<TcpStream>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let acceptor = tokio::spawn(async move {
        for _ in 0..pairs {
            let (mut stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                loop {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,  // The client closed: its run is over.
                        Ok(n) => if stream.write_all(&buffer[..n]).await.is_err() { break },
                    }
                }
            });
        }
        Ok::<_, io::Error>(())
    });
    let mut streams = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        streams.push(stream);
    }
    acceptor.await.map_err(|e| io::Error::new(io::ErrorKind::Other, e))??;
    Ok(streams)
}

fn main() {
    let mut arguments: Vec<String> = std::env::args().skip(1).collect();
    let mut multi = false;
    if arguments.first().map(String::as_str) == Some("--runtime") && arguments.len() > 1 {
        multi = match arguments[1].as_str() {
            "current" => false,
            "multi2" => true,
            other => fail(format!("--runtime is current or multi2, not {:?}", other)),
        };
        arguments.drain(..2);
    }
    let expected = if arguments.first().map(String::as_str) == Some("echo-pairs") { 3 } else { 5 };
    if arguments.len() != expected {
        fail("usage: async-peer-tokio [--runtime current|multi2] pingpong|drain|connect HOST PORT N SECONDS|BYTES_EACH, or echo-pairs PAIRS SECONDS".into());
    }
    raise_descriptor_limit();
    let runtime = if multi {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_io().build()
    } else {
        tokio::runtime::Builder::new_current_thread().enable_io().build()
    }.unwrap_or_else(|e| fail(format!("runtime: {}", e)));
    let address = if arguments.len() == 5 {
        let ip: IpAddr = number(&arguments[1]);
        SocketAddr::new(ip, number(&arguments[2]))
    } else {
        SocketAddr::from(([127, 0, 0, 1], 0))
    };
    let seconds = |index: usize| Duration::from_secs_f64(number(&arguments[index]));
    let outcome = runtime.block_on(async {
        // Set up (untimed), then the timed region: `start` to the end of the run.
        let (before, start, fields) = match arguments[0].as_str() {
            "pingpong" => {
                let streams = connect_all(address, number(&arguments[3]), None)?;
                let (before, start) = (usage(), Instant::now());
                (before, start, transactions(ping_pong(streams, start + seconds(4)).await?))
            }
            "drain" => {
                let streams = connect_all(address, number(&arguments[3]), Some(256 * 1024))?;
                let (before, start) = (usage(), Instant::now());
                (before, start, drain(streams, number(&arguments[4])).await?)
            }
            "connect" => {
                let (before, start) = (usage(), Instant::now());
                let cycles = connect(address, number(&arguments[3]), start + seconds(4)).await?;
                (before, start, format!(r#""connectionsPerSecond":{}"#, cycles as f64 / start.elapsed().as_secs_f64()))
            }
            "echo-pairs" => {
                let streams = echo_pairs(number(&arguments[1])).await?;
                let (before, start) = (usage(), Instant::now());
                (before, start, transactions(ping_pong(streams, start + seconds(2)).await?))
            }
            other => fail(format!("unknown mode {:?} (pingpong, drain, connect, echo-pairs)", other)),
        };
        let elapsed = start.elapsed().as_secs_f64();
        let after = usage();
        Ok::<_, io::Error>(format!(r#"{{{},"seconds":{},"cpuSeconds":{},"voluntarySwitches":{},"involuntarySwitches":{}}}"#,
                                   fields, elapsed, after.0 - before.0, after.1 - before.1, after.2 - before.2))
    });
    match outcome {
        Ok(line) => println!("{}", line),
        Err(error) => fail(format!("{}: {}", arguments[0], error)),
    }
}
