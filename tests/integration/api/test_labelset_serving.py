"""From a label-set YAML to a served model: build it (tiny encoders), put the bundle in MODELS_DIR,
start the real API under uvicorn, list it and call it; a broken custom bundle stops the start."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.net import stop
from tests.integration.api.conftest import API_KEY, Server, start_uvicorn


@pytest.fixture(scope="module")
def models_dir(labelset_models_dir: Path) -> Path:
    return labelset_models_dir


@pytest.fixture(scope="module")
def labelset_server(models_dir: Path, tiny_bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("uvicorn") / "server.log"
    proc, url = start_uvicorn(tiny_bundle_dir, log, extra_env={"MODELS_DIR": str(models_dir)})
    try:
        yield Server(url=url, log=log, bundle_dir=tiny_bundle_dir, tiny=True)
    finally:
        stop(proc)


def test_the_built_model_is_listed_and_answers_with_its_labels(labelset_server: Server) -> None:
    with labelset_server.client() as http:
        models = http.get("/v1/models").json()["models"]
        assert [(m["name"], m["default"]) for m in models] == [("tiny-test-bundle", True), ("tiny-tickets", False)]
        assert models[1]["heads"] == {"label": ["angry", "happy"]} and models[1]["primary"] == "label"
        answer = http.post("/v1/models/tiny-tickets/predict", json={"texts": ["so furious", "thanks, glad"]})
        assert answer.status_code == 200
        assert all(r["emotion"] in {"angry", "happy"} and r["model"]["name"] == "tiny-tickets"
                   for r in answer.json()["results"])
        missing = http.post("/v1/models/nope/predict", json={"texts": ["hi"]})
        assert missing.status_code == 404 and "'nope'" in missing.json()["detail"]
        assert http.post("/v1/predict-emotion", json={"text": "I am happy"}).json()["emotion"] == "joy"
    assert labelset_server.client(key=None).get("/v1/models").status_code == 401
    assert API_KEY not in labelset_server.log.read_text()


def test_a_bundle_failing_its_checks_stops_the_start(models_dir: Path, tiny_bundle_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "models"
    shutil.copytree(models_dir, broken)
    with (broken / "tiny-tickets" / "tokenizer.json").open("a") as fh:
        fh.write(" ")  # one byte more: its sha256 no longer matches model.json
    with pytest.raises(RuntimeError, match="uvicorn exited") as failed:
        start_uvicorn(tiny_bundle_dir, tmp_path / "server.log", extra_env={"MODELS_DIR": str(broken)})
    assert "tokenizer.json" in str(failed.value)
