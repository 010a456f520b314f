"""The W3C's Nu HTML Checker (vnu.jar, from the npm package `vnu-jar` pinned in
package.json and package-lock.json beside this file), run on Java over saved pages.

`npm ci --prefix tests/vnu --ignore-scripts` installs it (.ci/run does; the first run here
does it too when npm is there). A JVM start costs seconds, so a test saves every page state first
and checks them all in one run. Without Java or the jar the test is skipped, unless
CI or REQUIRE_BROWSER is set, where that is a failure."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
JAR = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _missing(message):
    if os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail(message + " (REQUIRE_BROWSER/CI is set)")
    pytest.skip(message)


def checker():
    """The command that runs the checker; skips (or fails in CI) when it cannot run."""
    java = shutil.which("java")
    if not java:
        _missing("java is needed to run the Nu HTML Checker (apt-get install default-jre-headless)")
    npm = shutil.which("npm")
    if not JAR.is_file() and npm:
        # --ignore-scripts: vnu-jar's install script would fetch a Java runtime of its own.
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--loglevel=error"], cwd=HERE, check=True, capture_output=True,
                       timeout=600)
    if not JAR.is_file():
        _missing(f"{JAR} is missing (npm ci --prefix tests/vnu)")
    return [java, "-jar", str(JAR)]


def save(folder, name, html):
    """Write one page state as `name`.html in `folder` (the checker names it on failure)."""
    path = Path(folder) / f"{name}.html"
    assert not path.exists(), f"two page states are both called {name}"
    path.write_text(html, encoding="utf-8")
    return path


def errors(paths):
    """Every error the checker finds in the files, one line each: «file:line: message
    (extract)». An empty list when all of them are valid HTML."""
    paths = sorted(str(path) for path in paths)
    assert paths, "no page was saved to check"
    run = subprocess.run(checker() + ["--errors-only", "--format", "json", *paths],
                         capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(run.stderr or run.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"the checker did not answer in JSON (exit {run.returncode}):\n"
                             f"{run.stdout}\n{run.stderr}") from None
    return [f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m.get('message')}"
            f" «{(m.get('extract') or '').strip()[:120]}»"
            for m in messages if m.get("type") in ("error", "non-document-error")]
