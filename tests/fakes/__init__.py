"""Local fake platform servers (real aiohttp servers speaking the real wire formats)."""
