import ParleyConfiguration
public import Hummingbird
import Logging

/// Accepts a request only with `Authorization: Bearer TOKEN` naming a configured token, which it
/// puts in the context; otherwise 401 with the reason. The secret never reaches a log or an error.
///
/// A plugin's webhook route (`/v1/plugins/{name}/webhook`) also takes the token as a `token`
/// query parameter, when the request has no Authorization header: GitHub and Telegram call a
/// webhook URL with headers of their own only, so the URL they are given carries the token.
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
        let token: TokenSpec
        if let header = request.headers[.authorization] {
            let utf8 = header.utf8
            guard utf8.count > 7, header.prefix(7).lowercased() == "bearer " else {
                throw APIError.unauthorized("the Authorization header is not a bearer token; send Authorization: Bearer TOKEN")
            }
            guard let found = book.token(forSecret: utf8.dropFirst(7)) else {
                throw APIError.unauthorized("the bearer token matches no configured token")
            }
            token = found
        } else if Self.isWebhook(request.uri.path) {
            guard let secret = request.uri.queryParameters.get("token"), !secret.isEmpty else {
                throw APIError.unauthorized("the request has no Authorization header and no token query parameter; send Authorization: Bearer TOKEN, or call the webhook URL with ?token=TOKEN")
            }
            guard let found = book.token(forSecret: secret.utf8) else {
                throw APIError.unauthorized("the token query parameter matches no configured token")
            }
            token = found
        } else {
            throw APIError.unauthorized("the request has no Authorization header; send Authorization: Bearer TOKEN")
        }
        var context = context
        context.token = token
        context.logNotes?.tokenName = token.name
        // Setting metadata formats all of it again (swift-log's stream handler): only when the
        // info lines that show it are printed.
        if context.logger.logLevel <= .info { context.logger[metadataKey: "parley.token"] = .string(token.name) }
        return try await next(request, context)
    }

    /// Whether `path` is a plugin's webhook route, `/v1/plugins/{name}/webhook`.
    static func isWebhook(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 5 && parts[0].isEmpty && parts[1] == "v1" && parts[2] == "plugins" && !parts[3].isEmpty && parts[4] == "webhook"
    }
}
