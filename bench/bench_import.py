"""CSV import: throughput against reading the file with csv.reader and checking its emails, and peak memory.

Baseline: the same file read by `csv.reader` with each email checked by email-validator (no DNS), in a fresh
process of its own (so nothing the service installs, such as its cache of email-validator's domain checks,
speeds the baseline up).
Goal: the full encrypted import (`flask participants import`: detection, limits, every field normalized, blind
index, AES-GCM per field, one transaction) runs at >= 0.6x the baseline's rows/s. Both run REPEATS times,
alternating, and each side's best run counts, as timeit advises: slower runs measure the machine's other load.
The import runs in a child process (a fresh SQLite database, or BENCH_DATABASE_URL) that reports its own peak RSS,
at 20,000 and 200,000 rows: peak memory must not grow with the file.
The same rows as an Excel workbook (.xlsx, streamed by openpyxl in read-only mode into the same import) report
their rows/s and peak memory at both sizes too (no baseline: the figure to watch is that memory stays flat).
"""

from __future__ import annotations

import base64
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 3  # runs of the large import and of its baseline, alternating; each side's best counts
HEADER = ["Email", "First name", "Last name", "Phone", "Company", "Job title", "Country", "Segment"]
FIRST = ["Zofia", "Łucja", "Jan", "Grzegorz", "Anna", "Ścibor", "Marta", "Piotr"]
LAST = ["Żółkiewska", "Wąsowicz", "Kowalski", "Brzęczyszczykiewicz", "Nowak", "Źdźbło"]
COUNTRIES = ["Polska", "PL", "Germany", "DE", "Czechy", "UK"]


def participant(i: int) -> list[str]:
    return [
        f"participant.{i}@example{i % 97}.com",
        FIRST[i % 8],
        LAST[i % 6],
        f"+48 6{i % 100:02d} {i % 1000:03d} {(i * 7) % 1000:03d}",
        f"Company {i % 500}",
        "Engineer",
        COUNTRIES[i % 6],
        f"segment-{i % 7}",
    ]


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow(participant(i))


def write_workbook(path: Path, rows: int) -> None:
    """The same rows in an .xlsx workbook (openpyxl's write-only mode streams it out)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Participants")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(participant(i))
    book.save(path)


def baseline(path: Path) -> float:
    """Rows per second of csv.reader plus email-validator over the file."""
    from email_validator import validate_email

    started, rows = time.perf_counter(), 0
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        for row in reader:
            validate_email(row[0], check_deliverability=False)
            rows += 1
    return rows / (time.perf_counter() - started)


def in_child(*args: str) -> dict:
    """Run this file in a fresh process (`import PATH WORKDIR` or `baseline PATH`); it prints one JSON line."""
    result = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "child failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(scale: float, repeats: int = REPEATS) -> list[dict]:
    small, large = max(1000, int(20_000 * scale)), max(2000, int(200_000 * scale))
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        paths = {rows: Path(tmp) / f"participants-{rows}.csv" for rows in (small, large)}
        for rows, path in paths.items():
            write_file(path, rows)
        runs: dict[int, list[dict]] = {small: [_import(paths[small], Path(tmp))], large: []}
        bases = []
        for _ in range(repeats):  # alternating, so a slow spell of the machine weighs on both sides alike
            bases.append(in_child("baseline", str(paths[large]))["rows_per_s"])
            runs[large].append(_import(paths[large], Path(tmp)))
        books = {}
        for rows in (small, large):
            book = Path(tmp) / f"participants-{rows}.xlsx"
            write_workbook(book, rows)
            books[rows] = _import(book, Path(tmp))
    full, base = max(runs[large], key=lambda r: r["rows_per_s"]), max(bases)
    peak = {rows: max(r["maxrss_mb"] for r in results) for rows, results in runs.items()}
    return [
        {
            "name": f"full encrypted import, {large:,} rows x 8 columns (best of {repeats})",
            "value": full["rows_per_s"],
            "unit": "rows/s",
            "baseline": base,
            "ratio": full["rows_per_s"] / base,
            "target": ">= 0.6x",
        },
        *(
            {"name": f"peak memory of the import process, {rows:,} rows", "value": peak[rows], "unit": "MB"}
            for rows in (small, large)
        ),
        {
            "name": "peak memory growth, 10x the rows",
            "value": peak[large],
            "unit": "MB",
            "baseline": peak[small],
            "ratio": peak[large] / peak[small],
            "target": "<= 1.1x",
        },
        {
            "name": f"full encrypted import of an .xlsx workbook, {large:,} rows x 8 columns",
            "value": books[large]["rows_per_s"],
            "unit": "rows/s",
        },
        *(
            {
                "name": f"peak memory of the .xlsx import process, {rows:,} rows",
                "value": books[rows]["maxrss_mb"],
                "unit": "MB",
            }
            for rows in (small, large)
        ),
        {
            "name": "peak memory growth of the .xlsx import, 10x the rows",
            "value": books[large]["maxrss_mb"],
            "unit": "MB",
            "baseline": books[small]["maxrss_mb"],
            "ratio": books[large]["maxrss_mb"] / books[small]["maxrss_mb"],
            "target": "<= 1.1x",
        },
    ]


def _import(path: Path, tmp: Path) -> dict:
    """One timed import in a fresh child process and database (removed afterwards)."""
    with tempfile.TemporaryDirectory(dir=tmp) as workdir:
        return in_child("import", str(path), workdir)


def _child(path: Path, workdir: Path) -> None:
    """In the child: a migrated database, an organizer and a registry, then the timed import."""
    import flask_migrate
    import sqlalchemy as sa

    from app import create_app
    from bench import create_organizer
    from processor.config import sqlalchemy_url
    from processor.csv_import import staging, tasks
    from processor.registries import service as registries

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if os.environ.get("BENCH_DATABASE_URL"):  # empty it first: the app refuses data under another master key
        engine = sa.create_engine(sqlalchemy_url(url))
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    master = "1:" + base64.b64encode(secrets.token_bytes(32)).decode()
    app = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": secrets.token_hex(16),
            "DATABASE_URL": url,
            "MASTER_KEY": master,
            "IMPORT_MAX_ROWS": 10_000_000,
            "JOBS_IMMEDIATE": True,  # the import's job runs here, timed with the rest
        },
        instance_path=str(workdir / "instance"),
    )
    with app.app_context():
        flask_migrate.upgrade()
        account = create_organizer()
        registry = registries.create_registry(account.id, "Bench")
        started = time.perf_counter()
        # What `flask participants import FILE` does: stage the file (encrypted, detected, mapped), then its job's
        # one pass (judged and committed in one transaction), here inline instead of in a worker.
        job = tasks.launch_staged(staging.stage(registry, path), dry_run=False, report=False, problems=False)
        seconds = time.perf_counter() - started
        if job.status != "done":
            raise SystemExit(f"the import job ended {job.status}: {job.failure}")
        rows = job.result["created"] + job.result["error_count"] + job.result["skipped"]
        if job.result["created"] != rows:
            raise SystemExit(f"only {job.result['created']} of {rows} rows were created")
    print(json.dumps({"rows": rows, "rows_per_s": rows / seconds, "maxrss_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's ru_maxrss survives exec, so a child started by a big parent
    (`python -m bench` after the other benchmarks) would report the parent's size; VmHWM is the new image's own."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent.parent))
    if sys.argv[1] == "baseline":
        print(json.dumps({"rows_per_s": baseline(Path(sys.argv[2]))}))
    else:
        _child(Path(sys.argv[2]), Path(sys.argv[3]))
