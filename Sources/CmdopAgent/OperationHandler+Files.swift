import CmdopCore
import CmdopIdentity
import CmdopPermissions
import CmdopProtocol
import Foundation

extension OperationHandler {
    /// Reads `[start, end)` of a regular file, capped at `readFileCap`. The gate sees both the path
    /// as given and where its links lead.
    func readFile(_ read: Cmdop_Agent_V1_ReadFileRequest, request: Cmdop_Agent_V1_Request) throws
        -> Cmdop_Agent_V1_ReadFileResult
    {
        let path = expand(read.path)
        let real = Self.realPath(path)
        var entry = try gate(.file(path, tool: "read_file", target: hostname), tool: "read_file", operation: "read",
                             input: "\(path)#\(read.start)-\(read.end)", request: request)
        if real != path {
            entry = try gate(.file(real, tool: "read_file", target: hostname), tool: "read_file", operation: "read",
                             input: "\(real)#\(read.start)-\(read.end)", request: request)
        }
        do {
            let result = try readRegularFile(real, start: read.start, end: read.end)
            entry.outputDigest = Crypto.hex(Crypto.sha256(result.content))
            finish(entry)
            return result
        } catch let error as MeshError {
            finish(entry, error: error.message)
            throw error
        }
    }

    /// Lists a directory (names, kinds, sizes), capped at `listDirCap` entries.
    func listDir(_ list: Cmdop_Agent_V1_ListDirRequest, request: Cmdop_Agent_V1_Request) throws
        -> Cmdop_Agent_V1_ListDirResult
    {
        let path = Self.realPath(expand(list.path.isEmpty ? "." : list.path))
        let entry = try gate(.file(path, tool: "list_dir", target: hostname), tool: "list_dir", operation: "list",
                             input: path, request: request)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            finish(entry, error: "not a readable directory")
            throw MeshError(.notFound, "\(path) is not a readable directory on \(hostname)")
        }
        finish(entry)
        var result = Cmdop_Agent_V1_ListDirResult()
        result.truncated = names.count > listDirCap
        result.entries = names.prefix(listDirCap).map { name in
            var item = Cmdop_Agent_V1_DirEntry()
            item.name = name
            var info = stat()
            let full = path + "/" + name
            if lstat(full, &info) == 0 {
                item.isSymlink = info.st_mode & S_IFMT == S_IFLNK
                if item.isSymlink { _ = stat(full, &info) }
                item.isDir = info.st_mode & S_IFMT == S_IFDIR
                item.size = UInt64(info.st_size)
                item.modifiedUnixMs = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
            }
            return item
        }
        return result
    }

    /// Reads from a regular file only: a FIFO, tty or device would block the agent.
    private func readRegularFile(_ path: String, start: UInt64, end: UInt64) throws -> Cmdop_Agent_V1_ReadFileResult {
        guard end == 0 || end >= start else {
            throw MeshError(.invalidArgument, "read_file: end (\(end)) is before start (\(start))")
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw MeshError(.notFound, "\(path) does not exist or cannot be read on \(hostname)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw MeshError(.invalidArgument, "\(path) is not a regular file; read_file reads files only")
        }
        let size = UInt64(info.st_size)
        let from = min(start, size)
        let wanted = (end == 0 ? size : min(end, size)) - from
        let length = Int(min(wanted, readFileCap))
        var buffer = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, length - filled, off_t(from) + off_t(filled))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        var result = Cmdop_Agent_V1_ReadFileResult()
        result.content = Data(buffer[0..<filled])
        result.size = size
        result.truncated = wanted > UInt64(filled)
        return result
    }
}
