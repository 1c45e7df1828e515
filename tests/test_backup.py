"""Backups that restore (``lantong_pwa/backup.py``; ``python -m lantong_pwa backup`` / ``restore``; the nightly
job), on each engine: a working day backed up while another thread keeps opening orders with photos, restored into
an empty place, row for row and photo for photo; a tampered backup and a place that is not empty are refused; the
nightly job keeps the last days and runs only on the holder of the scheduler's lease."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import inspect
from sqlalchemy import select as select_table
from sqlmodel import Session, SQLModel, select

from benchmarks.lighthouse import stage_workshop_day
from lantong_pwa import backup
from lantong_pwa.__main__ import main
from lantong_pwa.db import get_engine, unit_of_work
from lantong_pwa.migrations import upgrade_to_head
from lantong_pwa.scheduler import JobRunner
from lantong_pwa.services.platform import demo
from lantong_pwa.services.workshop import photos, work_orders
from lantong_pwa.services.workshop.work_orders import JobLineInput, OrderForm
from lantong_pwa.settings import get_settings
from models import User, Vehicle
from tests.conftest import ENGINES
from tests.test_cli import _forget_cached_engine_and_settings


@dataclass(frozen=True)
class Place:
    """Where an installation lives: its data directory and its database."""
    data_dir: Path
    url: str


@pytest.fixture
def places(tmp_path, database_factory, monkeypatch):
    """``make(kind, name, migrated=...)`` a place; ``use(place)`` points the settings and the app's engine at it."""

    def make(kind: str, name: str, *, migrated: bool) -> Place:
        data_dir = tmp_path / name
        if kind == "postgresql":
            return Place(data_dir, database_factory(kind, migrated=migrated))
        url = f"sqlite:///{data_dir / 'lantong.db'}"
        if migrated:
            data_dir.mkdir()
            upgrade_to_head(url)
        return Place(data_dir, url)

    def use(place: Place) -> None:
        monkeypatch.setenv("LANTONG_DATA_DIR", str(place.data_dir))
        monkeypatch.setenv("LANTONG_DATABASE_URL", place.url)
        _forget_cached_engine_and_settings()

    yield make, use
    monkeypatch.undo()
    _forget_cached_engine_and_settings()


