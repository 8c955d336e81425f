"""The access-log page: names instead of ids, plain words, filters, keyset pages and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from processor.accounts.service import get_by_login
from processor.audit import record_access
from processor.audit import service as audit_service
from processor.audit.models import AccessLogEntry
from processor.clients import service as clients
from processor.extensions import db
from processor.registries import service as registries
from processor.registries.models import Registry
from tests.processor.audit.test_checkpoints import _cut_back_to

DAY = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
# (actor_type, actor, channel, purpose, reason, allowed, day offset): one entry of each kind and actor.
ENTRIES = [
    ("account", "ada", "web", "essential.service", "participant list", True, 0),
    ("client", "crm-sync", "api", "essential.service.notifications.email", "queued 3 invitation messages", True, 1),
    ("staff", "sam", "support", "essential.service.operations.support", "ticket SUP-1: caller asked", True, 2),
    ("staff", "system:import", "cli", "essential.service", "import: 4 created, 0 updated", True, 3),
    ("account", "ada", "web", "essential.service", "participant deleted", True, 4),
    ("client", "mailer", "api", "marketing.communications.email", "no-marketing: never", False, 5),
    ("account", "ada", "web", "essential.service", "export: organizer download", True, 6),
    ("staff", "retention", "cli", "essential.legal_obligation", "account erased: 0 reasons reduced", True, 7),
    ("account", "ada", "web", "essential.service", "participant edited", True, 8),
    ("staff", "system:key-rotation", "cli", "essential.service.security", "key rotation: version 2", True, 9),
]


@pytest.fixture
def log(app_ctx, client, auth, monkeypatch):
    """Ada signed in, two registries (one deleted since), her API client, our service, and ENTRIES on ten days."""
    auth.signup("ada")
    ada = get_by_login("ada")
    spring = registries.create_registry(ada.id, "Spring webinar")
    gone = registries.create_registry(ada.id, "Old list")
    crm, _ = clients.create_client(
        name="crm-sync", scopes="participants:read", purposes_granted="essential.service", country="PL",
        account_id=ada.id, created_by="ada",
    )  # fmt: skip
    mailer, _ = clients.create_client(
        name="mailer", scopes="participants:read", purposes_granted="essential.service", country="DE",
        created_by="ops",
    )  # fmt: skip
    for seq, (actor_type, actor, channel, purpose, reason, allowed, day) in enumerate(ENTRIES, start=1):
        monkeypatch.setattr(audit_service, "utcnow", lambda day=day: DAY + dt.timedelta(days=day))
        record_access(
            account_id=ada.id,
            actor_type=actor_type,
            actor=actor,
            purpose=purpose,
            registry_id=(gone if seq == 2 else spring).id if seq % 2 == 0 else None,
            fields=("email", "first_name"),
            records=seq,
            destination_country="DE" if actor_type == "client" else None,
            allowed=allowed,
            reason=reason,
            channel=channel,
        )
    db.session.commit()
    db.session.delete(db.session.get(Registry, gone.id))
    db.session.commit()
    return SimpleNamespace(account=ada, spring=spring, gone=gone, crm=crm, mailer=mailer)


def seqs(html: str) -> list[int]:
    """The entry numbers in the page's table, in order."""
    return [int(n) for n in re.findall(r'<tr class="kind-[a-z]+">\s*<td>(\d+)</td>', html)]


def test_registries_are_named_and_a_deleted_one_is_said_to_be(client, log):
    html = client.get("/access-log/").get_data(as_text=True)
    assert "Spring webinar" in html
    assert f"Deleted registry ({str(log.gone.id)[:8]}…)" in html
    assert str(log.spring.id) not in html.replace(f'value="{log.spring.id}"', "")


@pytest.mark.parametrize(
    "expected",
    [
        "You (ada)",
        "Your API client “crm-sync”",
        "Our service “mailer”",
        "sam (support staff)",
        "Import of your upload",
        "Scheduled erasure",
        "Scheduled key rotation",
    ],
)
def test_actors_are_named_in_plain_words(client, log, expected):
    assert expected in client.get("/access-log/").get_data(as_text=True)


