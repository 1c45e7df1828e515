"""Backups that restore: ``python -m lantong_pwa backup [--to DIR]`` / ``restore DIR`` and the nightly job.

An adapter beside the scheduler and the command line, not a service: it copies files, runs ``pg_dump`` and
``pg_restore`` and opens its own database connections, where a service takes a ``Session`` and only flushes. The
command and the scheduled job are thin boundaries over ``make_backup``, ``restore`` and ``prune``.

A backup is one folder, ``lantong-<Asia/Shanghai date>-<time>``, holding
- the database: SQLite through its online backup API (``sqlite3.Connection.backup``, one step, so the copy is one
  consistent moment while the app keeps writing), or PostgreSQL through ``pg_dump`` in custom format;
- ``photos/``: the photo directory (``get_settings().photo_dir``), copied after the database, so every photo the
  copied database names is already on disk;
- ``secret.key``: the installation's key (sign-in sessions, links);
- ``manifest.json``: per table its rows and a sha256 of its contents, and the sha256 of every file.
The table figures are read from the very copy that was saved: the SQLite copy itself, or, on PostgreSQL, the
snapshot ``pg_dump`` dumps (exported by a repeatable-read transaction that stays open while it runs).

It is written into a hidden temporary folder beside its final place and renamed once complete, so a half-written
backup is never taken for a good one; the folder is owner-only (0700) and its files owner-readable only (0600).

``restore`` checks every file against the manifest first, then fills an empty place only (the database has no
tables, the photo directory no files, there is no secret key), and reads the restored tables back against the
manifest's rows and contents.

Settings: ``LANTONG_BACKUP_DIR`` (default ``<data dir>/backups``) and ``LANTONG_BACKUP_KEEP_DAYS`` (default 14;
``0`` runs no nightly backup).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, Connection, Engine

from lantong_pwa import db
from lantong_pwa.settings import SECRET_FILE_NAME, get_settings
from lantong_pwa.timezone import SHOP_TZ, local_day
from models.common import utc_now

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
PHOTOS = "photos"
NAME = re.compile(r"^\.?lantong-(\d{8})-(\d{6})(?:-\d+)?(?:\.partial-[0-9a-f]+)?$")
DEFAULT_KEEP_DAYS = 14
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; ``message`` says why, in Chinese, for the command line."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TableFigures:
    rows: int
    sha256: str


# --- settings ---------------------------------------------------------------------------------------------------


def backup_dir() -> Path:
    """Where backups go: ``LANTONG_BACKUP_DIR``, or ``backups`` in the data directory."""
    configured = os.environ.get("LANTONG_BACKUP_DIR", "").strip()
    return Path(configured).resolve() if configured else get_settings().data_dir / "backups"


def keep_days() -> int:
    """``LANTONG_BACKUP_KEEP_DAYS``: nightly backups of this many shop days are kept; 0 takes none."""
    text = os.environ.get("LANTONG_BACKUP_KEEP_DAYS", "").strip() or str(DEFAULT_KEEP_DAYS)
    if not text.isdigit():
        raise BackupError(f"LANTONG_BACKUP_KEEP_DAYS 应为不小于0的整数：{text}")
    return int(text)


# --- reading a database's tables --------------------------------------------------------------------------------


def _canonical(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_figures(connection: Connection) -> dict[str, TableFigures]:
    """Every table of the connection's schema (``alembic_version`` included): its row count and a sha256 of its
    rows, independent of their order. Read in the connection's transaction, so one snapshot when that is one."""
    quote = connection.dialect.identifier_preparer.quote
    figures = {}
    for table in sorted(inspect(connection).get_table_names()):
        result = connection.execution_options(stream_results=True).exec_driver_sql(f"SELECT * FROM {quote(table)}")
        digests = sorted(
            hashlib.sha256(json.dumps([_canonical(v) for v in row], default=str, sort_keys=True,
                                      ensure_ascii=False).encode()).digest()
            for row in result)
        figures[table] = TableFigures(rows=len(digests), sha256=hashlib.sha256(b"".join(digests)).hexdigest())
    return figures


# --- files ------------------------------------------------------------------------------------------------------


def _private_dirs(folder: Path) -> None:
    """``mkdir -p`` where every folder made is owner-only (``parents=True`` gives the parents the umask's mode)."""
    if not folder.is_dir():
        _private_dirs(folder.parent)
        folder.mkdir(mode=0o700, exist_ok=True)


def _private_file(path: Path):
    _private_dirs(path.parent)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _copy_private(source: Path, target: Path) -> str:
    """Copy ``source`` to a new owner-only ``target``; return the sha256 of what was written."""
    digest = hashlib.sha256()
    with source.open("rb") as reading, _private_file(target) as writing:
        while chunk := reading.read(CHUNK):
            digest.update(chunk)
            writing.write(chunk)
        writing.flush()
        os.fsync(writing.fileno())
    return digest.hexdigest()


