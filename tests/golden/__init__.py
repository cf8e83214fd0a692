"""Golden responses: what the API answered before a refactoring, replayed after it."""
