"""Adapters: platform payload -> Request, Reply -> platform format. No domain rules here."""
