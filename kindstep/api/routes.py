"""The REST API (django-ninja): a person's record by personal access token, at ``/api/``.

Every route reads and writes through the same ``store.queries`` and ``store.actions``
the web pages and the CLI call, never SQL of its own; this module only turns HTTP
into those calls and their answers into JSON. What it answers (docs/api.md):

- 401: no token, an unknown one, or a revoked one (``tokens.token_for``).
- 403: a read-only token asked to change something.
- 404: an id that is not in the caller's record, whether someone else's or none at all.
- 422: a value that cannot be used: ``{"errors": [{"field": ..., "message": ...}]}``
  with the CLI's own messages (``core.checks`` and the actions' ``InvalidInput``).
- A PHQ-9 whose 9th answer is above 0 carries ``safety`` (the crisis lines for the
  person's country, ``core.scales.safety_answer``, the one item-9 rule) on every
  answer it gets, the refusals included: help comes first, before anything else is checked.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from kindstep.core.checks import InvalidInput
from kindstep.store import actions, mapping, queries
from kindstep.web.clock import now as _now  # the web's one clock serves the API too

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnly(Exception):
    """A read-only token asked to change the record."""


class NotFound(Exception):
    """No such entry in the caller's record (someone else's answers the same)."""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ks_...``: the token's account acts for its own person
    (``accounts.people.person_for``), as a signed-in page does; sessions are never read."""

    def authenticate(self, request, token):
        from kindstep.accounts.people import person_for
        from kindstep.api import tokens

        row = tokens.token_for(token, now=_now())
        if row is None:
            return None
        request.person = person_for(row.user)
        request.api_token = row
        if row.read_only and request.method not in READS:
            raise ReadOnly()
        return row


api = NinjaAPI(
    title="kindstep",
    version="1",
    description="A person's own kindstep record: check-ins, movement, rest days, "
                "questionnaires, today's offer, rhythm, insights and export. "
                "See docs/api.md.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,  # the interactive docs load scripts from a CDN; the schema is enough
    openapi_url="/openapi.json",
)


# -- the shapes of answers ------------------------------------------------------------------


class Detail(Schema):
    detail: str
    safety: dict[str, Any] | None = None


class FieldError(Schema):
    field: str
    message: str


class Invalid(Schema):
    errors: list[FieldError]
    safety: dict[str, Any] | None = None


class CheckinIn(Schema):
    energy: int | str
    mood: int | str
    anxiety: int | str
    minutes: int | str | None = None
    sleep: float | str | None = None
    note: str = ""
    date: str | None = None
    device_id: str | None = None


class CheckinPatch(Schema):
    energy: int | str | None = None
    mood: int | str | None = None
    anxiety: int | str | None = None
    minutes: int | str | None = None
    sleep: float | str | None = None
    note: str | None = None
    date: str | None = None


class CheckinOut(Schema):
    id: int
    entry: str
    date: date
    at: datetime | None
    energy: int
    mood: int
    anxiety: int
    minutes_available: int | None
    sleep_hours: float | None
    note: str


class CheckinMade(CheckinOut):
    care: dict[str, Any] | None = None
    """Check-ins at an extreme (``core.safety.checkin_care``): one quiet line to Help now."""


class SessionIn(Schema):
    activity: str
    duration: int | str
    effort: int | str | None = None
    before: int | str | None = None
    after: int | str | None = None
    note: str = ""
    date: str | None = None
    device_id: str | None = None


class SessionPatch(Schema):
    activity: str | None = None
    duration: int | str | None = None
    effort: int | str | None = None
    before: int | str | None = None
    after: int | str | None = None
    note: str | None = None
    date: str | None = None


class SessionOut(Schema):
    id: int
    entry: str
    date: date
    activity: str
    minutes: int
    met: float
    met_minutes: float
    effort: int | None
    mood_before: int | None
    mood_after: int | None
    note: str
    distance_m: float | None
    energy_kcal: float | None


class RestIn(Schema):
    date: str | None = None
    note: str = ""
    device_id: str | None = None


class RestPatch(Schema):
    date: str | None = None
    note: str | None = None


class RestOut(Schema):
    id: int
    entry: str
    date: date
    note: str


class QuestionnaireIn(Schema):
    scale: str
    answers: list[int | str] | str
    difficulty: int | str | None = None


