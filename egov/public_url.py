"""Absolute addresses of the portal, for the identity providers to send citizens back to.

They come from PUBLIC_URL, never from the request's Host header: a request naming
another host (`Host: evil.example`) must not make the portal hand a provider a return
address on that host. Only development, where PUBLIC_URL may be unset, falls back to
the request's own address.
"""
from urllib.parse import urlsplit

from flask import current_app, url_for


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def external_url(endpoint, **values):
    public_url = current_app.config.get("PUBLIC_URL")
    if not public_url:
        return url_for(endpoint, _external=True, **values)
    return origin(public_url) + url_for(endpoint, **values)


def trusted_hosts(config):
    """The host names requests may name: PUBLIC_URL's, and any listed in TRUSTED_HOSTS."""
    if not config.get("PUBLIC_URL"):
        return None  # development without PUBLIC_URL answers any host
    return [urlsplit(config["PUBLIC_URL"]).hostname, *config.get("EXTRA_TRUSTED_HOSTS", [])]
