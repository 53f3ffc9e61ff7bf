"""The seven-sins risk score (pure functions, no database).

- Each warning sign is answered yes (the sign is present: 2 points), partly (1 point),
  no (0 points) or don't know (1 point). Not knowing whether a sign is present is a risk of its
  own: it scores like "partly", and the number of such answers is reported apart (``unknowns``)
  so the team knows what to find out before the next round.
- A sin's score is its points as a share of the most it could get, from 0 (no sign present)
  to 100 (every sign fully present), rounded to a whole number (halves up).
- The overall score is the average of the sins' exact scores, each sin weighing the same,
  rounded the same way.
- Levels: green below 25, amber from 25 to 49, red from 50. The overall level is the level of
  the overall score, raised to amber when any single sin is red: one sin committed in full is
  enough to put the project at risk.

The page "How the score works" (``templates/methodology/_scoring.html``) says the same to users,
in their language; ``GREEN_BELOW`` and ``RED_FROM`` feed both.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

POINTS = {"yes": 2, "partly": 1, "no": 0, "unknown": 1}
UNKNOWN = "unknown"
MAX_POINTS = 2
GREEN_BELOW = 25
RED_FROM = 50
LEVELS = ("green", "amber", "red")


def _whole(value: Fraction) -> int:
    return int((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def level_of(score: int) -> str:
    if score >= RED_FROM:
        return "red"
    if score >= GREEN_BELOW:
        return "amber"
    return "green"


def exact_sin_score(answers: Sequence[str]) -> Fraction:
    if not answers:
        raise ValueError("a sin needs at least one answer")
    try:
        points = sum(POINTS[answer] for answer in answers)
    except KeyError as exc:
        raise ValueError(f"unknown answer {exc.args[0]!r}") from None
    return Fraction(100 * points, MAX_POINTS * len(answers))


def sin_score(answers: Sequence[str]) -> int:
    return _whole(exact_sin_score(answers))


@dataclass(frozen=True)
class Result:
    scores: dict[str, int]  # sin key → 0–100
    levels: dict[str, str]  # sin key → green / amber / red
    overall: int
    level: str
    unknowns: int = 0  # questions answered "don't know"


def assess(answers_by_sin: Mapping[str, Sequence[str]]) -> Result:
    """Scores a complete set of answers: ``{sin key: [answer per warning sign]}``."""
    if not answers_by_sin:
        raise ValueError("no sins to score")
    exact = {sin: exact_sin_score(answers) for sin, answers in answers_by_sin.items()}
    scores = {sin: _whole(value) for sin, value in exact.items()}
    levels = {sin: level_of(score) for sin, score in scores.items()}
    overall = _whole(sum(exact.values(), Fraction(0)) / len(exact))
    level = level_of(overall)
    if level == "green" and "red" in levels.values():
        level = "amber"
    unknowns = sum(1 for answers in answers_by_sin.values() for answer in answers if answer == UNKNOWN)
    return Result(scores, levels, overall, level, unknowns)
