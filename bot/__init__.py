"""partnership-bot: the chat bot for a city's children's strategic partnership."""
