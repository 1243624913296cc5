"""Text shown back to people in messages."""


def shorten(text: str, limit: int) -> str:
    """Return text, cut to its first `limit` characters and an ellipsis when it is longer.

    Messages quote what someone typed or uploaded; a long value would bury the message.
    """
    return text if len(text) <= limit else text[:limit] + "…"
