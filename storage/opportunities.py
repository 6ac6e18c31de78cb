"""Storage for opportunities: models and repository functions."""
