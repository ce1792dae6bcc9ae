"""Search input and output shapes; the page and the API validate with the same ones."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from federa.networks.reference import SECTORS
from federa.web.i18n import gettext as _

MAX_QUERY = 200  # characters: a question, not a document pasted in
Kind = Literal["cooperative", "event", "group", "thread", "library_item"]
# a facet left unchosen is the empty string (the search form sends it so)
KindFilter = Literal["", "cooperative", "event", "group", "thread", "library_item"]
SideFilter = Literal["", "own", "partners"]
PeriodFilter = Literal["", "upcoming", "month", "year", "older"]


def _known_sector(value: str) -> str:
    if value and value not in SECTORS:
        raise ValueError(_("Choose one of the options."))
    return value


class SearchQuery(BaseModel):
    """The words and the chosen facets (unknown keys are ignored, like the other lists')."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    q: Annotated[str, Field(max_length=MAX_QUERY)] = ""
    kind: KindFilter = ""
    sector: Annotated[str, Field(max_length=30), AfterValidator(_known_sector)] = ""
    network: SideFilter = ""
    date: PeriodFilter = ""
    page: Annotated[int, Field(ge=1, le=500)] = 1
    per_page: Annotated[int, Field(ge=1, le=50)] = 20

    def filters(self) -> dict[str, str]:
        """The chosen facets, by name."""
        return {k: v for k in ("kind", "sector", "network", "date") if (v := getattr(self, k))}


class SearchHitOut(BaseModel):
    kind: Kind
    id: int
    title: str
    url: str
    snippet_html: str  # the text around the matches, HTML-escaped, matches in <mark>
    network: str       # the slug of the network it belongs to
    own_network: bool
    sectors: list[str]
    date: datetime | None


class FacetValueOut(BaseModel):
    value: str
    count: int


class FacetsOut(BaseModel):
    kind: list[FacetValueOut]
    sector: list[FacetValueOut]
    network: list[FacetValueOut]
    date: list[FacetValueOut]


class SearchPageOut(BaseModel):
    q: str
    items: list[SearchHitOut]
    total: int
    page: int
    per_page: int
    facets: FacetsOut
    # true when nothing matched the words and the items are titles that look like them (typos)
    similar: bool = False
    # true when the words match more entries than are counted: total and facets are lower bounds
    more: bool = False
