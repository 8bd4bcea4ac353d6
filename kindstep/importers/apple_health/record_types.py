"""Apple's names and units, and what they mean to kindstep.

Workout activity types map onto the catalogue (:func:`activity_for`); the
record types the daily sums read are named here (:data:`STEPS`,
:data:`MINDFUL`, :data:`SLEEP`); and distances, energies and durations are
brought to metres, kilocalories and minutes from the units Apple writes.
"""

from __future__ import annotations

import math

FORMAT = "apple_health"
SOURCE = "apple_health"
"""``source`` of the sessions and daily measures this importer makes."""

# ---------------------------------------------------------------------------
# Workout activity types -> catalogue codes
# ---------------------------------------------------------------------------

WORKOUT_ACTIVITIES: dict[str, str] = {
    # Walking and hiking
    "Walking": "walk",  # "walk_brisk" when the average pace is 5.5 km/h or more
    "Hiking": "hike",
    "Wheelchair": "walk",
    "WheelchairWalkPace": "walk",
    "WheelchairRunPace": "walk_brisk",
    "Golf": "walk",
    "Fishing": "walk_slow",
    "Hunting": "walk",
    "Play": "play_kids_active",
    # Running
    "Running": "jog",
    "Track": "jog",
    # Cycling
    "Cycling": "cycle",
    "HandCycling": "cycle",
    # Water
    "Swimming": "swim",
    "WaterFitness": "water_aerobics",
    "WaterSports": "swim",
    "SwimBikeRun": "jog",
    # Mind and body
    "Yoga": "yoga_gentle",
    "MindAndBody": "yoga_gentle",
    "Flexibility": "stretch_standing",
    "Cooldown": "stretch_standing",
    "PreparationAndRecovery": "stretch_standing",
    "Pilates": "pilates",
    "Barre": "pilates",
    "TaiChi": "tai_chi",
    # Dance
    "Dance": "dance",
    "SocialDance": "dance",
    "DanceInspiredTraining": "dance",
    "CardioDance": "dance_lively",
    # Strength
    "FunctionalStrengthTraining": "strength_bodyweight",
    "CoreTraining": "strength_bodyweight",
    "TraditionalStrengthTraining": "strength_bands",
    "Gymnastics": "strength_bodyweight",
    # Stairs
    "StairClimbing": "stairs",
    "Stairs": "stairs",
    "StepTraining": "stairs",
    # Cardio and sports: vigorous, the closest honest general code
    "Elliptical": "walk_brisk",
    "MixedCardio": "jog_walk",
    "MixedMetabolicCardioTraining": "jog_walk",
    "HighIntensityIntervalTraining": "jog_walk",
    "CrossTraining": "jog_walk",
    "JumpRope": "jog_walk",
    "Rowing": "jog_walk",
    "Kickboxing": "jog_walk",
    "Boxing": "jog_walk",
    "MartialArts": "jog_walk",
    "Climbing": "hike",
    "CrossCountrySkiing": "jog_walk",
    "DownhillSkiing": "jog_walk",
    "Snowboarding": "jog_walk",
    "SnowSports": "jog_walk",
    "SkatingSports": "jog_walk",
    "Basketball": "jog_walk",
    "Soccer": "jog_walk",
    "AmericanFootball": "jog_walk",
    "AustralianFootball": "jog_walk",
    "Rugby": "jog_walk",
    "Hockey": "jog_walk",
    "Lacrosse": "jog_walk",
    "Handball": "jog_walk",
    "Volleyball": "jog_walk",
    "Tennis": "jog_walk",
    "Badminton": "jog_walk",
    "Squash": "jog_walk",
    "Racquetball": "jog_walk",
    "TableTennis": "dance",
    "Pickleball": "jog_walk",
    "Baseball": "frisbee",
    "Softball": "frisbee",
    "Cricket": "frisbee",
    "DiscSports": "frisbee",
    "Bowling": "walk",
    "Archery": "walk",
    "Curling": "walk",
    "Equestrian": "walk",
    "FitnessGaming": "dance",
    "Sailing": "walk",
    "PaddleSports": "cycle",
    "SurfingSports": "swim",
    "Fencing": "jog_walk",
    "Wrestling": "jog_walk",
}
"""``HKWorkoutActivityType…`` (prefix removed) -> catalogue code.

Chosen by the closest honest Compendium match among the catalogue's codes;
where none is close (team sports, HIIT, skiing) the vigorous general code
``jog_walk`` stands in, so intensity is not understated. ``Other`` and any
type not listed map to :data:`FALLBACK_ACTIVITY`. The original type is kept
with every session (``origin``), so a better mapping can be applied later.
"""

