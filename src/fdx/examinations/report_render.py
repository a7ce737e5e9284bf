"""Showing an issued report: its fixed content in the reader's language (the printable page and the PDF read
the same presentation), the verification link and its QR code, and the PDF itself (fpdf2, with a TrueType font
that has Cyrillic)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fdx.examinations.choices import AttachmentKind, ExhibitForm, FindingRole, ResultType, SeizureContext
from fdx.examinations.models import IssuedReport
from fdx.examinations.reports import grouped, verification_link
from fdx.legal.templatetags.legal import (
    amount_basis,
    amount_category,
    basis_kind,
    explanation,
    legal_name_text,
)


@dataclass
class Presentation:
    """A report's content as text in one language: label and value pairs, tables, the record's identity."""

    language: str
    title: str
    laboratory: str
    case: list[tuple[str, str]]
    exhibit: list[tuple[str, str]]
    methods: list[str]
    conclusion: str
    findings: list[dict]
    approvals: list[tuple[str, str, str]]
    attachments: list[tuple[str, str, str]]
    record: list[tuple[str, str]]
    supersedes: str
    digest: str
    digest_grouped: str
    verification_url: str
    notes: list[str] = field(default_factory=list)


def present(issued: IssuedReport, language: str, base_url: str = "") -> Presentation:
    """The issued report's content in ``language`` (``en`` or ``ru``); ``base_url`` makes the verification
    link absolute (the scheme and host the reader reached the node by)."""
    content = issued.content
    examination, case, exhibit = content["examination"], content["case"], content["exhibit"]
    url = base_url + verification_link(examination["global_id"], issued.digest)
    with translation.override(language):
        russian = language == "ru"
        return Presentation(
            language=language,
            title=_("Report of examination (expert's conclusion)"),
            laboratory=_name(examination["laboratory"], russian),
            case=_pairs(
                [
                    (_("Laboratory case number"), case["reference"]),
                    (_("Agency's case number"), case["agency_case_number"]),
                    (
                        _("Submitting agency"),
                        _name(case["submitting_agency"], russian) if case["submitting_agency"] else "",
                    ),
                    (_("Seizure date"), case["seizure_date"]),
                    (_("Country of seizure"), case["seizure_country"]),
                    (
                        _("Region of seizure"),
                        _name(case["seizure_region"], russian) if case["seizure_region"] else "",
                    ),
                    (_("Locality"), case["locality"]),
                    (_("Seizure context"), _label(SeizureContext, case["seizure_context"])),
                    (_("Description"), case["description"]),
                ]
            ),
            exhibit=_pairs(
                [
                    (_("Exhibit number"), exhibit["label"]),
                    (_("Form"), _label(ExhibitForm, exhibit["form"])),
                    (_("Colour"), exhibit["colour"]),
                    (_("Logo or markings"), exhibit["logo"]),
                    (
                        _("Number of units"),
                        "" if exhibit["unit_count"] is None else str(exhibit["unit_count"]),
                    ),
                    (_("Gross mass"), _grams(exhibit["gross_mass_g"])),
                    (_("Net mass"), _grams(exhibit["net_mass_g"])),
                    (_("Packaging"), exhibit["packaging"]),
                    (_("Description"), exhibit["description"]),
                    (_("Request number"), examination["request_number"]),
                    (_("Date received"), examination["received_date"] or ""),
                    (_("Date completed"), examination["completed_date"] or ""),
                    (_("Examiner"), (examination["examiner"] or {}).get("name", "")),
                ]
            ),
            methods=[
                (method["name_ru"] if russian else method["name_en"])
                + (" — " + _("confirmatory") if method["confirmatory"] else "")
                for method in examination["methods"]
            ],
            conclusion=examination["conclusion"],
            findings=[_finding(finding, russian) for finding in content["findings"]],
            approvals=[
                (
                    _("Submitted for review") if step["step"] == "submitted" else _("Approved (four eyes)"),
                    (step["by"] or {}).get("name", ""),
                    _moment(step["at"]),
                )
                for step in content["approvals"]
            ],
            attachments=[
                (attachment["name"], _label(AttachmentKind, attachment["kind"]), attachment["sha256"])
                for attachment in content["attachments"]
            ],
            record=[
                (_("Examination (global id)"), examination["global_id"]),
                (_("Revision"), str(examination["revision"])),
                (_("Record version"), str(examination["record_version"])),
                (
                    _("Audit sequence of the approval"),
                    "—"
                    if examination["approval_audit_sequence"] is None
                    else str(examination["approval_audit_sequence"]),
                ),
                (_("Node"), content["node"]),
                (_("Issued"), _moment(issued.issued_at.isoformat())),
            ],
            supersedes=_supersedes(content["supersedes"]),
            digest=issued.digest,
            digest_grouped=grouped(issued.digest),
            verification_url=url,
        )


def _finding(finding: dict, russian: bool) -> dict:
    substance = finding["substance"]
    if substance is None:
        name = finding["unidentified_description"]
    else:
        name = (substance["name_ru"] or substance["name_en"]) if russian else substance["name_en"]
    purity = ""
    if finding["purity_percent"] is not None:
        purity = f"{_number(finding['purity_percent'])} %"
    uncertainty = ""
    if finding["purity_uncertainty_percent"] is not None:
        uncertainty = f"± {_number(finding['purity_uncertainty_percent'])} %"
    return {
        "substance": name,
        "role": _label(FindingRole, finding["role"]),
        "result": _label(ResultType, finding["result_type"]),
        "purity": purity or "—",
        "uncertainty": uncertainty or "—",
        "amount": _grams(finding["amount_g"]) or "—",
        "base_equivalent": _grams(finding["base_equivalent_g"]) or "—",
        "note": finding["note"],
        "legal": _legal(finding["legal_status"]),
    }


def _legal(status: dict | None) -> dict | None:
    """The legal status in words: the status, where and when, the lists and entries that decide it, the
    amount category and what it was read from."""
    if status is None:
        return None
    if status["controlled"] is True:
        word = _("controlled")
    elif status["controlled"] is False:
        word = _("not controlled")
    else:
        word = _("cannot decide")
    basis = [
        "; ".join(
            part
            for part in (
                item["list"],
                legal_name_text(item["entry"]),
                basis_kind(item["kind"]),
                legal_name_text(item["instrument"]),
                _("in force from %(date)s") % {"date": item["effective_from"]}
                if item["effective_from"]
                else "",
                "" if item["verified"] else _("unverified"),
            )
            if part
        )
        for item in status["basis"]
    ]
    category = ""
    category_basis = ""
    if status["category"]:
        category = amount_category(status["category"].get("category", ""))
        reason = status["category"].get("reason")
        if reason:
            category += f" ({explanation(reason)})"
        elif not status["category"].get("verified", True):
            category += f" ({_('unverified')})"
        if status["category"].get("basis"):
            category_basis = amount_basis(status["category"]["basis"])
        if status["mass_g"] is not None:
            category_basis = ", ".join(part for part in (category_basis, _grams(status["mass_g"])) if part)
    return {
        "status": word,
        "where_when": f"{status['jurisdiction']}, {status['date']}",
        "lists": ", ".join(status["lists"]),
        "basis": basis,
        "reason": explanation(status["reason"]),
        "category": category,
        "category_basis": category_basis,
    }


def _supersedes(supersedes: dict | None) -> str:
    if not supersedes:
        return ""
    text = _("This report supersedes the report of revision %(revision)s (examination %(global_id)s)") % {
        "revision": supersedes["revision"],
        "global_id": supersedes["global_id"],
    }
    if supersedes["digest"]:
        text += ", " + _("digest %(digest)s") % {"digest": grouped(supersedes["digest"])}
    if supersedes["reason"]:
        text += ". " + _("Reason for the revision: %(reason)s") % {"reason": supersedes["reason"]}
    return text + "."


def _pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Only the facts recorded (an empty line on a report reads as an omission)."""
    return [(str(label), value) for label, value in pairs if value not in ("", None)]


