// cmdop-bench: measures the mesh on this machine and prints the figures.
//
//   cmdop-bench mesh [--agents 100,1000] [--rounds 20] [--cmdop PATH]
//   cmdop-bench exec [ROUNDS]     what the exec supervisor adds to a command and to 1,000 execs
//
// Starts a real relay (`cmdop server`) as a separate process so its memory can be read from /proc,
// holds N real machine agents in this process (each with its own identity and stream), and times a
// fan-out of a no-op operation (ping) over one operator stream.


let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "exec" {
    try await ExecBenchmark.run(rounds: arguments.dropFirst().first.flatMap(Int.init) ?? 15)
} else {
    await MeshBenchmark.main(arguments: arguments)
}
