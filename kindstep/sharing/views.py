"""Sharing's pages: the member's (``/sharing/``: shares, invite, revoke, who looked) and the
grantee's (``/shared/``: accept a code, the members who share, one shared record, its PDF).

A share that is not the grantee's, revoked, past its end date or erased answers
404 exactly like one that does not exist. Every view of a member's record
writes one audit row (``actions.record_view``). Codes are typed and posted,
never put in an address.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kindstep.core import sharing as rules
from kindstep.core.checks import InvalidInput
from kindstep.sharing import actions, queries
from kindstep.store import queries as store
from kindstep.web.clock import now as _now


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"  # another person's record, or a code
    return response


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"current": "settings", "statement": rules.NOT_A_MONITORING_SERVICE,
               "scope_words": rules.SCOPES, "role_words": rules.ROLES, **context}
    return _private(render(request, f"kindstep_sharing/{template}", context, status=status))


# -- the member's side ------------------------------------------------------------------


@require_GET
def sharing(request: HttpRequest) -> HttpResponse:
    """The member's shares (who, what, until when), a way to stop each, and every view."""
    now = _now()
    person = request.person
    shares = queries.shares_granted(person, now=now)
    return _page(request, "sharing.html", {
        "live": [s for s in shares if s["live"]],
        "ended": [s for s in shares if not s["live"]],
        "views": queries.views_of(person),
        "view_words": actions.VIEW_WORDS,
        "revoked": request.GET.get("revoked") == "1",
    })


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    """The invitation form; posted, the code, shown this once."""
    values = {"role": "clinician", "scopes": list(rules.DEFAULT_SCOPES), "ends_on": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = request.POST
        values = {"role": data.get("role", ""), "scopes": data.getlist("scopes"),
                  "ends_on": data.get("ends_on", "")}
        try:
            invitation, code = actions.create_invitation(
                request.user, request.person, role=values["role"], scopes=values["scopes"],
                ends_on=values["ends_on"], now=_now())
        except InvalidInput as err:
            errors[err.field] = err.message
        else:
            return _page(request, "code.html", {"code": code, "invitation": invitation})
    return _page(request, "invite.html", {"values": values, "errors": errors},
                 status=422 if errors else 200)


@require_POST
def revoke(request: HttpRequest, share: int) -> HttpResponse:
    """Stop a share at once; someone else's share answers 404 like one that is not there."""
    if not actions.revoke(request.person, share, now=_now()):
        raise Http404("no such share")
    return redirect("/sharing/?revoked=1")


# -- the grantee's side -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest) -> HttpResponse:
    """Type the code a member gave; a good one opens their shared record."""
    error = ""
    if request.method == "POST":
        try:
            share = actions.accept_invitation(request.user, request.POST.get("code", ""),
                                              now=_now())
        except InvalidInput as err:
            error = err.message
        else:
            return redirect("shared_record", share=share.pk)
    return _page(request, "accept.html", {"error": error, "current": "shared"},
                 status=422 if error else 200)


@require_GET
def shared(request: HttpRequest) -> HttpResponse:
    """The members who share with this account; each one listed is one audited view."""
    now = _now()
    members = []
    for share, person in queries.received(request.user, now=now):
        members.append(queries.overview(share, person, now=now))
        actions.record_view(share, what="list", now=now)
    return _page(request, "shared.html", {"members": members, "current": "shared"})


def _live_or_404(request: HttpRequest, share: int):
    found = queries.live_share(request.user, share, now=_now())
    if found is None:
        raise Http404("no such share")
    return found


@require_GET
def shared_record(request: HttpRequest, share: int) -> HttpResponse:
    """One member's shared parts, nothing else; looking clears the item-9 flag."""
    now = _now()
    row, person = _live_or_404(request, share)
    record = queries.shared_record(row, person, now=now)
    actions.record_view(row, what="record", now=now, looked=True)
    return _page(request, "record.html", {"m": record, "current": "shared",
                                          "today": store.today(person, now)})


@require_GET
def shared_report(request: HttpRequest, share: int) -> HttpResponse:
    """The PDF report of a share with rhythm, check-ins and scores (notes only if shared)."""
    from kindstep.reports.pdf import ReportOptions, render_pdf

    now = _now()
    row, person = _live_or_404(request, share)
    if not rules.report_allowed(row.scopes):
        raise Http404("no such report")
    pdf = render_pdf(person, weeks=queries.REPORT_WEEKS, now=now,
                     options=ReportOptions(notes="notes" in row.scopes))
    actions.record_view(row, what="report", now=now, looked=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kindstep-shared-{row.pk}.pdf"'
    return _private(response)
