import ParleyConfiguration
import Hummingbird
import ParleyModel
import ParleyProjections
import ParleyViews

/// `GET /v1/views/{view}/{query}` (and `POST` for a draft or policy overrides): the JSON the CLI
/// prints with `--json` for the same query, answered from the view index once it holds every
/// event committed before the request.
struct ViewRoutes {
    let views: ViewService
    let limits: ServerLimits

    func register(on group: RouterGroup<ParleyRequestContext>) {
        group.get("views/:view/:query") { request, context in try await answer(request, context: context, body: nil) }
        group.post("views/:view/:query") { request, context in
            try context.require(.read)
            let body = try await RequestBodies.collect(request, context: context, limit: limits.maxBodyBytes)
            return try await answer(request, context: context, body: body)
        }
    }

    func answer(_ request: Request, context: ParleyRequestContext, body: [UInt8]?) async throws -> Response {
        try context.require(.read)
        let view = context.parameters.get("view") ?? ""
        let queryName = context.parameters.get("query") ?? ""
        guard let name = ViewQueryName(view: view, query: queryName) else {
            let known = ViewQueryName.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError(.notFound, "no view query \(view)/\(queryName) (known: \(known))")
        }
        let query = try QueryParameters(request, allowed: ["as_of", "at_position", "from", "to", "week"])
        var viewRequest: ViewRequest
        do { viewRequest = try ViewRequest(name: name, parameters: query.all) } catch {
            throw APIError(.badRequest, "\(error)", field: error.parameter)
        }
        if let body { try Self.read(body: body, into: &viewRequest) }
        if name == .contentCheck, viewRequest.draft == nil {
            throw APIError(.badRequest, "content/check needs a draft: POST a post.published event or its data as the body", field: "draft")
        }
        let json = try await views.answer(viewRequest)
        return .json(json)
    }

    /// Reads a POST body: for `content/check` the draft itself, or `{"draft": …, "policy": {…}}`;
    /// for other queries `{"policy": {name: value}}`.
    static func read(body: [UInt8], into request: inout ViewRequest) throws(APIError) {
        let json: JSONValue
        do { json = try JSONParser.parse(body) } catch {
            throw APIError(.badRequest, "the body is not valid JSON: \(error)")
        }
        guard case .object(let object) = json else {
            throw APIError(.badRequest, "the body must be a JSON object, got \(json.typeName)")
        }
        let wrapped = !object.isEmpty && object.keys.allSatisfy { $0 == "draft" || $0 == "policy" }
        if request.name == .contentCheck, !wrapped {
            request.draft = json
            return
        }
        for key in object.keys where key != "policy" && !(key == "draft" && request.name == .contentCheck) {
            throw APIError(.badRequest, "the body has an unknown key \"\(key)\" (known: \(request.name == .contentCheck ? "draft, policy" : "policy"))", field: key)
        }
        request.draft = object["draft"]
        if let policy = object["policy"] {
            do { request.policyOverrides = try ViewRequest.policyOverrides(json: JSONWriter.encode(policy), source: "policy") } catch {
                throw APIError(.badRequest, "\(error)", field: "policy")
            }
        }
    }
}
