"""The frame of a benchmark that generates a database and times measures on it.

``arguments`` gives the command line every such benchmark shares (``--url`` of an empty database, ``--only`` some
measures); ``run`` migrates the database, lets ``generate`` fill it, hands the measures what ``bench_of`` makes of
the session, rolls back after each measure, and prints one JSON object: the engine, the seeding time, the row
counts and every measure's figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlmodel import Session

from benchmarks.workshop import reset_sequences
from lantong_pwa.db import make_engine
from lantong_pwa.migrations import upgrade_to_head
from models.common import utc_now

B = TypeVar("B")


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="database URL of an EMPTY database (default: a temporary SQLite file)")
    parser.add_argument("--only", help="comma-separated names of the measures to run (default: all)")
    return parser


def run(args: argparse.Namespace, generate: Callable[[Session, datetime], dict],
        bench_of: Callable[[Session, datetime], B], measures: list[Callable[[B], dict]]) -> None:
    chosen = [m for m in measures if not args.only or m.__name__ in args.only.split(",")]
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    now = utc_now()
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        counts = generate(session, now)
        reset_sequences(session)
        session.execute(text("ANALYZE"))
        session.commit()
        result: dict = {"engine": engine.dialect.name, "seed_s": round(time.perf_counter() - started, 1),
                        "rows": counts}
        bench = bench_of(session, now)
        for measure in chosen:
            result.update(measure(bench))
            session.rollback()
    engine.dispose()
    print(json.dumps(result, ensure_ascii=False))
