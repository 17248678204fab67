import Hummingbird
import HTTPTypes

/// Answers a request that no route takes with a JSON error like every other: 405 with `Allow`
/// when its path is a route's under another method, else 404 naming what was asked. Hummingbird's
/// own answer is a bare status.
///
/// It wraps only the router's fallback (add it after every route): requests that match a route
/// never pass through it.
struct UnmatchedRoutes: RouterMiddleware {
    typealias Context = ParleyRequestContext
    /// The router's routes, as `router.routes` lists them.
    let routes: [(path: RouterPath, method: HTTPRequest.Method)]

    /// The routes' paths, for the 404: `/v1/views/{view}/{query}`, …, in the order added.
    let paths: String

    init<C>(_ routes: [Router<C>.RouteDescription]) {
        self.routes = routes.map { ($0.path, $0.method) }
        var seen: [String] = []
        for route in routes {
            let path = "/" + Self.components(of: route.path).map(\.description).joined(separator: "/")
            if !seen.contains(path) { seen.append(path) }
        }
        paths = seen.joined(separator: ", ")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            var methods = routes.filter { Self.matches($0.path, path) }.map(\.method.rawValue)
            // HEAD answers wherever GET does (the router makes those routes itself).
            if methods.contains("GET") { methods.insert("HEAD", at: methods.firstIndex(of: "GET")! + 1) }
            guard methods.isEmpty else {
                var refusal = APIError(
                    .methodNotAllowed, "\(path) does not take \(request.method.rawValue) (it takes \(methods.joined(separator: ", ")))")
                refusal.headers[.allow] = methods.joined(separator: ", ")
                throw refusal
            }
            throw APIError(.notFound, "there is no route \(request.method.rawValue) \(path); the routes are \(paths)")
        }
    }

    /// Whether `path` (a request's, without its query) is one `route` takes.
    static func matches(_ route: RouterPath, _ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let components = Self.components(of: route)
        guard parts.count == components.count else { return false }
        return zip(components, parts).allSatisfy { component, part in component ~= part }
    }

    /// The components of `route` that stand for a part of a path.
    static func components(of route: RouterPath) -> [RouterPath.Element] {
        route.components.filter { if case .null = $0 { false } else { true } }
    }
}
