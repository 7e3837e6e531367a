import CCurl

/// Process-wide libcurl initialisation, done exactly once before the first handle is created.
enum CurlGlobal {
    /// `curl_global_init(CURL_GLOBAL_DEFAULT)`'s result; Swift runs this initialiser once, thread-safely.
    static let initialized: Bool = cmdop_global_init() == CURLE_OK

}
