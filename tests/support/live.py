"""A real HTTP server on loopback for tests whose app talks to itself (or to a test
provider) over HTTP: werkzeug's threaded server in a background thread."""
import socket
import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(wsgi_app, port=None):
    """Serve `wsgi_app` on 127.0.0.1 while the block runs; yields the base URL."""
    server = make_server("127.0.0.1", port or free_port(), wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def serving_with_dev_provider(config, keys_dir, **provider_config):
    """The portal and the development identity provider, each on its own port (as `make
    run` serves them: another port is another origin). Yields (portal, provider) apps,
    each with its `base_url`."""
    from egov import create_app, devidp

    idp_port = free_port()
    idp_url = f"http://127.0.0.1:{idp_port}"
    portal = create_app({**config, "DEV_IDP": True, "DEV_IDP_URL": idp_url})
    provider = devidp.create_app({**config, "DEV_IDP_URL": idp_url, "DEV_IDP_KEYS_DIR": keys_dir,
                                  **provider_config})
    with serving(provider, idp_port) as provider.base_url, serving(portal) as portal.base_url:
        yield portal, provider