def jpeg(n: int, size=(96, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (n * 37 % 256, n * 91 % 256, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


def advisor_of(session: Session) -> User:
    return session.exec(select(User).where(User.username == "advisor")).one()


def working_day() -> None:
    """The demo shop after a morning's work (orders open, one settled and paid), with walk-around photos."""
    with unit_of_work() as session:
        demo.seed_demo(session)
    with Session(get_engine()) as session:
        stage_workshop_day(session)
    with unit_of_work() as session:
        advisor = advisor_of(session)
        for n, vehicle in enumerate(session.exec(select(Vehicle)).all()):
            photos.add_photo(session, advisor, vehicle_id=vehicle.id, data=jpeg(n, (640, 480)), note=f"划痕{n}")


class OrderWriter(threading.Thread):
    """Opens one order with a photo per unit of work, as the intake screen does, until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.committed: list[int] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.progress = threading.Condition()

    def run(self) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                with unit_of_work() as session:
                    advisor = advisor_of(session)
                    vehicles = session.exec(select(Vehicle).order_by(Vehicle.id)).all()
                    vehicle = vehicles[n % len(vehicles)]
                    order = work_orders.open_work_order(session, advisor, OrderForm(
                        vehicle_id=vehicle.id, mileage_in=str(vehicle.mileage + 7), fuel_level=2,
                        complaint=f"备份时写入的工单{n}", job_lines=[JobLineInput(name="检查", hours="0.5", rate="120")]))
                    photos.add_photo(session, advisor, vehicle_id=vehicle.id, work_order_id=order.id, data=jpeg(n))
                    order_id = order.id
                with self.progress:
                    self.committed.append(order_id)
                    self.progress.notify_all()
                n += 1
        except BaseException as error:  # noqa: BLE001 - reported by wait_for
            with self.progress:
                self.errors.append(error)
                self.progress.notify_all()

    def wait_for(self, count: int) -> list[int]:
        """Wait until ``count`` orders are committed; return those committed so far."""
        with self.progress:
            assert self.progress.wait_for(lambda: len(self.committed) >= count or self.errors, timeout=120)
            assert self.errors == []
            return list(self.committed)


def contents(engine) -> dict[str, dict[tuple, tuple]]:
    """Every row of every table, by primary key."""
    with engine.connect() as connection:
        return {table.name: {tuple(row._mapping[c.name] for c in table.primary_key.columns): tuple(row)
                             for row in connection.execute(select_table(table))}
                for table in SQLModel.metadata.sorted_tables}


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize("kind", ENGINES)
def test_a_working_day_backed_up_while_orders_are_written_restores_row_for_row(kind, places, tmp_path, capsys):
    make, use = places
    source, target = make(kind, "shop", migrated=True), make(kind, "fresh-machine", migrated=False)
    use(source)
    working_day()
    source_photos, source_secret = get_settings().photo_dir, get_settings().secret_key
    before = contents(get_engine())

    writer = OrderWriter()
    writer.start()
    try:
        written_before = writer.wait_for(3)
        during: list[int] = []

        def meanwhile(step: str) -> None:
            if step.startswith("数据库"):  # the database is copied, the photos are next: two more orders land
                seen = len(writer.wait_for(0))
                during.extend(writer.wait_for(seen + 2)[seen:])

        folder = backup.make_backup(tmp_path / "backups", report=meanwhile)
        writer.wait_for(len(writer.committed) + 2)
    finally:
        writer.stop.set()
        writer.join()
    assert writer.errors == [], "no write failed while the backup ran (no 'database is locked')"
    after = contents(get_engine())
    assert list((tmp_path / "backups").iterdir()) == [folder] and folder.name.startswith("lantong-")
    manifest = json.loads((folder / "manifest.json").read_text())

    # owner-only: the folder and everything in it
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    for path in folder.rglob("*"):
        assert oct(path.stat().st_mode & 0o777) == ("0o700" if path.is_dir() else "0o600"), path

    use(target)
    assert main(["restore", str(folder)]) == 0
    assert "逐表核对一致" in capsys.readouterr().out
    assert main(["check"]) == 0
    assert "检查通过" in capsys.readouterr().out

    restored = contents(get_engine())
    with get_engine().connect() as connection:
        figures = backup.table_figures(connection)
    assert {t: {"rows": f.rows, "sha256": f.sha256} for t, f in figures.items()} == manifest["tables"]
    assert set(restored) <= set(manifest["tables"])
    for table, rows in restored.items():
        assert len(rows) == manifest["tables"][table]["rows"], table
        assert set(rows) <= set(after[table]), f"{table}: rows the shop never had"
        for key, row in before[table].items():
            if after[table].get(key) == row:  # not changed by the writer: the very same row
                assert rows.get(key) == row, f"{table} {key}"
    orders = {key[0] for key in restored["work_order"]}
    assert set(written_before) <= orders, "every order committed before the backup began is in it"
    assert len(during) >= 2 and not set(during) & orders, "orders committed after the database was copied are not"
    assert len(orders) == manifest["tables"]["work_order"]["rows"] > len(before["work_order"])

    restored_photos = get_settings().photo_dir
    assert restored_photos != source_photos
    names = [name for row in restored["photo"].values()
             for name in (row[photo_column("file_name")], row[photo_column("thumb_name")])]
    assert len(names) == 2 * len(restored["photo"]) > 2 * len(before["photo"])
    for name in names:
        assert (restored_photos / name).read_bytes() == (source_photos / name).read_bytes(), name
    assert files_of(restored_photos) == {name: data for name, data in files_of(source_photos).items()
                                         if f"photos/{name}" in manifest["files"]}
    assert get_settings().secret_key == source_secret


def photo_column(name: str) -> int:
    return [c.name for c in SQLModel.metadata.tables["photo"].columns].index(name)


@pytest.fixture
def small_backup(places, tmp_path):
    """The demo shop with one photo, backed up; returns the backup's folder and an empty SQLite place."""
    make, use = places
    use(make("sqlite", "shop", migrated=True))
    with unit_of_work() as session:
        demo.seed_demo(session)
        vehicle = session.exec(select(Vehicle)).first()
        photos.add_photo(session, advisor_of(session), vehicle_id=vehicle.id, data=jpeg(1))
    made = backup.make_backup(tmp_path / "backups")
    return made, make("sqlite", "fresh-machine", migrated=False)


def nothing_restored(place: Place) -> None:
    engine = get_engine()
    with engine.connect() as connection:
        assert inspect(connection).get_table_names() == []
    assert not (place.data_dir / "secret.key").exists()
    assert not get_settings().photo_dir.exists()


def test_a_tampered_backup_fails_verification_and_restores_nothing(small_backup, places, capsys):
    folder, target = small_backup
    photo = next(path for path in (folder / "photos").rglob("*.jpg"))
    data = bytearray(photo.read_bytes())
    data[len(data) // 2] ^= 0x01
    photo.write_bytes(bytes(data))
    (folder / "notes.txt").write_text("加进来的文件")
    _, use = places
    use(target)
    assert main(["restore", str(folder)]) == 2
    error = capsys.readouterr().err
    assert "备份校验失败" in error
    assert f"文件已被改动 {photo.relative_to(folder).as_posix()}" in error and "多出文件 notes.txt" in error
    nothing_restored(target)

    (folder / "database.sqlite3").unlink()
    assert main(["restore", str(folder)]) == 2
    assert "缺少文件 database.sqlite3" in capsys.readouterr().err
    (folder / "manifest.json").unlink()
    assert main(["restore", str(folder)]) == 2
    assert "不是完整的备份：没有 manifest.json" in capsys.readouterr().err
    nothing_restored(target)


@pytest.mark.parametrize("kind", ENGINES)
def test_restore_refuses_a_place_that_is_not_empty(kind, places, tmp_path, capsys):
    make, use = places
    shop = make(kind, "shop", migrated=True)
    use(shop)
    with unit_of_work() as session:
        demo.seed_demo(session)
    assert main(["backup", "--to", str(tmp_path / "backups")]) == 0
    folder, = (tmp_path / "backups").iterdir()
    assert f"备份完成：{folder}" in capsys.readouterr().out
    before = contents(get_engine())

    assert main(["restore", str(folder)]) == 2
    error = capsys.readouterr().err
    assert "只能恢复到空的数据目录和空数据库，不会覆盖现有数据" in error
    assert "数据库已有" in error and "密钥文件已存在" in error
    assert contents(get_engine()) == before

    migrated_only = make(kind, "migrated-only", migrated=True)  # a schema and no rows is not empty either
    use(migrated_only)
    assert main(["restore", str(folder)]) == 2
    error = capsys.readouterr().err
    assert "数据库已有" in error and "密钥文件" not in error


@pytest.mark.parametrize("kind", ENGINES)
def test_a_restore_that_fails_part_way_takes_back_what_it_put_in(kind, places, tmp_path, monkeypatch, capsys):
    make, use = places
    use(make(kind, "shop", migrated=True))
    with unit_of_work() as session:
        demo.seed_demo(session)
        vehicle = session.exec(select(Vehicle)).first()
        for n in range(3):
            photos.add_photo(session, advisor_of(session), vehicle_id=vehicle.id, data=jpeg(n))
    folder = backup.make_backup(tmp_path / "backups")
    target = make(kind, "fresh-machine", migrated=False)
    use(target)

    # The tables read back one row short: the database restore is taken back.
    real_figures = backup.table_figures

    def one_row_short(connection):
        figures = real_figures(connection)
        figures["vehicle"] = dataclasses.replace(figures["vehicle"], rows=figures["vehicle"].rows - 1)
        return figures

    monkeypatch.setattr(backup, "table_figures", one_row_short)
    assert main(["restore", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "恢复后核对不符：vehicle" in captured.err and "已撤销" in captured.out
    nothing_restored(target)
    monkeypatch.setattr(backup, "table_figures", real_figures)

    # The disk fills up at the second photo: the database and the first photo are taken back.
    real_copy, copies = backup._copy_private, []

    def disk_full_at_the_second_photo(source, destination):
        copies.append(destination)
        if len(copies) == 2:
            raise OSError("磁盘已满")
        return real_copy(source, destination)

    monkeypatch.setattr(backup, "_copy_private", disk_full_at_the_second_photo)
    with pytest.raises(OSError, match="磁盘已满"):
        backup.restore(folder)
    nothing_restored(target)
    monkeypatch.setattr(backup, "_copy_private", real_copy)

    # The place is empty again, so the next try restores it whole.
    assert main(["restore", str(folder)]) == 0
    with Session(get_engine()) as session:
        assert len(session.exec(select(Vehicle)).all()) > 0
    assert files_of(get_settings().photo_dir) == files_of(folder / "photos")
    assert len(files_of(folder / "photos")) >= 3


def test_a_backup_that_fails_halfway_leaves_nothing_behind(places, tmp_path):
    make, use = places
    use(make("sqlite", "shop", migrated=True))

    def fail_after_the_database(line: str) -> None:
        if line.startswith("数据库"):
            raise OSError("磁盘已满")

    with pytest.raises(OSError, match="磁盘已满"):
        backup.make_backup(tmp_path / "backups", report=fail_after_the_database)
    assert list((tmp_path / "backups").iterdir()) == []


# --- the nightly job --------------------------------------------------------------------------------------------


def test_the_nightly_job_keeps_the_last_days_and_runs_only_on_the_lease_holder(app_engine, tmp_path, monkeypatch):
    nightly = tmp_path / "nightly"
    monkeypatch.setenv("LANTONG_BACKUP_DIR", str(nightly))
    monkeypatch.setenv("LANTONG_BACKUP_KEEP_DAYS", "3")
    (nightly / "keep-me").mkdir(parents=True)
    (nightly / "notes.txt").write_text("店长的笔记")
    (nightly / ".lantong-20261120-023000.partial-0badc0de").mkdir()  # a run that died
    clock = {}
    holder = JobRunner("worker-a", clock=lambda: clock["now"])
    other = JobRunner("worker-b", clock=lambda: clock["now"])

    for day in range(25, 30):  # 02:30 in the shop on 26–30 November
        clock["now"] = datetime(2026, 11, day, 18, 30, tzinfo=UTC)
        made, _removed = holder.backup()
        assert (made / "manifest.json").is_file()
        listing = sorted(path.name for path in nightly.iterdir())
        assert other.backup() is None, "another worker holds the lease: no backup, nothing removed"
        assert sorted(path.name for path in nightly.iterdir()) == listing

    assert sorted(path.name for path in nightly.iterdir()) == [
        "keep-me", "lantong-20261128-023000", "lantong-20261129-023000", "lantong-20261130-023000", "notes.txt"]


def test_backup_settings(monkeypatch, data_dir):
    monkeypatch.delenv("LANTONG_BACKUP_DIR", raising=False)
    monkeypatch.delenv("LANTONG_BACKUP_KEEP_DAYS", raising=False)
    assert backup.backup_dir() == get_settings().data_dir / "backups"
    assert backup.keep_days() == 14
    monkeypatch.setenv("LANTONG_BACKUP_KEEP_DAYS", "两周")
    with pytest.raises(backup.BackupError, match="LANTONG_BACKUP_KEEP_DAYS 应为不小于0的整数"):
        backup.keep_days()


def test_nightly_backups_keep_each_photo_once_on_disk_and_each_restores_on_its_own(places, tmp_path):
    """A photo already in the newest backup is hard-linked into the next one, not copied again; a backup stays whole
    when the older one is removed, and restores into files of their own."""
    make, use = places
    use(make("sqlite", "shop", migrated=True))
    photo_dir = get_settings().photo_dir
    photo_dir.mkdir(parents=True)
    (photo_dir / "walkaround.jpg").write_bytes(jpeg(1))
    first = backup.make_backup(tmp_path / "nightly", now=datetime(2026, 11, 29, 18, 30, tzinfo=UTC))
    (photo_dir / "brake-pads.jpg").write_bytes(jpeg(2))

    second = backup.make_backup(tmp_path / "nightly", now=datetime(2026, 11, 30, 18, 30, tzinfo=UTC))

    kept, again = (first / "photos" / "walkaround.jpg").stat(), (second / "photos" / "walkaround.jpg").stat()
    assert (kept.st_ino, kept.st_nlink) == (again.st_ino, 2), "the unchanged photo is on disk once"
    assert (second / "photos" / "brake-pads.jpg").stat().st_nlink == 1
    shutil.rmtree(first)  # as pruning does
    assert set(backup.read_manifest(second)["files"]) >= {"photos/walkaround.jpg", "photos/brake-pads.jpg"}

    target = make("sqlite", "restored", migrated=False)
    use(target)
    assert main(["restore", str(second)]) == 0
    restored = get_settings().photo_dir / "walkaround.jpg"
    assert restored.read_bytes() == jpeg(1) and restored.stat().st_nlink == 1
