"""Storage for the platform doors (processed Slack events, Teams conversation references)."""
