"""The deployment of deploy/, run as the ministry would and checked from outside.

nginx starts from deploy/nginx/egov.conf (its addresses, certificate and log paths swapped
for a temporary prefix, TLS included) in front of two app hosts: two gunicorn processes from
deploy/gunicorn.conf.py on 127.0.0.2 and 127.0.0.3, with the settings of
deploy/egov.env.example (production, TRUSTED_PROXY_COUNT=1), sharing a PostgreSQL database
of their own and Redis. Citizens walk the manual's journey through it, their requests
alternating between the hosts; then one host is killed (SIGKILL) and restarted under a
steady load of signed-in report views. The systemd units pass `systemd-analyze verify`.

The live part needs nginx, PostgreSQL and Redis: it runs in `make test`'s PostgreSQL pass
(its database is TEST_DATABASE_URL's name plus `_hosts`, made afresh) and is skipped
elsewhere, unless REQUIRE_NGINX (CI) makes a missing nginx a failure.
"""
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import redis
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from requests.adapters import HTTPAdapter

from egov import config as egov_config
from egov.demo import AYSEL_FIRST_LINE as AYSEL_LINE

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "egov.conf"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
ENV_TEMPLATE = DEPLOY / "egov.env.example"
UNITS = sorted((DEPLOY / "systemd").glob("egov*.*"))

HOSTS = ("127.0.0.2", "127.0.0.3")
CLIENT = "127.0.0.9"  # the citizens' machine, as nginx sees it
SPOOFED = "203.0.113.7"  # what a client claims in its own X-Forwarded-For
REDIS_URL = os.environ.get("TEST_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/5")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The machine is shared: two workers per host (the file's own count is checked below).
WORKERS = 2


# ------------------------------------------------------------------ the files on their own

def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    env_file = tmp_path / "settings.env"
    env_file.write_text(ENV_TEMPLATE.read_text())
    # The units name the release's paths; here they point at this checkout and its venv, so
    # that verify can check the commands exist and are executable.
    for unit in UNITS:
        text = (unit.read_text().replace("/srv/egov/venv/bin/", f"{Path(sys.executable).parent}/")
                .replace("/srv/egov/app", str(ROOT)).replace("/etc/egov/egov.env", str(env_file)))
        (tmp_path / unit.name).write_text(text)
    assert {unit.name for unit in UNITS} == {
        "egov.service", "egov-prune-access-log.service", "egov-prune-access-log.timer",
        "egov-prune-calls.service", "egov-prune-calls.timer",
        "egov-create-call-partitions.service", "egov-create-call-partitions.timer"}
    result = subprocess.run([analyze, "verify", *sorted(str(p) for p in tmp_path.glob("egov*"))],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    # verify only warns about an unknown key or a bad value: any word from it is a failure.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def _settings_read_by_the_app():
    source = Path(egov_config.__file__).read_text()
    names = set(re.findall(r'env\.get\(\s*"([A-Z][A-Z0-9_]+)"', source))
    for means in egov_config.OIDC_MEANS:
        names |= {f"OIDC_{means.upper()}_{part}"
                  for part in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")}
    return names


def _template_settings():
    """The NAME=value lines of the environment template that are not commented out."""
    lines = [line for line in ENV_TEMPLATE.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_the_environment_template_names_every_setting_and_starts_production(tmp_path):
    template = ENV_TEMPLATE.read_text()
    named = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", template, re.M))
    assert _settings_read_by_the_app() - named == set()
    settings = _template_settings()
    assert settings["EGOV_ENV"] == "production" and settings["TRUSTED_PROXY_COUNT"] == "1"
    # As shipped (placeholders filled), the template is a production start the app accepts.
    config = egov_config.from_environment(str(tmp_path), settings)
    assert (config["EGOV_ENV"], config["TRUSTED_PROXY_COUNT"], config["SESSION_COOKIE_SECURE"]) \
        == ("production", 1, True)


def _gunicorn_settings():
    """deploy/gunicorn.conf.py's settings, as gunicorn reads them (the file is Python)."""
    settings = {}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), settings)
    return settings


def test_the_gunicorn_file_takes_its_processes_from_the_cores_and_logs_no_personal_data():
    settings = _gunicorn_settings()
    cores = len(os.sched_getaffinity(0))
    assert (settings["workers"], settings["threads"], settings["worker_class"]) \
        == (2 * cores, 2, "gthread")
    assert settings["graceful_timeout"] == 20 and settings["keepalive"] == 75
    # A restarted host listens only once its workers can answer (see the failover below).
    assert settings["preload_app"] is True
    # The workers' heartbeat in memory, not on the private /tmp's disk.
    assert settings["worker_tmp_dir"] == "/dev/shm"
    log_format = settings["access_log_format"]
    # The client's address, the request line (with its query string), the query string,
    # the Referer, the User-Agent, the basic-auth user and any cookie: none of them.
    for atom in ("%(h)s", "%(r)s", "%(q)s", "%(f)s", "%(a)s", "%(u)s", "cookie"):
        assert atom not in log_format
    assert "%(U)s" in log_format and "%(s)s" in log_format


def test_the_master_compiles_the_portals_templates_before_it_forks(app):
    on_starting = _gunicorn_settings()["on_starting"]
    # gunicorn's Arbiter as far as the hook reads it; the live deployment below runs the hook
    # in the real one.
    on_starting(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
    assert app.jinja_env.compiled_languages() == {"az", "en", "ru"}
    other = Flask("another_app")
    on_starting(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: other)))  # left as it is


# ------------------------------------------------------------------ the live deployment

def _nginx():
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                     else None)
    if path is None:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail("nginx is not installed and REQUIRE_NGINX is set")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return path


