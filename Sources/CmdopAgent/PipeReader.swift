import CmdopCore
import Foundation

/// Reads a pipe on a thread of its own with `poll`/`read`, never through dispatch sources (which
/// on Linux may still watch a descriptor after Foundation has closed it).
///
/// Each reader is a thread of its own: blocking a dispatch worker would starve the Swift concurrency
/// pool, which on Linux shares dispatch's few global threads.
///
/// The reader ends at end-of-file, or within 100 ms of `stop` becoming true (a background child
/// that keeps the pipe open must not hold a thread forever).
enum PipeReader {
    static func start(_ pipe: Pipe, stop: Locked<Bool>, onData: @escaping @Sendable (Data) -> Void,
                      onEnd: @escaping @Sendable () -> Void) {
        let fd = pipe.fileHandleForReading.fileDescriptor
        // `pipe` is captured so its descriptors stay open until the loop is done.
        Thread.detachNewThread { [pipe] in
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            loop: while !stop.value {
                var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&request, 1, 100)
                if ready == 0 { continue }
                if ready < 0 {
                    if errno == EINTR { continue }
                    break loop
                }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                switch count {
                case 1...: onData(Data(buffer[0..<count]))
                case 0: break loop
                default:
                    if errno == EINTR || errno == EAGAIN { continue }
                    break loop
                }
            }
            withExtendedLifetime(pipe) {}
            onEnd()
        }
    }
}
