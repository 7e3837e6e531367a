// cmdop-bench: measures the mesh on this machine and prints the figures.
//
//   cmdop-bench mesh [--agents 100,1000] [--rounds 20] [--cmdop PATH]
//
// Starts a real relay (`cmdop server`) as a separate process so its memory can be read from /proc,
// holds N real machine agents in this process (each with its own identity and stream), and times a
// fan-out of a no-op operation (ping) over one operator stream.


await MeshBenchmark.main(arguments: Array(CommandLine.arguments.dropFirst()))
