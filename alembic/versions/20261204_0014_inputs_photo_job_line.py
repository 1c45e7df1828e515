"""photos remember the job line they were taken at

Their notes are the line's technician's, a team lead's or a manager's; photos without one (the intake's, and those
stored before this revision) are an intake role's.

Revision ID: 0014_inputs_photo_job_line
Revises: 0013_payables_open_index
Create Date: 2026-12-04 23:36:09.546476
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0014_inputs_photo_job_line'
down_revision: Union[str, Sequence[str], None] = '0013_payables_open_index'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_line_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_photo_job_line_id'), ['job_line_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_photo_job_line_id_job_line'), 'job_line', ['job_line_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_photo_job_line_id_job_line'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_photo_job_line_id'))
        batch_op.drop_column('job_line_id')
