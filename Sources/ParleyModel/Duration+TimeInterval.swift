extension Duration {
    /// The duration in seconds, as `Date` and condition-variable deadlines take it.
    public var timeInterval: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
