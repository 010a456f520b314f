"""Where to return after signing in: only a path of this site."""
import unicodedata
from urllib.parse import urlsplit


def _has_control_character(text):
    # CR/LF would split the Location header (a 500 after the session was created);
    # tabs and the rest of category C* are stripped or misread by browsers' URL parsers.
    return any(unicodedata.category(char).startswith("C") for char in text)


def safe_next(target):
    """`target` if it is a path of this site, else None (never another site)."""
    if not target or _has_control_character(target):
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
