"""The package as pip builds it: templates and static files inside, and a quiet build."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_clean_build_warns_of_no_missing_package_and_ships_the_data(tmp_path):
    # The first `make run` printed one setuptools warning per template and static folder
    # ("Package 'egov.static' is absent from the `packages` configuration"): it read as a failure.
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(ROOT)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "absent from the `packages` configuration" not in built.stdout + built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("egov/templates/base.html", "egov/static/css/portal.css",
                    "egov/static/vendor/htmx-2.0.11.min.js",
                    "egov/devidp/templates/devidp/base.html", "egov/devidp/static/devidp.css"):
        assert shipped in names
    assert not any(name.startswith("tests/") for name in names)
