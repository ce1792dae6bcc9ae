"""Search: the entries a person may see in a network that match some words, ranked, with facet counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from markupsafe import Markup

from federa import db
from federa.events.schemas import ROME
from federa.networks.access import Access
from federa.search import engine_postgres, engine_sqlite
from federa.search.schemas import SearchQuery
from federa.search.tokens import Viewer, viewer

FACETS = ("kind", "sector", "network", "date")
# Bounds on the work of one search in a big index (PostgreSQL): matches counted for the total and the
# facets ("at least 500"), and candidates ranked per kind of candidate (engine_postgres.page): each
# match costs a heap page read, each ranked one a read of its tsvector too (bench/search.py).
MATCH_CAP = 500
RANKED = 100
# A phrase (GIN has no positions: each candidate's tsvector is read to check it) is sought among at most
# this many entries having all its words: exact below it, "at least" beyond (engine_postgres._candidates).
PHRASE_CANDIDATES = 500


@dataclass(frozen=True)
class Scope:
    """Who searches, for what, with which facets chosen, and the date buckets' edges."""

    viewer: Viewer
    q: str
    filters: dict[str, str]
    now: datetime
    month_start: datetime
    year_start: datetime


@dataclass
class FacetRow:
    """Matching entries counted by kind, side (own network or partners'), period and sector list."""

    kind: str
    own: bool
    period: str
    sectors: str
    n: int
    bounded: bool = False  # counted among bounded candidates that were all used: more may match

    def value(self, facet: str) -> str:
        return {"kind": self.kind, "network": "own" if self.own else "partners", "date": self.period}[facet]

    def passes(self, filters: dict[str, str], skip: str = "") -> bool:
        for facet, chosen in filters.items():
            if facet == skip:
                continue
            if facet == "sector":
                if f",{chosen}," not in self.sectors:
                    return False
            elif self.value(facet) != chosen:
                return False
        return True


@dataclass
class Hit:
    kind: str
    object_id: int
    network_id: int
    network_slug: str
    network_name: str
    title: str
    path: str
    sectors: list[str]
    date: datetime | None
    snippet: Markup

    @property
    def url(self) -> str:
        return f"/n/{self.network_slug}{self.path}"


@dataclass
class Results:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    similar: bool = False  # nothing matched the words: hits are titles that look like them
    capped: bool = False  # more matches than MATCH_CAP: total and facets count the first ones found


def scope_for(v: Viewer, query: SearchQuery, now: datetime | None = None) -> Scope:
    now = now or datetime.now(UTC)
    today = now.astimezone(ROME).date()
    month = datetime.combine(today.replace(day=1), time(), ROME).astimezone(UTC)
    year = datetime.combine(today.replace(month=1, day=1), time(), ROME).astimezone(UTC)
    return Scope(viewer=v, q=query.q, filters=query.filters(), now=now, month_start=month, year_start=year)


def count_facets(rows: list[FacetRow], filters: dict[str, str]) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """The total with every facet chosen, and each facet's counts with the other facets chosen (so a
    facet's other values stay offered: choosing one narrows, it does not hide the alternatives)."""
    total = sum(r.n for r in rows if r.passes(filters))
    facets: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        counts: Counter[str] = Counter()
        for r in rows:
            if not r.passes(filters, skip=facet):
                continue
            if facet == "sector":
                for sector in (s for s in r.sectors.split(",") if s):
                    counts[sector] += r.n
            else:
                counts[r.value(facet)] += r.n
        facets[facet] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return total, facets


async def search(access: Access, query: SearchQuery, *, now: datetime | None = None) -> Results:
    """One page of what this person may see in access.network (and what its partners share) matching
    query.q, best first, with facet counts; titles that look like the words when nothing matches."""
    if not query.q:
        return Results(hits=[], total=0)
    scope = scope_for(await viewer(access), query, now)
    engine = engine_postgres if db.dialect() == "postgres" else engine_sqlite
    rows = await engine.facet_rows(scope)
    capped = sum(r.n for r in rows) > MATCH_CAP or any(r.bounded for r in rows)
    rows = [r for r in rows if r.n]
    total, facets = count_facets(rows, scope.filters)
    if total == 0:
        if not rows and not capped:  # nothing at all matched the words (facets could not explain it): typos?
            similar = await engine.similar(scope, query.per_page)
            return Results(hits=similar, total=len(similar), facets={f: [] for f in FACETS}, similar=bool(similar))
        return Results(hits=[], total=0, facets=facets, capped=capped)
    offset = (query.page - 1) * query.per_page
    hits = await engine.page(scope, query.per_page, offset) if offset < total or capped else []
    return Results(hits=hits, total=total, facets=facets, capped=capped)
