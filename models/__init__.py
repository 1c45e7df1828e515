"""SQLModel tables and their enums. Importing this package registers every table on ``SQLModel.metadata``."""

from models.audit import AuditEvent
from models.branch import Branch, BranchStatus
from models.care import (
    REMINDER_KIND_LABELS,
    CallResult,
    CareReminder,
    Complaint,
    ComplaintSource,
    ComplaintStatus,
    FollowUp,
    FollowUpCall,
    FollowUpChannel,
    FollowUpStatus,
    ReminderKind,
    ReminderStatus,
)
from models.coordination import RateLimitHit, SchedulerLease
from models.customer import Customer, CustomerKind
from models.notification import Channel, DeliveryAttempt, Notification, NotificationStatus
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
    "BranchStatus",
    "CallResult",
    "CardTransaction",
    "CareReminder",
    "Channel",
    "Complaint",
    "ComplaintSource",
    "ComplaintStatus",
    "Customer",
    "CustomerKind",
    "DeliveryAttempt",
    "DocumentSequence",
    "FUEL_LEVEL_LABELS",
    "FeeType",
    "FollowUp",
    "FollowUpCall",
    "FollowUpChannel",
    "FollowUpStatus",
    "JobAssignment",
    "JobLine",
    "JobLineStatus",
    "MemberCard",
    "Notification",
    "NotificationStatus",
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
    "REMINDER_KIND_LABELS",
    "ROLE_LABELS",
    "RateLimitHit",
    "ReminderKind",
    "ReminderStatus",
    "Role",
    "SchedulerLease",
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