class QuestionnaireOut(Schema):
    id: int
    scale: str
    name: str
    date: date
    taken_at: datetime
    answers: list[int]
    total: int
    max_total: int
    band: str
    difficulty: int | None
    change: int | None
    reliable_change: str | None
    response: bool | None
    remission: bool | None
    safety_flag: bool
    care_suggested: bool
    suggests_full: str | None
    summary: str
    safety: dict[str, Any] | None = None
    care: dict[str, Any] | None = None


READ = {401: Detail, 404: Detail, 422: Invalid}
WRITE = {401: Detail, 403: Detail, 404: Detail, 422: Invalid}


# -- answers that are not the record ----------------------------------------------------------


def _safety(request: HttpRequest) -> dict | None:
    """The safety payload when this request is a PHQ-9 whose 9th answer, as sent, is above 0.

    Read from the raw body, so that an answer refused for any other reason (a missing
    field, a value off the scale, a read-only token) still carries help.
    """
    if request.method != "POST" or request.path_info.rstrip("/") != "/api/questionnaires":
        return None
    try:
        sent = json.loads(request.body or b"null")
    except ValueError:
        return None
    if not isinstance(sent, dict):
        return None
    return _safety_for(request, sent.get("scale"), sent.get("answers"))


def _safety_for(request: HttpRequest, scale: object, answers: object) -> dict | None:
    from kindstep.core import safety, scales

    try:
        risk = scales.safety_answer(str(scale or ""), answers if answers is not None else ())
    except scales.ScaleError:
        return None
    if risk is None:
        return None
    person = getattr(request, "person", None)
    country = person.country if person is not None else None
    return safety_dict(safety.safety_message(safety.crisis_resources(country or None)))


def safety_dict(message) -> dict:
    """A core ``SafetyMessage`` as JSON (``SafetyMessage.as_dict``, as the CLI's ``--json``)."""
    return message.as_dict()


