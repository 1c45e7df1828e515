"""integrity constraints: one active settlement per order, payments only on an active settlement and never above its
customer amount, returned never above picked

Revision ID: 0006_integrity
Revises: 0005_technician_card_view
Create Date: 2026-12-03 10:00:00

The database must not already break a rule before the rule is added: the upgrade first looks for rows that would, and
stops naming them (nothing is changed) so a person can correct them. ``python -m lantong_pwa check`` lists them too.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0006_integrity'
down_revision: Union[str, Sequence[str], None] = '0005_technician_card_view'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE_ONLY = sa.text("status = 'active'")

# What each new rule forbids, as a query for the rows that already break it (written out here, not imported: a
# migration keeps working after the app's code moves on).
BREAKING_ROWS = {
    "一个工单有多张有效结算单": """
        SELECT b.code AS branch, w.number AS work_order, s.number AS settlement
        FROM settlement s JOIN work_order w ON w.id = s.work_order_id JOIN branch b ON b.id = s.branch_id
        WHERE s.status = 'active' AND s.work_order_id IN (
            SELECT work_order_id FROM settlement WHERE status = 'active' GROUP BY work_order_id HAVING COUNT(*) > 1)
        ORDER BY s.id""",
    "收款记在已撤销的结算单上": """
        SELECT b.code AS branch, p.number AS payment, s.number AS settlement, s.status AS settlement_status
        FROM payment p JOIN settlement s ON s.id = p.settlement_id JOIN branch b ON b.id = p.branch_id
        WHERE s.status <> 'active' ORDER BY p.id""",
    "收款合计超过结算单应收金额": """
        SELECT b.code AS branch, s.number AS settlement, s.customer_amount, SUM(p.amount) AS paid
        FROM settlement s JOIN payment p ON p.settlement_id = s.id JOIN branch b ON b.id = s.branch_id
        GROUP BY s.id, b.code, s.number, s.customer_amount HAVING SUM(p.amount) > s.customer_amount ORDER BY s.id""",
    "收款金额不大于0": """
        SELECT b.code AS branch, p.number AS payment, p.amount
        FROM payment p JOIN branch b ON b.id = p.branch_id WHERE p.amount <= 0 ORDER BY p.id""",
    "配件行退料多于领料": """
        SELECT b.code AS branch, w.number AS work_order, l.id AS part_line, l.part_code, l.picked_quantity,
               l.returned_quantity
        FROM part_line l JOIN work_order w ON w.id = l.work_order_id JOIN branch b ON b.id = l.branch_id
        WHERE l.returned_quantity < 0 OR l.picked_quantity - l.returned_quantity < 0 ORDER BY l.id""",
}


class DataBreaksNewConstraints(RuntimeError):
    """The database holds rows the new constraints would refuse; the message names them."""


def rows_breaking_the_rules(connection) -> dict[str, list[str]]:
    found = {}
    for rule, query in BREAKING_ROWS.items():
        rows = connection.execute(sa.text(query)).mappings().all()
        if rows:
            found[rule] = [", ".join(f"{key}={value}" for key, value in row.items()) for row in rows]
    return found


def upgrade() -> None:
    found = rows_breaking_the_rules(op.get_bind())
    if found:
        lines = [f"{rule}：\n" + "\n".join(f"  - {row}" for row in rows) for rule, rows in found.items()]
        raise DataBreaksNewConstraints("数据库中已有违反新约束的记录，迁移已停止，未作任何修改。请先更正这些记录"
                                       "（python -m lantong_pwa check 也会列出）：\n" + "\n".join(lines))

    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), nullable=False,
                                      server_default=sa.text("'0'")))
        batch_op.create_unique_constraint('uq_settlement_id_status', ['id', 'status'])
        batch_op.create_check_constraint(op.f('ck_settlement_paid_within_customer_amount'),
                                         'paid_amount >= 0 AND paid_amount <= customer_amount')
        batch_op.create_check_constraint(op.f('ck_settlement_paid_only_while_active'),
                                         "status = 'active' OR paid_amount = 0")
        batch_op.create_index('uq_settlement_one_active_per_order', ['work_order_id'], unique=True,
                              sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY)
    op.execute("UPDATE settlement SET paid_amount = "
               "COALESCE((SELECT SUM(p.amount) FROM payment p WHERE p.settlement_id = settlement.id), 0)")

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settlement_status', sa.String(length=24), nullable=False,
                                      server_default=sa.text("'active'")))
        batch_op.drop_constraint('fk_payment_settlement_id_settlement', type_='foreignkey')
        batch_op.create_foreign_key('fk_payment_settlement_id_settlement', 'settlement',
                                    ['settlement_id', 'settlement_status'], ['id', 'status'])
        batch_op.create_check_constraint(op.f('ck_payment_against_active_settlement'),
                                         "settlement_status = 'active'")
        batch_op.create_check_constraint(op.f('ck_payment_amount_positive'), 'amount > 0')

    with op.batch_alter_table('part_line', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_part_line_returned_within_picked'),
                                         'returned_quantity >= 0 AND picked_quantity - returned_quantity >= 0')


def downgrade() -> None:
    with op.batch_alter_table('part_line', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_part_line_returned_within_picked'), type_='check')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_payment_amount_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_payment_against_active_settlement'), type_='check')
        batch_op.drop_constraint('fk_payment_settlement_id_settlement', type_='foreignkey')
        batch_op.create_foreign_key('fk_payment_settlement_id_settlement', 'settlement', ['settlement_id'], ['id'])
        batch_op.drop_column('settlement_status')

    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.drop_index('uq_settlement_one_active_per_order', sqlite_where=ACTIVE_ONLY,
                            postgresql_where=ACTIVE_ONLY)
        batch_op.drop_constraint(op.f('ck_settlement_paid_only_while_active'), type_='check')
        batch_op.drop_constraint(op.f('ck_settlement_paid_within_customer_amount'), type_='check')
        batch_op.drop_constraint('uq_settlement_id_status', type_='unique')
        batch_op.drop_column('paid_amount')
