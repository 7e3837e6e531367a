extension Collection<UInt8> {
    /// Calls `body` with the bytes in place when they are contiguous (arrays, slices, `Data`), or
    /// with a copy when they are not: what the hash functions take, without copying the usual inputs.
    func withRawBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        if let result = try withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) { return result }
        return try Array(self).withUnsafeBytes(body)
    }
}