def _hosts_database_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        pytest.skip("the app hosts share PostgreSQL: this runs in make test's PostgreSQL pass")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_hosts"
    server = dict(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                  password=parts.password, connect_timeout=3)
    conn = psycopg2.connect(dbname="postgres", **server)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    # Emptied by dropping its schema: as fresh as a new database, without the checkpoint
    # that CREATE DATABASE waits for (seconds on a busy machine).
    conn = psycopg2.connect(dbname=name, **server)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()
    return urlunsplit(parts._replace(path="/" + name))


def _redis():
    try:
        storage = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        storage.flushdb()  # no counter from an earlier run
    except redis.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def _free_port(*addresses):
    """A port free on every one of `addresses` (the two hosts share one port number)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind((addresses[0], 0))
            port = first.getsockname()[1]
            try:
                for address in addresses[1:]:
                    with socket.socket() as other:
                        other.bind((address, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no common free port")


def _certificate(folder):
    """A self-signed certificate for localhost, which the test's clients trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _site_for_test(prefix, port, http_port, app_port, cert, key):
    """deploy/nginx/egov.conf with the test's addresses and paths; each swapped text must be
    in the file, so a change there that the test would miss fails here instead."""
    log = prefix / "logs" / "egov.access.log"
    swaps = [
        ("server 10.0.0.11:8000 ", f"server {HOSTS[0]}:{app_port} "),
        ("server 10.0.0.12:8000 ", f"server {HOSTS[1]}:{app_port} "),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("server_name mincom.e-gov.az;", "server_name localhost;"),
        ("/etc/ssl/egov/fullchain.pem", str(cert)),
        ("/etc/ssl/egov/privkey.pem", str(key)),
        ("/var/log/nginx/egov.access.log", str(log)),
        ("root /srv/egov/app/egov;", f"root {ROOT / 'egov'};"),
        # Only here: each answer names the host that gave it.
        ("    location / {\n",
         "    location / {\n        add_header X-Upstream $upstream_addr always;\n"),
    ]
    text = SITE.read_text()
    for old, new in swaps:
        assert old in text, f"deploy/nginx/egov.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text, log


