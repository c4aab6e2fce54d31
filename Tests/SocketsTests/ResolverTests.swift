import Dispatch
import Foundation
import Sockets
import Testing

@Suite struct ResolverTests {
    @Test func resolvesNumericHostsWithoutNames() throws {
        let results = try Resolver.resolve("127.0.0.1", port: 8080, type: .stream, flags: [.numericHost])
        #expect(results.map(\.address) == [.ipv4(.loopback, port: 8080)])
        #expect(results.first?.type == .stream && results.first?.protocol == .tcp)
        let v6 = try Resolver.resolve("::1", service: "http", type: .stream, flags: [.numericHost])
        #expect(v6.map(\.address) == [.ipv6(.loopback, port: 80)])
    }

    @Test func returnsEveryResult() throws {
        let all = try Resolver.resolve("localhost", service: "80")
        // With no type filter there is one result per socket type (stream, datagram, raw).
        #expect(all.count >= 2)
        #expect(Set(all.map(\.type)).isSuperset(of: [.stream, .datagram]))
        #expect(all.allSatisfy { $0.address.isLoopback && $0.address.port == 80 })
    }

    @Test func reportsTheCanonicalName() throws {
        let results = try Resolver.resolve("localhost", port: 1, type: .stream, flags: [.canonicalName])
        #expect(results.first?.canonicalName == "localhost")
    }

    @Test func filtersByFamily() throws {
        let v4 = try Resolver.resolve("127.0.0.1", port: 1, family: .ipv4, type: .stream)
        #expect(v4.allSatisfy { $0.family == .ipv4 })
        #expect(throws: SocketError.self) {
            try Resolver.resolve("127.0.0.1", port: 1, family: .ipv6, type: .stream, flags: [.numericHost])
        }
    }

    @Test func passiveGivesWildcards() throws {
        let results = try Resolver.resolve(nil, port: 8080, family: .ipv4, type: .stream, flags: [.passive])
        #expect(results.map(\.address) == [.ipv4(.any, port: 8080)])
    }

    @Test func malformedNumericHostIsAResolutionError() {
        #expect {
            try Resolver.resolve("127.0.0.1.2", port: 80, flags: [.numericHost])
        } throws: { error in
            (error as? SocketError)?.kind == .resolution(.noName)
        }
    }

    @Test func unknownServiceIsAResolutionError() {
        #expect {
            try Resolver.resolve("127.0.0.1", service: "nosuchservice", type: .stream, flags: [.numericHost])
        } throws: { error in
            (error as? SocketError)?.kind == .resolution(.service)
        }
    }

    @Test(arguments: ["", "a\0b", String(repeating: "a", count: 300)])
    func badHostStringsAreRefusedClearly(_ host: String) {
        #expect {
            try Resolver.resolve(host, port: 80)
        } throws: { error in
            guard let error = error as? SocketError, error.kind.isResolution else { return false }
            return error.detail != nil
        }
    }

    @Test func reverseLookupFindsLocalhost() throws {
        #expect(try Resolver.hostName(of: .ipv4(.loopback, port: 0)) == "localhost")
    }

    @Test func reverseLookupWithoutANameIsAHostLookupError() {
        #expect {
            try Resolver.hostName(of: .ipv4(IPv4Address(127, 0, 0, 2), port: 0))
        } throws: { error in
            guard let error = error as? SocketError, error.kind.isHostLookup else { return false }
            return error.description.contains("127.0.0.2")
        }
    }
}

/// Runs `body` on `count` threads at once and waits for all of them.
func onManyThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread.detachNewThread {
            body(index)
            group.leave()
        }
    }
    group.wait()
}

@Suite struct ConcurrentResolutionTests {
    @Test func servicesAndNamesResolveFromManyThreadsAtOnce() {
        let failures = Shared(0)
        onManyThreads(16) { index in
            for round in 0..<50 {
                do {
                    let port = try Service.port(round.isMultiple(of: 2) ? "http" : "domain",
                                                protocol: round.isMultiple(of: 2) ? .tcp : .udp)
                    let results = try Resolver.resolve(index.isMultiple(of: 2) ? "localhost" : "127.0.0.1",
                                                       port: port, type: .stream)
                    let name = try Resolver.hostName(of: .ipv4(.loopback, port: 0))
                    if results.isEmpty || name != "localhost" || (port != 80 && port != 53) {
                        failures.value += 1
                    }
                } catch {
                    failures.value += 1
                }
            }
        }
        #expect(failures.value == 0)
    }
}
