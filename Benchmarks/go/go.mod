// The Go peer of async-peers: the standard library only, so it builds offline (GOPROXY=off).
module asyncpeers/go

go 1.19
