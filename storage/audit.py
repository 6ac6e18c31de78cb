"""Storage for the audit log."""
