"""The development identity provider as an app of its own, served on its own origin.

The real providers live on other sites than the portal, and the browser treats a
provider on another port as another origin (the portal's Content-Security-Policy
must name it, cookies must not collide): `make run` serves this app beside the
portal on PORT+1 so a developer crosses the same boundary as in production.
"""
import os
from pathlib import Path

from flask import Flask

from .. import clock, config, db, i18n
from ..config import OIDC_MEANS, ConfigError
from ..extensions import csrf, limiter

PORTAL_STATIC = Path(__file__).resolve().parent.parent / "static"
# Cookies are kept per host, not per port: on 127.0.0.1 the provider's session cookie
# must not overwrite the portal's.
SESSION_COOKIE_NAME = "devidp_session"


def _content_security_policy(dev_idp_url):
    from .server import return_hosts

    # Its forms answer with a redirect to the portal's callback, which form-action also
    # governs: allow the return addresses the provider accepts (loopback, any port).
    # CSP host-sources cannot name an IPv6 literal (Chromium ignores them, with a warning).
    hosts = sorted(host for host in return_hosts(dev_idp_url) if ":" not in host)
    portal_origins = " ".join(f"http://{host}:*" for host in hosts)
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        f"form-action 'self' {portal_origins}", "frame-ancestors 'none'", "base-uri 'none'",
        "object-src 'none'",
    ])


def create_app(test_config=None):
    from . import keys, lockout, models, people, pki, server, views

    app = Flask(__name__, static_folder=str(PORTAL_STATIC))  # htmx is the portal's copy
    os.makedirs(app.instance_path, exist_ok=True)  # the portal's instance/: same secret key
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config is not None:
        app.config.from_mapping(test_config)
    if app.config["EGOV_ENV"] == "production":
        raise ConfigError("DEV_IDP is a development identity provider: never in production")
    # The portal's testing clock: its tokens must be issued at the time the portal reads.
    clock.init_app(app)
    app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE_NAME
    app.config["TRUSTED_HOSTS"] = None  # the portal's PUBLIC_URL is not this app's host

    db.init_app(app)
    i18n.install(app)  # its own Flask-Babel binding; its blueprint picks the language
    csrf.init_app(app)
    limiter.init_app(app)  # its guessing limits (lockout.py), in the portal's storage
    keys_dir = app.config.get("DEV_IDP_KEYS_DIR") or os.path.join(app.instance_path, "devidp")
    app.config["DEV_IDP_KEYS_DIR"] = keys_dir
    models.create_tables()
    pki.ensure(keys_dir, people.PEOPLE)
    for means in OIDC_MEANS:
        keys.ensure(keys_dir, means)
    server.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(lockout.unblock_card_command)

    policy = _content_security_policy(app.config["DEV_IDP_URL"])

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.route("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
