"""Storage for meetings: models and repository functions."""
