"""Storage for attendance: models and repository functions."""
