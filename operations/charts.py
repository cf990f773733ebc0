"""A daily bar chart as inline SVG: the page needs no charting script."""

from dataclasses import dataclass

from operations.metrics import Day

WIDTH = 600
HEIGHT = 120
GAP = 2


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    ok_height: float
    failed_height: float
    label: str

    @property
    def ok_y(self) -> float:
        return HEIGHT - self.ok_height

    @property
    def failed_y(self) -> float:
        return HEIGHT - self.ok_height - self.failed_height


def bar_chart(days: list[Day]) -> dict:
    """Bars for each day, scaled to the busiest one; failed calls stacked on top in red."""
    if not days:
        return {"width": WIDTH, "height": HEIGHT, "bars": []}
    busiest = max(day.started for day in days) or 1
    slot = WIDTH / len(days)
    bars = [
        Bar(
            x=index * slot,
            width=max(1.0, slot - GAP),
            ok_height=(day.started - day.failed) * HEIGHT / busiest,
            failed_height=day.failed * HEIGHT / busiest,
            label=f"{day.day:%b %d}: {day.started} started, {day.failed} failed",
        )
        for index, day in enumerate(days)
    ]
    return {"width": WIDTH, "height": HEIGHT, "bars": bars}