def _with_safety(request: HttpRequest, body: dict) -> dict:
    found = _safety(request)
    return {**body, "safety": found} if found else body


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    response = api.create_response(request, {
        "detail": "This needs a kindstep token that is still valid, sent as "
                  "'Authorization: Bearer TOKEN'; Settings makes one."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="kindstep"'
    return response


@api.exception_handler(ReadOnly)
def _read_only(request, exc):
    return api.create_response(request, _with_safety(request, {
        "detail": "This token can read your record but not change it; a token made for "
                  "reading and writing can."}), status=403)


@api.exception_handler(NotFound)
def _not_found(request, exc):
    return api.create_response(request, _with_safety(request, {
        "detail": "There is nothing with that id in your record."}), status=404)


@api.exception_handler(InvalidInput)
def _invalid(request, exc: InvalidInput):
    return api.create_response(request, _with_safety(request, {
        "errors": [{"field": exc.field, "message": exc.message}]}), status=422)


@api.exception_handler(ValidationError)
def _unusable(request, exc: ValidationError):
    """ninja's own checks (a missing field, a list where a number goes) as 422, each naming
    its field; never the value sent, which may be a person's words."""
    errors = []
    for error in exc.errors:
        where = list(error.get("loc", ()))
        # ("body", <parameter>, field, ...), ("path", field) or ("query", field): the field
        # is what follows; what comes after it (a list index, a type tried) is left out.
        where = where[2:] if where[:1] == ["body"] else where[1:]
        field = str(where[0]) if where else "body"
        kind = error.get("type", "")
        message = ("This field is needed." if kind == "missing" else
                   "This field is not one kindstep takes here." if kind == "extra_forbidden"
                   else f"This value cannot be used for {field}: {error.get('msg', 'unusable')}.")
        errors.append({"field": field, "message": message})
    return api.create_response(request, _with_safety(request, {"errors": errors}), status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400:  # a body that is not JSON
        return api.create_response(request, {"errors": [{
            "field": "body", "message": "The request body must be a JSON object."}]}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


# -- values as JSON ------------------------------------------------------------------------------


def _checkin(c) -> dict:
    return {"id": c.id, "entry": mapping.entry_id("checkin", c.id), "date": c.day, "at": c.at,
            "energy": c.energy, "mood": c.mood, "anxiety": c.anxiety,
            "minutes_available": c.minutes_available, "sleep_hours": c.sleep_hours,
            "note": c.body_note}


def _session(s) -> dict:
    return {"id": s.id, "entry": mapping.entry_id("session", s.id), "date": s.day,
            "activity": s.activity, "minutes": s.minutes, "met": s.met,
            "met_minutes": round(s.met * s.minutes, 1), "effort": s.effort,
            "mood_before": s.mood_before, "mood_after": s.mood_after, "note": s.note,
            "distance_m": s.distance_m, "energy_kcal": s.energy_kcal}


def _rest(r) -> dict:
    return {"id": r.id, "entry": mapping.entry_id("rest", r.id), "date": r.day, "note": r.note}


def _questionnaire(request, row, result) -> dict:
    from kindstep.core import safety, scales

    care = safety.care_message(result)
    help_now = None
    if result.safety_flag:
        help_now = safety_dict(safety.safety_message(
            safety.crisis_resources(request.person.country or None)))
    return {
        "id": row.pk, "scale": result.code, "name": scales.get_scale(result.code).name,
        "date": row.day, "taken_at": row.taken_at, "answers": list(result.answers),
        "total": result.total, "max_total": result.max_total, "band": result.band,
        "difficulty": result.difficulty, "change": result.change,
        "reliable_change": result.reliable_change, "response": result.response,
        "remission": result.remission, "safety_flag": result.safety_flag,
        "care_suggested": result.care, "suggests_full": result.suggests_full,
        "summary": result.plain_summary, "safety": help_now,
        "care": {"title": care.title, "message": care.body} if care else None,
    }


def _entry(request, kind: str, pk: int):
    """The caller's entry ``kind`` ``pk`` (``actions.get_entry``); NotFound otherwise."""
    if pk < 1 or pk > 2**62:
        raise NotFound()
    try:
        return actions.get_entry(request.person, actions.EntryRef(kind, pk))
    except InvalidInput:
        raise NotFound() from None


def _changes(data: Schema) -> dict:
    return data.dict(exclude_unset=True)


# -- check-ins -----------------------------------------------------------------------------------


@api.get("/checkins", response={200: list[CheckinOut], **READ}, tags=["check-ins"])
def list_checkins(request):
    """Every check-in in the record, oldest first."""
    return [_checkin(c) for c in queries.history(request.person).checkins]


@api.post("/checkins", response={201: CheckinMade, 200: CheckinMade, **WRITE},
          tags=["check-ins"])
def add_checkin(request, data: CheckinIn):
    """Record how things feel now (0-10 each). A ``device_id`` sent before returns that
    check-in (200) and writes nothing. After check-ins at an extreme, ``care`` holds one
    quiet line pointing to Help now, as `kindstep checkin --json` gives it."""
    from kindstep.core.safety import HELP_NOW_COMMAND

    row = actions.record_checkin(request.person, energy=data.energy, mood=data.mood,
                                 anxiety=data.anxiety, minutes=data.minutes, sleep=data.sleep,
                                 note=data.note, day=data.date, now=_now(),
                                 device_id=data.device_id)
    care = queries.checkin_care(request.person)
    made = {**_checkin(mapping.checkin(row)), "care": {
        "title": care.title, "message": care.body, "where_help_is": HELP_NOW_COMMAND,
    } if care else None}
    return Status(200 if row.repeated else 201, made)


@api.get("/checkins/{id}", response={200: CheckinOut, **READ}, tags=["check-ins"])
def get_checkin(request, id: int):
    return _checkin(mapping.checkin(_entry(request, "checkin", id)))


@api.patch("/checkins/{id}", response={200: CheckinOut, **WRITE}, tags=["check-ins"])
def edit_checkin(request, id: int, data: CheckinPatch):
    """Change some answers; ``""`` for minutes or sleep takes that answer back."""
    _entry(request, "checkin", id)
    _, row = actions.edit_entry(request.person, f"c{id}", now=_now(), **_changes(data))
    return _checkin(mapping.checkin(row))


@api.delete("/checkins/{id}", response={204: None, **WRITE}, tags=["check-ins"])
def delete_checkin(request, id: int):
    """Remove it (the web's and the CLI's undo can put it back within the hour)."""
    _entry(request, "checkin", id)
    actions.delete_entry(request.person, f"c{id}", now=_now())
    return Status(204, None)


# -- sessions ------------------------------------------------------------------------------------


@api.get("/sessions", response={200: list[SessionOut], **READ}, tags=["sessions"])
def list_sessions(request):
    """Every stretch of movement in the record, oldest first."""
    return [_session(s) for s in queries.history(request.person, checkins=False,
                                                 rest_days=False).sessions]


@api.post("/sessions", response={201: SessionOut, 200: SessionOut, **WRITE}, tags=["sessions"])
def add_session(request, data: SessionIn):
    """Log movement: an activity code (``kindstep activities``) and a duration (10, "1h15m")."""
    row = actions.log_session(request.person, activity=data.activity, duration=data.duration,
                              effort=data.effort, before=data.before, after=data.after,
                              note=data.note, day=data.date, now=_now(),
                              device_id=data.device_id)
    return Status(200 if row.repeated else 201, _session(mapping.session(row)))


@api.get("/sessions/{id}", response={200: SessionOut, **READ}, tags=["sessions"])
def get_session(request, id: int):
    return _session(mapping.session(_entry(request, "session", id)))


@api.patch("/sessions/{id}", response={200: SessionOut, **WRITE}, tags=["sessions"])
def edit_session(request, id: int, data: SessionPatch):
    """Change some fields; ``""`` for effort, before or after takes that answer back."""
    _entry(request, "session", id)
    _, row = actions.edit_entry(request.person, f"s{id}", now=_now(), **_changes(data))
    return _session(mapping.session(row))


@api.delete("/sessions/{id}", response={204: None, **WRITE}, tags=["sessions"])
def delete_session(request, id: int):
    _entry(request, "session", id)
    actions.delete_entry(request.person, f"s{id}", now=_now())
    return Status(204, None)


# -- rest days ---------------------------------------------------------------------------------


@api.get("/rest-days", response={200: list[RestOut], **READ}, tags=["rest days"])
def list_rest_days(request):
    """Every rest day in the record, oldest first."""
    return [_rest(r) for r in queries.history(request.person, checkins=False).rest_days]


@api.post("/rest-days", response={201: RestOut, 200: RestOut, **WRITE}, tags=["rest days"])
def add_rest_day(request, data: RestIn):
    """Mark a day (today by default) as rest; the same day again keeps one (200)."""
    row, created = actions.log_rest(request.person, day=data.date, note=data.note, now=_now(),
                                    device_id=data.device_id)
    return Status(201 if created else 200, _rest(mapping.rest_day(row)))


@api.get("/rest-days/{id}", response={200: RestOut, **READ}, tags=["rest days"])
def get_rest_day(request, id: int):
    return _rest(mapping.rest_day(_entry(request, "rest", id)))


@api.patch("/rest-days/{id}", response={200: RestOut, **WRITE}, tags=["rest days"])
def edit_rest_day(request, id: int, data: RestPatch):
    _entry(request, "rest", id)
    _, row = actions.edit_entry(request.person, f"r{id}", now=_now(), **_changes(data))
    return _rest(mapping.rest_day(row))


@api.delete("/rest-days/{id}", response={204: None, **WRITE}, tags=["rest days"])
def delete_rest_day(request, id: int):
    _entry(request, "rest", id)
    actions.delete_entry(request.person, f"r{id}", now=_now())
    return Status(204, None)


# -- questionnaires ----------------------------------------------------------------------------


def _questionnaires(request) -> list[tuple]:
    person = request.person
    return list(zip(queries.questionnaire_rows(person), queries.questionnaire_history(person),
                    strict=True))


@api.get("/questionnaires", response={200: list[QuestionnaireOut], **READ},
         tags=["questionnaires"])
def list_questionnaires(request):
    """Every PHQ-9, GAD-7 and short screen answered, oldest first, each scored against the
    earlier ones of its scale."""
    return [_questionnaire(request, row, result) for row, result in _questionnaires(request)]


@api.post("/questionnaires", response={201: QuestionnaireOut, **WRITE}, tags=["questionnaires"])
def answer_questionnaire(request, data: QuestionnaireIn):
    """Answer a whole questionnaire (``phq9``, ``gad7``, ``phq2``, ``gad2``), each answer 0-3.

    A PHQ-9 whose 9th answer is above 0 carries ``safety`` whatever else is refused.
    """
    help_now = _safety_for(request, data.scale, data.answers)
    try:
        row, result = actions.answer_questionnaire(request.person, data.scale, data.answers,
                                                   difficulty=data.difficulty, now=_now())
    except InvalidInput as err:
        return Status(422, {"errors": [{"field": err.field, "message": err.message}],
                            "safety": help_now})
    return Status(201, _questionnaire(request, row, result))


@api.get("/questionnaires/{id}", response={200: QuestionnaireOut, **READ},
         tags=["questionnaires"])
def get_questionnaire(request, id: int):
    for row, result in _questionnaires(request):
        if row.pk == id:
            return _questionnaire(request, row, result)
    raise NotFound()


@api.patch("/questionnaires/{id}", response={405: Detail, 401: Detail, 403: Detail, 422: Invalid},
           tags=["questionnaires"])
def edit_questionnaire(request, id: int):
    """Not offered: a questionnaire is kept as it was answered (a new one can be taken)."""
    return Status(405, {"detail": "A questionnaire is kept as it was answered and cannot be "
                                  "changed; answering it again adds a new one."})


@api.delete("/questionnaires/{id}", response={204: None, **WRITE}, tags=["questionnaires"])
def delete_questionnaire(request, id: int):
    """Delete one answered questionnaire for good (there is no undo for these)."""
    try:
        actions.delete_questionnaire(request.person, id)
    except InvalidInput:
        raise NotFound() from None
    return Status(204, None)


# -- the shares a member has granted (docs/sharing.md) ------------------------------------------


class ShareOut(Schema):
    id: int
    who: str
    role: str
    scopes: list[str]
    ends_on: date | None
    revoked: bool
    revoked_at: datetime | None
    created_at: datetime
    live: bool


@api.get("/shares", response={200: list[ShareOut], **READ}, tags=["shares"])
def list_shares(request):
    """Every share this person has made with a clinician or supporter, newest first: who,
    which parts, until when, and whether it is live (``sharing.queries.shares_granted``, as
    the web's Sharing page). Made and accepted on the web only, by a one-time code."""
    from kindstep.sharing.queries import shares_granted

    return shares_granted(request.person, now=_now())


@api.delete("/shares/{id}", response={204: None, **WRITE}, tags=["shares"])
def revoke_share(request, id: int):
    """Stop a share at once (``sharing.actions.revoke``, as the web's Stop sharing); a share
    already stopped stays stopped. Another person's share answers 404 like a missing one."""
    from kindstep.sharing.actions import revoke

    if not revoke(request.person, id, now=_now()):
        raise NotFound()
    return Status(204, None)


# -- what the record shows -------------------------------------------------------------------


Whole = {200: dict[str, Any], 401: Detail}


@api.get("/today", response=Whole, tags=["today"])
def today(request):
    """Today's offer: three small choices sized to today's check-in, and rest as an equal
    (``queries.today_offer``, as `kindstep today --json` and the web's Today)."""
    from kindstep.store.queries import today_offer

    return today_offer(request.person, _now()).as_dict(_checkin)


@api.get("/rhythm", response=Whole, tags=["rhythm"])
def rhythm(request):
    """Active days each week against the person's target, and the habit's strength
    (``core.rhythm``, as `kindstep week --json` and the web's Rhythm)."""
    from kindstep.core.rhythm import rhythm as rhythm_of

    person = request.person
    day = queries.today(person, _now())
    r = rhythm_of(queries.history(person, until=day), mapping.profile(person), today=day,
                  paused=queries.rhythm_paused(person, day))
    return {
        "week_start": r.week_start, "target_days": r.target_days,
        "active_days_this_week": r.active_days_this_week,
        "rest_days_this_week": r.rest_days_this_week,
        "met_target_this_week": r.met_target_this_week,
        "minutes_this_week": r.minutes_this_week,
        "met_minutes_this_week": round(r.met_minutes_this_week, 1),
        "weeks_meeting_target": r.weeks_meeting_target,
        "habit_strength": round(r.habit_strength, 4), "habit_sentence": r.habit_sentence,
        "who_sentence": r.who_sentence, "summary": r.summary,
        "paused_days_this_week": r.paused_days_this_week, "aim_this_week": r.aim_this_week,
        "weeks": [{"start": w.start, "active_days": w.active_days, "rest_days": w.rest_days,
                   "minutes": w.minutes, "met_minutes": round(w.met_minutes, 1),
                   "met_target": w.met_target, "paused_days": w.paused_days, "aim": w.aim}
                  for w in r.weeks],
    }


@api.get("/insights", response=Whole, tags=["insights"])
def insights(request):
    """What seems to go with movement for this person, with its uncertainty
    (``queries.insights_for``, as `kindstep insights --json`)."""
    person = request.person
    return queries.insights_for(person, queries.today(person, _now())).as_dict()


@api.get("/export", response=Whole, tags=["export"])
def export(request):
    """Everything kindstep keeps about the person, the same JSON as `kindstep export`."""
    pieces = actions.export_all(request.person, now=_now())
    response = StreamingHttpResponse(pieces, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="kindstep-export.json"'
    response["Cache-Control"] = "no-store"
    return response
