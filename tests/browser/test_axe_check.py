"""The accessibility check itself can fail: axe-core finds what it must, and the width check sees overflow."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, assert_fits

pytestmark = pytest.mark.browser


def test_axe_reports_a_serious_violation(page, live_server):
    page.goto(f"{live_server}/account/login")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)


def test_a_wide_table_is_caught_on_a_phone(page, live_server):
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(f"{live_server}/account/login")
    page.evaluate(
        "const wide = document.createElement('div'); wide.textContent = 'wide'; wide.style.width = '900px';"
        " document.body.append(wide)"
    )
    with pytest.raises(AssertionError, match="wider than the window"):
        assert_fits(page)
