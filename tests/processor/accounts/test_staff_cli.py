"""`flask accounts create-staff` and `confirm-totp`: staff get an account, a TOTP key and recovery codes."""

from __future__ import annotations

import pyotp

from processor.accounts import service
from tests.conftest import PASSWORD


def create(runner, password=PASSWORD):
    return runner.invoke(
        args=[
            *("accounts", "create-staff", "--login", "sam", "--email", "sam@processor.example"),
            *("--first-name", "Sam", "--last-name", "Staff"),
        ],
        input=f"{password}\n",
    )


def test_a_staff_account_signs_in_only_once_its_authenticator_is_confirmed(app_ctx, runner, client, auth):
    result = create(runner)
    assert result.exit_code == 0, result.output
    secret = result.stdout.splitlines()[1]
    assert f"secret={secret}" in result.output
    auth.login("sam")
    assert client.get("/dashboard").status_code == 302  # no confirmed second factor: no way in

    confirmed = runner.invoke(
        args=["accounts", "confirm-totp", "--login", "sam"], input=f"{pyotp.TOTP(secret).now()}\n"
    )
    assert confirmed.exit_code == 0, confirmed.output
    assert len(confirmed.stdout.strip().splitlines()) == 1 + 10
    assert service.get_by_login("sam").is_staff
    assert auth.login("sam").headers["Location"].endswith("/account/login/code")


def test_a_short_staff_password_is_refused(app_ctx, runner):
    result = create(runner, password="twelve chars")
    assert result.exit_code == 1 and "16 characters" in result.output
    assert service.find_by_login("sam") is None


def test_organizers_turn_two_factor_on_from_their_settings_not_the_cli(runner, make_account):
    make_account("ada")
    result = runner.invoke(args=["accounts", "confirm-totp", "--login", "ada"], input="123456\n")
    assert result.exit_code == 1 and "account settings" in result.output
