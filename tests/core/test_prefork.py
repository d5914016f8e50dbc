"""`ombudsman.prefork.warm`: what gunicorn's master readies once so that every forked worker starts ready.

It freezes the garbage collector and configures mappers for the whole process, so it runs in a child
process here, as in gunicorn's master (the master's own hook is checked in test_deploy.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from flask import Flask
from gunicorn_testing import ROOT, clean_environment
from jinja2 import DictLoader, TemplateSyntaxError

from ombudsman.prefork import warm

READY = """
import gc, json
from ombudsman import create_app
from ombudsman.extensions import db
from ombudsman.prefork import warm

app = create_app("testing")
assert gc.get_freeze_count() == 0
readied = warm(app)
names = app.jinja_env.list_templates(filter_func=lambda n: n.endswith((".html", ".txt", ".xml")))
cache = app.extensions["babel"].instance.domain_instance.cache
print(json.dumps({
    "readied": readied,
    "names": len(names),
    "compiled": len(app.jinja_env.cache),
    "mappers": [m.class_.__name__ for m in db.Model.registry.mappers if not m.configured],
    "mapper_count": len(db.Model.registry.mappers),
    "languages": sorted(key[0] for key in cache),
    "frozen": gc.get_freeze_count(),
}))
"""


def test_warm_configures_the_mappers_compiles_every_template_loads_the_languages_and_freezes(tmp_path):
    env = clean_environment(OMBUDSMAN_INSTANCE_PATH=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", READY], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["readied"] == {"templates": out["names"], "languages": 2}
    assert out["names"] > 50 and out["compiled"] >= out["names"]
    assert out["mapper_count"] > 40 and out["mappers"] == []
    assert out["languages"] == ["en", "id"]
    assert out["frozen"] > 100_000  # the app's objects, out of the collector's reach in the workers


def test_a_template_that_does_not_compile_stops_the_start():
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"ok.html": "{{ 1 }}", "broken.html": "{% if %}"})
    with pytest.raises(TemplateSyntaxError):
        warm(app)
