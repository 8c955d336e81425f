"""Shared browser-test checks: axe-core accessibility and the two widths every page is tried at."""

from __future__ import annotations

import pytest

WIDTHS = {"desktop": 1280, "phone": 375}
SERIOUS = ("serious", "critical")


def pytest_collection_modifyitems(config, items):
    """Run the tests taken at two widths on SQLite only: layout and accessibility do not depend on the engine, and
    what those pages do is tested on both engines through the test client. Keeps CI's browser time in bounds."""
    twice = [item for item in items if "width" in getattr(item, "fixturenames", ()) and "postgresql" in item.nodeid]
    if twice:
        config.hook.pytest_deselected(items=twice)
        drop = set(map(id, twice))
        items[:] = [item for item in items if id(item) not in drop]


@pytest.fixture(params=list(WIDTHS.values()), ids=list(WIDTHS))
def width(request, page):
    """Run the test once at 1280 px and once at 375 px (a phone)."""
    page.set_viewport_size({"width": request.param, "height": 900})
    return request.param


def assert_accessible(page) -> None:
    """Fail when axe-core finds a serious or critical violation on the page as it is now.

    axe-core comes from the axe-playwright-python package (its bundled axe.min.js), so nothing is fetched.
    """
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [v for v in violations if v.get("impact") in SERIOUS]
    report = "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:5]}" for v in bad
    )
    assert not bad, f"axe-core on {page.url}:\n{report}"


def assert_fits(page) -> None:
    """Fail when the page scrolls sideways (a table or form wider than the window)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the window"


def check_page(page) -> None:
    """The checks every page passes at every width: no sideways scroll, no serious accessibility violation.

    Waits for the page's load event first: text can be visible before a busy machine has applied the stylesheet,
    and an unstyled table is wider than a phone."""
    page.wait_for_load_state("load")
    assert_fits(page)
    assert_accessible(page)


def menu_link(page, name: str):
    """The main menu's link of that name, the menu opened first when a narrow window folds it behind its button."""
    button = page.get_by_role("button", name="Menu", exact=True)
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def fill_sign_up(page, **values: str) -> None:
    """Fill the sign-up form (its fields by label: login, email, first_name, ..., plan, country), then submit it."""
    for name, value in values.items():
        field = page.get_by_label(name.replace("_", " ").capitalize())
        if name in ("plan", "country"):
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Create account").click()


def log_in(page, live_server, login: str = "ada") -> None:
    """Sign in through the login page as an organizer made by `make_account(login)`."""
    from tests.conftest import PASSWORD

    page.goto(f"{live_server}/account/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")
