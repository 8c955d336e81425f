"""Benchmarks: each goal is a ratio against a baseline measured in the same run."""


def create_organizer(login: str = "bench"):
    """Create the organizer that owns a benchmark's data (inside the app's context, its database migrated).

    Imports are deferred, as in each benchmark: they run in child processes whose configuration must be set before
    the app's modules load.
    """
    import secrets

    from processor.accounts import service as accounts

    return accounts.create_account(
        login=login,
        email=f"{login}@example.org",
        first_name="B",
        last_name="B",
        password=secrets.token_hex(16),
        title="Bench",
        plan="paid",
        country="PL",
    )
