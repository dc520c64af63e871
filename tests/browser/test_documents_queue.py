"""The "being prepared" page of a PDF made in the background (HIA_QUEUE=rq, the real Redis), in a real
browser: waiting, failed after every retry, tried again, then downloaded. Each page passes axe."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as
from tests.browser.test_review import demo_person
from tests.conftest import REDIS_URL
from tests.integration.ops.conftest import run_worker
from tests.integration.review.conftest import act_as, create_assessment


@pytest.fixture
def queued(live_server: LiveServer) -> Iterator[None]:
    """The live server switched to the RQ queue, on a queue of its own (its keys deleted afterwards)."""
    from redis import Redis

    app = live_server.app
    name = f"hia-test-{uuid.uuid4().hex[:12]}"
    saved = {key: app.config.get(key) for key in ("HIA_QUEUE", "HIA_QUEUE_NAME", "HIA_REDIS_URL")}
    saved["HIA_QUEUE_RETRY_SECONDS"] = app.config.get("HIA_QUEUE_RETRY_SECONDS")
    app.config.update(
        HIA_QUEUE="rq", HIA_QUEUE_NAME=name, HIA_REDIS_URL=REDIS_URL, HIA_QUEUE_RETRY_SECONDS=(0,)
    )
    app.extensions.pop("hia_redis", None)
    yield
    app.config.update(saved)
    app.extensions.pop("hia_redis", None)
    redis = Redis.from_url(REDIS_URL)
    keys = list(redis.scan_iter(match=f"rq:*{name}*", count=500))
    if keys:
        redis.delete(*keys)
    redis.close()


def test_the_pdf_is_prepared_in_the_background(
    page: Page, live_server: LiveServer, queued: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.services.documents import records as documents
    from hia_service.services.review import decisions as review

    manager = demo_person(live_server, "manager")
    assessment_id = create_assessment(
        live_server.app, manager, f"Open a Saturday clinic {uuid.uuid4().hex[:6]}"
    )
    act_as(live_server.app, demo_person(live_server, "reviewer"), review.approve, assessment_id, None)
    sign_in_as(page, "manager")

    page.goto(f"/documents/{assessment_id}/v1.pdf")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your PDF is being prepared")
    expect(page.get_by_role("link", name="Check if the PDF is ready")).to_be_visible()
    axe_check(page)
    screenshot(page, "pdf-being-prepared")

    def broken(version: Any) -> bytes:
        raise RuntimeError("the signing service is broken")

    monkeypatch.setattr(documents, "sign_approved", broken)
    run_worker(live_server.app)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("The PDF could not be prepared")
    expect(page.get_by_text("We tried 2 times")).to_be_visible()
    axe_check(page)
    screenshot(page, "pdf-failed")

    monkeypatch.undo()
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your PDF is being prepared")
    run_worker(live_server.app)
    with page.expect_download() as download:
        page.get_by_role("link", name="Check if the PDF is ready").click()
    assert download.value.suggested_filename.endswith("-v1.pdf")


def test_the_word_copy_is_prepared_in_the_background(
    page: Page, live_server: LiveServer, queued: None
) -> None:
    manager = demo_person(live_server, "manager")
    assessment_id = create_assessment(
        live_server.app, manager, f"Open a Sunday clinic {uuid.uuid4().hex[:6]}"
    )
    sign_in_as(page, "manager")

    page.goto(f"/documents/{assessment_id}/v1.docx")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Word document is being prepared")
    axe_check(page)
    run_worker(live_server.app)
    with page.expect_download() as download:
        page.get_by_role("link", name="Check if the Word document is ready").click()
    assert download.value.suggested_filename.endswith("-v1.docx")
