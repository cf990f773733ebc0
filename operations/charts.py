"""A daily bar chart as inline SVG: the page needs no charting script."""

import math
from dataclasses import dataclass

from operations.metrics import Day

WIDTH = 600
PLOT_HEIGHT = 120
LABEL_HEIGHT = 16
GAP = 2
WIDEST_BAR = 40
MARGIN = 18  # room for the first and last dates
LABELS = 6  # at most this many dates under the bars


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    ok_height: float
    failed_height: float
    title: str
    date: str  # shown under the bar, or "" between labelled ones

    @property
    def ok_y(self) -> float:
        return PLOT_HEIGHT - self.ok_height

    @property
    def failed_y(self) -> float:
        return PLOT_HEIGHT - self.ok_height - self.failed_height

    @property
    def middle(self) -> float:
        return self.x + self.width / 2


def bar_chart(days: list[Day]) -> dict:
    """A bar a day, scaled to the busiest one; failed calls stacked on top in red."""
    busiest = max((day.started for day in days), default=0)
    slot = (WIDTH - 2 * MARGIN) / max(1, len(days))
    every = math.ceil(len(days) / LABELS) or 1
    last = len(days) - 1
    bars = [
        Bar(
            x=MARGIN + index * slot,
            width=min(WIDEST_BAR, max(1.0, slot - GAP)),
            ok_height=(day.started - day.failed) * PLOT_HEIGHT / (busiest or 1),
            failed_height=day.failed * PLOT_HEIGHT / (busiest or 1),
            title=f"{day.day:%b %d}: {day.started} started, {day.failed} failed",
            date=f"{day.day:%b %d}" if (last - index) % every == 0 else "",
        )
        for index, day in enumerate(days)
    ]
    return {
        "width": WIDTH,
        "height": PLOT_HEIGHT + LABEL_HEIGHT,
        "plot_height": PLOT_HEIGHT,
        "label_y": PLOT_HEIGHT + LABEL_HEIGHT - 3,
        "busiest": busiest,
        "bars": bars,
    }
