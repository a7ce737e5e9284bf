"""The examination report (printable page, PDF, JSON) and the page that verifies a report's digest.

Reading a report is reading the examination: the same selector, so whoever cannot see the case gets 404.
The first showing of an approved revision issues its report (``actions.issue_report``). The verification
page is open to anyone holding a report, signed in or not: it answers match or no match with revision
numbers and dates, and links to the report only for those who may see the record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fdx.accounts.throttling import client_address
from fdx.examinations import actions, reports, selectors
from fdx.examinations.forms import ReportVerificationForm
from fdx.examinations.report_render import NoReportFont, present, qr_svg, render_pdf


def _language(request) -> str:
    """The report's language: asked for (``?lang=``), else the laboratory's (the node's)."""
    asked = request.GET.get("lang", "")
    return asked if asked in reports.LANGUAGES else reports.node_language()


def _issued(request, examination_id):
    """The examination (404 when not visible) and its issued report, or None with a message said."""
    examination = selectors.get_examination(request.user, examination_id)
    try:
        return examination, actions.issue_report(request.user, examination, language=_language(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return examination, None


@login_required
def report_page(request, examination_id):
    """The printable report (A4, no navigation when printed) in the laboratory's language or the other."""
    examination, issued = _issued(request, examination_id)
    if issued is None:
        return redirect("examinations:examination", examination_id=examination.global_id)
    language = _language(request)
    presentation = present(issued, language, request.build_absolute_uri("/")[:-1])
    return render(
        request,
        "examinations/report.html",
        {
            "examination": examination,
            "report": presentation,
            "qr": qr_svg(presentation.verification_url),
            "other_languages": [code for code in reports.LANGUAGES if code != language],
            "status_note": _status_note(examination),
        },
    )


@login_required
def report_pdf(request, examination_id):
    """The report as a PDF made on the server."""
    examination, issued = _issued(request, examination_id)
    if issued is None:
        return redirect("examinations:examination", examination_id=examination.global_id)
    presentation = present(issued, _language(request), request.build_absolute_uri("/")[:-1])
    try:
        data = render_pdf(presentation)
    except NoReportFont as exc:
        messages.error(request, str(exc))
        return redirect("examinations:report", examination_id=examination.global_id)
    response = HttpResponse(data, content_type="application/pdf")
    content = issued.content
    name = f"report-{content['case']['reference']}-{content['exhibit']['label']}-r{issued.revision}"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    response["Content-Disposition"] = f'attachment; filename="{safe}.pdf"'
    return response


@login_required
def report_json(request, examination_id):
    """The report's canonical content and digest, as a file (``fdx reports verify FILE.json`` reads it)."""
    examination, issued = _issued(request, examination_id)
    if issued is None:
        return redirect("examinations:examination", examination_id=examination.global_id)
    response = JsonResponse(
        reports.report_document(issued), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="report-{examination.global_id}.json"'
    return response


def _status_note(examination) -> str:
    """What has happened to the record since: superseded or retracted (said on screen, not printed into
    the fixed content)."""
    if examination.status == "superseded":
        current = reports.current_revision(examination)
        return _("Superseded by revision %(revision)s, approved %(date)s.") % {
            "revision": current.revision,
            "date": current.approved_at.strftime("%Y-%m-%d") if current.approved_at else "—",
        }
    if examination.status == "retracted":
        return _("Retracted: %(reason)s") % {"reason": examination.retraction_reason}
    return ""


VERIFY_CHECKS_PER_WINDOW = 60
VERIFY_WINDOW_SECONDS = 600


def _too_many_checks(request) -> bool:
    """Whether this address has checked more reports than ``VERIFY_CHECKS_PER_WINDOW`` in the window (kept
    in the cache of each server process: a bound on flooding, not an exact count)."""
    key = f"fdx:report-verify:{client_address(request)}"
    cache.add(key, 0, VERIFY_WINDOW_SECONDS)
    try:
        return cache.incr(key) > VERIFY_CHECKS_PER_WINDOW
    except ValueError:  # expired between add and incr
        return False


def verify_page(request):
    """Check a report: the examination's global id and the digest printed on it (or the QR code's link)."""
    form = ReportVerificationForm(request.GET or None)
    verification = None
    status = 200
    if form.is_bound and _too_many_checks(request):
        # The page is open to anyone and each check is audited: a crawler must not flood the audit chain.
        form.add_error(None, _("Too many checks from your address: wait ten minutes and try again."))
        return render(request, "examinations/report_verify.html", {"form": form}, status=429)
    if form.is_bound:
        try:
            verification = actions.verify_report(
                request.user, form.data.get("examination", ""), form.data.get("digest", ""), channel="web"
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("examination" if field == "global_id" else field, errors)
            status = 400
    return render(
        request,
        "examinations/report_verify.html",
        {"form": form, "verification": verification},
        status=status,
    )
