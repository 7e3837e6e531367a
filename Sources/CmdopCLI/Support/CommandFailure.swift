/// A verb that could not do its work: a server refused it, a peer did not answer, a file it needs is
/// missing. Not a usage error: cmdop prints `Error: MESSAGE` alone and exits 1. (A `ValidationError`
/// is for arguments that are wrong as typed: cmdop prints it with the usage and exits 64, as
/// ArgumentParser does for every parsing error.)
struct CommandFailure: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
