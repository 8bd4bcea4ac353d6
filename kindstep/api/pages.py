"""The Settings page's personal access tokens (server mode): make one, see it once, revoke."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kindstep.api import tokens
from kindstep.core.checks import InvalidInput
from kindstep.web.clock import now as _now


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def tokens_page(request):
    """The account's live tokens, a form for a new one, and a revoke button beside each.

    A new token is shown on the page the POST answers, once, and never again; nothing
    redirects to an address that could show it twice.
    """
    error, made = "", None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            number = request.POST.get("token", "")
            if number.isascii() and number.isdigit():
                tokens.revoke_tokens(request.user, pk=int(number), now=_now())
            return redirect("api_tokens")
        try:
            row, token = tokens.create_token(
                request.user, label=request.POST.get("label", ""),
                read_only=request.POST.get("scope") == "read", now=_now())
        except InvalidInput as err:
            error = err.message
        else:
            made = {"row": row, "token": token}
    return render(request, "kindstep_api/tokens.html", {
        "tokens": tokens.live_tokens(request.user), "made": made, "error": error,
        "label": request.POST.get("label", "") if error else "",
    }, status=422 if error else 200)