def _link_or_copy(source: Path, target: Path, earlier: tuple[Path, dict[str, str]] | None, relative: str) -> str:
    """Put ``source`` at ``target`` as ``_copy_private`` does; when the earlier backup holds the same file (same
    name and hash: photos are never changed, only added), hard-link that copy instead of writing another, so a
    fortnight of nightly backups keeps each photo once on disk. Returns the sha256."""
    if earlier is not None and (known := earlier[1].get(relative)) is not None:
        digest = file_sha256(source)
        if digest == known:
            _private_dirs(target.parent)
            try:
                os.link(earlier[0] / relative, target)
                return digest
            except OSError:  # another file system, or a copy removed since: write one
                pass
    return _copy_private(source, target)


def _newest_backup(parent: Path) -> tuple[Path, dict[str, str]] | None:
    """The newest finished backup in ``parent`` and its files' hashes (as its manifest lists them), or None."""
    for folder in sorted((path for path in parent.iterdir() if not path.name.startswith(".")
                          and backup_day(path.name) is not None and path.is_dir()), reverse=True):
        try:
            return folder, json.loads((folder / MANIFEST).read_text())["files"]
        except (OSError, ValueError, KeyError):
            continue
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reading:
        while chunk := reading.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files_under(folder: Path) -> Iterable[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []


# --- the database, per engine -----------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(url.database).resolve()


def _sqlite_figures(path: Path) -> dict[str, TableFigures]:
    reader = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with reader.connect() as connection:
            return table_figures(connection)
    finally:
        reader.dispose()


def _backup_sqlite(url: URL, folder: Path) -> dict[str, TableFigures]:
    """One-step online backup (the source's writers go on; the copy is one moment), then the copy is switched
    from WAL to a rollback journal, so it is one self-contained file."""
    path = _sqlite_path(url)
    if not path.is_file():
        raise BackupError(f"数据库文件不存在：{path}")
    target = folder / SQLITE_FILE
    _private_file(target).close()
    source = sqlite3.connect(path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    return _sqlite_figures(target)


def _restore_sqlite(url: URL, folder: Path) -> None:
    target = _sqlite_path(url)
    _private_dirs(target.parent)
    if not target.exists():
        _private_file(target).close()
    source = sqlite3.connect(f"file:{folder / SQLITE_FILE}?mode=ro", uri=True)
    restored = sqlite3.connect(target, timeout=30)
    try:
        source.backup(restored)
    finally:
        restored.close()
        source.close()
    target.chmod(0o600)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for ``pg_dump``/``pg_restore`` and its environment (the password goes in
    ``PGPASSWORD``, never on a command line others can read)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _client_major(program: str) -> int:
    if shutil.which(program) is None:
        raise BackupError(f"找不到 {program}：请安装与数据库服务器同一大版本的 PostgreSQL 客户端（如 postgresql-client-15）")
    output = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\)\s*(\d+)", output) or re.search(r"(\d+)", output)
    return int(found.group(1))


def _server_major(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def _run(command: list[str], env: dict[str, str], **kwargs) -> None:
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.decode(errors='replace').strip()[-2000:]}")


def _backup_postgres(engine: Engine, folder: Path) -> tuple[dict[str, TableFigures], dict[str, int]]:
    """``pg_dump`` of the snapshot a repeatable-read transaction exports; the tables are read in that same
    transaction, so the manifest describes exactly what was dumped."""
    dump_major = _client_major("pg_dump")
    dsn, env = _libpq(engine.url)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        server_major = _server_major(connection)
        if dump_major < server_major:
            raise BackupError(f"pg_dump 版本（{dump_major}）低于数据库服务器（{server_major}）：请安装 "
                              f"postgresql-client-{server_major}")
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        with _private_file(folder / POSTGRES_FILE) as dump:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--dbname={dsn}"], env, stdout=dump)
            os.fsync(dump.fileno())
        figures = table_figures(connection)
    return figures, {"pg_dump": dump_major, "server": server_major}


def _restore_postgres(engine: Engine, folder: Path, versions: dict[str, int]) -> None:
    restore_major = _client_major("pg_restore")
    if restore_major < versions.get("pg_dump", 0):
        raise BackupError(f"pg_restore 版本（{restore_major}）低于备份所用的 pg_dump（{versions['pg_dump']}）："
                          f"请安装 postgresql-client-{versions['pg_dump']}")
    dsn, env = _libpq(engine.url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          f"--dbname={dsn}", str(folder / POSTGRES_FILE)], env, stdout=subprocess.DEVNULL)


