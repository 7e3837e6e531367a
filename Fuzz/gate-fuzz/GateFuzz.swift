@testable import CmdopPermissions
#if canImport(Glibc)
import Glibc
#endif

// gate-fuzz: a libFuzzer target over the pure gate (`make fuzz` builds it with -sanitize=fuzzer).
// Each input is shell text (and, after a NUL, a rule). It must never crash or hang the splitter, the
// rule parser or the gate, and a string in which the splitter finds `rm` must never be allowed by a
// gate that denies `rm **` — in bypass mode, or under an allow-all rule. A violation traps, which
// libFuzzer reports with the input that caused it.

nonisolated(unsafe) let gates = [
    GateFuzz.gate(mode: .bypass, rules: [("execute_command(rm **)", .deny)]),
    GateFuzz.gate(mode: .default, rules: [("execute_command(**)", .allow), ("execute_command(rm **)", .deny)]),
]

enum GateFuzz {
    static func gate(mode: PermissionMode, rules: [(String, Decision)]) -> PermissionGate {
        var policy = PermissionPolicy(mode: mode)
        for (text, effect) in rules { policy = try! policy.adding(text, effect: effect) }
        return PermissionGate(policy: policy, context: GateContext(home: "/home/u", workingDirectory: "/tmp", localHost: "fuzz"))
    }

    /// Checks one input; returns normally when every property holds.
    static func check(_ bytes: UnsafeBufferPointer<UInt8>) {
        let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let text = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        if parts.count > 1 { _ = try? PermissionRule(String(decoding: parts[1], as: UTF8.self), effect: .deny) }
        guard let parts = try? ShellSplitter.commands(text) else { return }
        // The same notion as GatePropertyTests: some part, peeled of its launchers, runs `rm`.
        let runsRm = parts.contains { part in
            CommandUnwrapper.forms(of: part.words).contains { form in
                form.first.map { !CommandUnwrapper.isAssignment($0) && CommandUnwrapper.program($0) == "rm" } ?? false
            }
        }
        for gate in gates {
            let decision = gate.decide(.command(text))
            if runsRm && decision.decision == .allow {
                let hex = bytes.map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }
                fatalError("allowed a command that runs rm: \(text.debugDescription) (bytes \(hex.joined()))")
            }
        }
    }
}

/// libFuzzer's entry point for one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    GateFuzz.check(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
/// libFuzzer's driver (linked in by -sanitize=fuzzer); the package's own main hands over to it.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

/// With libFuzzer (`make fuzz`): fuzzes. Without: replays the files named on the command line
/// (the corpus, or a crash input).
@main
enum GateFuzzMain {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOne))
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let file = fopen(path, "rb") else { continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count <= 0 { break }
                bytes += buffer[..<count]
            }
            fclose(file)
            bytes.withUnsafeBufferPointer { GateFuzz.check($0) }
        }
        print("replayed \(CommandLine.arguments.count - 1) inputs; every property held")
        #endif
    }
}
