/// `body` with a pointer to the bytes of `array`, or nil when there is no array.
@inline(__always)
func withOptionalBuffer<R>(_ array: [UInt8]?, _ body: (UnsafePointer<UInt8>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
