"""Command line: ``python -m lantong_pwa migrate | seed-demo | create-branch | create-user | care-daily | send-due |
check | rebuild-stock | backup | restore``.

Each command is one unit of work: committed when it ends, rolled back whole when it fails (``check`` only reads).
``send-due`` is a batch that runs one unit per message (``messaging.deliver_due``). ``backup`` and ``restore`` copy
the database, photos and key through ``lantong_pwa/backup.py``."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from lantong_pwa import backup
from lantong_pwa.db import read_scope, unit_of_work
from lantong_pwa.errors import DomainError, form_errors
from lantong_pwa.migrations import upgrade_to_head
from lantong_pwa.notifications.config import ConfigError
from lantong_pwa.services.care import messaging, reminders
from lantong_pwa.services.parts import stock
from lantong_pwa.services.platform import branches, demo, integrity, users
from lantong_pwa.settings import get_settings, load_or_create_secret
from lantong_pwa.timezone import local_day
from models import Part, Role, Warehouse
from models.common import utc_now


def _migrate(_args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings.database_url)
    load_or_create_secret(settings.data_dir)
    print("数据库已升级到最新版本")
    return 0


def _seed_demo(_args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        loaded = demo.seed_demo(session)
    print("已载入演示数据" if loaded else "数据库已有数据，未载入演示数据")
    return 0


def _create_branch(args: argparse.Namespace) -> int:
    form = branches.BranchForm(code=args.code, name=args.name, address=args.address, phone=args.phone,
                               tax_id=args.tax_id, bank_account=args.bank_account, header=args.header)
    try:
        with unit_of_work() as session:
            branch = branches.create_branch_from_command_line(session, form)
    except DomainError as error:
        for message in form_errors(error).values():
            print(f"错误：{message}", file=sys.stderr)
        return 2
    print(f"已创建门店 {branch.code} {branch.name}（门店编号 {branch.id}，创建用户时用 --branch {branch.id}）")
    return 0


def _create_user(args: argparse.Namespace) -> int:
    password = args.password or getpass.getpass("密码: ")
    form = users.UserForm(username=args.username, display_name=args.name, role=args.role, branch_id=args.branch)
    try:
        with unit_of_work() as session:
            if form.branch_id is None:
                first_open = next((b for b in users.list_branches(session) if branches.is_open(b)), None)
                form = users.UserForm(args.username, args.name, args.role, first_open.id if first_open else None)
            user = users.create_user_from_command_line(session, form, password)
    except DomainError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return 2
    print(f"已创建用户 {user.username}（{Role(user.role).label}）")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _care_daily(args: argparse.Namespace) -> int:
    today = args.date or local_day(utc_now())
    with unit_of_work() as session:
        added = reminders.build_reminders(session, today)
    print(f"客户关怀提醒已更新（{today}）：新增{added}条")
    return 0


def _send_due(_args: argparse.Namespace) -> int:
    try:
        delivered = messaging.deliver_due(unit_of_work)
    except ConfigError as error:
        print(f"错误：消息通道配置无效：{error}", file=sys.stderr)
        return 2
    print(f"已发送{delivered}条到期消息")
    return 0


def _check(_args: argparse.Namespace) -> int:
    with read_scope() as session:
        problems = integrity.check(session)
    for problem in problems:
        print(f"✗ {problem.title}（{len(problem.rows)}处，{problem.rule}）")
        for row in problem.rows:
            print(f"  - {row}")
    if problems:
        print(f"发现{len(problems)}类问题", file=sys.stderr)
        return 1
    print("检查通过：结算、收款、库存与领退料、资金与往来均一致")
    return 0


def _rebuild_stock(_args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        fixed = 0
        for branch in users.list_branches(session):
            for part_id, warehouse_id, before, after in stock.rebuild_balances(session, branch.id):
                fixed += 1
                part, warehouse = session.get(Part, part_id), session.get(Warehouse, warehouse_id)
                print(f"{branch.code} 配件{part.code} 仓库{warehouse.code}：{'无余额' if before is None else before} → {after}")
    print(f"库存余额已按流水重建：更正{fixed}处")
    return 0


def _backup(args: argparse.Namespace) -> int:
    try:
        made = backup.make_backup(args.to, report=print)
    except backup.BackupError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return 2
    print(f"备份完成：{made}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    try:
        backup.restore(args.folder, report=print)
    except backup.BackupError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return 2
    print("恢复完成：启动应用即可（启动时会把数据库升级到最新版本）")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lantong_pwa", description="蓝通维修管理 命令行")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    commands.add_parser("seed-demo", help="load demo data into an empty database").set_defaults(run=_seed_demo)
    branch = commands.add_parser("create-branch", help="create a branch (a shop of the chain)")
    branch.add_argument("code", help="branch code, 2-16 letters, digits, - or _ (e.g. SZ02)")
    branch.add_argument("--name", required=True, help="branch name")
    branch.add_argument("--address", default="")
    branch.add_argument("--phone", default="", help="e.g. 0755-86001234")
    branch.add_argument("--tax-id", default="", help="税号: 15, 18 or 20 digits or capital letters")
    branch.add_argument("--bank-account", default="", help="开户行及账号")
    branch.add_argument("--header", default="", help="抬头 printed on the 结算单 and labels (default: the name)")
    branch.set_defaults(run=_create_branch)
    create = commands.add_parser("create-user", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--branch", type=int, help="branch id (default: the first open branch)")
    create.add_argument("--password", help="password (asked for when omitted)")
    create.set_defaults(run=_create_user)
    care = commands.add_parser("care-daily", help="build the reminder centre's list once (the daily job)")
    care.add_argument("--date", type=_day, help="the day to build for, YYYY-MM-DD (default: today in the shop)")
    care.set_defaults(run=_care_daily)
    commands.add_parser("send-due", help="deliver the customer messages that are due, once").set_defaults(
        run=_send_due)
    commands.add_parser("check", help="report every broken invariant (settlements, payments, stock), exit 1 if any"
                        ).set_defaults(run=_check)
    commands.add_parser("rebuild-stock", help="rebuild every stock balance from the stock ledger").set_defaults(
        run=_rebuild_stock)
    back_up = commands.add_parser("backup", help="write a consistent copy of the database, photos and key, "
                                  "while the app runs")
    back_up.add_argument("--to", type=Path, help="the folder to write the backup into (default: LANTONG_BACKUP_DIR, "
                         "or backups in the data directory)")
    back_up.set_defaults(run=_backup)
    put_back = commands.add_parser("restore", help="check a backup and put it into an empty data directory and "
                                   "database")
    put_back.add_argument("folder", type=Path, help="the backup's folder (the one holding manifest.json)")
    put_back.set_defaults(run=_restore)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
