"""Handlers: one module per domain, each `async (Request, Services) -> Reply`, no platform imports."""

from __future__ import annotations

import importlib

from bot.registry import Registry

DOMAINS = (
    "help",
    "directory",
    "meetings",
    "terms",
    "actions",
    "opportunities",
    "support",
    "attendance",
    "consultations",
    "schedules",
    "trust",
)


def register_all(registry: Registry) -> None:
    for name in DOMAINS:
        module = importlib.import_module(f"handlers.{name}")
        module.register(registry)
