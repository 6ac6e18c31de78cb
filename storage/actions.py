"""Storage for actions: models and repository functions."""
