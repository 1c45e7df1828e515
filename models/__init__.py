"""SQLModel tables and their enums. Importing this package registers every table on ``SQLModel.metadata``."""

from models.audit import AuditEvent
from models.branch import Branch
from models.customer import Customer, CustomerKind
from models.part import Part
from models.payer import PAYER_LABELS, Payer
from models.photo import Photo
from models.sequence import DocumentSequence
from models.settlement import (
    CardTransaction,
    FeeType,
    MemberCard,
    OrderFee,
    Payment,
    PaymentMethod,
    Settlement,
    SettlementLine,
    SettlementLineKind,
    SettlementStatus,
)
from models.stock import PickRequest, PickRequestStatus, StockBalance, StockMove, StockMoveKind, Warehouse
from models.team import JobAssignment, Team, TeamMember, TimeEntry
from models.user import ROLE_LABELS, Role, User, UserSession
from models.vehicle import Vehicle
from models.work_order import FUEL_LEVEL_LABELS, JobLine, JobLineStatus, PartLine, WorkOrder, WorkOrderStatus

__all__ = [
    "AuditEvent",
    "Branch",
    "CardTransaction",
    "Customer",
    "CustomerKind",
    "DocumentSequence",
    "FUEL_LEVEL_LABELS",
    "FeeType",
    "JobAssignment",
    "JobLine",
    "JobLineStatus",
    "MemberCard",
    "OrderFee",
    "PAYER_LABELS",
    "Part",
    "PartLine",
    "Payer",
    "Payment",
    "PaymentMethod",
    "Photo",
    "PickRequest",
    "PickRequestStatus",
    "ROLE_LABELS",
    "Role",
    "Settlement",
    "SettlementLine",
    "SettlementLineKind",
    "SettlementStatus",
    "StockBalance",
    "StockMove",
    "StockMoveKind",
    "Team",
    "TeamMember",
    "TimeEntry",
    "User",
    "UserSession",
    "Vehicle",
    "Warehouse",
    "WorkOrder",
    "WorkOrderStatus",
]
