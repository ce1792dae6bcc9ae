"""Search on PostgreSQL: websearch_to_tsquery('italian'), ts_rank_cd, ts_headline; pg_trgm for typos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import connections

from federa.search.snippets import START, STOP, marked

if TYPE_CHECKING:
    from federa.search.queries import FacetRow, Hit, Scope

HEADLINE = (f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, ShortWord=3, MaxFragments=2, "
            'FragmentDelimiter=" … "')


class Params:
    """Numbered placeholders ($1, $2 ...) and their values, in order."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _visible(scope: Scope, p: Params) -> str:
    """The network's entries and those its partners share, that one of the viewer's tokens opens."""
    v = scope.viewer
    return (f"e.network_id = ANY({p([v.network_id, *v.partner_ids])}::int[]) "
            f"AND (e.network_id = {p(v.network_id)} OR e.shared) "
            f"AND e.token_arr && {p(sorted(v.tokens))}::text[]")


def _period(scope: Scope, p: Params) -> str:
    return (f"CASE WHEN e.date > {p(scope.now)} THEN 'upcoming' WHEN e.date >= {p(scope.month_start)} "
            f"THEN 'month' WHEN e.date >= {p(scope.year_start)} THEN 'year' ELSE 'older' END")


def _chosen(scope: Scope, p: Params) -> str:
    where = []
    f = scope.filters
    if "kind" in f:
        where.append(f"e.kind = {p(f['kind'])}")
    if "sector" in f:
        where.append(f"e.sectors LIKE {p('%,' + f['sector'] + ',%')}")
    if "network" in f:
        where.append(f"e.network_id {'=' if f['network'] == 'own' else '<>'} {p(scope.viewer.network_id)}")
    if "date" in f:
        where.append(f"{_period(scope, p)} = {p(f['date'])}")
    return "".join(f" AND {w}" for w in where)


def facet_sql(scope: Scope) -> tuple[str, list[Any]]:
    """Visible matches counted by kind, side, period and sector list, at most the latest MATCH_CAP + 1 of
    them: a word found in most of a big library is not worth counting exactly on every search."""
    from federa.search.queries import MATCH_CAP

    p = Params()
    sql = (f"SELECT kind, own, period, sectors, count(*) AS n FROM (SELECT e.kind, "
           f"e.network_id = {p(scope.viewer.network_id)} AS own, {_period(scope, p)} AS period, e.sectors "
           f"FROM search_entry e WHERE {_visible(scope, p)} AND e.tsv @@ websearch_to_tsquery('italian', "
           f"{p(scope.q)}) LIMIT {p(MATCH_CAP + 1)}) m GROUP BY 1, 2, 3, 4")
    return sql, p.values


async def facet_rows(scope: Scope) -> list[FacetRow]:
    """The facet counts of facet_sql (one query)."""
    from federa.search.queries import FacetRow

    rows = await connections.get("default").execute_query_dict(*facet_sql(scope))
    return [FacetRow(r["kind"], bool(r["own"]), r["period"], r["sectors"], int(r["n"])) for r in rows]


def page_sql(scope: Scope, limit: int, offset: int) -> tuple[str, list[Any]]:
    """One page of visible matches with the chosen facets, best first, with highlighted snippets.

    Ranking reads each candidate's whole tsvector (out of line: one more page read each), so the candidates
    are bounded: the latest RANKED entries (by id: the same answer every time) whose title matches and the
    latest RANKED matches. For a word in a few hundred entries that is all of them; for one in most of
    the library, recent title matches come first (ranking every match cost seconds in bench/search.py).
    """
    from federa.search.queries import RANKED

    p = Params()
    q = f"websearch_to_tsquery('italian', {p(scope.q)})"
    where = f"{_visible(scope, p)}{_chosen(scope, p)}"
    ranked = p(RANKED)
    # The headline is computed for the page's rows only (the inner query ranks and cuts first).
    sql = (f"WITH candidates AS MATERIALIZED ("
           f"(SELECT e.id FROM search_entry e WHERE {where} AND e.title_tsv @@ {q} LIMIT {ranked}) UNION "
           f"(SELECT e.id FROM search_entry e WHERE {where} AND e.tsv @@ {q} LIMIT {ranked})) "
           f"SELECT r.kind, r.object_id, r.network_id, n.slug, n.name AS network_name, r.title, r.path, r.sectors, "
           f"r.date, ts_headline('italian', CASE WHEN r.body = '' THEN r.title ELSE r.body END, {q}, "
           f"{p(HEADLINE)}) AS snippet FROM (SELECT e.id, e.kind, e.object_id, e.network_id, e.title, e.path, "
           f"e.sectors, e.date, e.body, ts_rank_cd(e.tsv, {q}) AS rank FROM search_entry e "
           f"JOIN candidates c ON c.id = e.id ORDER BY rank DESC, e.id DESC "
           f"LIMIT {p(limit)} OFFSET {p(offset)}) r JOIN network n ON n.id = r.network_id "
           f"ORDER BY r.rank DESC, r.id DESC")
    return sql, p.values


async def page(scope: Scope, limit: int, offset: int) -> list[Hit]:
    """The page of page_sql, snippets made HTML-safe."""
    rows = await connections.get("default").execute_query_dict(*page_sql(scope, limit, offset))
    return [_hit(r, marked(r["snippet"])) for r in rows]


async def similar(scope: Scope, limit: int) -> list[Hit]:
    """Visible entries whose title looks like the words (trigrams): for typos, when nothing matched."""
    if len(scope.q) < 3:
        return []
    p = Params()
    q = p(scope.q)
    sql = (f"SELECT e.kind, e.object_id, e.network_id, n.slug, n.name AS network_name, e.title, e.path, e.sectors, "
           f"e.date, "
           f"left(e.body, 240) AS snippet FROM search_entry e JOIN network n ON n.id = e.network_id "
           f"WHERE {_visible(scope, p)} AND {q} <% e.title "
           f"ORDER BY word_similarity({q}, e.title) DESC, e.id DESC LIMIT {p(limit)}")
    rows = await connections.get("default").execute_query_dict(sql, p.values)
    return [_hit(r, marked(_words(r["snippet"]))) for r in rows]


def _words(text: str) -> str:
    """The start of a text cut at a word, with an ellipsis when cut."""
    if len(text) < 240:
        return text
    return text[: text.rfind(" ")] + " …" if " " in text else text


def _hit(r: dict[str, Any], snippet: Any) -> Hit:
    from federa.search.queries import Hit

    return Hit(kind=r["kind"], object_id=r["object_id"], network_id=r["network_id"], network_slug=r["slug"],
               network_name=r["network_name"], title=r["title"], path=r["path"],
               sectors=[s for s in r["sectors"].split(",") if s],
               date=r["date"], snippet=snippet)
