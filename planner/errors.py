"""The one exception family of trainplan, and the helpers that word its messages."""

from __future__ import annotations

from collections.abc import Iterable


class PlanError(ValueError):
    """Bad input: the message names the field, the bad value and what is allowed, on one line."""


def unknown(field: str, value: object, allowed: Iterable[str], limit: int = 8) -> PlanError:
    """``gpu 'v101': unknown; did you mean v100-sxm2-16gb, v100-sxm2-32gb?`` (or the allowed values)."""
    import difflib  # only on this error path: every command imports this module

    allowed = sorted({str(a) for a in allowed})
    text = str(value).lower()
    close = [a for a in allowed if text and (a.lower().startswith(text) or text in a.lower())]
    close += [a for a in difflib.get_close_matches(text, allowed, n=5, cutoff=0.6) if a not in close]
    # 'v101' is close to the family 'v100' of 'v100-sxm2-16gb': compare with each id's first token too.
    close += [a for a in allowed if a not in close and text
              and difflib.SequenceMatcher(None, text, a.lower().split("-")[0]).ratio() >= 0.75]
    if close:
        return PlanError(f"{field} '{value}': unknown; did you mean {', '.join(close[:limit])}?")
    shown = ", ".join(allowed[:limit]) + (f", … ({len(allowed)} in all)" if len(allowed) > limit else "")
    return PlanError(f"{field} '{value}': unknown; allowed: {shown}")


def choice(field: str, value: str, allowed: tuple[str, ...]) -> str:
    """Validate a model-choice string against its published tuple of allowed values."""
    if value not in allowed:
        raise PlanError(f"{field} '{value}': not allowed; allowed: {', '.join(allowed)}")
    return value


def positive(field: str, value: float, unit: str = "", maximum: float | None = None) -> float:
    """A finite number > 0 (and <= maximum, default ``MAX_MAGNITUDE``), else a PlanError naming the field."""
    number = _finite(field, value, maximum)
    if number <= 0:
        raise PlanError(f"{field} {number:g}{' ' + unit if unit else ''}: must be > 0")
    return number


def non_negative(field: str, value: float, unit: str = "") -> float:
    """A finite number >= 0, else a PlanError naming the field."""
    number = _finite(field, value)
    if number < 0:
        raise PlanError(f"{field} {number:g}{' ' + unit if unit else ''}: must be >= 0")
    return number


def fraction(field: str, value: float) -> float:
    """A number in (0, 1], else a PlanError naming the field."""
    number = _finite(field, value)
    if not 0 < number <= 1:
        raise PlanError(f"{field} {number:g}: must be in (0, 1]")
    return number


def at_least(field: str, value: float, minimum: float) -> float:
    """A finite number >= minimum (e.g. PUE >= 1)."""
    number = _finite(field, value)
    if number < minimum:
        raise PlanError(f"{field} {number:g}: must be >= {minimum:g}")
    return number


#: Largest magnitude any input may have: far beyond any real workload, small enough that products of a
#: few inputs stay finite (so no result is ever inf or NaN).
MAX_MAGNITUDE = 1e15


def _finite(field: str, value: object, maximum: float | None = None) -> float:
    if isinstance(value, bool):
        raise PlanError(f"{field} {value!r}: a boolean is not a number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise PlanError(f"{field} '{str(value)[:40]}': not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise PlanError(f"{field} {value}: must be a finite number")
    limit = MAX_MAGNITUDE if maximum is None else maximum
    if abs(number) > limit:
        raise PlanError(f"{field} {number:g}: too large; must be at most {limit:g}")
    return number


def between(field: str, value: float, low: float, high: float, unit: str = "") -> float:
    """A finite number in [low, high], else a PlanError naming the field and the range."""
    number = _finite(field, value)
    if not low <= number <= high:
        raise PlanError(f"{field} {number:g}{' ' + unit if unit else ''}: must be between {low:g} and {high:g}")
    return number
