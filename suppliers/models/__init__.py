"""Who reports and what they reported, one module per subject; every model is importable from
suppliers.models (and the migrations name the upload functions there). The conversation on a
submission has its own module, suppliers.conversation, imported here so that Django finds its models."""

from suppliers.conversation import MessageDelivery, SubmissionMessage
from suppliers.models.commitments import Commitment, commitment_upload_to
from suppliers.models.common import MWH, NON_NEGATIVE, code_validator
from suppliers.models.evidence import EvidenceDocumentType, EvidenceFile, evidence_upload_to
from suppliers.models.organisation import Site, Supplier, SupplierCategory, User, UserManager
from suppliers.models.submissions import CertificateClaim, CertificateRange, Line, ReportingPeriod, Submission

__all__ = [
    "MWH", "NON_NEGATIVE", "CertificateClaim", "CertificateRange", "Commitment", "EvidenceDocumentType",
    "EvidenceFile", "Line", "MessageDelivery", "ReportingPeriod", "Site", "Submission", "SubmissionMessage",
    "Supplier", "SupplierCategory", "User", "UserManager", "code_validator", "commitment_upload_to",
    "evidence_upload_to",
]  # fmt: skip