# --- backup -----------------------------------------------------------------------------------------------------


def _free_name(parent: Path, now: datetime) -> str:
    name = f"lantong-{now.astimezone(SHOP_TZ):%Y%m%d-%H%M%S}"
    taken = {path.name for path in parent.iterdir()}
    suffix = 1
    while (name if suffix == 1 else f"{name}-{suffix}") in taken:
        suffix += 1
    return name if suffix == 1 else f"{name}-{suffix}"


def make_backup(parent: Path | None = None, *, now: datetime | None = None,
                report: Callable[[str], None] = lambda _line: None) -> Path:
    """Back up the running installation into a new folder under ``parent`` (default ``backup_dir()``), named by
    the shop's date and time; return that folder. ``report`` is told each step (the command line prints them)."""
    settings = get_settings()
    engine = db.get_engine()
    now = now or utc_now()
    parent = (parent or backup_dir()).resolve()
    _private_dirs(parent)
    name = _free_name(parent, now)
    work = parent / f".{name}.partial-{secrets.token_hex(4)}"
    work.mkdir(mode=0o700)
    try:
        manifest: dict = {"format": FORMAT, "created_at": now.astimezone(UTC).isoformat(),
                          "engine": engine.dialect.name}
        if engine.dialect.name == "sqlite":
            figures = _backup_sqlite(engine.url, work)
            manifest["database"] = SQLITE_FILE
        elif engine.dialect.name == "postgresql":
            figures, manifest["postgresql"] = _backup_postgres(engine, work)
            manifest["database"] = POSTGRES_FILE
        else:
            raise BackupError(f"不支持备份 {engine.dialect.name} 数据库")
        manifest["tables"] = {table: {"rows": f.rows, "sha256": f.sha256} for table, f in figures.items()}
        report(f"数据库：{len(figures)}张表，{sum(f.rows for f in figures.values())}行")
        files = {manifest["database"]: file_sha256(work / manifest["database"])}
        photo_dir = settings.photo_dir
        photos, earlier = 0, _newest_backup(parent)
        for path in _files_under(photo_dir):
            relative = f"{PHOTOS}/{path.relative_to(photo_dir).as_posix()}"
            try:
                files[relative] = _link_or_copy(path, work / relative, earlier, relative)
            except FileNotFoundError:  # removed since the listing (a duplicate upload's files): never in the copy
                continue
            photos += 1
        report(f"照片：{photos}个文件")
        with _private_file(work / SECRET_FILE_NAME) as secret:
            secret.write(settings.secret_key.hex().encode())
        files[SECRET_FILE_NAME] = file_sha256(work / SECRET_FILE_NAME)
        manifest["files"] = files
        with _private_file(work / MANIFEST) as written:
            written.write(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode())
            written.flush()
            os.fsync(written.fileno())
        final = parent / name
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _fsync_dir(parent)
    return final


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- restore ----------------------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    """The backup's manifest once every file it lists is there with its hash, and nothing else is; otherwise a
    ``BackupError`` naming what differs."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} 不是完整的备份：没有 {MANIFEST}")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{MANIFEST} 已损坏，无法读取") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    listed: dict[str, str] = manifest["files"]
    present = {path.relative_to(folder).as_posix() for path in _files_under(folder)} - {MANIFEST}
    problems = [f"缺少文件 {name}" for name in sorted(set(listed) - present)]
    problems += [f"多出文件 {name}" for name in sorted(present - set(listed))]
    problems += [f"文件已被改动 {name}" for name in sorted(set(listed) & present)
                 if file_sha256(folder / name) != listed[name]]
    if problems:
        raise BackupError("备份校验失败：" + "；".join(problems[:10]) + ("……" if len(problems) > 10 else ""))
    return manifest


def _occupied(engine: Engine) -> list[str]:
    """What already lives where a restore would write."""
    settings = get_settings()
    found = []
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        found.append(f"数据库已有{len(tables)}张表（{engine.url.render_as_string(hide_password=True)}）")
    if photos := len(list(_files_under(settings.photo_dir))):
        found.append(f"照片目录已有{photos}个文件（{settings.photo_dir}）")
    if (secret := settings.data_dir / SECRET_FILE_NAME).exists():
        found.append(f"密钥文件已存在（{secret}）")
    return found


def _empty_again(engine: Engine, photo_dir_existed: bool, placed: list[Path]) -> None:
    """Take back what a restore that failed part way had put in place. The database had no tables and the photo
    directory and key did not exist or were empty (``_occupied``), so everything there now came from the restore."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        database = _sqlite_path(engine.url)
        for leftover in (database, database.with_name(database.name + "-wal"),
                         database.with_name(database.name + "-shm")):
            leftover.unlink(missing_ok=True)
    else:
        with engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.quote
            if tables := inspect(connection).get_table_names():
                connection.exec_driver_sql("DROP TABLE " + ", ".join(map(quote, tables)) + " CASCADE")
            for name in inspect(connection).get_sequence_names():
                connection.exec_driver_sql(f"DROP SEQUENCE {quote(name)}")
    for path in placed:
        path.unlink(missing_ok=True)
    if not photo_dir_existed:
        shutil.rmtree(get_settings().photo_dir, ignore_errors=True)


