"""An independent, OpenID-certified provider for interoperability tests: panva's
`oidc-provider` (npm, version pinned in package.json and package-lock.json), run
with Node on loopback. `npm ci` installs it into tests/interop/node_modules
(gitignored) the first time. Without node and npm these tests are skipped, unless
REQUIRE_BROWSER is set (as in CI), where that is a failure."""
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _missing(message):
    if os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail(message + " (REQUIRE_BROWSER/CI is set)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def node():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _missing("node and npm are needed to run oidc-provider (apt-get install nodejs npm)")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                       check=True, capture_output=True, timeout=600)
    return node


class InteropProvider:
    client_id = "egov-portal-interop"
    client_secret = "interop-secret-only-for-tests"

    def __init__(self, node, port, rp_url, log_path):
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PORT": str(port), "CLIENT_ID": self.client_id,
               "CLIENT_SECRET": self.client_secret,
               "REDIRECT_URI": f"{rp_url}/auth/oidc/egov/callback",
               "POST_LOGOUT_REDIRECT_URI": f"{rp_url}/",
               "CITIZEN_NAME": "Sınaq Vətəndaş"}
        self._log = open(log_path, "w")
        self.process = subprocess.Popen([node, "provider.mjs"], cwd=HERE, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/.well-known/openid-configuration", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"oidc-provider did not start: see {log_path}")
                time.sleep(0.2)

    def config(self):
        return {"OIDC_EGOV_ISSUER": self.url, "OIDC_EGOV_CLIENT_ID": self.client_id,
                "OIDC_EGOV_CLIENT_SECRET": self.client_secret}

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self._log.close()