def test_purposes_kinds_outcomes_and_times_are_in_plain_words(client, log):
    html = client.get("/access-log/").get_data(as_text=True)
    for words in ("Emails to participants you ask for", "Support on your request", "A legal obligation"):
        assert words in html
    for words in ("Deletion", "Import", "Export or return", "Messages sent", "Change", "Security upkeep"):
        assert f"<strong>{words}</strong>" in html
    assert "Refused" in html
    assert "Command line" in html and "Support tool" in html
    assert "2 Nov 2026, 12:00 UTC" in html
    assert "Germany" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, list(range(10, 0, -1))),
        ({"from": "2026-11-05", "to": "2026-11-07"}, [6, 5, 4]),
        ({"from": "2026-11-10"}, [10, 9]),
        ({"to": "2026-11-02"}, [1]),
        ({"actor": "you"}, [9, 7, 5, 1]),
        ({"actor": "staff"}, [3]),
        ({"actor": "system"}, [10, 8, 4]),
        ({"kind": "read"}, [3, 1]),
        ({"kind": "delete"}, [8, 5]),
        ({"kind": "refused"}, [6]),
        ({"kind": "import"}, [4]),
        ({"kind": "export"}, [7]),
        ({"kind": "write"}, [9]),
        ({"kind": "message"}, [2]),
        ({"kind": "maintenance"}, [10]),
        ({"actor": "you", "kind": "write", "from": "2026-11-10"}, [9]),
    ],
)
def test_each_filter_selects_its_entries(client, log, params, expected):
    response = client.get("/access-log/", query_string=params)
    assert response.status_code == 200
    assert seqs(response.get_data(as_text=True)) == expected


def test_actor_filter_by_client_id_and_registry_filter_by_id(client, log):
    for params, expected in [
        ({"actor": str(log.crm.id)}, [2]),
        ({"actor": str(log.mailer.id)}, [6]),
        ({"registry": str(log.spring.id)}, [10, 8, 6, 4]),
        ({"registry": str(log.gone.id)}, [2]),
    ]:
        html = client.get("/access-log/", query_string=params).get_data(as_text=True)
        assert seqs(html) == expected, params
    html = client.get("/access-log/", query_string={"registry": str(log.gone.id)}).get_data(as_text=True)
    assert re.search(r"<option value=\"[^\"]+\" selected>Deleted registry", html)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": "0001-01-01T00:00:00+14:00"}, "to"),
        ({"from": "2026-11-08", "to": "2026-11-01"}, "to"),
        ({"actor": "ada@example.com"}, "actor"),
        ({"actor": "00000000-0000-0000-0000-000000000000"}, "actor"),
        ({"registry": "not-a-registry"}, "registry"),
        ({"kind": "everything"}, "kind"),
        ({"before": "99999999999999999999999"}, "before"),
        ({"before": "0"}, "before"),
        ({"after": "-3"}, "after"),
        ({"before": "5", "after": "2"}, "after"),
        ({"size": "100000"}, "size"),
    ],
)
def test_a_bad_filter_is_a_readable_400_beside_its_field(client, log, params, parameter):
    response = client.get("/access-log/", query_string=params)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Some filters are not valid" in html
    assert f'id="error-{parameter}"' in html
    assert seqs(html) == []
    assert client.get("/access-log/export.csv", query_string=params).status_code == 400


def test_another_organizers_client_is_not_a_valid_actor(client, log, make_account):
    bob = make_account("bob")
    theirs, _ = clients.create_client(
        name="bobs-crm", scopes="participants:read", purposes_granted="essential.service", country="PL",
        account_id=bob.id, created_by="bob",
    )  # fmt: skip
    response = client.get("/access-log/", query_string={"actor": str(theirs.id)})
    assert response.status_code == 400
    assert "bobs-crm" not in response.get_data(as_text=True)


@pytest.mark.parametrize("params", [{}, {"kind": "read"}, {"actor": "you"}, {"from": "2026-11-03", "to": "2026-11-09"}])
def test_paging_forward_and_back_loses_and_repeats_nothing(client, log, params):
    expected = seqs(client.get("/access-log/", query_string=params).get_data(as_text=True))
    for _ in range(20):  # 30 entries in all, so pages of 25 split the log
        record_access(account_id=log.account.id, actor_type="account", actor="ada", purpose="essential.service")
    db.session.commit()
    everything = seqs(client.get("/access-log/", query_string={**params, "size": 200}).get_data(as_text=True))
    assert set(expected) <= set(everything)
    pages, url = [], f"/access-log/?{_qs({**params, 'size': 25})}"
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(seqs(html))
        url = _link(html, "next")
    assert [seq for page in pages for seq in page] == everything
    assert all(1 <= len(page) <= 25 for page in pages)
    back = []
    while url := _link(html, "prev"):
        html = client.get(url).get_data(as_text=True)
        back.append(seqs(html))
    assert back == list(reversed(pages[:-1]))