def restore(folder: Path, *, report: Callable[[str], None] = lambda _line: None) -> dict:
    """Put the backup in ``folder`` back into the configured, empty database and data directory, then read the
    restored tables back against the manifest; return the manifest. Refuses (``BackupError``) a backup that fails
    its hashes, one from the other engine, or a place that is not empty. All or nothing: a restore that fails part
    way (the tables don't read back as the manifest says, a photo can't be written) takes back what it put in, so
    the place is empty again for the next try."""
    folder = folder.resolve()
    manifest = read_manifest(folder)
    report(f"备份校验通过：{len(manifest['files'])}个文件")
    settings = get_settings()
    engine = db.get_engine()
    if manifest["engine"] != engine.dialect.name:
        raise BackupError(f"备份来自 {manifest['engine']} 数据库，当前配置的是 {engine.dialect.name}：请把 "
                          "LANTONG_DATABASE_URL 指向同类的空数据库")
    if occupied := _occupied(engine):
        raise BackupError("只能恢复到空的数据目录和空数据库，不会覆盖现有数据：" + "；".join(occupied))
    photo_dir_existed = settings.photo_dir.exists()
    placed: list[Path] = []
    try:
        _put_back(engine, folder, manifest, placed, report)
    except BaseException:
        _empty_again(engine, photo_dir_existed, placed)
        report("恢复未完成，已撤销：数据库和数据目录仍为空")
        raise
    return manifest


def _put_back(engine: Engine, folder: Path, manifest: dict, placed: list[Path],
              report: Callable[[str], None]) -> None:
    """The restore itself; each file it writes goes into ``placed`` before it is written."""
    settings = get_settings()
    if engine.dialect.name == "sqlite":
        engine.dispose()  # no pooled connection may hold the empty file while it is replaced
        _restore_sqlite(engine.url, folder)
    else:
        _restore_postgres(engine, folder, manifest.get("postgresql", {}))
    with engine.connect() as connection:
        restored = table_figures(connection)
    expected = {table: TableFigures(**figures) for table, figures in manifest["tables"].items()}
    if restored != expected:
        wrong = sorted(set(restored) ^ set(expected)
                       | {t for t in set(restored) & set(expected) if restored[t] != expected[t]})
        raise BackupError("恢复后核对不符：" + "；".join(
            f"{t}：备份{expected[t].rows if t in expected else '无此表'}行，恢复后"
            f"{restored[t].rows if t in restored else '无此表'}行" for t in wrong))
    report(f"数据库已恢复：{len(restored)}张表，{sum(f.rows for f in restored.values())}行，逐表核对一致")
    photos = [name for name in manifest["files"] if name.startswith(f"{PHOTOS}/")]
    for name in photos:
        placed.append(settings.photo_dir / name.removeprefix(f"{PHOTOS}/"))
        _copy_private(folder / name, placed[-1])
    report(f"照片已恢复：{len(photos)}个文件")
    placed.append(settings.data_dir / SECRET_FILE_NAME)
    _copy_private(folder / SECRET_FILE_NAME, placed[-1])


# --- keeping the last days --------------------------------------------------------------------------------------


def backup_day(name: str) -> date | None:
    """The shop day a backup folder (or a left-over temporary one) was started, from its name; None for others."""
    found = NAME.match(name)
    return datetime.strptime(found.group(1), "%Y%m%d").date() if found else None


def prune(parent: Path, days: int, today: date) -> list[Path]:
    """Remove the backups (and left-over temporary folders) in ``parent`` started before the last ``days`` shop
    days, ``today`` included; other files and folders are never touched. Returns what was removed."""
    oldest_kept = today - timedelta(days=days - 1)
    removed = []
    for path in sorted(parent.iterdir()) if parent.is_dir() else []:
        day = backup_day(path.name)
        if path.is_dir() and not path.is_symlink() and day is not None and day < oldest_kept:
            shutil.rmtree(path)
            removed.append(path)
    return removed


def nightly(now: datetime) -> tuple[Path, list[Path]]:
    """The scheduled job's work: a backup into ``backup_dir()``, then the folders beyond the kept days go."""
    made = make_backup(now=now)
    return made, prune(made.parent, keep_days(), local_day(now))
