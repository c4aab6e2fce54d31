import Foundation

/// Removes a file if it exists (for Unix socket paths).
func unlinkPath(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
