"""kindstep's tables, one model per module."""

from kindstep.store.models.checkin import CheckIn
from kindstep.store.models.health import DailyMeasure, HealthRecord, HealthSource, HealthType, HealthWorkout  # noqa: F401
from kindstep.store.models.person import Person
from kindstep.store.models.questionnaire import QuestionnaireResponse
from kindstep.store.models.rest import RestDay
from kindstep.store.models.safety import SafetyEvent
from kindstep.store.models.session import MovementSession

__all__ = [
    "CheckIn",
    "MovementSession",
    "Person",
    "QuestionnaireResponse",
    "RestDay",
    "SafetyEvent",
]
