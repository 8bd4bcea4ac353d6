"""Check-ins that are validated questionnaires (PHQ-9, GAD-7), their results, and the
readiness questions. Help comes first: a thought of self-harm answered on any form, finished
or not, shows the crisis box before anything else (``core.scales.safety_answer``); a high
total adds a gentle care note (``core.scales.care_needed``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kindstep.core.checks import InvalidInput
from kindstep.store import actions, queries
from kindstep.web.clock import now as _now  # the web's one clock
from kindstep.web.pages import choose_country, person_today, render_page


@require_http_methods(["GET"])
def checkins(request: HttpRequest) -> HttpResponse:
    """PHQ-9 and GAD-7: when each is due, and the history of scores with their bands."""
    from kindstep.core import scales

    person = request.person
    rows = queries.questionnaire_rows(person)
    results = queries.questionnaire_history(person)
    history = [
        {"row": row, "result": result, "scale": scales.get_scale(row.scale)}
        for row, result in zip(rows, results, strict=True)
    ]
    return render_page(request, "checkins.html", {
        "history": list(reversed(history)),
        "due": queries.questionnaire_due(person, person_today(request)),
        "scales": [scales.get_scale(code) for code in ("phq9", "gad7")],
    })


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, scale: str) -> HttpResponse:
    """One questionnaire, all items on one page; item 9 above 0 leads to the help page first."""
    from kindstep.core import safety, scales

    try:
        spec = scales.get_scale(scale)
    except scales.ScaleError:
        raise Http404("no such questionnaire") from None
    if spec.code not in ("phq9", "gad7", "phq2", "gad2"):
        raise Http404("no such questionnaire")
    person = request.person
    errors: dict[str, str] = {}
    choose_country(request)  # from the safety box of a refused form: then the form again
    if request.method == "POST":
        raw = [request.POST.get(f"item{i}", "") for i in range(1, len(spec.items) + 1)]
        missing = [i for i, value in enumerate(raw, 1) if value == ""]
        if missing:
            errors["answers"] = (
                f"Please answer question {missing[0]}"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                + "; each has four choices from 0 to 3."
            )
        else:
            try:
                row, result = actions.answer_questionnaire(
                    person, spec.code, ",".join(raw),
                    difficulty=request.POST.get("difficulty") or None, now=_now(),
                )
            except InvalidInput as err:
                errors[err.field] = err.message
            else:
                # Shown from its own address, so reloading the result never sends it again.
                return redirect("questionnaire_result", spec.code, row.pk)
    # Help never waits for a finished questionnaire (docs/evidence.md section 2): a thought of
    # self-harm answered on a form that came back for another answer still shows it (the one
    # item-9 rule).
    warned = errors and scales.safety_answer(
        spec.code, [request.POST.get(f"item{i}", "") for i in range(1, len(spec.items) + 1)])
    return render_page(request, "questionnaire.html", {
        "spec": spec, "errors": errors,
        "safety": safety.safety_message(safety.crisis_resources(person.country or None))
        if warned else None,
        "values": request.POST if request.method == "POST" else {},
        "items": [
            (n, text, (request.POST.get(f"item{n}", "") if request.method == "POST" else ""))
            for n, text in enumerate(spec.items, 1)
        ],
        "options": list(enumerate(spec.options)),
        "difficulty": list(enumerate(spec.difficulty_options)),
    }, status=422 if errors else 200)


@require_http_methods(["GET", "POST"])
def questionnaire_result(request: HttpRequest, scale: str, pk: int) -> HttpResponse:
    """One stored questionnaire's total, band and change; the help first after item 9 above 0.

    A POST is only the safety box's country choice: saved, then this page again.
    """
    from kindstep.core import safety, scales

    if request.method == "POST":
        choose_country(request)
        return redirect(request.path)

    try:
        spec = scales.get_scale(scale)
    except scales.ScaleError:
        raise Http404("no such questionnaire") from None
    person = request.person
    rows = queries.questionnaire_rows(person, spec.code)
    for row, result in zip(rows, queries.questionnaire_history(person, spec.code), strict=True):
        if row.pk == pk:
            resources = safety.crisis_resources(person.country or None)
            return render_page(request, "result.html", {
                "spec": spec, "result": result, "row": row,
                "safety": safety.safety_message(resources) if result.safety_flag else None,
                "care": safety.care_message(result),
            })
    raise Http404("no such answer")


@require_http_methods(["GET", "POST"])
def readiness(request: HttpRequest) -> HttpResponse:
    """kindstep's own readiness questions; any yes keeps suggestions light until clearance."""
    from kindstep.core import readiness as core_readiness

    person = request.person
    questions = core_readiness.load_questions()
    errors: dict[str, str] = {}
    result = None
    if request.method == "POST":
        action = request.POST.get("action", "answer")
        try:
            if action == "skip":
                actions.record_readiness(person, None, now=_now())
                return redirect("today")
            if action == "clearance":
                actions.record_clearance(person, now=_now())
                return redirect(reverse("readiness") + "?cleared=1")
            answers = {}
            for q in questions:
                value = request.POST.get(q.code, "")
                if value not in ("yes", "no"):
                    raise InvalidInput(q.code, "Please choose yes or no for this question.")
                answers[q.code] = value == "yes"
            actions.record_readiness(person, answers, now=_now())
            # The answer has its own address, so a reload shows it without sending it again.
            return redirect(reverse("readiness") + "?answered=1")
        except InvalidInput as err:
            errors[err.field] = err.message
    elif request.GET.get("answered") and set(person.readiness) == {q.code for q in questions}:
        # What the stored answers mean now: a doctor's go-ahead given since then counts.
        result = core_readiness.assess(person.readiness, doctor_go_ahead=not person.light_only)
    _, supervised = core_readiness.standing_limits(person.readiness or {}, doctor_go_ahead=True)
    symptoms = queries.symptoms_to_heed(person, person_today(request))
    held = bool(symptoms) or queries.kept_light(person, person_today(request), symptoms) not in (
        "", "supervised")
    return render_page(request, "readiness.html", {
        "questions": questions, "intro": core_readiness.intro(), "errors": errors,
        "result": result, "values": request.POST, "person": person,
        "cleared": request.GET.get("cleared"), "supervised": supervised, "held": held,
    }, status=422 if errors else 200)
