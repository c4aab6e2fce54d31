// The entry point SwiftPM links (`FuzzHTTP_main`), handing over to libFuzzer.

import FuzzDriver

@_cdecl("FuzzHTTP_main")
func fuzzerEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzHTTP)
}
