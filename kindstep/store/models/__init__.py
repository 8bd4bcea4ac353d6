"""kindstep's tables, one model per module."""

from kindstep.store.models.checkin import CheckIn
from kindstep.store.models.experiment import Experiment
from kindstep.store.models.experiment_outcome import ExperimentOutcome
from kindstep.store.models.health import (  # noqa: F401
    DailyMeasure,
    HealthRecord,
    HealthSource,
    HealthType,
    HealthWorkout,
)
from kindstep.store.models.import_job import ImportJob, UploadChunk
from kindstep.store.models.journal import JournalEntry, JournalNote  # noqa: F401
from kindstep.store.models.pause import Pause
from kindstep.store.models.person import Person
from kindstep.store.models.plan import Plan, Prediction
from kindstep.store.models.questionnaire import QuestionnaireResponse
from kindstep.store.models.reminders import (  # noqa: F401
    PushSubscription,
    ReminderSent,
    ReminderSettings,
    VapidKey,
)
from kindstep.store.models.rest import RestDay
from kindstep.store.models.safety import SafetyEvent
from kindstep.store.models.session import MovementSession, RemovedImport

__all__ = [
    "CheckIn",
    "Experiment",
    "ExperimentOutcome",
    "ImportJob",
    "MovementSession",
    "Pause",
    "Person",
    "Plan",
    "Prediction",
    "QuestionnaireResponse",
    "RemovedImport",
    "RestDay",
    "SafetyEvent",
    "UploadChunk",
]
