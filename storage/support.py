"""Storage for support: models and repository functions."""
