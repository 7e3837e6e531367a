import ArgumentParser

/// How jarvis serves: its HTTP API's address and where its definitions are (`up`, `server`, `jarvis`).
struct JarvisServeOptions: ParsableArguments {
    @Option(help: "HOST:PORT for jarvis's HTTP API (loopback; put a TLS reverse proxy in front for other hosts).")
    var http = "127.0.0.1:7480"

    @Flag(help: "Allow --http on a non-loopback address without TLS (API keys and webhook secrets travel in clear).")
    var httpPlain = false

    @Option(help: "The folder with Triggers/, Webhooks/ and Prompts/ (default: the current folder when it has them, else the data directory).")
    var definitions: String?

    /// `--http` as host and port.
    func address() throws -> (host: String, port: Int) { try ListenAddress.parse(http) }
}
