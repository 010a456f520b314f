"""A development identity provider: ASAN İmza, elektron imza and e-gov identity as three
OpenID Connect providers, so that `make run` shows every means of signing in with no
outside service.

Not part of the product. It runs only when DEV_IDP is set, and a production
configuration refuses it (ConfigError at start). It keeps its own tables
(devidp_*), templates and keys (generated on first run into instance/devidp/,
never committed), and the portal talks to it only over OpenID Connect, exactly
as to the real providers.
"""
import os

from .. import i18n
from ..config import OIDC_MEANS, ConfigError


def init_app(app):
    if not app.config.get("DEV_IDP"):
        return
    if app.config["EGOV_ENV"] == "production":
        raise ConfigError("DEV_IDP is a development identity provider: never in production")
    from . import keys, lockout, models, people, pki, server, views

    keys_dir = app.config.get("DEV_IDP_KEYS_DIR") or os.path.join(app.instance_path, "devidp")
    app.config["DEV_IDP_KEYS_DIR"] = keys_dir
    models.create_tables()
    pki.ensure(keys_dir, people.PEOPLE)
    for means in OIDC_MEANS:
        keys.ensure(keys_dir, means)
    server.init_app(app)
    i18n.install(app)  # its own app or the portal's: its pages are translated either way
    app.register_blueprint(views.bp)
    app.cli.add_command(lockout.unblock_card_command)

    # The portal signs in here for every means that is not configured otherwise.
    for means in OIDC_MEANS:
        prefix = f"OIDC_{means.upper()}_"
        if not app.config.get(prefix + "ISSUER"):
            app.config[prefix + "ISSUER"] = server.issuer_url(app.config, means)
            app.config[prefix + "CLIENT_ID"] = server.CLIENT_ID
            app.config[prefix + "CLIENT_SECRET"] = server.client_secret(app.config)
