/// Why a glob pattern could not be compiled.
struct GlobError: Error, Equatable {
    /// What is wrong and how to fix it.
    let problem: String
}
