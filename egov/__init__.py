"""The e-government portal: the app factory is the one place that wires the parts.

Extensions come from egov.extensions, filters from egov.formatting, commands
from the modules they belong to, and every blueprint is registered here.
"""
import os

from flask import Flask, has_request_context, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    catalogue, clock, compression, config, db, devidp, i18n, security, static_files,
)
from .backoffice.intake.cli import register_intake_commands
from .backoffice.staff_accounts import create_staff_command
from .blueprints import account, auth, calls, claims, feedback, guide, portal, staff
from .commands import (create_call_partitions_command, init_db_command, prune_access_log_command,
                       prune_calls_command)
from .demo import prepare_demo_command
from .extensions import csrf, limiter, login_manager
from .formatting import FILTERS
from .identity import oidc, passwords, sessions
from .localized_templates import LocalizedEnvironment
from .schema import create_tables


# A bound on the addresses Portal.url_for keeps: the templates name a few dozen for each
# mount point, and a proxy set up to pass a client's SCRIPT_NAME on would let requests
# claim any number of mount points.
FIXED_ADDRESSES_KEPT = 1024


class Portal(Flask):
    """Flask, and three things more: a request whose pooled database connection turns out
    dead (the server restarted, failed over) before the request changed anything is run
    again on a fresh one, within DATABASE_RETRY_SECONDS (egov.db.dispatch_retrying); its
    templates are compiled once per language (egov.localized_templates); the addresses
    that never change are built once (url_for)."""

    jinja_environment = LocalizedEnvironment

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fixed_addresses = {}

    def full_dispatch_request(self):
        return db.dispatch_retrying(super().full_dispatch_request,
                                    self.config["DATABASE_RETRY_SECONDS"])

    def url_for(self, /, endpoint, *, _anchor=None, _method=None, _scheme=None,
                _external=None, **values):
        """A page names some twenty addresses that are the same on every request (the
        portal's links, its static files by their hashed names): each is built once per
        mount point (SCRIPT_NAME) and kept, as routes and url_defaults are fixed once the
        app serves, and no route depends on the host (no host or subdomain matching).
        Kept: an endpoint with no value, or a static file `make install` built (its name
        is one the templates ask for; a 404 page's own address names whatever a client
        sent). Built by Flask every time: any other value, an option (`_external`,
        `_anchor`…), a blueprint-relative endpoint, or an address asked outside a
        request. No url_build_error_handlers is registered: were one to answer with an
        address, it would be kept too."""
        if (endpoint[:1] != "." and _anchor is None and _method is None and _scheme is None
                and _external is None and has_request_context()
                and (not values or values.keys() == {"filename"}
                     and static_files.names_a_built_file(endpoint, values["filename"]))):
            key = (request.root_path, endpoint, values.get("filename"))
            address = self._fixed_addresses.get(key)
            if address is None:
                address = super().url_for(endpoint, **values)
                if len(self._fixed_addresses) < FIXED_ADDRESSES_KEPT:
                    self._fixed_addresses[key] = address
            return address
        return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                               _external=_external, **values)

    def handle_user_exception(self, e):
        db.run_again_if_unchanged(e)  # before the error's own page is chosen
        return super().handle_user_exception(e)


def create_app(test_config=None):
    app = Portal(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config is not None:
        app.config.from_mapping(test_config)
    clock.init_app(app)  # first: whatever is done at start happens at the testing clock's time

    # Inside ProxyFix: a host the portal does not serve is judged as the proxy forwarded it.
    security.refuse_other_hosts(app)
    if app.config["TRUSTED_PROXY_COUNT"]:
        n = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    # The first after-request step registered runs last: compression sees the final body.
    compression.init_app(app)
    db.init_app(app)
    if db.is_sqlite():
        # The embedded database is created, with its catalogue, on first run.
        create_tables()
        catalogue.ensure_loaded(app.config["DATA_DIR"])

    passwords.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # the server-side session is the protection
    login_manager.user_loader(sessions.load_citizen)
    sessions.init_app(app)
    app.jinja_env.filters.update(FILTERS)
    # The breadcrumbs and the feedback page name the one service this installation provides.
    app.jinja_env.globals["calls_service"] = catalogue.calls_service
    security.init_app(app)
    devidp.init_app(app)  # before oidc: it points unconfigured means at itself
    oidc.init_app(app)

    for command in (init_db_command, prepare_demo_command, create_staff_command,
                    prune_access_log_command, create_call_partitions_command,
                    prune_calls_command):
        app.cli.add_command(command)
    register_intake_commands(app)

    for blueprint in (portal, auth, calls, feedback, claims, guide, staff, account):
        app.register_blueprint(blueprint.bp)

    @app.route("/healthz")
    def healthz():
        """For the load balancer: the process answers (the database is not asked)."""
        return jsonify(status="ok")

    static_files.init_app(app)  # last: it serves every static folder registered above

    return app
