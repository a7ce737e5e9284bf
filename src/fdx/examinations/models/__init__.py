from fdx.examinations.models.attachments import Attachment
from fdx.examinations.models.case_index import CaseStatus, CaseSubstance
from fdx.examinations.models.cases import Case
from fdx.examinations.models.examinations import AnalyticalMethod, Examination
from fdx.examinations.models.exhibits import Exhibit
from fdx.examinations.models.export_runs import ExportRun
from fdx.examinations.models.findings import Finding
from fdx.examinations.models.notes import CaseNote
from fdx.examinations.models.reports import IssuedReport

__all__ = [
    "AnalyticalMethod",
    "Attachment",
    "Case",
    "CaseNote",
    "CaseStatus",
    "CaseSubstance",
    "Examination",
    "Exhibit",
    "ExportRun",
    "Finding",
    "IssuedReport",
]
