"""Search on PostgreSQL: websearch_to_tsquery('italian'), ts_rank_cd, ts_headline; pg_trgm for typos."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tortoise import connections

from federa.search.snippets import START, STOP, marked

if TYPE_CHECKING:
    from federa.search.queries import FacetRow, Hit, Scope

# Quotes, or words joined by punctuation ("socio-sanitario"): websearch_to_tsquery may make a phrase of them.
_PHRASE = re.compile(r'"|\w[^\w\s]+\w')
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


def phrased(q: str) -> bool:
    """Whether the words may make a phrase query: one GIN cannot answer (it has no positions), so each
    candidate's whole tsvector must be read to check it."""
    return bool(_PHRASE.search(q))


def _words(p: Params, q: str) -> str:
    """The query with its phrases loosened to their words (and negations dropped, by querytree): it finds
    every entry the query finds, and GIN answers it without reading any tsvector."""
    tree = f"querytree(websearch_to_tsquery('italian', {p(q)}))"
    return (f"(CASE WHEN {tree} IN ('', 'T') THEN websearch_to_tsquery('italian', {p(q)}) "
            rf"ELSE regexp_replace({tree}, '<(\d+|-)>', '&', 'g')::tsquery END)")


def _candidates(scope: Scope, p: Params, where: str) -> str:
    """The newest PHRASE_CANDIDATES visible entries with all the words of a phrase query: the phrase is
    checked among these only (exact when there are fewer, else the page says "at least"). Newest, not
    first found: a bounded scan starts where the last one stopped (synchronized scans), so the count
    would change from one search to the next (the backward scan of the key costs about as much)."""
    from federa.search.queries import PHRASE_CANDIDATES

    return (f"SELECT e.id FROM search_entry e WHERE {where} AND e.tsv @@ {_words(p, scope.q)} "
            f"ORDER BY e.id DESC LIMIT {p(PHRASE_CANDIDATES)}")


def facet_sql(scope: Scope) -> tuple[str, list[Any]]:
    """Visible matches counted by kind, side, period and sector list, at most the latest MATCH_CAP + 1 of
    them: a word found in most of a big library is not worth counting exactly on every search. Each row
    says whether the matches were sought among bounded candidates (a phrase, _candidates); when none
    matched there, one row with n = 0 still says so."""
    from federa.search.queries import MATCH_CAP, PHRASE_CANDIDATES

    p = Params()
    columns = (f"e.kind, e.network_id = {p(scope.viewer.network_id)} AS own, {_period(scope, p)} AS period, "
               f"e.sectors")
    q = f"websearch_to_tsquery('italian', {p(scope.q)})"
    if not phrased(scope.q):
        sql = (f"SELECT kind, own, period, sectors, count(*) AS n, false AS bounded FROM (SELECT {columns} "
               f"FROM search_entry e WHERE {_visible(scope, p)} AND e.tsv @@ {q} LIMIT {p(MATCH_CAP + 1)}) m "
               f"GROUP BY 1, 2, 3, 4")
        return sql, p.values
    sql = (f"WITH c AS MATERIALIZED ({_candidates(scope, p, _visible(scope, p))}) "
           f"SELECT m.kind, m.own, m.period, m.sectors, count(m.kind) AS n, "
           f"b.bounded FROM (SELECT count(*) >= {p(PHRASE_CANDIDATES)} AS bounded FROM c) b LEFT JOIN "
           f"(SELECT {columns} FROM c JOIN search_entry e ON e.id = c.id WHERE e.tsv @@ {q} "
           f"LIMIT {p(MATCH_CAP + 1)}) m ON true GROUP BY 1, 2, 3, 4, 6")
    return sql, p.values


async def facet_rows(scope: Scope) -> list[FacetRow]:
    """The facet counts of facet_sql (one query)."""
    rows = await connections.get("default").execute_query_dict(*facet_sql(scope))
    return [facet_row(r) for r in rows]


def facet_row(r: Any) -> FacetRow:
    """A row of facet_sql as a FacetRow."""
    from federa.search.queries import FacetRow

    return FacetRow(r["kind"] or "", bool(r["own"]), r["period"] or "", r["sectors"] or "", int(r["n"]),
                    bounded=bool(r["bounded"]))


def page_sql(scope: Scope, limit: int, offset: int) -> tuple[str, list[Any]]:
    """One page of visible matches with the chosen facets, best first, with highlighted snippets.

    Ranking reads each candidate's whole tsvector (out of line: one more page read each), so the candidates
    are bounded: the first RANKED entries found whose title matches and the first RANKED matches (for a
    phrase: the first RANKED matches among facet_sql's candidates). For a word in a few hundred entries
    that is all of them; for one in most of the library, title matches come first (ranking every match
    cost seconds in bench/search.py).
    """
    from federa.search.queries import RANKED

    p = Params()
    q = f"websearch_to_tsquery('italian', {p(scope.q)})"
    visible, chosen = _visible(scope, p), _chosen(scope, p)
    where = f"{visible}{chosen}"
    ranked = p(RANKED)
    if phrased(scope.q):
        # Among the same bounded candidates as facet_sql (their titles included): the page ranks what was
        # counted, and a title outside them is not worth checking the phrase in every old entry.
        candidates = (f"SELECT e.id FROM ({_candidates(scope, p, visible)}) c JOIN search_entry e ON e.id = c.id "
                      f"WHERE e.tsv @@ {q}{chosen} LIMIT {ranked}")
    else:
        titled = f"SELECT e.id FROM search_entry e WHERE {where} AND e.title_tsv @@ {q}"
        if "-" in scope.q:
            # A title matching "a -b" may belong to an entry whose text has b: the whole entry must match
            # too (checked after the title index found them: OFFSET 0 keeps the planner from scanning all).
            titled = (f"SELECT t.id FROM (SELECT e.id, e.tsv FROM search_entry e WHERE {where} "
                      f"AND e.title_tsv @@ {q} OFFSET 0) t WHERE t.tsv @@ {q}")
        candidates = (f"({titled} LIMIT {ranked}) UNION (SELECT e.id FROM search_entry e WHERE {where} "
                      f"AND e.tsv @@ {q} LIMIT {ranked})")
    # The headline is computed for the page's rows only (the inner query ranks and cuts first).
    sql = (f"WITH candidates AS MATERIALIZED ({candidates}) "
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
    return [_hit(r, marked(_cut(r["snippet"]))) for r in rows]


def _cut(text: str) -> str:
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