FALLBACK_ACTIVITY = "walk"
"""The general code for ``HKWorkoutActivityTypeOther`` and unknown types: light, never overstated."""

BRISK_KMH = 5.5
"""A walking workout at or above this average pace becomes ``walk_brisk``."""


def activity_for(workout_type: str, distance_m: float | None = None, minutes: float | None = None) -> str:
    """The catalogue code for an ``HKWorkoutActivityType…`` name.

    >>> activity_for("HKWorkoutActivityTypeRunning")
    'jog'
    >>> activity_for("HKWorkoutActivityTypeWalking", 6000, 60)
    'walk_brisk'
    >>> activity_for("HKWorkoutActivityTypeUnderwaterBasketWeaving")
    'walk'
    """
    name = workout_type.removeprefix("HKWorkoutActivityType")
    code = WORKOUT_ACTIVITIES.get(name, FALLBACK_ACTIVITY)
    if (code == "walk" and name == "Walking" and distance_m and minutes and minutes > 0
            and distance_m / 1000 / (minutes / 60) >= BRISK_KMH):
        code = "walk_brisk"
    return code


# ---------------------------------------------------------------------------
# Record types the daily sums read
# ---------------------------------------------------------------------------

STEPS = "HKQuantityTypeIdentifierStepCount"
MINDFUL = "HKCategoryTypeIdentifierMindfulSession"
SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
ASLEEP = frozenset({
    "HKCategoryValueSleepAnalysisAsleep",
    "HKCategoryValueSleepAnalysisAsleepUnspecified",
    "HKCategoryValueSleepAnalysisAsleepCore",
    "HKCategoryValueSleepAnalysisAsleepDeep",
    "HKCategoryValueSleepAnalysisAsleepREM",
})
"""The sleep stages that count as asleep (not in bed, not awake)."""

DISTANCE_TYPES = ("HKQuantityTypeIdentifierDistanceWalkingRunning",
                  "HKQuantityTypeIdentifierDistanceCycling",
                  "HKQuantityTypeIdentifierDistanceSwimming",
                  "HKQuantityTypeIdentifierDistanceWheelchair",
                  "HKQuantityTypeIdentifierDistanceDownhillSnowSports",
                  "HKQuantityTypeIdentifierDistanceCrossCountrySkiing",
                  "HKQuantityTypeIdentifierDistancePaddleSports",
                  "HKQuantityTypeIdentifierDistanceRowing",
                  "HKQuantityTypeIdentifierDistanceSkatingSports")
"""``WorkoutStatistics`` types whose sum is a workout's distance."""
ACTIVE_ENERGY = "HKQuantityTypeIdentifierActiveEnergyBurned"


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------

_METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048, "cm": 0.01}
_KCAL = {"kcal": 1.0, "Cal": 1.0, "kJ": 1 / 4.184, "cal": 0.001, "J": 1 / 4184}
_MINUTES = {"min": 1.0, "s": 1 / 60, "sec": 1 / 60, "hr": 60.0, "h": 60.0, "ms": 1 / 60000}


def _number(text: object) -> float | None:
    try:
        x = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def to_metres(value: object, unit: object) -> float | None:
    """A distance in metres, or None for a missing or unknown value.

    >>> to_metres("5.2", "km")
    5200.0
    """
    x, k = _number(value), _METRES.get(str(unit))
    return None if x is None or k is None or x < 0 else x * k


def to_kcal(value: object, unit: object) -> float | None:
    x, k = _number(value), _KCAL.get(str(unit))
    return None if x is None or k is None or x < 0 else x * k


def to_minutes(value: object, unit: object) -> float | None:
    x, k = _number(value), _MINUTES.get(str(unit or "min"))
    return None if x is None or k is None or x < 0 else x * k