def _nginx_conf(prefix, site):
    """The main file Debian's /etc/nginx/nginx.conf would be, inside the prefix."""
    temp = "\n".join(f"    {kind}_temp_path {prefix}/temp/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx's workers would run as nobody, who cannot read the prefix.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return f"""{user}daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/logs/other.access.log;
{temp}
    include {site};
}}
"""


class AppHost:
    """One app host: gunicorn from deploy/gunicorn.conf.py, in a process group of its own
    so that a kill takes the master and its workers at once, as a machine failing would."""

    def __init__(self, address, port, env, log_path):
        self.address, self.port, self.env, self.log_path = address, port, env, log_path
        self.process = None
        self.direct = requests.Session()  # to the host itself, not through nginx
        self.direct.trust_env = False

    @property
    def upstream(self):
        return f"{self.address}:{self.port}"

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF),
                 "--workers", str(WORKERS), "wsgi:app"],
                cwd=ROOT, env={**self.env, "EGOV_BIND": self.upstream}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout=45):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                answer = self.direct.get(f"http://{self.upstream}/healthz", timeout=2,
                                         headers={"Host": "localhost"})
                if answer.status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or no worker yet
                pass
            time.sleep(0.1)
        raise RuntimeError(f"app host {self.upstream} did not start:\n{self.log()}")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def terminate(self):
        """As systemd stops it: SIGTERM (then `stopped` waits, and kills what is left)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def stopped(self):
        if self.process is None:
            return
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log(self):
        return self.log_path.read_text(errors="replace")


class _FromAddress(HTTPAdapter):
    """Connections from a chosen loopback address: the citizen's machine is not the proxy."""

    def __init__(self, address):
        self.address = address
        super().__init__(pool_maxsize=4)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Deployment:
    def __init__(self, prefix, port, http_port, cert, hosts, access_log, database_url):
        self.prefix, self.port, self.http_port, self.cert = prefix, port, http_port, cert
        self.hosts, self.access_log, self.database_url = hosts, access_log, database_url
        self.url = f"https://localhost:{port}"

    def browser(self, source=CLIENT):
        """A browser on the citizen's machine, trusting the test's certificate."""
        browser = requests.Session()
        # This machine's proxy and CA-bundle variables would override the choices below.
        browser.trust_env = False
        for scheme in ("https://", "http://"):
            browser.mount(scheme, _FromAddress(source))
        browser.verify = str(self.cert)
        # Flask-WTF checks over https that a form comes from the portal's own pages.
        browser.headers["Referer"] = self.url + "/"
        return browser

    def token(self, browser, path="/auth/login"):
        return CSRF.search(browser.get(self.url + path, timeout=10).text).group(1)

    def sign_in(self, browser, username, password, headers=None, token=None):
        """The password form posted; `token` saves asking for the form again (so that
        successive posts alternate between the hosts, as every request does)."""
        token = token or self.token(browser)
        return browser.post(self.url + "/auth/login/password", allow_redirects=False,
                            headers=headers or {}, timeout=10,
                            data={"username": username, "password": password,
                                  "csrf_token": token})

    def signed_in(self, username, password, through=None):
        """A signed-in browser; with `through`, one whose sign-in that host answered."""
        for _ in range(6):
            browser = self.browser()
            answer = self.sign_in(browser, username, password)
            assert answer.status_code == 302, answer.text
            if through is None or answer.headers["X-Upstream"] == through.upstream:
                return browser
            browser.get(self.url + "/healthz", timeout=10)  # the next request: the other host
        raise AssertionError(f"no sign-in reached {through.upstream}")

    def sql(self, query, *args):
        with psycopg2.connect(self.database_url) as conn, conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall()

    def nginx_log(self):
        return self.access_log.read_text()


_PREPARE = """
from egov import create_app
runner = create_app().test_cli_runner()
for command in ("init-db", "prepare-demo"):
    result = runner.invoke(args=[command])
    print(result.output, end="")
    if result.exit_code:
        raise SystemExit(repr(result.exception))
"""


