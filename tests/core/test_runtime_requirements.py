"""What the app imports on use (lazily, inside functions) is installed by requirements.txt, not only by the
development requirements: `make run` and production install requirements.txt alone."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
#: Modules the app imports only when a feature runs (signing with a time stamp, long-term validation data).
LAZY_IMPORTS = (
    "pyhanko.sign.timestamps.requests_client",
    "pyhanko_certvalidator.fetchers.requests_fetchers",
    "pyhanko.sign.signers",
)
#: Imported only when present (urllib3 decodes brotli when it can); their absence changes nothing.
OPTIONAL = frozenset({"brotli", "brotlicffi", "zstandard"})


def _name(requirement: str) -> str:
    return re.split(r"[\s;\[<>=!~]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _installed_by_requirements() -> set[str]:
    """Distributions requirements.txt installs: those it names and, transitively, what they require."""
    names = [
        _name(line)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-"))
    ]
    seen: set[str] = set()
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or ():
            requirement = Requirement(line)
            # Extras are not installed; markers for other Pythons or systems do not apply here.
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                names.append(_name(requirement.name))
    return seen


def _modules_after(statement: str) -> set[str]:
    code = f"import sys{statement}; print(' '.join(sys.modules))"
    return set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )


@pytest.mark.parametrize("module", LAZY_IMPORTS)
def test_lazily_imported_modules_need_only_the_runtime_requirements(module):
    # What the interpreter loads by itself (site hooks of the environment) is not the module's doing.
    loaded = _modules_after(f", {module}") - _modules_after("")
    owners = metadata.packages_distributions()
    needed = {
        dist.lower().replace("_", "-")
        for top in {name.split(".")[0] for name in loaded}
        for dist in owners.get(top, ())
    }
    missing = needed - _installed_by_requirements() - OPTIONAL
    assert not missing, f"{module} needs {sorted(missing)}, which requirements.txt does not install"
