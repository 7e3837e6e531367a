import CmdopProviders
import Hummingbird

/// A refusal the API answers with: a status and a JSON body `{"error": "..."}` that says what to do.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status, ["error": .string(message)])
        for field in headers { response.headers.append(field) }
        return response
    }
}

/// JSON bodies from `JSONValue`.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ body: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body.serialized() + "\n")))
    }

    static func ok(_ body: JSONValue) -> Response { make(.ok, body) }
}

extension Request {
    /// The body parsed as a JSON object (an empty body is an empty object).
    /// - Throws: `APIError` 413 beyond `limit`, 400 for anything but a JSON object.
    mutating func jsonObject(limit: Int = 1 << 20) async throws -> JSONValue {
        guard let buffer = try await collectBody(upTo: limit, draining: true) else {
            throw APIError(.contentTooLarge, "the body is larger than \(limit) bytes")
        }
        if buffer.readableBytes == 0 { return .object([:]) }
        guard let json = try? JSONValue(parsingBytes: buffer.readableBytesView), json.objectValue != nil else {
            throw APIError(.badRequest, "the body must be a JSON object, e.g. {\"text\": \"…\"}")
        }
        return json
    }
}
