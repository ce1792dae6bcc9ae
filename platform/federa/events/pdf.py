"""PDF documents of events (fpdf2): a session's printable sign-in sheet and the certificate of attendance.

Text is laid out as a list of lines first (what tests read: fpdf2 compresses pages and subsets fonts),
then rendered. DejaVu Sans is used when the machine has it (any Unicode name prints); otherwise the
PDF core font Helvetica, whose Latin-1 covers Italian: other letters lose their accents ("ć" → "c").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from federa.events.certificates import CertificateView
from federa.events.models import Event, EventSession
from federa.events.schemas import ROME
from federa.networks.models import Network
from federa.web import i18n
from federa.web.i18n import gettext as _

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts/dejavu"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
BRAND = (11, 85, 99)
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "€": "EUR",
                        "\u00a0": " "})


@dataclass(frozen=True)
class Line:
    text: str
    size: float = 12
    bold: bool = False
    space_after: float = 2


@cache
def unicode_font() -> dict[str, Path] | None:
    """DejaVu Sans regular and bold, if installed."""
    for folder in FONT_DIRS:
        found = {style: folder / name for style, name in FONT_FILES.items()}
        if all(path.is_file() for path in found.values()):
            return found
    return None


def latin1(text: str) -> str:
    """Text the PDF core fonts can show: typographic signs made plain, other accents dropped."""
    out = []
    for ch in text.translate(_PLAIN):
        if ord(ch) < 256:
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch)[0]
            out.append(base if ord(base) < 256 else "?")
    return "".join(out)


class _Document(FPDF):
    def __init__(self, *, orientation: str, unicode: bool, compress: bool, footer_text: str | None) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.set_compression(compress)
        self.footer_text = footer_text
        fonts = unicode_font() if unicode else None
        self.family = "dejavu" if fonts else "helvetica"
        if fonts:
            for style, path in fonts.items():
                self.add_font(self.family, style, str(path))
        self.set_creator("Federa")
        self.set_lang(i18n.current_locale.get())
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    def text_of(self, text: str) -> str:
        return text if self.family == "dejavu" else latin1(text)

    def style(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def write_line(self, line: Line, align: Align = Align.C) -> None:
        self.style(line.size, line.bold)
        self.multi_cell(0, line.size * 0.5, self.text_of(line.text), align=align, new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT)
        self.ln(line.space_after)

    def footer(self) -> None:
        if self.footer_text is None:
            return
        self.set_y(-12)
        self.style(8)
        self.set_text_color(90, 90, 90)
        page = _("Page %(n)s of %(total)s", n=self.page_no(), total="{nb}")
        self.cell(0, 5, self.text_of(f"{self.footer_text} · {page}" if self.footer_text else page), align=Align.C)
        self.set_text_color(0, 0, 0)


# ----- words -------------------------------------------------------------------------------------------

def _day(value: datetime, pattern: str = "d MMMM y") -> str:
    return format_date(value.astimezone(ROME).date(), pattern, locale=i18n.current_locale.get())


def _clock(value: datetime) -> str:
    return format_datetime(value.astimezone(ROME), "HH:mm", locale=i18n.current_locale.get())


def hours_text(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.##", locale=i18n.current_locale.get())


def session_when(session: EventSession) -> str:
    """'giovedì 12 marzo 2030, 09:00–12:00' (Italian time)."""
    return f"{_day(session.starts_at, 'EEEE d MMMM y')}, {_clock(session.starts_at)}–{_clock(session.ends_at)}"


def place_of(event: Event) -> str:
    if event.venue:
        return event.venue
    return _("Online: %(url)s", url=event.online_url) if event.online_url else ""


# ----- the sign-in sheet -------------------------------------------------------------------------------

BLANK_ROWS = 3  # for people added on the day


def sheet_lines(network: Network, event: Event, session: EventSession, number: int, of: int) -> list[Line]:
    """The heading of a session's sign-in sheet."""
    lines = [Line(_("Sign-in sheet"), 16, True, 3), Line(event.title, 13, True), Line(network.name, 11, False, 3),
             Line(_("Session %(n)s of %(total)s: %(when)s", n=number, total=of, when=session_when(session)), 11)]
    if place_of(event):
        lines.append(Line(_("Place: %(place)s", place=place_of(event)), 11))
    lines.append(Line(_("Training hours: %(hours)s", hours=hours_text(session.hours)), 11, False, 4))
    return lines