def _label(choices, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _name(named: dict, russian: bool) -> str:
    return (named.get("name_ru") or named["name_en"]) if russian else named["name_en"]


def _number(text: str) -> str:
    """A stored decimal without trailing zeros (70.000 → 70, 0.1250 → 0.125)."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _grams(text: str | None) -> str:
    return "" if text is None else f"{_number(text)} " + _("g")


def _moment(iso: str) -> str:
    moment = parse_datetime(iso)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else iso


def qr_svg(url: str) -> str:
    """The verification link as an inline SVG QR code."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=6, border=2)
    return image.to_string(encoding="unicode")


# The PDF

#: Where a TrueType font with Cyrillic is looked for: the setting, then the DejaVu fonts that matplotlib
#: ships (installed with FDX), then the Debian package's.
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)


class NoReportFont(Exception):
    """No TrueType font with Cyrillic was found for the PDF."""


def report_font_paths() -> tuple[Path, Path]:
    """The regular and bold DejaVu Sans files used for the PDF."""
    candidates = []
    configured = getattr(settings, "FDX_REPORT_FONT_DIR", "")
    if configured:
        candidates.append(Path(configured))
    try:
        import matplotlib

        candidates.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    except ImportError:  # matplotlib is only a font source here
        pass
    candidates += [Path(folder) for folder in _FONT_DIRS]
    for folder in candidates:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise NoReportFont(_("No font with Cyrillic letters (DejaVu Sans) was found for the PDF."))


