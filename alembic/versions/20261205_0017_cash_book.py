"""cash and bank: money accounts, which account each payment method's money goes to, the journal, transfers

Every branch gets the default accounts (现金, 基本户, 微信商户, 支付宝商户) with a zero balance and each method mapped to
one (written out here, not imported: a migration keeps working after the app's code moves on). The journal starts
now; a manager enters each account's opening balance (期初余额).

Revision ID: 0017_cash_book
Revises: 0016_sheet_warranty
Create Date: 2026-12-05 02:17:56.382225
"""
from datetime import UTC, datetime
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0017_cash_book'
down_revision: Union[str, Sequence[str], None] = '0016_sheet_warranty'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('money_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('account_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_money_account_branch_id_branch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_money_account')),
    sa.UniqueConstraint('branch_id', 'name', name='uq_money_account_name')
    )
    with op.batch_alter_table('money_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_money_account_branch_id'), ['branch_id'], unique=False)

    op.create_table('account_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('from_account_id', sa.Integer(), nullable=False),
    sa.Column('to_account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_account_transfer_amount_positive')),
    sa.CheckConstraint('from_account_id <> to_account_id', name=op.f('ck_account_transfer_between_two_accounts')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_account_transfer_branch_id_branch')),
    sa.ForeignKeyConstraint(['from_account_id'], ['money_account.id'], name=op.f('fk_account_transfer_from_account_id_money_account')),
    sa.ForeignKeyConstraint(['to_account_id'], ['money_account.id'], name=op.f('fk_account_transfer_to_account_id_money_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_transfer_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_transfer')),
    sa.UniqueConstraint('branch_id', 'number', name='uq_account_transfer_number'),
    sa.UniqueConstraint('branch_id', 'request_key', name='uq_account_transfer_request_key')
    )
    with op.batch_alter_table('account_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_transfer_branch_id'), ['branch_id'], unique=False)

    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('balance_after', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('document_type', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_journal_entry_amount_not_zero')),
    sa.ForeignKeyConstraint(['account_id'], ['money_account.id'], name=op.f('fk_journal_entry_account_id_money_account')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_journal_entry_branch_id_branch')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_journal_entry_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry'))
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entry_account', ['account_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entry_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entry_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_journal_entry_document', ['document_type', 'document_id'], unique=False)

    op.create_table('method_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['money_account.id'], name=op.f('fk_method_account_account_id_money_account')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_method_account_branch_id_branch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_method_account')),
    sa.UniqueConstraint('branch_id', 'method', name='uq_method_account_method')
    )
    with op.batch_alter_table('method_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_method_account_branch_id'), ['branch_id'], unique=False)
    _default_accounts(op.get_bind())



DEFAULT_ACCOUNTS = (("cash", "现金"), ("bank", "基本户"), ("wechat", "微信商户"), ("alipay", "支付宝商户"))
DEFAULT_METHODS = {"cash": "cash", "bank_card": "bank", "wechat": "wechat", "alipay": "alipay",
                   "bank_transfer": "bank"}


def _default_accounts(connection) -> None:
    now = datetime.now(UTC)
    for (branch_id,) in connection.execute(sa.text("SELECT id FROM branch ORDER BY id")).all():
        ids = {}
        for kind, name in DEFAULT_ACCOUNTS:
            connection.execute(sa.text(
                "INSERT INTO money_account (branch_id, kind, name, account_number, balance, is_active, created_at) "
                "VALUES (:branch, :kind, :name, '', 0, :active, :now)").bindparams(
                    sa.bindparam("now", type_=sqlmodel.sql.sqltypes.UTCDateTime())),
                {"branch": branch_id, "kind": kind, "name": name, "active": True, "now": now})
            ids[kind] = connection.execute(sa.text("SELECT id FROM money_account WHERE branch_id = :branch AND "
                                                   "name = :name"), {"branch": branch_id, "name": name}).scalar_one()
        for method, kind in DEFAULT_METHODS.items():
            connection.execute(sa.text("INSERT INTO method_account (branch_id, method, account_id) "
                                       "VALUES (:branch, :method, :account)"),
                               {"branch": branch_id, "method": method, "account": ids[kind]})


def downgrade() -> None:
    with op.batch_alter_table('method_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_method_account_branch_id'))

    op.drop_table('method_account')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entry_document')
        batch_op.drop_index(batch_op.f('ix_journal_entry_created_at'))
        batch_op.drop_index(batch_op.f('ix_journal_entry_branch_id'))
        batch_op.drop_index('ix_journal_entry_account')

    op.drop_table('journal_entry')
    with op.batch_alter_table('account_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_transfer_branch_id'))

    op.drop_table('account_transfer')
    with op.batch_alter_table('money_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_money_account_branch_id'))

    op.drop_table('money_account')
