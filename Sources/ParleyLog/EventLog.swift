// Event log.
