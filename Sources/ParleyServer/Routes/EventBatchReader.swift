import HTTPTypes
import ParleyModel

/// Reads the body of `POST /v1/events` into one batch: a JSON object (one event), a JSON array of
/// events, or JSON Lines (`application/x-ndjson`, blank lines skipped). Every error names the
/// event (its index in the batch, from 0) and the field at fault.
enum EventBatchReader {
    /// The events of `body`.
    ///
    /// - Throws: ``APIError`` 400 for a body that is not JSON, not UTF-8, empty, or holds an
    ///   invalid event.
    static func read(_ body: [UInt8], jsonLines: Bool) throws(APIError) -> [NewEvent] {
        let events = jsonLines ? try lines(body) : try document(body)
        guard !events.isEmpty else { throw APIError(.badRequest, "the body holds no event; send one event, a JSON array of events, or JSON Lines") }
        return events
    }

    private static func document(_ body: [UInt8]) throws(APIError) -> [NewEvent] {
        let json: JSONValue
        do { json = try JSONParser.parse(body) } catch {
            throw APIError(.badRequest, "the body is not valid JSON: \(error); send one event, a JSON array of events, or JSON Lines with Content-Type application/x-ndjson")
        }
        switch json {
        case .array(let items):
            var events: [NewEvent] = []
            events.reserveCapacity(items.count)
            for (index, item) in items.enumerated() { events.append(try event(item, index: index)) }
            return events
        default:
            return [try event(json, index: 0)]
        }
    }

    private static func lines(_ body: [UInt8]) throws(APIError) -> [NewEvent] {
        var events: [NewEvent] = []
        var start = 0
        var lineNumber = 0
        while start < body.count {
            let end = body[start...].firstIndex(of: 0x0A) ?? body.count
            lineNumber += 1
            var last = end
            if last > start, body[last - 1] == 0x0D { last -= 1 }
            let line = body[start..<last]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let index = events.count
            let json: JSONValue
            do { json = try JSONParser.parse(line) } catch {
                throw APIError(.badRequest, "event \(index) (line \(lineNumber)) is not valid JSON: \(error)", event: index)
            }
            events.append(try event(json, index: index))
        }
        return events
    }

    private static func event(_ json: JSONValue, index: Int) throws(APIError) -> NewEvent {
        do { return try NewEvent(json: json) } catch {
            throw APIError(.badRequest, "event \(index): \(error)", event: index, field: error.field.isEmpty ? nil : error.field)
        }
    }
}
