public import ParleyConfiguration
public import Hummingbird
import Synchronization

/// The request context of the API: Hummingbird's core storage, the token that authenticated the
/// request, and the body limit.
public struct ParleyRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters, route).
    public var coreContext: CoreRequestContextStorage
    /// The token of the request, once ``TokenAuthentication`` has accepted it.
    public var token: TokenSpec?
    /// The largest body a route collects (16 MiB by default).
    public var maxUploadSize: Int
    /// What the request's log line learns from further in (``RequestLog`` sets it when it
    /// writes a line; contexts are copied inward, so it is a reference).
    var logNotes: RequestLogNotes?

    /// A context for a request arriving on `source`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        maxUploadSize = 16 << 20
    }

    /// The token, when it grants `scope`; else 403 naming the token and the scope (401 when
    /// the route was reached without a token).
    @discardableResult
    public func require(_ scope: Scope) throws(APIError) -> TokenSpec {
        guard let token else { throw APIError.unauthorized("this route needs Authorization: Bearer TOKEN") }
        guard token.grants(scope) else {
            throw APIError(.forbidden, "token \"\(token.name)\" lacks the \(scope.rawValue) scope this route needs")
        }
        return token
    }
}

/// What ``RequestLog`` reports about a request beyond its method, route and status: the name of
/// the token that ``TokenAuthentication`` accepted.
final class RequestLogNotes: Sendable {
    private let token = Mutex<String?>(nil)
    /// The accepted token's name, once there is one.
    var tokenName: String? {
        get { token.withLock { $0 } }
        set { token.withLock { $0 = newValue } }
    }
}
