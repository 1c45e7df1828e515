"""SQLModel tables and their enums. Importing this package registers every table on ``SQLModel.metadata``."""

from models.audit import AuditEvent
from models.branch import Branch
from models.customer import Customer, CustomerKind
from models.part import Part
from models.photo import Photo
from models.sequence import DocumentSequence
from models.user import ROLE_LABELS, Role, User, UserSession
from models.vehicle import Vehicle
from models.work_order import FUEL_LEVEL_LABELS, JobLine, PartLine, WorkOrder, WorkOrderStatus

__all__ = [
    "AuditEvent",
    "Branch",
    "Customer",
    "CustomerKind",
    "DocumentSequence",
    "FUEL_LEVEL_LABELS",
    "JobLine",
    "Part",
    "PartLine",
    "Photo",
    "ROLE_LABELS",
    "Role",
    "User",
    "UserSession",
    "Vehicle",
    "WorkOrder",
    "WorkOrderStatus",
]
