"""purchasing: suppliers and their offers, purchase orders, goods receipts and purchase returns, stock limits, part
barcodes and catalogue fields, and open items with their allocations and party payments (what the shop owes)

Existing branches get the default approval amount (¥5,000) and over-receipt tolerance (10 %); existing parts get
empty catalogue fields.

Revision ID: 0011_purchasing
Revises: 0010_signin_drop_user_lock
Create Date: 2026-12-04 23:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011_purchasing'
down_revision: Union[str, Sequence[str], None] = '0010_signin_drop_user_lock'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('open_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('party_kind', sa.String(length=24), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(length=24), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('open_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(amount > 0 AND open_amount >= 0 AND open_amount <= amount) OR (amount < 0 AND open_amount <= 0 AND open_amount >= amount)', name=op.f('ck_open_item_open_within_amount')),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_open_item_amount_not_zero')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_open_item_branch_id_branch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_item')),
    sa.UniqueConstraint('source', 'source_id', name='uq_open_item_source')
    )
    with op.batch_alter_table('open_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_item_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_item_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_item_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_item_party_kind'), ['party_kind'], unique=False)

    op.create_table('supplier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('tax_id', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('bank_account', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('terms', sa.String(length=24), nullable=False),
    sa.Column('terms_days', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('terms_days >= 0 AND terms_days <= 365', name=op.f('ck_supplier_terms_days_in_range')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_supplier_branch_id_branch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier')),
    sa.UniqueConstraint('branch_id', 'code', name='uq_supplier_branch_code')
    )
    with op.batch_alter_table('supplier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_branch_id'), ['branch_id'], unique=False)

    op.create_table('allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('debit_item_id', sa.Integer(), nullable=False),
    sa.Column('credit_item_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_allocation_amount_positive')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_allocation_branch_id_branch')),
    sa.ForeignKeyConstraint(['credit_item_id'], ['open_item.id'], name=op.f('fk_allocation_credit_item_id_open_item')),
    sa.ForeignKeyConstraint(['debit_item_id'], ['open_item.id'], name=op.f('fk_allocation_debit_item_id_open_item')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_allocation_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation'))
    )
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_credit_item_id'), ['credit_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocation_debit_item_id'), ['debit_item_id'], unique=False)

    op.create_table('party_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('party_kind', sa.String(length=24), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=24), nullable=False),
    sa.Column('method', sa.String(length=24), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_party_payment_amount_positive')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_party_payment_branch_id_branch')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_party_payment_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_payment')),
    sa.UniqueConstraint('branch_id', 'number', name='uq_party_payment_number'),
    sa.UniqueConstraint('branch_id', 'request_key', name='uq_party_payment_request_key')
    )
    with op.batch_alter_table('party_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_payment_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_payment_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_payment_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_payment_party_kind'), ['party_kind'], unique=False)

    op.create_table('purchase_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('share_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('ordered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_purchase_order_approved_by_id_user')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_purchase_order_branch_id_branch')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_purchase_order_created_by_id_user')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_purchase_order_supplier_id_supplier')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouse.id'], name=op.f('fk_purchase_order_warehouse_id_warehouse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order')),
    sa.UniqueConstraint('branch_id', 'number', name='uq_purchase_order_number'),
    sa.UniqueConstraint('branch_id', 'request_key', name='uq_purchase_order_request_key'),
    sa.UniqueConstraint('share_token', name='uq_purchase_order_share_token')
    )
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('goods_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=True),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('freight', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('freight >= 0', name=op.f('ck_goods_receipt_freight_not_negative')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_goods_receipt_branch_id_branch')),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'], name=op.f('fk_goods_receipt_purchase_order_id_purchase_order')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_goods_receipt_supplier_id_supplier')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_goods_receipt_user_id_user')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouse.id'], name=op.f('fk_goods_receipt_warehouse_id_warehouse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goods_receipt')),
    sa.UniqueConstraint('branch_id', 'number', name='uq_goods_receipt_number'),
    sa.UniqueConstraint('branch_id', 'request_key', name='uq_goods_receipt_request_key')
    )
    with op.batch_alter_table('goods_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goods_receipt_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_purchase_order_id'), ['purchase_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('part_barcode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('barcode', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_part_barcode_branch_id_branch')),
    sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_part_barcode_part_id_part')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_barcode')),
    sa.UniqueConstraint('branch_id', 'barcode', name='uq_part_barcode')
    )
    with op.batch_alter_table('part_barcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_barcode_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_barcode_part_id'), ['part_id'], unique=False)

    op.create_table('purchase_order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('received_quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('cancelled_quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.CheckConstraint('quantity > 0 AND unit_price >= 0', name=op.f('ck_purchase_order_line_quantity_and_price')),
    sa.CheckConstraint('received_quantity >= 0 AND cancelled_quantity >= 0 AND cancelled_quantity <= quantity', name=op.f('ck_purchase_order_line_received_and_cancelled')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_purchase_order_line_branch_id_branch')),
    sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_purchase_order_line_part_id_part')),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'], name=op.f('fk_purchase_order_line_purchase_order_id_purchase_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_line'))
    )
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_line_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_line_part_id'), ['part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_line_purchase_order_id'), ['purchase_order_id'], unique=False)

    op.create_table('stock_limit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('minimum', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('maximum', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.CheckConstraint('minimum >= 0 AND maximum >= minimum', name=op.f('ck_stock_limit_minimum_within_maximum')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_stock_limit_branch_id_branch')),
    sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_stock_limit_part_id_part')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouse.id'], name=op.f('fk_stock_limit_warehouse_id_warehouse')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_limit')),
    sa.UniqueConstraint('part_id', 'warehouse_id', name='uq_stock_limit')
    )
    with op.batch_alter_table('stock_limit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_limit_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_limit_part_id'), ['part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_limit_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('supplier_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('min_quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('price >= 0 AND min_quantity >= 0 AND lead_days >= 0', name=op.f('ck_supplier_part_offer_not_negative')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_supplier_part_branch_id_branch')),
    sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_supplier_part_part_id_part')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_supplier_part_supplier_id_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_part')),
    sa.UniqueConstraint('supplier_id', 'part_id', name='uq_supplier_part')
    )
    with op.batch_alter_table('supplier_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_part_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_part_part_id'), ['part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_part_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('purchase_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('goods_receipt_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_purchase_return_branch_id_branch')),
    sa.ForeignKeyConstraint(['goods_receipt_id'], ['goods_receipt.id'], name=op.f('fk_purchase_return_goods_receipt_id_goods_receipt')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_purchase_return_supplier_id_supplier')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_purchase_return_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_return')),
    sa.UniqueConstraint('branch_id', 'number', name='uq_purchase_return_number'),
    sa.UniqueConstraint('branch_id', 'request_key', name='uq_purchase_return_request_key')
    )
    with op.batch_alter_table('purchase_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_return_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_return_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_return_goods_receipt_id'), ['goods_receipt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_return_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('goods_receipt_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('goods_receipt_id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_line_id', sa.Integer(), nullable=True),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('price_reason', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('freight_share', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('returned_quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('stock_move_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0 AND unit_price >= 0 AND freight_share >= 0', name=op.f('ck_goods_receipt_line_quantity_price_freight')),
    sa.CheckConstraint('returned_quantity >= 0 AND returned_quantity <= quantity', name=op.f('ck_goods_receipt_line_returned_within_received')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_goods_receipt_line_branch_id_branch')),
    sa.ForeignKeyConstraint(['goods_receipt_id'], ['goods_receipt.id'], name=op.f('fk_goods_receipt_line_goods_receipt_id_goods_receipt')),
    sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_goods_receipt_line_part_id_part')),
    sa.ForeignKeyConstraint(['purchase_order_line_id'], ['purchase_order_line.id'], name=op.f('fk_goods_receipt_line_purchase_order_line_id_purchase_order_line')),
    sa.ForeignKeyConstraint(['stock_move_id'], ['stock_move.id'], name=op.f('fk_goods_receipt_line_stock_move_id_stock_move')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goods_receipt_line')),
    sa.UniqueConstraint('stock_move_id', name=op.f('uq_goods_receipt_line_stock_move_id'))
    )
    with op.batch_alter_table('goods_receipt_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goods_receipt_line_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_line_goods_receipt_id'), ['goods_receipt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_line_part_id'), ['part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_line_purchase_order_line_id'), ['purchase_order_line_id'], unique=False)

    op.create_table('purchase_return_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('purchase_return_id', sa.Integer(), nullable=False),
    sa.Column('goods_receipt_line_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('stock_move_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_purchase_return_line_quantity_positive')),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_purchase_return_line_branch_id_branch')),
    sa.ForeignKeyConstraint(['goods_receipt_line_id'], ['goods_receipt_line.id'], name=op.f('fk_purchase_return_line_goods_receipt_line_id_goods_receipt_line')),
    sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_purchase_return_line_part_id_part')),
    sa.ForeignKeyConstraint(['purchase_return_id'], ['purchase_return.id'], name=op.f('fk_purchase_return_line_purchase_return_id_purchase_return')),
    sa.ForeignKeyConstraint(['stock_move_id'], ['stock_move.id'], name=op.f('fk_purchase_return_line_stock_move_id_stock_move')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_return_line')),
    sa.UniqueConstraint('stock_move_id', name=op.f('uq_purchase_return_line_stock_move_id'))
    )
    with op.batch_alter_table('purchase_return_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_return_line_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_return_line_goods_receipt_line_id'), ['goods_receipt_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_return_line_purchase_return_id'), ['purchase_return_id'], unique=False)

    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purchase_approval_amount', sa.Numeric(precision=12, scale=2), nullable=False,
                                      server_default='5000.00'))
        batch_op.add_column(sa.Column('over_receipt_percent', sa.Numeric(precision=5, scale=2), nullable=False,
                                      server_default='10.00'))

    with op.batch_alter_table('part', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spec', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('oe_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('default_warehouse_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shelf', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_part_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_oe_number'), ['oe_number'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_part_default_warehouse_id_warehouse'), 'warehouse', ['default_warehouse_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('part', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_part_default_warehouse_id_warehouse'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_part_oe_number'))
        batch_op.drop_index(batch_op.f('ix_part_category'))
        batch_op.drop_column('shelf')
        batch_op.drop_column('default_warehouse_id')
        batch_op.drop_column('oe_number')
        batch_op.drop_column('category')
        batch_op.drop_column('spec')

    with op.batch_alter_table('branch', schema=None) as batch_op:
        batch_op.drop_column('over_receipt_percent')
        batch_op.drop_column('purchase_approval_amount')

    with op.batch_alter_table('purchase_return_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_return_line_purchase_return_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_return_line_goods_receipt_line_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_return_line_branch_id'))

    op.drop_table('purchase_return_line')
    with op.batch_alter_table('goods_receipt_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goods_receipt_line_purchase_order_line_id'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_line_part_id'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_line_goods_receipt_id'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_line_branch_id'))

    op.drop_table('goods_receipt_line')
    with op.batch_alter_table('purchase_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_return_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_return_goods_receipt_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_return_created_at'))
        batch_op.drop_index(batch_op.f('ix_purchase_return_branch_id'))

    op.drop_table('purchase_return')
    with op.batch_alter_table('supplier_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_part_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_part_part_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_part_branch_id'))

    op.drop_table('supplier_part')
    with op.batch_alter_table('stock_limit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_limit_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_stock_limit_part_id'))
        batch_op.drop_index(batch_op.f('ix_stock_limit_branch_id'))

    op.drop_table('stock_limit')
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_purchase_order_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_part_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_branch_id'))

    op.drop_table('purchase_order_line')
    with op.batch_alter_table('part_barcode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_barcode_part_id'))
        batch_op.drop_index(batch_op.f('ix_part_barcode_branch_id'))

    op.drop_table('part_barcode')
    with op.batch_alter_table('goods_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goods_receipt_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_purchase_order_id'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_created_at'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_branch_id'))

    op.drop_table('goods_receipt')
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_status'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_created_at'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_branch_id'))

    op.drop_table('purchase_order')
    with op.batch_alter_table('party_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_payment_party_kind'))
        batch_op.drop_index(batch_op.f('ix_party_payment_party_id'))
        batch_op.drop_index(batch_op.f('ix_party_payment_created_at'))
        batch_op.drop_index(batch_op.f('ix_party_payment_branch_id'))

    op.drop_table('party_payment')
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocation_debit_item_id'))
        batch_op.drop_index(batch_op.f('ix_allocation_credit_item_id'))
        batch_op.drop_index(batch_op.f('ix_allocation_branch_id'))

    op.drop_table('allocation')
    with op.batch_alter_table('supplier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_branch_id'))

    op.drop_table('supplier')
    with op.batch_alter_table('open_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_item_party_kind'))
        batch_op.drop_index(batch_op.f('ix_open_item_party_id'))
        batch_op.drop_index(batch_op.f('ix_open_item_due_on'))
        batch_op.drop_index(batch_op.f('ix_open_item_branch_id'))

    op.drop_table('open_item')
