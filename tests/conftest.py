"""Fixtures: an app per test on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL as well."""

from __future__ import annotations

import base64
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.serving import make_server

from app import create_app
from processor.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
IN_CI = os.environ.get("CI") == "true"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
TEST_MASTER_KEY = "1:" + base64.b64encode(b"test master key, never for real!").decode()
TEST_AUDIT_KEY = base64.b64encode(b"test access-log chain key, dummy").decode()


def missing(reason: str):
    """Skip on a developer machine; in CI a missing PostgreSQL or browser is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _migrate(url: str, instance: Path) -> None:
    import flask_migrate

    app = create_app(_config(url), instance_path=str(instance))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


def _reset_postgres(url: str) -> None:
    from processor.config import sqlalchemy_url

    engine = sa.create_engine(sqlalchemy_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database of each engine, shared by the tests of one session."""
    instance = tmp_path_factory.mktemp(f"migrate-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{instance / 'test.sqlite3'}"
    else:
        if not PG_URL:
            missing("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
        url = PG_URL
        _reset_postgres(url)
    _migrate(url, instance)
    return url


@pytest.fixture
def engine_name(database_url) -> str:
    return "postgresql" if database_url.startswith("postgres") else "sqlite"


def _config(url: str, **overrides) -> dict:
    return {
        "APP_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Jobs run inline where they are enqueued; tests of the queue and its worker turn this off.
        "JOBS_IMMEDIATE": True,
        # A fixed test master key (version 1), so every test app can encrypt and read the others' data.
        "MASTER_KEY": TEST_MASTER_KEY,
        "AUDIT_CHAIN_KEY": TEST_AUDIT_KEY,
        **overrides,
    }


@pytest.fixture
def app_config() -> dict:
    """Extra config for the `app` fixture; override in a module to change it."""
    return {}


class Client(FlaskClient):
    """A test client whose every request has an app context, and so a `g` and a database session, of its own.

    Flask reuses an app context that is already pushed (a test's `app_ctx`) for a test client's request, so
    the request would share the test's `g` (where Flask-Login caches the user) and its database session, and
    carry them into the next request. Served for real, each request has its own. Responses are buffered so a
    streamed body is produced inside its request's context too; each redirect followed is a request of its own.
    """

    def run_wsgi_app(self, environ, buffered=False):
        with self.application.app_context():
            return super().run_wsgi_app(environ, buffered=True)


class CliRunner(FlaskCliRunner):
    """A CLI runner whose every command has an app context of its own, as each `flask ...` run would."""

    def invoke(self, *args, **kwargs):
        with self.app.app_context():
            return super().invoke(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path, app_config):
    """The app, with no app context pushed: requests through `client` push their own, as in production."""
    app = create_app(_config(database_url, **app_config), instance_path=str(tmp_path / "instance"))
    app.test_client_class = Client
    app.test_cli_runner_class = CliRunner
    yield app
    with app.app_context():
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    """An app context for the test's own work: the database session, services, the config as `current_app`."""
    with app.app_context() as ctx:
        yield ctx


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class AuthActions:
    client: object

    def signup(self, login="ada", password=PASSWORD, **fields):
        data = {
            "login": login,
            "email": f"{login}@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "title": "Analytical Webinars",
            "plan": "paid",
            "country": "PL",
            "password": password,
            **fields,
        }
        return self.client.post("/account/signup", data=data)

    def login(self, login="ada", password=PASSWORD):
        return self.client.post("/account/login", data={"login": login, "password": password})

    def logout(self):
        return self.client.post("/account/logout")

    def login_with_code(self, account, login=None, password=PASSWORD):
        """Sign in an account that has two-factor sign-in on: password, then a fresh TOTP code."""
        self.login(login or account.login, password)
        return self.client.post("/account/login/code", data={"code": fresh_code(account)})


def fresh_code(account) -> str:
    """A TOTP code the account will accept now (its last-used step is forgotten, as if 30 s had passed)."""
    import pyotp

    from processor.accounts.models import Account

    db.session.execute(sa.update(Account).where(Account.id == account.id).values(totp_last_step=None))
    db.session.commit()
    return pyotp.TOTP(account.totp_secret).now()


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def make_account(app_ctx):
    """Create an organizer account through the service, as sign-up would."""
    from processor.accounts import service

    def make(login="ada", **fields):
        data = {
            "email": f"{login}@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "password": PASSWORD,
            "title": "Analytical Webinars",
            "plan": "paid",
            "country": "PL",
            **fields,
        }
        return service.create_account(login=login, **data)

    return make


@pytest.fixture
def make_staff(app_ctx):
    """Create a staff account with TOTP on, as `accounts create-staff` and `confirm-totp` would."""
    import pyotp

    from processor import staff

    def make(login="root"):
        account, secret = staff.create_staff(
            login=login, email=f"{login}@processor.example", first_name="Sam", last_name="Staff", password=PASSWORD
        )
        staff.confirm_staff_totp(account, pyotp.TOTP(secret).now())
        return account

    return make


@pytest.fixture
def staff_env(app_ctx) -> dict:
    """The environment of a support desk signed in with a staff client's token (`flask clients create --kind staff`)."""
    from processor.clients import service

    _, token = service.create_client(
        name="helpdesk", kind="staff", scopes="", purposes_granted="", country="PL", created_by="test"
    )
    return {"STAFF_CLIENT_TOKEN": token}


@pytest.fixture
def live_server(app):
    """The app served by a real (threaded werkzeug) WSGI server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no downloaded browser).

    Per module, not per session: Playwright's sync API keeps an event loop running in the main thread while it
    lives, and code that starts its own `asyncio.run()` (pyHanko's signing) would then fail in later tests.
    """
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Assertions wait as long as actions do: CI machines are small and busy.
    expect.set_options(timeout=15_000)
    yield page
    context.close()
