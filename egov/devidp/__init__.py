"""A development identity provider: ASAN İmza, elektron imza and e-gov identity as three
OpenID Connect providers, so that `make run` shows every means of signing in with no
outside service.

Not part of the product. It is an app of its own (egov.devidp.app), served on its own
origin at DEV_IDP_URL (`make run`: PORT+1), and a production configuration refuses it
(ConfigError at start). It keeps its own tables (devidp_*), templates and keys
(generated on first run into instance/devidp/, never committed), and the portal
talks to it only over OpenID Connect, exactly as to the real providers.
"""
from ..config import OIDC_MEANS, ConfigError


def create_app(test_config=None):
    """The provider's own app (`flask --app egov.devidp run --port …`)."""
    from .app import create_app as create

    return create(test_config)


def init_app(app):
    """With DEV_IDP on, point the portal's unconfigured means at the development provider."""
    if not app.config.get("DEV_IDP"):
        return
    if app.config["EGOV_ENV"] == "production":
        raise ConfigError("DEV_IDP is a development identity provider: never in production")
    from . import lockout, server

    # Run where the portal's commands run (`flask devidp-unblock-card FIN`); the provider's
    # own app has it too.
    app.cli.add_command(lockout.unblock_card_command)
    for means in OIDC_MEANS:
        prefix = f"OIDC_{means.upper()}_"
        if not app.config.get(prefix + "ISSUER"):
            app.config[prefix + "ISSUER"] = server.issuer_url(app.config, means)
            app.config[prefix + "CLIENT_ID"] = server.CLIENT_ID
            app.config[prefix + "CLIENT_SECRET"] = server.client_secret(app.config)
