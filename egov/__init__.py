"""The e-government portal: the app factory registers everything, and nothing else does."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import accounts, config, db, demo, devidp, formatting, intake, oidc, security, staff
from .extensions import babel, csrf, limiter


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config is not None:
        app.config.from_mapping(test_config)

    if app.config["TRUSTED_PROXY_COUNT"]:
        n = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    accounts.init_app(app)
    babel.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    demo.init_app(app)
    formatting.init_app(app)
    devidp.init_app(app)  # before oidc: it points unconfigured means at itself
    oidc.init_app(app)
    staff.init_app(app)
    intake.init_app(app)

    from .blueprints import auth, calls, portal

    app.register_blueprint(portal.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(calls.bp)

    from .blueprints import claims, feedback, guide
    from .blueprints import staff as staff_pages

    app.register_blueprint(feedback.bp)
    app.register_blueprint(claims.bp)
    app.register_blueprint(guide.bp)
    app.register_blueprint(staff_pages.bp)
    return app
