"""receivables: customers' payment terms, the party of a settlement line, one open item per document and party

Revision ID: 0025_receivables
Revises: 0024_expenses
Create Date: 2026-12-05 05:01:58.040245

The data already there is brought in: every 挂账 payment of an active settlement becomes its customer's open item,
every insurer and manufacturer a settlement line names becomes a counterparty of its branch (the line keeps its id),
and each active settlement's shares become their open items. Their shop day is the UTC time + 8 hours (Asia/Shanghai
has no daylight saving); customers start 现结, so a 挂账 is due on its day.
"""
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0025_receivables'
down_revision: Union[str, Sequence[str], None] = '0024_expenses'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms', sa.String(length=24), nullable=False, server_default='cash'))
        batch_op.add_column(sa.Column('terms_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_check_constraint(op.f('ck_customer_terms_days_in_range'),
                                         'terms_days >= 0 AND terms_days <= 365')

    with op.batch_alter_table('open_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_open_item_source'), type_='unique')
        batch_op.create_unique_constraint('uq_open_item_source', ['source', 'source_id', 'party_kind', 'party_id'])

    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counterparty_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_settlement_line_counterparty_id'), ['counterparty_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_settlement_line_counterparty_id_counterparty'), 'counterparty', ['counterparty_id'], ['id'])

    _bring_in_receivables(op.get_bind())


open_item = sa.table('open_item', sa.column('branch_id', sa.Integer), sa.column('party_kind', sa.String),
                     sa.column('party_id', sa.Integer), sa.column('direction', sa.String),
                     sa.column('source', sa.String), sa.column('source_id', sa.Integer), sa.column('number', sa.String),
                     sa.column('amount', sa.Numeric(12, 2)), sa.column('open_amount', sa.Numeric(12, 2)),
                     sa.column('document_date', sa.Date), sa.column('due_on', sa.Date),
                     sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))
counterparty = sa.table('counterparty', sa.column('id', sa.Integer), sa.column('branch_id', sa.Integer),
                        sa.column('kind', sa.String), sa.column('name', sa.String), sa.column('contact', sa.String),
                        sa.column('phone', sa.String), sa.column('address', sa.String), sa.column('tax_id', sa.String),
                        sa.column('terms', sa.String), sa.column('terms_days', sa.Integer),
                        sa.column('is_active', sa.Boolean),
                        sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))
KINDS = {'insurance': ('insurer', 'insurance_share'), 'warranty': ('manufacturer', 'warranty_share')}


def _shop_day(value) -> 'datetime.date':
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value + timedelta(hours=8)).date()


def _bring_in_receivables(bind) -> None:
    now = datetime.now(UTC)
    rows = bind.execute(sa.text(
        "SELECT p.id, p.branch_id, p.number, p.amount, p.created_at, w.customer_id FROM payment p "
        "JOIN settlement s ON s.id = p.settlement_id JOIN work_order w ON w.id = s.work_order_id "
        "WHERE p.method = 'on_account' AND s.status = 'active' ORDER BY p.id")).all()
    items = [dict(branch_id=branch_id, party_kind='customer', party_id=customer_id, direction='receivable',
                  source='on_account', source_id=payment_id, number=number, amount=amount, open_amount=amount,
                  document_date=_shop_day(created_at), due_on=_shop_day(created_at), created_at=now)
             for payment_id, branch_id, number, amount, created_at, customer_id in rows]
    parties = {(b, k, n): i for i, b, k, n in bind.execute(sa.text(
        "SELECT id, branch_id, kind, name FROM counterparty")).all()}
    lines = bind.execute(sa.text(
        "SELECT l.id, l.payer, l.payer_party, l.net, s.id, s.branch_id, s.number, s.created_at, s.status "
        "FROM settlement_line l JOIN settlement s ON s.id = l.settlement_id "
        "WHERE l.payer IN ('insurance', 'warranty') ORDER BY l.id")).all()
    shares = defaultdict(Decimal)
    documents = {}
    for line_id, payer, name, net, settlement_id, branch_id, number, created_at, status in lines:
        kind, source = KINDS[payer]
        name = (name or '').strip()[:48] or '未填写'
        key = (branch_id, kind, name)
        if key not in parties:
            bind.execute(sa.insert(counterparty).values(branch_id=branch_id, kind=kind, name=name, contact='',
                                                        phone='', address='', tax_id='', terms='cash', terms_days=0,
                                                        is_active=True, created_at=now))
            parties[key] = bind.execute(sa.text(
                "SELECT id FROM counterparty WHERE branch_id = :b AND kind = :k AND name = :n"),
                dict(b=branch_id, k=kind, n=name)).scalar_one()
        bind.execute(sa.text("UPDATE settlement_line SET counterparty_id = :p WHERE id = :i"),
                     dict(p=parties[key], i=line_id))
        if status == 'active':
            shares[(settlement_id, kind, source, parties[key])] += Decimal(net)
            documents[settlement_id] = (branch_id, number, _shop_day(created_at))
    for (settlement_id, kind, source, party_id), amount in sorted(shares.items()):
        if amount != 0:
            branch_id, number, day = documents[settlement_id]
            items.append(dict(branch_id=branch_id, party_kind=kind, party_id=party_id, direction='receivable',
                              source=source, source_id=settlement_id, number=number, amount=amount,
                              open_amount=amount, document_date=day, due_on=day, created_at=now))
    if items:
        op.bulk_insert(open_item, items)


def downgrade() -> None:
    with op.batch_alter_table('settlement_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_settlement_line_counterparty_id_counterparty'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_settlement_line_counterparty_id'))
        batch_op.drop_column('counterparty_id')

    with op.batch_alter_table('open_item', schema=None) as batch_op:
        batch_op.drop_constraint('uq_open_item_source', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_open_item_source'), ['source', 'source_id'])

    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_customer_terms_days_in_range'), type_='check')
        batch_op.drop_column('terms_days')
        batch_op.drop_column('terms')

