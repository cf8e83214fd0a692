"""Custom label sets: a team's own categories, built into a served int8 bundle (docs/labelsets.md)."""
