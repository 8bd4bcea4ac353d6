"""kindstep's own account pages: the account's home, and deleting it with everything in it."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from kindstep.core.checks import InvalidInput
from kindstep.store import actions


@require_GET
@login_required
def account_home(request):
    """Where the account's ways of signing in are kept, and what happens to the data."""
    return render(request, "kindstep_accounts/home.html", {"email": request.user.email})


@require_http_methods(["GET", "POST"])
@login_required
def delete_account(request):
    """What deleting means, and a form that asks for the word; then the account is gone."""
    from kindstep.accounts.people import erase_account

    error = ""
    if request.method == "POST":
        user = request.user
        try:
            erase_account(user, confirm=request.POST.get("confirm", ""))
        except InvalidInput as err:
            error = err.message
        else:
            logout(request)
            return redirect(reverse("account_deleted"))
    return render(request, "kindstep_accounts/delete.html",
                  {"error": error, "word": actions.ERASE_WORD}, status=422 if error else 200)


@require_GET
def account_deleted(request):
    return render(request, "kindstep_accounts/deleted.html", {})
