"""In Chromium with no network beyond this machine: the API reference renders every operation from local files,
fits a phone and passes axe-core with one operation opened."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page

pytestmark = pytest.mark.browser


def test_api_docs_render_offline_with_every_operation(page, live_server, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in ("get", "post", "put", "patch", "delete")
        if method in item
    ]
    outside, errors = [], []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_loopback)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Participant registry processor")
    blocks = page.locator(".opblock")
    expect(blocks).to_have_count(len(operations))
    for method, path in operations:
        block = page.locator(f".opblock-{method.lower()}").filter(has=page.locator(f'[data-path="{path}"]'))
        expect(block).to_have_count(1)
    assert outside == [] and errors == []


def test_api_docs_fit_and_pass_axe_with_an_operation_open(page, live_server, width):
    page.goto(f"{live_server}/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    operation = page.locator(".opblock-post").filter(has=page.locator('[data-path$="/participants/search"]'))
    operation.locator(".opblock-summary-control").click()
    expect(operation.locator(".responses-table")).to_be_visible()
    check_page(page)
    operation.get_by_role("button", name="Try it out").click()
    expect(operation.get_by_role("textbox", name="Request body")).to_be_visible()
    check_page(page)