@pytest.fixture(scope="module")
def deployment():
    nginx = _nginx()
    database_url = _hosts_database_url()
    redis_url = _redis()
    prefix = Path(tempfile.mkdtemp(prefix="egov-deploy-"))
    for folder in ("logs", "temp"):
        (prefix / folder).mkdir()
    with socket.socket() as https, socket.socket() as http:  # two ports, not one twice
        https.bind(("127.0.0.1", 0))
        http.bind(("127.0.0.1", 0))
        port, http_port = https.getsockname()[1], http.getsockname()[1]
    app_port = _free_port(*HOSTS)
    cert, key = _certificate(prefix)

    # The hosts' environment: the template as shipped, with this machine's services.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"),
           "LANG": "C.UTF-8", **_template_settings(),
           "SECRET_KEY": "deployment-test-secret-shared-by-both-hosts",
           "DATABASE_URL": database_url, "RATELIMIT_STORAGE_URI": redis_url,
           "PUBLIC_URL": f"https://localhost:{port}"}
    hosts = [AppHost(address, app_port, env, prefix / "logs" / f"gunicorn-{address}.log")
             for address in HOSTS]
    site, access_log = _site_for_test(prefix, port, http_port, app_port, cert, key)
    (prefix / "egov.conf").write_text(site)
    conf = prefix / "nginx.conf"
    conf.write_text(_nginx_conf(prefix, prefix / "egov.conf"))
    command = [nginx, "-c", str(conf), "-p", str(prefix), "-e", str(prefix / "logs/error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr

    proxy = None
    try:
        # The hosts boot while the database is prepared: they read nothing from it before
        # their first request.
        for host in hosts:
            host.start()
        # `flask init-db` then `flask prepare-demo`, in one process (one import of the app).
        done = subprocess.run([sys.executable, "-c", _PREPARE], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        for host in hosts:
            host.wait_ready()
        proxy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deployment = Deployment(prefix, port, http_port, cert, hosts, access_log, database_url)
        deadline = time.monotonic() + 15
        while True:
            try:
                deployment.browser().get(deployment.url + "/healthz", timeout=2)
                break
            except requests.ConnectionError as error:
                if proxy.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((prefix / "logs/error.log").read_text()) from error
                time.sleep(0.1)
        yield deployment
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=15)
        for host in hosts:
            host.terminate()
        for host in hosts:
            host.stopped()
        shutil.rmtree(prefix, ignore_errors=True)


def test_the_journey_through_nginx(deployment):
    """Sign-in, the report, a claim, the CSV export: over TLS, through the proxy."""
    aysel = deployment.browser()
    answer = deployment.sign_in(aysel, "aysel", "aysel-demo-1")
    assert (answer.status_code, answer.headers["Location"]) == (302, "/services")
    assert "Secure" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]

    report = aysel.get(deployment.url + "/calls", allow_redirects=False, timeout=10)
    assert report.status_code == 200 and "Aysel Məmmədova" in report.text
    assert "012 440 12 34" in report.text

    form = aysel.get(f"{deployment.url}/calls/claims/new?line={AYSEL_LINE}", timeout=10)
    call = re.search(r'name="calls" value="(\d+)"', form.text).group(1)
    filed = aysel.post(deployment.url + "/calls/claims/new", allow_redirects=False, timeout=10,
                       data={"csrf_token": CSRF.search(form.text).group(1), "line": AYSEL_LINE,
                             "calls": [call], "reason": "Bu zəngi mən etməmişəm."})
    assert filed.status_code in (302, 303), filed.text
    reference = filed.headers["Location"].rsplit("/", 1)[1]
    claim = aysel.get(deployment.url + filed.headers["Location"], timeout=10)
    assert claim.status_code == 200 and reference in claim.text
    assert deployment.sql("SELECT count(*) FROM claim WHERE reference = %s", reference) == [(1,)]

    export = aysel.get(f"{deployment.url}/calls/export.csv?line={AYSEL_LINE}", timeout=10)
    assert export.status_code == 200
    assert export.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in export.headers["Content-Disposition"]
    rows = export.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("#;Tarix;Vaxt;Müddət (saniyə);Nömrə;Zəngin növü;İstiqamət;"
                              "Dəqiqənin qiyməti (AZN);Vaxt zolağı;Məbləğ (AZN);Ödəniş*")
    # The claim just filed is in the export, beside its call, whichever host wrote it.
    assert [row.rsplit(";", 1)[1] for row in rows[1:] if row.endswith(reference)] == [reference]


def test_hsts_forwarded_headers_and_the_client_address_through_the_proxy(deployment):
    rauf = deployment.browser()
    # A client that claims another address, host and scheme in the proxy headers.
    forged = {"X-Forwarded-For": SPOOFED, "X-Forwarded-Host": "evil.example",
              "X-Forwarded-Proto": "http"}
    answer = deployment.sign_in(rauf, "rauf", "rauf-demo-1", headers=forged)
    assert answer.status_code == 302  # Flask-WTF's https Referer check passed: the app saw
    # https://localhost:<port>, as nginx said, not what the client claimed.
    page = rauf.get(deployment.url + "/account/access-log", headers=forged, timeout=10)
    assert page.status_code == 200  # evil.example would have been refused (400)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    # «Məlumatlarıma kim baxıb?» shows the address nginx saw: the citizen's machine, not the
    # proxy's hop (127.0.0.1) and not what the client wrote in X-Forwarded-For.
    addresses = deployment.sql(
        "SELECT e.address FROM access_entry e JOIN citizen c ON c.id = e.citizen_id"
        " WHERE c.username = 'rauf' AND e.action = 'sign_in'")
    assert addresses == [(CLIENT,)]
    assert CLIENT in page.text and SPOOFED not in page.text

    # The hashed static files: from nginx itself, for a year, gzip for who takes it.
    stylesheet = re.search(r'href="(/static/css/portal-[0-9a-f]{32}\.css)"', page.text).group(1)
    css = rauf.get(deployment.url + stylesheet, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.status_code == 200 and "X-Upstream" not in css.headers
    assert (css.headers["Cache-Control"], css.headers["Content-Encoding"],
            css.headers["Strict-Transport-Security"]) == (
        "public, max-age=31536000, immutable", "gzip", "max-age=31536000")
    plain = rauf.get(deployment.url + "/static/css/portal.css", timeout=10)
    assert plain.status_code == 200 and plain.headers["X-Upstream"]  # unhashed: from the app
    assert "immutable" not in plain.headers.get("Cache-Control", "")

    # Plain http only sends the browser to https.
    insecure = rauf.get(f"http://localhost:{deployment.http_port}/calls?line={AYSEL_LINE}",
                        allow_redirects=False, timeout=10)
    assert (insecure.status_code, insecure.headers["Location"]) == (
        301, f"https://localhost/calls?line={AYSEL_LINE}")

    # Neither nginx's log nor the hosts' logs keep the client's address or a query string.
    logs = deployment.nginx_log() + "".join(host.log() for host in deployment.hosts)
    for personal in (CLIENT, SPOOFED, f"line={AYSEL_LINE}", "egov_session"):
        assert personal not in logs


def test_sessions_and_sign_in_limits_are_shared_by_the_hosts(deployment):
    nigar = deployment.signed_in("nigar", "nigar-demo-1")
    answers = [nigar.get(deployment.url + "/calls", allow_redirects=False, timeout=10)
               for _ in range(6)]
    # One session, both hosts, and nothing noticed: every view is the signed-in report.
    assert [a.status_code for a in answers] == [200] * 6
    assert all("Nigar Hüseynova" in a.text for a in answers)
    assert {a.headers["X-Upstream"] for a in answers} == {h.upstream for h in deployment.hosts}

    # Failed sign-ins for one name, alternating hosts, each with another forged address:
    # five are allowed in a minute, the sixth is refused wherever it lands.
    guesser = deployment.browser(source="127.0.0.10")
    token = deployment.token(guesser)
    upstreams, codes = set(), []
    for attempt in range(6):
        forged = {"X-Forwarded-For": f"198.51.100.{attempt}"}
        answer = deployment.sign_in(guesser, "guessed-name", f"wrong-{attempt}", token=token,
                                    headers=forged)
        codes.append(answer.status_code)
        upstreams.add(answer.headers["X-Upstream"])
    assert codes == [303] * 5 + [429]
    assert upstreams == {h.upstream for h in deployment.hosts}
    # Her session, on both hosts, is untouched by all this.
    assert nigar.get(deployment.url + "/calls", allow_redirects=False, timeout=10).status_code \
        == 200


def test_a_host_killed_and_restarted_under_load_loses_nothing(deployment, capsys):
    victim, survivor = deployment.hosts
    # Citizens whose sessions began on the host that will be killed, and one on the other.
    readers = [deployment.signed_in("aysel", "aysel-demo-1", through=victim),
               deployment.signed_in("rauf", "rauf-demo-1", through=victim),
               deployment.signed_in("nigar", "nigar-demo-1", through=survivor)]
    writer = deployment.signed_in("rauf", "rauf-demo-1")
    token = CSRF.search(writer.get(deployment.url + "/calls/feedback", timeout=10).text).group(1)

    stop = threading.Event()
    views, writes, lock = [], [], threading.Lock()

    def read(browser):
        while not stop.is_set():
            started = time.monotonic()
            try:
                answer = browser.get(deployment.url + "/calls", allow_redirects=False,
                                     timeout=30)
                outcome = (answer.status_code, answer.headers.get("X-Upstream", ""))
            except requests.RequestException as error:
                outcome = (type(error).__name__, "")
            with lock:
                views.append((started, time.monotonic(), *outcome))

    def write():
        n = 0
        while not stop.is_set():
            n += 1
            message = f"failover-{n}"
            try:
                code = writer.post(deployment.url + "/calls/feedback", allow_redirects=False,
                                   timeout=30, data={"csrf_token": token, "rating": "4",
                                                     "message": message}).status_code
            except requests.RequestException as error:
                code = type(error).__name__
            writes.append((message, code))
            time.sleep(0.05)

    threads = [threading.Thread(target=read, args=(b,)) for b in readers]
    threads.append(threading.Thread(target=write))
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(2)
    killed = time.monotonic()
    victim.kill()
    time.sleep(2)
    restarted = time.monotonic()
    victim.start()
    victim.wait_ready()
    back = time.monotonic()
    # nginx tries the host again once its fail_timeout (5 s) has passed.
    time.sleep(5.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    failed = [v for v in views if v[2] != 200]
    around_kill = [v[1] - v[0] for v in views if v[1] >= killed and v[0] <= killed + 2]
    around_restart = [v[1] - v[0] for v in views if v[1] >= restarted]
    served_again = [v for v in views if v[0] > back and v[3] == victim.upstream]
    retried = [line for line in deployment.nginx_log().splitlines()
               if " /calls " in line and ", " in re.search(r'upstream="([^"]*)"', line).group(1)]
    acknowledged = {m for m, code in writes if code in (302, 303)}
    saved = {m for (m,) in deployment.sql("SELECT message FROM feedback WHERE message LIKE %s",
                                          "failover-%")}

    def most(latencies):
        return f"{max(latencies, default=0) * 1000:.0f} ms"

    with capsys.disabled():  # the figures belong in every run's output
        print(f"\n--- failover ({WORKERS} workers x {_gunicorn_settings()['threads']} threads "
              f"per host, {len(readers)} readers "
              f"and 1 writer, {time.monotonic() - began:.1f} s): {len(views)} report views, "
              f"{len(failed)} failed, {len(retried)} retried by nginx on the other host; "
              f"max latency {most(around_kill)} in the 2 s after the kill, "
              f"{most(around_restart)} from the restart on, "
              f"{most([v[1] - v[0] for v in views])} overall; host away "
              f"{back - killed:.1f} s (kill to answering); feedback posts: "
              f"{len(acknowledged)} acknowledged, {len(writes) - len(acknowledged)} not "
              f"(502), {len(acknowledged - saved)} acknowledged but lost")
    assert failed == []
    assert acknowledged and acknowledged <= saved
    assert served_again, "the restarted host got no request"
    # The killed host's citizens are still signed in: sessions live in the database.
    for browser in readers:
        assert browser.get(deployment.url + "/calls", allow_redirects=False,
                           timeout=10).status_code == 200
