"""Sign-up from the page and the CLI, with clear refusals and nothing half-created."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from processor.accounts.models import Account
from processor.extensions import db
from tests.conftest import PASSWORD


def count_accounts() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Account))


def test_signup_page_creates_the_account_and_logs_in(app_ctx, client, auth):
    before = dt.datetime.now(dt.UTC)
    response = auth.signup(login="ada", title="Analytical Webinars")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    account = db.session.scalar(sa.select(Account).where(Account.login == "ada"))
    assert (account.title, account.plan, account.country) == ("Analytical Webinars", "paid", "PL")
    assert before <= account.created_at <= dt.datetime.now(dt.UTC)
    assert account.created_at.tzinfo is not None
    assert b"Analytical Webinars" in client.get("/dashboard").data


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "short-pass1"}, "password", "at least 12 characters"),
        ({"email": "not-an-email"}, "email", "valid email address"),
        ({"country": "XX"}, "country", "ISO 3166-1"),
        ({"login": "A B"}, "login", "lower-case letters"),
        ({"plan": "gold"}, "plan", "Not a valid choice"),
    ],
)
def test_signup_refuses_bad_input_beside_the_field(app_ctx, auth, fields, field, message):
    fields = dict(fields)  # the parameter dict is shared by the runs on each engine
    response = auth.signup(login=fields.pop("login", "bob"), **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert count_accounts() == 0


def test_signup_refuses_a_taken_login(auth, make_account):
    make_account("ada")
    response = auth.signup(login="ada", email="other@example.com")
    assert response.status_code == 400
    assert "This login is taken." in response.get_data(as_text=True)
    assert count_accounts() == 1


def test_creation_date_is_set_by_the_server_and_cannot_change(make_account):
    account = make_account("ada")
    with pytest.raises(ValueError, match="cannot be changed"):
        account.created_at = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def test_cli_creates_an_account_reading_the_password_from_stdin(app_ctx, runner, auth):
    result = runner.invoke(
        args=[
            "accounts",
            "create",
            "--login",
            "cli-user",
            "--email",
            "c@example.com",
            "--first-name",
            "Zofia",
            "--last-name",
            "Łęcka",
            "--title",
            "Żółw Events",
            "--plan",
            "free",
            "--country",
            "pl",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "created account cli-user" in result.output
    account = db.session.scalar(sa.select(Account).where(Account.login == "cli-user"))
    assert (account.last_name, account.title, account.plan, account.country) == ("Łęcka", "Żółw Events", "free", "PL")
    assert auth.login("cli-user").status_code == 302


def test_cli_refuses_a_short_password_with_a_one_line_reason(app_ctx, runner):
    result = runner.invoke(
        args=[
            "accounts",
            "create",
            "--login",
            "cli-user",
            "--email",
            "c@example.com",
            "--first-name",
            "Z",
            "--last-name",
            "L",
            "--title",
            "T",
            "--plan",
            "free",
            "--country",
            "PL",
        ],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "password: Use at least 12 characters." in result.output
    assert count_accounts() == 0


def test_fields_are_described_only_by_help_and_errors_that_exist(client, auth):
    html = client.get("/account/signup").get_data(as_text=True)
    assert '"None"' not in html
    assert 'aria-describedby="password-help"' in html
    assert "aria-invalid" not in html
    html = auth.signup(login="bob", password="short").get_data(as_text=True)
    assert 'aria-describedby="password-help password-error"' in html
    assert 'aria-invalid="true"' in html
