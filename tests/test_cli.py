"""The command line (``python -m lantong_pwa``) and the health check, against a throwaway SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

import models
from lantong_pwa import db as app_db
from lantong_pwa import settings as app_settings
from lantong_pwa.__main__ import main
from lantong_pwa.db import make_engine
from lantong_pwa.migrations import head_revision
from lantong_pwa.services.platform import auth, demo
from lantong_pwa.services.platform.health import health


def _forget_cached_engine_and_settings() -> None:
    if app_db.get_engine.cache_info().currsize:
        app_db.get_engine().dispose()
    app_db.get_engine.cache_clear()
    app_settings.get_settings.cache_clear()


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    """Point the CLI (settings and the app engine) at a fresh SQLite file; return its URL."""
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'cli.db'}"
    monkeypatch.setenv("LANTONG_DATA_DIR", str(data_dir))
    monkeypatch.setenv("LANTONG_DATABASE_URL", url)
    _forget_cached_engine_and_settings()
    yield url
    _forget_cached_engine_and_settings()
    monkeypatch.undo()
    app_settings.get_settings.cache_clear()


def count(url: str, model) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(model)).one()
    finally:
        engine.dispose()


def users_of(url: str) -> dict[str, models.User]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return {user.username: user for user in session.exec(select(models.User)).all()}
    finally:
        engine.dispose()


def health_of(url: str) -> dict:
    engine = make_engine(url)
    try:
        return health(engine)
    finally:
        engine.dispose()


def test_migrate_creates_the_data_dir_and_brings_the_schema_to_head(cli_db, tmp_path, capsys):
    assert not (tmp_path / "data").exists()
    assert main(["migrate"]) == 0
    assert "数据库已升级到最新版本" in capsys.readouterr().out
    assert (tmp_path / "data" / "cli.db").is_file()
    secret = tmp_path / "data" / "secret.key"
    assert secret.is_file() and oct(secret.stat().st_mode & 0o777) == "0o600"
    first_secret = secret.read_text()

    report = health_of(cli_db)
    assert report["status"] == "ok"
    assert report["database"] == "ok"
    assert report["schema_at_head"] is True
    assert report["schema_revision"] == report["schema_head"] == head_revision()

    # Running it again is harmless.
    assert main(["migrate"]) == 0
    assert health_of(cli_db)["status"] == "ok"
    assert secret.read_text() == first_secret  # the key is made once, never replaced


def test_seed_demo_loads_once(cli_db, capsys):
    assert main(["migrate"]) == 0
    capsys.readouterr()

    assert main(["seed-demo"]) == 0
    assert "已载入演示数据" in capsys.readouterr().out
    assert count(cli_db, models.User) == len(demo.DEMO_USERS)
    assert count(cli_db, models.Branch) == 1
    assert count(cli_db, models.Vehicle) == len(demo.DEMO_VEHICLES)
    assert count(cli_db, models.Part) == len(demo.DEMO_PARTS)
    assert count(cli_db, models.Supplier) == len(demo.DEMO_SUPPLIERS)
    assert count(cli_db, models.SupplierPart) == sum(len(offers) for offers in demo.DEMO_OFFERS.values())
    assert count(cli_db, models.PartBarcode) == len(demo.DEMO_PARTS)
    assert {u.username for u in users_of(cli_db).values()} == {name for name, _, _ in demo.DEMO_USERS}

    assert main(["seed-demo"]) == 0
    out = capsys.readouterr().out
    assert "数据库已有数据，未载入演示数据" in out
    assert "已载入演示数据" not in out
    assert count(cli_db, models.User) == len(demo.DEMO_USERS)
    assert count(cli_db, models.Branch) == 1
    assert count(cli_db, models.Vehicle) == len(demo.DEMO_VEHICLES)


def test_demo_users_can_sign_in(cli_db):
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    engine = make_engine(cli_db)
    try:
        with Session(engine) as session:
            assert auth.sign_in(session, "tech", demo.DEMO_PASSWORD)
    finally:
        engine.dispose()


@pytest.mark.parametrize("username", ["Bad Name!", "ab", "张三", "x" * 33])
def test_create_user_with_a_bad_username_fails_and_creates_nothing(cli_db, capsys, username):
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    capsys.readouterr()
    audited = count(cli_db, models.AuditEvent)  # the demo's settled order left its own

    code = main(["create-user", username, "--name", "坏用户", "--role", "technician", "--password", "gearbox-4711"])

    assert code == 2
    captured = capsys.readouterr()
    assert "错误：用户名为3–32位小写字母、数字、下划线或点" in captured.err
    assert "已创建用户" not in captured.out
    assert count(cli_db, models.User) == len(demo.DEMO_USERS)
    assert count(cli_db, models.AuditEvent) == audited


def test_create_user_with_a_taken_username_fails(cli_db, capsys):
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    capsys.readouterr()
    code = main(["create-user", "tech", "--name", "另一个张师傅", "--role", "technician", "--password", "gearbox-4711"])
    assert code == 2
    assert "该用户名已存在" in capsys.readouterr().err
    assert users_of(cli_db)["tech"].display_name == "张师傅"


def test_create_user_without_any_branch_fails(cli_db, capsys):
    assert main(["migrate"]) == 0
    capsys.readouterr()
    code = main(["create-user", "xiaoli", "--name", "小李", "--role", "advisor", "--password", "gearbox-4711"])
    assert code == 2
    assert "请选择所属门店" in capsys.readouterr().err
    assert count(cli_db, models.User) == 0


def test_create_user_creates_the_account_with_that_role(cli_db, capsys):
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    capsys.readouterr()

    code = main(["create-user", "Xiao.Li", "--name", " 小李 ", "--role", "parts_clerk", "--password", "gearbox-4711"])

    assert code == 0
    assert "已创建用户 xiao.li（配件管理员）" in capsys.readouterr().out
    accounts = users_of(cli_db)
    assert len(accounts) == len(demo.DEMO_USERS) + 1
    user = accounts["xiao.li"]
    assert models.Role(user.role) == models.Role.PARTS_CLERK
    assert user.display_name == "小李"
    assert user.branch_id == accounts["admin"].branch_id  # defaults to the first branch
    assert user.is_active

    engine = make_engine(cli_db)
    try:
        with Session(engine) as session:
            assert auth.sign_in(session, "xiao.li", "gearbox-4711")
            events = session.exec(select(models.AuditEvent).where(models.AuditEvent.action == "user.create")).all()
            assert [(e.entity_id, e.user_id) for e in events] == [(user.id, None)]
    finally:
        engine.dispose()


def test_create_user_rejects_an_unknown_role(cli_db, capsys):
    assert main(["migrate"]) == 0
    with pytest.raises(SystemExit) as exited:
        main(["create-user", "xiaoli", "--name", "小李", "--role", "boss", "--password", "gearbox-4711"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert count(cli_db, models.User) == 0


def test_create_branch_sets_up_a_branch_a_user_can_then_be_created_into(cli_db, capsys):
    assert main(["migrate"]) == 0
    capsys.readouterr()

    code = main(["create-branch", "sz01", "--name", "蓝通汽修（深圳南山店）", "--phone", "0755-86001234",
                 "--tax-id", "91440300MA5FXXXX1K", "--header", "蓝通汽修"])

    assert code == 0
    assert "已创建门店 SZ01 蓝通汽修（深圳南山店）（门店编号 1，创建用户时用 --branch 1）" in capsys.readouterr().out
    engine = make_engine(cli_db)
    try:
        with Session(engine) as session:
            branch = session.exec(select(models.Branch)).one()
            assert (branch.code, branch.header, branch.tax_id, branch.status) == (
                "SZ01", "蓝通汽修", "91440300MA5FXXXX1K", models.BranchStatus.OPEN)
            [event] = session.exec(select(models.AuditEvent)).all()
            assert (event.action, event.entity_id, event.user_id) == ("branch.create", branch.id, None)
    finally:
        engine.dispose()
    assert main(["create-user", "boss", "--name", "老板", "--role", "admin", "--password", "gearbox-4711"]) == 0
    assert users_of(cli_db)["boss"].branch_id == branch.id


def test_create_branch_names_every_wrong_field_and_creates_nothing(cli_db, capsys):
    assert main(["migrate"]) == 0
    assert main(["create-branch", "SZ01", "--name", "南山店"]) == 0
    capsys.readouterr()

    code = main(["create-branch", "sz01", "--name", " ", "--tax-id", "123"])

    assert code == 2
    err = capsys.readouterr().err
    assert "错误：门店编码“SZ01”已被使用" in err
    assert "错误：请填写门店名称" in err
    assert "错误：税号应为15、18或20位数字或大写字母" in err
    assert count(cli_db, models.Branch) == 1


# --- health ------------------------------------------------------------------------------------------------------


def test_health_reports_an_error_when_the_database_has_no_schema(tmp_path):
    empty = tmp_path / "empty.db"
    report = health_of(f"sqlite:///{empty}")
    assert report["status"] == "error"
    assert report["schema_at_head"] is False
    assert report["schema_revision"] is None
    assert report["schema_head"] == head_revision()


def test_health_reports_an_unreachable_database(tmp_path):
    report = health_of(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    assert report["status"] == "error"
    assert report["database"] == "unreachable"
    assert report["error"] == "OperationalError"


def test_health_is_ok_on_every_migrated_engine(engine):
    report = health(engine)
    assert report == {
        "status": "ok",
        "database": "ok",
        "schema_revision": head_revision(),
        "schema_head": head_revision(),
        "schema_at_head": True,
    }


# --- check and rebuild-stock --------------------------------------------------------------------------------------


def test_check_passes_on_a_sound_database(cli_db, capsys):
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    capsys.readouterr()
    assert main(["check"]) == 0
    assert "检查通过" in capsys.readouterr().out


def test_check_names_the_broken_rows_and_rebuild_stock_repairs_the_balances(cli_db, capsys):
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    engine = make_engine(cli_db)
    with Session(engine) as session:  # broken on purpose, behind the services' back
        balance = session.exec(select(models.StockBalance).order_by(models.StockBalance.id)).first()
        balance.on_hand += 5
        part, warehouse = session.get(models.Part, balance.part_id), session.get(models.Warehouse, balance.warehouse_id)
        vehicle = session.exec(select(models.Vehicle)).first()
        order = models.WorkOrder(branch_id=vehicle.branch_id, number="WX20261203-0042", vehicle_id=vehicle.id,
                                 customer_id=vehicle.customer_id, advisor_id=users_of(cli_db)["admin"].id,
                                 mileage_in=1000, fuel_level=2, complaint="保养", status=models.WorkOrderStatus.SETTLED)
        session.add_all([balance, order])
        session.commit()
        expected_on_hand, wrong_on_hand = balance.on_hand - 5, balance.on_hand
        part_code, warehouse_code = part.code, warehouse.code
    capsys.readouterr()

    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert "发现2类问题" in captured.err
    assert "库存余额与流水合计不符" in captured.out
    assert f"配件{part_code} 仓库{warehouse_code}：余额{wrong_on_hand}，流水合计{expected_on_hand}" in captured.out
    assert "工单状态与结算单不符" in captured.out and "工单WX20261203-0042（已结算）：没有有效结算单" in captured.out

    assert main(["rebuild-stock"]) == 0
    out = capsys.readouterr().out
    assert f"配件{part_code} 仓库{warehouse_code}：{wrong_on_hand} → {expected_on_hand}" in out
    assert "更正1处" in out
    with Session(engine) as session:
        assert session.get(models.StockBalance, balance.id).on_hand == expected_on_hand
        assert len(session.exec(select(models.AuditEvent).where(models.AuditEvent.action == "stock.rebuild")).all()) == 1

    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert "库存余额" not in captured.out and "发现1类问题" in captured.err
    assert main(["rebuild-stock"]) == 0
    assert "更正0处" in capsys.readouterr().out
    engine.dispose()