def render_pdf(presentation: Presentation) -> bytes:
    """The report as an A4 PDF; its metadata carries the examination's global id and the digest, which
    ``fdx reports verify FILE.pdf`` reads back."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = report_font_paths()
    # fpdf2 subsets the font through fontTools, which logs every table it touches at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    global_id = presentation.record[0][1]
    with translation.override(presentation.language):
        pdf = FPDF(format="A4")
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(True, margin=18)
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        pdf.set_title(presentation.title)
        pdf.set_subject(f"fdx-report:{global_id}:{presentation.digest}")
        pdf.set_creator("FDX")
        pdf.set_lang(presentation.language)
        footer = _("Digest %(digest)s · page") % {"digest": presentation.digest[:16]}
        pdf.footer = lambda: _pdf_footer(pdf, footer)
        pdf.add_page()
        width = pdf.epw

        def heading(text: str, size: int = 12) -> None:
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", size)
            pdf.multi_cell(width, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font("DejaVu", "", 9)

        def line(text: str, bold_text: bool = False) -> None:
            pdf.set_font("DejaVu", "B" if bold_text else "", 9)
            pdf.multi_cell(width, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font("DejaVu", "", 9)

        def pairs(rows: list[tuple[str, str]]) -> None:
            for label, value in rows:
                pdf.set_font("DejaVu", "B", 9)
                pdf.multi_cell(55, 4.6, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
                pdf.set_font("DejaVu", "", 9)
                pdf.multi_cell(width - 55, 4.6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

        heading(presentation.laboratory, 10)
        heading(presentation.title, 15)
        if presentation.supersedes:
            line(presentation.supersedes, bold_text=True)
        heading(_("Case"))
        pairs(presentation.case)
        heading(_("Exhibit and examination"))
        pairs(presentation.exhibit)
        heading(_("Methods"))
        for method in presentation.methods or ["—"]:
            line(f"• {method}")
        heading(_("Findings"))
        for number, finding in enumerate(presentation.findings, start=1):
            line(f"{number}. {finding['substance']} — {finding['role']}, {finding['result']}", bold_text=True)
            pairs(
                [
                    (_("Content"), finding["purity"]),
                    (_("Expanded uncertainty"), finding["uncertainty"]),
                    (_("Amount"), finding["amount"]),
                    (_("Base equivalent"), finding["base_equivalent"]),
                ]
            )
            legal = finding["legal"]
            if legal:
                pairs(
                    _pairs(
                        [
                            (_("Legal status"), f"{legal['status']} ({legal['where_when']})"),
                            (_("Lists"), legal["lists"]),
                            (_("Basis"), "\n".join(legal["basis"])),
                            (_("Why open"), legal["reason"]),
                            (_("Amount category"), legal["category"]),
                            (_("Mass weighed"), legal["category_basis"]),
                        ]
                    )
                )
            else:
                pairs([(_("Legal status"), _("no legal data for the country of seizure"))])
            if finding["note"]:
                pairs([(_("Note"), finding["note"])])
            pdf.ln(1)
        heading(_("Conclusion"))
        line(presentation.conclusion or "—")
        heading(_("Approvals"))
        for step, person, moment in presentation.approvals:
            line(f"{step}: {person}, {moment}")
        heading(_("Attachments"))
        for name, kind, sha256 in presentation.attachments or [("—", "", "")]:
            line(f"{name} ({kind})" if kind else name)
            if sha256:
                pdf.set_font("DejaVu", "", 7.5)
                pdf.multi_cell(width, 4, f"SHA-256 {sha256}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        heading(_("Record and verification"))
        pairs(presentation.record)
        pairs([(_("Report digest (SHA-256)"), presentation.digest_grouped)])
        pairs([(_("Verify at"), presentation.verification_url)])
        if presentation.verification_url.startswith("http"):
            image = qrcode.make(presentation.verification_url, box_size=4, border=2)
            buffer = io.BytesIO()
            image.save(buffer)
            pdf.image(buffer, w=32)
        return bytes(pdf.output())


def _pdf_footer(pdf, text: str) -> None:
    pdf.set_y(-12)
    pdf.set_font("DejaVu", "", 7)
    pdf.cell(0, 5, f"{text} {pdf.page_no()}", align="C")
