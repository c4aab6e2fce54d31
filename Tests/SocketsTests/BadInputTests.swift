// Bad input, generated: every input gives a value or a clear error, never a crash or a hang.
// A seeded generator makes every run the same; the seed and the case count are printed.

import Sockets
import SocketsTesting
import Testing

/// Text made to stress parsers: address-like characters mixed with junk, NUL, non-ASCII,
/// and lengths from 0 to over 300 bytes.
func hostileText(_ random: inout SeededGenerator) -> String {
    let pieces = ["0", "1", "9", "12", "127", "255", "256", "65535", "65536", "999999", ".", "..", ":", "::",
                  "[", "]", "%", "%lo", "%1", "-", "+", " ", "\t", "\0", "\r\n", "ffff", "fe80", "::1",
                  "127.0.0.1", "a", "localhost", "é", "🙂", "/", "x", "0x1F", "1e3"]
    var text = ""
    let count = Int.random(in: 0...40, using: &random)
    for _ in 0..<count { text += pieces.randomElement(using: &random)! }
    if Int.random(in: 0..<20, using: &random) == 0 { text += String(repeating: "9", count: 300) }
    return text
}

/// Every generated case, counted across the suite, for the reliability table (docs/BENCHMARKS.md).
let badInputSeed: UInt64 = 20_261_124

@Suite struct BadInputTests {
    @Test func addressParsingNeverCrashesAndRoundTrips() {
        var random = SeededGenerator(seed: badInputSeed)
        var parsed = 0
        for _ in 0..<20_000 {
            let text = hostileText(&random)
            do {
                let address = try SocketAddress(text)
                parsed += 1
                // A parsed address formats to text that parses back to the same address.
                #expect(try SocketAddress(address.description) == address, "\(String(reflecting: text))")
            } catch {
                guard error.kind.isResolution else {
                    Issue.record("unexpected error kind for \(String(reflecting: text)): \(error)")
                    continue
                }
                #expect(error.description.hasPrefix("parse address"))
            }
        }
        print("bad input: 20000 address strings (seed \(badInputSeed)), \(parsed) parsed")
    }

    @Test func portParsingFollowsTheRules() {
        var random = SeededGenerator(seed: badInputSeed + 1)
        for _ in 0..<20_000 {
            let text = hostileText(&random)
            let digitsOnly = !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
            do {
                let port = try Service.port(text, protocol: Bool.random(using: &random) ? .tcp : .udp)
                if digitsOnly { #expect(Int(text) == Int(port)) }
            } catch {
                #expect(error.kind == .resolution(.service))
                if digitsOnly { #expect(Int(text).map { $0 > 65535 } ?? true) }
            }
        }
        print("bad input: 20000 port and service strings (seed \(badInputSeed + 1))")
    }

    @Test func hostStringsGetResultsOrClearErrors() {
        // Numeric-only resolution: no name service is ever asked.
        var random = SeededGenerator(seed: badInputSeed + 2)
        for _ in 0..<5_000 {
            let text = hostileText(&random)
            do {
                let results = try Resolver.resolve(text, port: 80, flags: [.numericHost])
                #expect(!results.isEmpty)
            } catch {
                guard error.kind.isResolution else {
                    Issue.record("unexpected error kind for \(String(reflecting: text)): \(error)")
                    continue
                }
            }
        }
        print("bad input: 5000 host strings, numeric-only (seed \(badInputSeed + 2))")
    }

    @Test func optionValuesOutOfRangeGetClearErrors() throws {
        var random = SeededGenerator(seed: badInputSeed + 3)
        let socket = try Socket(.ipv4, .stream)
        let extremes = [Int.min, -1, 0, 1, 255, 256, Int(Int32.max), Int(Int32.max) + 1, Int.max]
        for index in 0..<2_000 {
            let value = index < extremes.count ? extremes[index] : Int.random(in: Int.min...Int.max, using: &random)
            let seconds = Duration.seconds(Int64(truncatingIfNeeded: value))
            for option in 0..<6 {
                do throws(SocketError) {
                    switch option {
                    case 0: try socket.setTimeToLive(value)
                    case 1: try socket.setKeepAliveCount(value)
                    case 2: try socket.setReceiveBufferSize(value)
                    case 3: try socket.setKeepAliveIdle(seconds)
                    case 4: try socket.setLinger(seconds)
                    default: try socket.setReceiveTimeout(seconds)
                    }
                } catch {
                    guard error.kind.isSystem else {
                        Issue.record("unexpected error kind: \(error)")
                        continue
                    }
                    #expect(error.operation == "setsockopt")
                }
            }
        }
        print("bad input: 12000 option values (seed \(badInputSeed + 3))")
    }

    @Test func timeoutsOutOfRangeGetClearErrors() throws {
        var socket = try Socket(.ipv4, .stream)
        for duration in [Duration.seconds(-1), .nanoseconds(-1), .seconds(Int64.max), .zero] {
            do throws(SocketError) { try socket.setTimeout(.after(duration)) } catch {
                #expect(error.kind == .system(.invalidArgument))
            }
        }
    }
}
