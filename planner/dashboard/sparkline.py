"""Small trend lines drawn on the server as inline SVG: fifty projects need a hundred of them on
one page, far too many for an interactive chart library."""

from dataclasses import dataclass

WIDTH = 120
HEIGHT = 32
PAD = 3


@dataclass(frozen=True)
class Sparkline:
    points: str  # the polyline's "x,y x,y …" (empty without two values)
    last: tuple[float, float] | None  # where the last value sits, for a dot
    first_value: float | None
    last_value: float | None
    count: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def drawable(self) -> bool:
        return self.count >= 2


def sparkline(values, low: float | None = None, high: float | None = None) -> Sparkline:
    """Scales ``values`` (None for a missing point, skipped) into the box. ``low``/``high`` fix the
    vertical range (e.g. 1–5 for a score); otherwise the values' own range is used."""
    values = list(values)
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if not known:
        return Sparkline("", None, None, None, 0)
    lo = min(v for _i, v in known) if low is None else low
    hi = max(v for _i, v in known) if high is None else high
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    span_x = max(len(values) - 1, 1)

    def at(i: int, v: float) -> tuple[float, float]:
        x = PAD + (WIDTH - 2 * PAD) * i / span_x
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (min(max(v, lo), hi) - lo) / (hi - lo)
        return round(x, 1), round(y, 1)

    coords = [at(i, v) for i, v in known]
    points = " ".join(f"{x},{y}" for x, y in coords) if len(coords) >= 2 else ""
    return Sparkline(points, coords[-1], known[0][1], known[-1][1], len(known))
