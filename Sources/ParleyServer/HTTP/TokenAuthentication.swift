import ParleyConfiguration
public import Hummingbird
import Logging

/// Accepts a request only with `Authorization: Bearer TOKEN` naming a configured token, which it
/// puts in the context; otherwise 401 with the reason. The secret never reaches a log or an error.
public struct TokenAuthentication: RouterMiddleware {
    public typealias Context = ParleyRequestContext
    let book: TokenBook

    /// Authenticates against `book`.
    public init(book: TokenBook) { self.book = book }

    /// Puts the request's token in the context, or answers 401 with the reason.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !book.tokens.isEmpty else {
            throw APIError.unauthorized("this daemon has no tokens configured (add tokens: to its configuration file), so only /healthz, /readyz and /metrics answer")
        }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("the request has no Authorization header; send Authorization: Bearer TOKEN")
        }
        let utf8 = header.utf8
        guard utf8.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized("the Authorization header is not a bearer token; send Authorization: Bearer TOKEN")
        }
        let secret = utf8.dropFirst(7)
        guard let token = book.token(forSecret: secret) else {
            throw APIError.unauthorized("the bearer token matches no configured token")
        }
        var context = context
        context.token = token
        context.logNotes?.tokenName = token.name
        // Setting metadata formats all of it again (swift-log's stream handler): only when the
        // info lines that show it are printed.
        if context.logger.logLevel <= .info { context.logger[metadataKey: "parley.token"] = .string(token.name) }
        return try await next(request, context)
    }
}
