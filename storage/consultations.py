"""Storage for consultations: models and repository functions."""