def sheet_pdf(network: Network, event: Event, session: EventSession, number: int, of: int,
              people: list[tuple[str, str]], *, unicode: bool = True, compress: bool = True) -> bytes:
    """A4 portrait: heading, then a table (no., name, cooperative, signature) repeated on every page."""
    doc = _Document(orientation="P", unicode=unicode, compress=compress, footer_text=event.title[:80])
    doc.set_title(doc.text_of(f"{_('Sign-in sheet')} - {event.title}"))
    doc.set_author(doc.text_of(network.name))
    doc.add_page()
    for line in sheet_lines(network, event, session, number, of):
        doc.write_line(line, Align.L)
    doc.style(9.5)
    rows = [(str(i), name, coop) for i, (name, coop) in enumerate(people, start=1)]
    rows += [(str(len(rows) + i), "", "") for i in range(1, BLANK_ROWS + 1)]
    # Rows of a single line are 11 mm high: room for a signature; long names wrap and the row grows.
    with doc.table(col_widths=(10, 58, 52, 60), line_height=5, padding=(3, 1.5), v_align="MIDDLE",
                   first_row_as_headings=True, repeat_headings=1,
                   text_align=("RIGHT", "LEFT", "LEFT", "LEFT")) as table:
        heading = table.row()
        for title in (_("No."), _("Name and surname"), _("Cooperative"), _("Signature")):
            heading.cell(doc.text_of(title))
        for number_text, name, coop in rows:
            row = table.row()
            for text in (number_text, name, coop, ""):
                row.cell(doc.text_of(text))
    return bytes(doc.output())


# ----- the certificate ---------------------------------------------------------------------------------

def certificate_lines(view: CertificateView, url: str) -> list[Line]:
    """Everything a certificate states, in reading order."""
    if view.first_day and view.last_day and _day(view.first_day) != _day(view.last_day):
        when = _("from %(first)s to %(last)s", first=_day(view.first_day), last=_day(view.last_day))
    else:
        when = _("on %(day)s", day=_day(view.first_day)) if view.first_day else ""
    return [
        Line(view.network_name, 14, True, 8),
        Line(_("Certificate of attendance"), 26, True, 8),
        Line(_("This is to certify that"), 13, False, 3),
        Line(view.person_name, 22, True, 3),
        Line(_("attended the training course"), 13, False, 3),
        Line(view.event_title, 18, True, 3),
        Line(_("organised by %(network)s %(when)s,", network=view.network_name, when=when), 13, False, 2),
        Line(_("for %(hours)s hours of training out of %(total)s.", hours=hours_text(view.hours),
               total=hours_text(view.total_hours)), 13, False, 8),
        Line(_("Issued on %(day)s", day=_day(view.issued_at)), 11, False, 10),
        Line(_("Verification code: %(code)s", code=view.code), 12, True, 2),
        Line(_("Check it at %(url)s", url=url), 10, False, 0),
    ]


def certificate_pdf(view: CertificateView, url: str, *, unicode: bool = True, compress: bool = True) -> bytes:
    """A4 landscape, centred text inside a frame."""
    doc = _Document(orientation="L", unicode=unicode, compress=compress, footer_text=None)
    doc.set_title(doc.text_of(f"{_('Certificate of attendance')} - {view.code}"))
    doc.set_author(doc.text_of(view.network_name))
    doc.set_subject(doc.text_of(view.event_title))
    doc.set_auto_page_break(auto=False)
    doc.add_page()
    doc.set_draw_color(*BRAND)
    doc.set_line_width(1.2)
    doc.rect(8, 8, doc.w - 16, doc.h - 16)
    doc.set_y(30)
    doc.set_margins(25, 15, 25)
    for line in certificate_lines(view, url):
        doc.write_line(line)
    return bytes(doc.output())
