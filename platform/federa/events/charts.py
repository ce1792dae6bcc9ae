"""Server-rendered SVG charts: no JavaScript, readable by screen readers (role="img", title and desc),
always shown next to a data table with the same numbers."""

from __future__ import annotations

from babel.numbers import format_decimal
from markupsafe import Markup, escape

from federa.web import i18n
from federa.web.i18n import gettext as _

BAR = "#0b5563"     # the brand colour: 7.6:1 on white
TRACK = "#f3f6f7"
INK = "#1d1d1f"
ROW = 28            # height of one bar's row
LABEL = 64          # room for the score label on the left
WIDTH = 360
BAR_SPACE = WIDTH - LABEL - 48  # the count is written after the bar


def score_bars(chart_id: str, title: str, counts: dict[int, int], average: float | None) -> Markup:
    """Horizontal bars, one per score (1 at the top), with the count written next to each bar; the average is
    told in the <desc> (the page shows it as text under the chart)."""
    peak = max(counts.values(), default=0) or 1
    height = ROW * len(counts)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(describe(counts, average))}</desc>',
    ]
    for row, (score, count) in enumerate(sorted(counts.items())):
        y = row * ROW + 4
        length = round(BAR_SPACE * count / peak) if count else 0
        parts += [
            f'<text x="0" y="{y + 17}" fill="{INK}" font-size="14">{escape(_score_label(score))}</text>',
            f'<rect x="{LABEL}" y="{y}" width="{BAR_SPACE}" height="{ROW - 8}" fill="{TRACK}"/>',
            f'<rect x="{LABEL}" y="{y}" width="{length}" height="{ROW - 8}" fill="{BAR}"/>',
            f'<text x="{LABEL + length + 6}" y="{y + 16}" fill="{INK}" font-size="14">{count}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every piece of text above is escaped


def describe(counts: dict[int, int], average: float | None) -> str:
    """The chart in words, for its <desc>."""
    each = "; ".join(_("score %(score)s: %(n)s", score=score, n=count) for score, count in sorted(counts.items()))
    if average is None:
        return each + ". " + _("No answers yet")
    return each + ". " + _("Average %(avg)s out of 5", avg=_number(average))


def _score_label(score: int) -> str:
    return _("%(score)s of 5", score=score)


def _number(value: float | None) -> str:
    return format_decimal(round(value or 0, 2), locale=i18n.current_locale.get())