def _qs(params: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_page_links_keep_the_filters(client, log):
    for _ in range(30):
        record_access(account_id=log.account.id, actor_type="account", actor="ada", purpose="essential.service")
    db.session.commit()
    html = client.get("/access-log/", query_string={"actor": "you", "size": 25}).get_data(as_text=True)
    older = _link(html, "next")
    assert "actor=you" in older and "size=25" in older and "before=" in older
    assert "actor=you" in re.search(r'href="([^"]*export\.csv[^"]*)"', html).group(1)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export_says_what_it_is_and_holds_the_filtered_entries_by_name(client, log):
    response = client.get("/access-log/export.csv", query_string={"registry": str(log.spring.id)})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][0] == "About this file" and "not participant data" in rows[0][1]
    assert rows[1][0] == "Filter" and "Spring webinar" in rows[1][1]
    header, body = rows[3], rows[4:]
    assert header[:3] == ["entry", "time (UTC)", "who"]
    by = {name: i for i, name in enumerate(header)}
    assert [int(r[by["entry"]]) for r in body] == [4, 6, 8, 10]
    assert {r[by["registry"]] for r in body} == {"Spring webinar"}
    refused = next(r for r in body if r[by["entry"]] == "6")
    assert refused[by["who"]] == "Our service “mailer”"
    assert refused[by["outcome"]] == "Refused"
    assert refused[by["purpose"]] == "Promotional email"
    assert refused[by["purpose code"]] == "marketing.communications.email"
    assert refused[by["destination"]] == "Germany"


def test_csv_export_of_the_whole_log_neutralises_formulas(client, log):
    record_access(
        account_id=log.account.id, actor_type="client", actor="=HYPERLINK(\"http://x\")", purpose="essential",
        reason="+cmd|' /C calc'!A0",
    )  # fmt: skip
    db.session.commit()
    rows = _csv(client.get("/access-log/export.csv"))
    assert rows[1][1] == "none (the whole log)"
    body = rows[4:]
    assert [int(r[0]) for r in body] == list(range(1, 12))
    last = body[-1]
    assert '\'=HYPERLINK("http://x")' in last
    assert "'+cmd|' /C calc'!A0" in last
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_export_streams_a_log_longer_than_one_batch(client, log, monkeypatch):
    from processor.audit import query

    real = query.iter_entries
    monkeypatch.setattr(query, "iter_entries", lambda *a, **k: real(*a, **{**k, "batch": 3}))
    rows = _csv(client.get("/access-log/export.csv"))
    assert [int(r[0]) for r in rows[4:]] == list(range(1, 11))


def test_checkpoint_download_and_integrity_check_stay_on_the_page(client, log):
    html = client.get("/access-log/").get_data(as_text=True)
    assert "Download a signed checkpoint" in html
    assert "chain of entries is intact" in html
    response = client.post("/access-log/checkpoint")
    assert response.status_code == 200 and response.get_json()["seq"] == 10


def _check(client, data: bytes) -> str:
    response = client.post(
        "/access-log/checkpoint/verify",
        data={"checkpoint": (io.BytesIO(data), "checkpoint.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_kept_checkpoint_is_checked_on_the_page(client, log):
    kept = client.post("/access-log/checkpoint").get_data()
    record_access(account_id=log.account.id, actor_type="account", actor="ada", purpose="essential.service")
    db.session.commit()
    assert "still holds checkpoint #10, unchanged" in _check(client, kept)
    _cut_back_to(log.account, 8)
    html = _check(client, kept)
    assert "Checkpoint #10 is NOT borne out" in html and "cut back or deleted" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "not an access-log checkpoint"),
        (b"[1, 2]", "not an access-log checkpoint"),
        (b'{"seq": "x", "account_id": "y"}', "not an access-log checkpoint"),
        (b"\xff\xfe", "not an access-log checkpoint"),
        (b" " * 20_000 + b"{}", "not an access-log checkpoint"),
        (b"", "not an access-log checkpoint"),
    ],
)
def test_a_file_that_is_no_checkpoint_is_said_plainly(client, log, data, message):
    assert message in _check(client, data)


def test_another_accounts_checkpoint_is_not_checked(client, log, make_account):
    from processor.audit import checkpoints

    bob = make_account("bob")
    theirs = json.dumps(checkpoints.issue(bob.id)).encode()
    assert "belongs to another account" in _check(client, theirs)


def test_the_front_page_walks_the_chain_and_filtered_pages_point_to_it(client, log):
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(AccessLogEntry.__table__)
            .where(AccessLogEntry.account_id == log.account.id, AccessLogEntry.seq == 3)
            .values(reason="nothing to see")
        )
    front = client.get("/access-log/").get_data(as_text=True)
    assert "integrity check failed" in front and "#3" in front
    for params in ({"kind": "read"}, {"before": 5}):
        html = client.get("/access-log/", query_string=params).get_data(as_text=True)
        assert "chain of entries is intact" not in html
        assert "checked when you open" in html
