"""The web page in a real browser (Debian's chromium through Playwright) against a real uvicorn with
the bulk stack on moto's server: a text, feedback, a small file, a bulk job, a wrong key, keyboard
only, a phone, and the page behind a stage prefix (a proxy that strips it, as API Gateway does)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.local import LocalEventSource, LocalStack, create_stack
from emotion_core import Classifier
from functions.bulk.processing import build_runtime
from functions.bulk.sqs_batch import make_handler
from functions.jobs.aws import AwsClients
from tests.helpers.bulk import MAX_RECEIVE_COUNT, bulk_settings_for
from tests.helpers.net import stop
from tests.helpers.stage_proxy import StageProxy
from tests.integration.api.conftest import API_KEY, start_uvicorn

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "")
playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra has it)")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium: `make browser` (apt-get install chromium) "
                                                     "or set CHROMIUM to a Chromium executable")
SHOTS = os.environ.get("UI_SCREENSHOTS")  # a folder: save the main states there (docs/img)


@pytest.fixture(scope="module")
def ui_stack(aws: AwsClients) -> LocalStack:
    return create_stack(aws, prefix="ui", max_receive_count=MAX_RECEIVE_COUNT)


@pytest.fixture(scope="module")
def base_url(ui_stack: LocalStack, moto_endpoint: str, tiny_bundle_dir: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("ui")
    bundle = Path(os.environ.get("UI_BUNDLE", tiny_bundle_dir))
    env = {**ui_stack.environment(moto_endpoint, MAX_RECEIVE_COUNT), "FEEDBACK_SQLITE_PATH": str(folder / "fb.db"),
           "MAX_BATCH_TEXTS": "32", "MAX_TEXT_CHARS": "2000", "MAX_BODY_BYTES": "65536"}
    proc, url = start_uvicorn(bundle, folder / "server.log", extra_env=env)
    try:
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 1400})
    yield context.new_page()
    context.close()


def shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def use_key(page: Any, url: str, key: str = API_KEY) -> None:
    page.goto(f"{url}/ui/")
    page.fill("#api-key", key)
    page.click("#key-form button")


def test_a_text_its_emotions_and_a_correction(page: Any, base_url: str) -> None:
    use_key(page, base_url)
    page.wait_for_selector("#key-status:has-text('Key accepted')")
    assert page.inner_text("#model-info").startswith("Model ")
    page.fill("#text", "I am so happy and grateful, thank you!")
    page.click("#text-form button")
    page.wait_for_selector("#result:not([hidden])")
    emotion = page.inner_text("#primary-emotion")
    labels = httpx.get(f"{base_url}/v1/labels", headers={"X-API-Key": API_KEY}).json()
    assert emotion in labels["taxonomies"]["ekman"]
    assert page.inner_text("#primary-confidence").endswith("%")
    page.check("#all-labels")
    page.click("#text-form button")
    fine_count = len(labels["taxonomies"]["fine"])
    page.wait_for_function(f"document.querySelectorAll('#fine-labels li').length === {fine_count}")
    shot(page, "ui-text")
    page.click("#wrong")
    page.check("#feedback-labels input[value='anger']")
    page.click("#feedback-form button")
    page.wait_for_selector("#feedback-status:has-text('Thank you')")
    summary = httpx.get(f"{base_url}/v1/feedback/summary", headers={"X-API-Key": API_KEY}).json()
    assert any(pair["corrected"] == "anger" for pair in summary["pairs"])


def test_a_wrong_key_is_said_so(page: Any, base_url: str) -> None:
    use_key(page, base_url, key="not-a-key")
    page.wait_for_selector("#key-status:has-text('refused')")


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_a_small_file_is_summarised_with_its_error_lines(page: Any, base_url: str, tmp_path: Path) -> None:
    file = tmp_path / "tickets.csv"
    file.write_bytes(_csv([["ticket", "body"], ["t1", "I love this, thank you"], ["t2", "so sad and alone"],
                           ["t3", "x" * 2500], ["t4", "what a joy"]]))
    use_key(page, base_url)
    page.wait_for_selector("#key-status:has-text('Key accepted')")
    page.set_input_files("#file", str(file))
    page.wait_for_selector("#file-status:has-text('4 rows')")
    page.select_option("#text-column", "body")
    page.select_option("#id-column", "ticket")
    page.click("#file-form button")
    page.wait_for_selector("#summary:not([hidden])")
    assert "t3:" in page.inner_text("#error-lines")
    assert page.locator("#emotion-bars li").count() >= 1
    shot(page, "ui-file")
    with page.expect_download() as download:
        page.click("#download")
    lines = Path(download.value.path()).read_text().splitlines()
    assert len(lines) == 4


def test_a_jsonl_file_with_chosen_keys(page: Any, base_url: str, tmp_path: Path) -> None:
    file = tmp_path / "messages.jsonl"
    file.write_text('{"ref": "m1", "message": "I am so happy"}\n{"ref": "m2", "message": 42}\n'
                    '{not json\n{"ref": "m4", "message": "so sad and alone"}\n')
    use_key(page, base_url)
    page.wait_for_selector("#key-status:has-text('Key accepted')")
    page.set_input_files("#file", str(file))
    page.wait_for_selector("#file-status:has-text('4 rows')")
    assert page.locator("#text-column option").all_inner_texts() == ["ref", "message"]
    page.select_option("#text-column", "message")
    page.select_option("#id-column", "ref")
    page.click("#file-form button")
    page.wait_for_selector("#summary:not([hidden])")
    errors = page.locator("#error-lines li").all_inner_texts()
    assert errors == ["m2: text is missing or not a string", "row-3: line is not valid JSON"]
    assert "m1: I am so happy" in page.inner_text("#examples")
    with page.expect_download() as download:
        page.click("#download")
    ids = [json.loads(line)["id"] for line in Path(download.value.path()).read_text().splitlines()]
    assert ids == ["m1", "m2", "row-3", "m4"]


def test_a_large_file_runs_as_a_bulk_job(page: Any, base_url: str, aws: AwsClients, ui_stack: LocalStack,
                                         moto_endpoint: str, tiny_bundle_dir: Path, tiny_classifier: Classifier,
                                         tmp_path: Path) -> None:
    file = tmp_path / "many.csv"
    file.write_bytes(_csv([["id", "text"], *([f"r{i}", f"text {i}: what a joy"] for i in range(250))]))
    settings = bulk_settings_for(ui_stack, moto_endpoint, tiny_bundle_dir)
    source = LocalEventSource(aws.sqs, ui_stack.queue_url, ui_stack.queue_arn,
                              make_handler(build_runtime(settings, tiny_classifier)))
    use_key(page, base_url)
    page.wait_for_selector("#key-status:has-text('Key accepted')")
    page.set_input_files("#file", str(file))
    page.wait_for_selector("#file-status:has-text('250 rows')")
    page.click("#file-form button")
    page.wait_for_selector("#file-status:has-text('Job ')")
    # The event source mapping's part: poll the queue until the page has its results.
    finished = threading.Event()

    def event_source() -> None:
        while not finished.is_set():
            source.drain()
            finished.wait(0.5)

    worker = threading.Thread(target=event_source)
    worker.start()
    try:
        page.wait_for_function("document.getElementById('file-status').textContent.startsWith('Done')"
                               " || document.getElementById('file-error').textContent !== ''", timeout=90_000)
    finally:
        finished.set()
        worker.join(timeout=30)
    assert page.inner_text("#file-error") == ""
    assert page.inner_text("#file-status") == "Done: 250 lines."
    assert page.locator("#summary").is_visible()


def test_keyboard_only_on_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base_url}/ui/")
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "api-key"
    page.keyboard.type(API_KEY)
    page.keyboard.press("Enter")
    page.wait_for_selector("#key-status:has-text('Key accepted')")
    page.focus("#text")
    page.keyboard.type("this is awful, I hate it")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the checkbox to the button
    page.keyboard.press("Enter")
    page.wait_for_selector("#result:not([hidden])")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "ui-phone")
    context.close()


def test_the_page_and_docs_work_behind_a_stage_prefix(page: Any, base_url: str) -> None:
    proxied_server = StageProxy(base_url, "/Prod")
    with proxied_server as proxied:
        use_key(page, f"{proxied}/Prod")
        page.wait_for_selector("#key-status:has-text('Key accepted')")
        page.fill("#text", "what a lovely surprise")
        page.click("#text-form button")
        page.wait_for_selector("#result:not([hidden])")
        page.goto(f"{proxied}/Prod/docs")
        page.wait_for_selector(".swagger-ui .info", timeout=30_000)
        shot(page, "ui-docs")
        assert proxied_paths_all_prefixed(proxied_server.paths), proxied_server.paths


def proxied_paths_all_prefixed(paths: list[str]) -> bool:
    return bool(paths) and all(path.startswith("/Prod/") for path in paths)
