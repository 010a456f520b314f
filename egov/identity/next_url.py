"""Where to return after signing in: only a path of this site."""
from urllib.parse import urlsplit


def safe_next(target):
    """`target` if it is a path of this site, else None (never another site)."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
