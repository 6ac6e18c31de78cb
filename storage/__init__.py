"""Storage: SQLAlchemy 2 models and repositories, one module per domain. No platform imports."""
