"""storeroom ledger: each stock move names its document; stock on hand can never be negative

Moves already made get their document: a pick or a return its work order, a receipt its goods receipt, a purchase
return its return. The new check stops if a balance is already negative (nothing is changed; ``python -m lantong_pwa
check`` finds such balances by replaying the ledger).

Revision ID: 0015_storeroom_ledger
Revises: 0014_inputs_photo_job_line
Create Date: 2026-12-05 01:44:16.811673
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0015_storeroom_ledger'
down_revision: Union[str, Sequence[str], None] = '0014_inputs_photo_job_line'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BACKFILL = (
    "UPDATE stock_move SET document_type = 'work_order', document_id = work_order_id "
    "WHERE work_order_id IS NOT NULL",
    "UPDATE stock_move SET document_type = 'goods_receipt', document_id = (SELECT l.goods_receipt_id FROM "
    "goods_receipt_line l WHERE l.stock_move_id = stock_move.id) "
    "WHERE id IN (SELECT stock_move_id FROM goods_receipt_line)",
    "UPDATE stock_move SET document_type = 'purchase_return', document_id = (SELECT l.purchase_return_id FROM "
    "purchase_return_line l WHERE l.stock_move_id = stock_move.id) "
    "WHERE id IN (SELECT stock_move_id FROM purchase_return_line)",
)


class NegativeStock(RuntimeError):
    """A balance is already below zero; the message names it."""


def upgrade() -> None:
    negative = op.get_bind().execute(sa.text(
        "SELECT b.code, p.code, w.code, s.on_hand FROM stock_balance s JOIN branch b ON b.id = s.branch_id "
        "JOIN part p ON p.id = s.part_id JOIN warehouse w ON w.id = s.warehouse_id WHERE s.on_hand < 0")).all()
    if negative:
        raise NegativeStock("库存结存为负，迁移已停止，未作任何修改。请先更正：" + "；".join(
            f"门店{branch} 配件{part} 仓库{warehouse} 结存{on_hand}" for branch, part, warehouse, on_hand in negative))
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_type', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_stock_move_branch_created', ['branch_id', 'created_at'], unique=False)
        batch_op.create_index('ix_stock_move_document', ['document_type', 'document_id'], unique=False)
    for statement in BACKFILL:
        op.execute(statement)
    with op.batch_alter_table('stock_balance', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_stock_balance_on_hand_not_negative'), 'on_hand >= 0')


def downgrade() -> None:
    with op.batch_alter_table('stock_balance', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_stock_balance_on_hand_not_negative'), type_='check')
    with op.batch_alter_table('stock_move', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_move_document')
        batch_op.drop_index('ix_stock_move_branch_created')
        batch_op.drop_column('document_id')
        batch_op.drop_column('document_type')
