# ruff: noqa: RUF001
# (curly quotation marks and apostrophes are the subject matter of this module)
"""Tests for newsetl.enrich: gold cases end to end, then each rule directly."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsetl.enrich import Enrichment, enrich
from newsetl.enrich.datementions import find_dates, infer_date
from newsetl.enrich.entities import find_mentions, group_entities
from newsetl.enrich.quotes import find_quotes

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests/gold/enrich_cases.json").read_text())["cases"]


def _load(case: dict) -> tuple[str | None, str, datetime | None]:
    """Title, body and publication time of a gold case (the seed file: headline, body, notes)."""
    published = datetime.fromisoformat(case["published_at"]) if case["published_at"] else None
    if "source" in case:
        lines = [line for line in (ROOT / case["source"]).read_text().splitlines() if line.strip()]
        body = [line for line in lines[1:] if not line.startswith("[")]
        return lines[0], "\n\n".join(body), published
    return case["title"], "\n\n".join(case["paragraphs"]), published


def _norm(s: str | None) -> str:
    return re.sub(r"\s+", " ", (s or "").strip(" \"'“”‘’\n\t")).casefold()


def _words(s: str | None) -> set[str]:
    return {w for w in re.findall(r"\w+", (s or "").casefold()) if len(w) >= 4}


def _quote_counts(case: dict, quotes: list) -> tuple[int, int, int]:
    """(tp, fp, fn) of (quote, speaker) pairs, matched as score_enrich.py does."""
    preds = [(_norm(q.text), q.speaker or "") for q in quotes]
    used: set[int] = set()
    tp = fn = 0
    for gq in case["quotes"]:
        start = _norm(gq["start"])
        hit = next(
            (
                i
                for i, (t, s) in enumerate(preds)
                if i not in used and t.startswith(start) and _words(s) & _words(gq["speaker"])
            ),
            None,
        )
        if hit is None:
            fn += 1
        else:
            used.add(hit)
            tp += 1
    scare = [_norm(s) for s in case["scare_quotes"]]
    fp = sum(
        1
        for i, (t, _) in enumerate(preds)
        if i not in used and not any(t.startswith(s) for s in scare)
    )
    return tp, fp, fn


@pytest.fixture(scope="module")
def results() -> dict[str, Enrichment]:
    return {c["name"]: enrich(*_load(c)) for c in CASES}


def test_gold_has_enough_cases() -> None:
    assert len(CASES) >= 7


def test_gold_quote_speaker_precision_and_recall(results: dict[str, Enrichment]) -> None:
    tp = fp = fn = 0
    for case in CASES:
        a, b, c = _quote_counts(case, results[case["name"]].quotes)
        tp, fp, fn = tp + a, fp + b, fn + c
    assert tp / (tp + fp) >= 0.9, (tp, fp, fn)
    assert tp / (tp + fn) >= 0.9, (tp, fp, fn)


def test_gold_people_precision_and_recall(results: dict[str, Enrichment]) -> None:
    tp = fp = fn = 0
    for case in CASES:
        people = {e.name for e in results[case["name"]].entities if e.kind == "person"}
        gold = set(case["people"])
        tp, fp, fn = tp + len(people & gold), fp + len(people - gold), fn + len(gold - people)
    assert tp / (tp + fp) >= 0.9, (tp, fp, fn)
    assert tp / (tp + fn) >= 0.9, (tp, fp, fn)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_gold_places_and_organisations(case: dict, results: dict[str, Enrichment]) -> None:
    entities = results[case["name"]].entities
    places = {e.name for e in entities if e.kind == "place"}
    orgs = {e.name for e in entities if e.kind == "organisation"}
    assert set(case["places"]) <= places
    assert set(case["organisations"]) <= orgs


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_gold_dates(case: dict, results: dict[str, Enrichment]) -> None:
    dates = results[case["name"]].dates
    assert [(d.text, d.date) for d in dates] == [(d["text"], d["date"]) for d in case["dates"]]


def test_seed_people_are_exactly_the_four(results: dict[str, Enrichment]) -> None:
    people = {e.name for e in results["seed-lavrov"].entities if e.kind == "person"}
    assert people == {"Sergei Lavrov", "Rafael Ramírez Carreño", "Vladimir Putin", "Nicolás Maduro"}


def test_seed_heat_up_is_inside_its_quote(results: dict[str, Enrichment]) -> None:
    quotes = results["seed-lavrov"].quotes
    assert not any(q.text.startswith("heat up") for q in quotes)
    assert any("‘heat up’" in q.text for q in quotes)


# ---------------------------------------------------------------- entities


def _entities(body: str, title: str | None = None) -> dict[str, str]:
    return {e.name: e.kind for e in group_entities(find_mentions(body, title))}


def test_surname_resolves_to_full_name() -> None:
    ents = _entities("Foreign Minister Sergei Lavrov arrived. Later, Lavrov met reporters.")
    assert ents == {"Sergei Lavrov": "person"}


def test_middle_name_resolves_to_full_name() -> None:
    ents = _entities("Minister Rafael Ramírez Carreño spoke. Lavrov and Ramírez met on Monday.")
    assert ents.get("Rafael Ramírez Carreño") == "person"
    assert "Ramírez" not in ents


def test_surname_resolves_to_the_latest_full_name_before_it() -> None:
    body = "John Smith spoke first. Then Smith left. Later Jane Smith arrived, and Smith sat down."
    ents = {e.name: e.offsets for e in group_entities(find_mentions(body))}
    assert ents == {"John Smith": [0, 29], "Jane Smith": [47, 71]}


def test_acronym_resolves_to_the_organisation_with_those_initials() -> None:
    body = "Doctors at the World Health Organization met. A WHO spokesman spoke."
    (who,) = group_entities(find_mentions(body))
    assert (who.name, who.offsets) == ("World Health Organization", [15, 48])


def test_acronym_resolves_when_full_name_appears() -> None:
    body = "Talks with the European Union resumed. An EU official was present."
    ents = group_entities(find_mentions(body))
    eu = next(e for e in ents if e.name == "European Union")
    assert eu.mentions == 2 and eu.kind == "organisation"


def test_demonyms_are_not_places() -> None:
    ents = _entities("The Russian and Venezuelan delegations met Latin American envoys in Caracas.")
    assert ents == {"Caracas": "place"}


def test_official_country_name_maps_to_common_name() -> None:
    assert _entities("Sanctions against the Russian Federation were extended.") == {
        "Russia": "place"
    }
    assert _entities("Officials in the U.S. said so.") == {"United States": "place"}


def test_sentence_initial_words_weekdays_months_and_roles_are_not_entities() -> None:
    body = "Negotiations resumed on Wednesday. Also in October, the Foreign Minister spoke."
    assert _entities(body) == {}


def test_title_supplies_full_name_for_surname_only_body() -> None:
    assert _entities("Lavrov spoke to reporters.", "Sergei Lavrov warns the West") == {
        "Sergei Lavrov": "person"
    }


def test_shared_surname_after_and() -> None:
    ents = _entities("He asked about Joe and Hunter Biden on the call.")
    assert {"Joe Biden", "Hunter Biden"} <= {n for n, k in ents.items() if k == "person"}


def test_name_after_the_is_not_a_person() -> None:
    ents = _entities("He told the Baltimore Sun on Friday.")
    assert ents.get("Baltimore Sun") == "organisation"


def test_organisation_runs_to_its_complement() -> None:
    ents = _entities(
        "A survey by Penelope Muse Abernathy of the University of North Carolina found it."
    )
    assert ents == {
        "Penelope Muse Abernathy": "person",
        "University of North Carolina": "organisation",
    }


def test_entity_offsets_point_at_the_mentions() -> None:
    body = "Vladimir Putin spoke. Later Putin left."
    (ent,) = group_entities(find_mentions(body))
    assert ent.offsets == [0, 28] and ent.first_offset == 0 and ent.mentions == 2


# ---------------------------------------------------------------- quotes


def _quotes(body: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in find_quotes(body, find_mentions(body))]


def test_after_quote_attribution() -> None:
    assert _quotes("“We will win this fight,” Prime Minister Keir Starmer said.") == [
        ("We will win this fight", "Keir Starmer")
    ]


def test_verb_before_name_attribution() -> None:
    assert _quotes('"The fire is spreading fast," said Chief Anna Berg.') == [
        ("The fire is spreading fast", "Anna Berg")
    ]


def test_colon_introduced_quote() -> None:
    body = "Interior Minister Gérald Darmanin said: “Every available resource has been mobilised.”"
    assert _quotes(body) == [("Every available resource has been mobilised.", "Gérald Darmanin")]


def test_said_that_quote_far_from_verb() -> None:
    body = (
        "Anna Berg said that the rescue teams, who had worked through the night,"
        " were “exhausted but determined.”"
    )
    assert _quotes(body) == [("exhausted but determined.", "Anna Berg")]


def test_split_quote_shares_speaker() -> None:
    body = "Mayor Anna Berg spoke. “We are ready,” she said, “and we are not afraid of the storm.”"
    assert _quotes(body) == [
        ("We are ready", "Anna Berg"),
        ("and we are not afraid of the storm.", "Anna Berg"),
    ]


def test_pronoun_speaker_is_last_named_subject() -> None:
    body = (
        "Anna Berg met Omar Haddad on Monday.\n\n"
        "She said: “The talks went better than any of us expected.”"
    )
    assert _quotes(body) == [("The talks went better than any of us expected.", "Anna Berg")]


def test_according_to_after_quote() -> None:
    body = "“Nobody will be allowed to leave the city tonight,” according to the statement."
    assert _quotes(body) == [("Nobody will be allowed to leave the city tonight", "the statement")]


def test_organisation_statement_speaker_kind() -> None:
    body = "“Services will resume on Monday after repairs,” the ministry said in a statement."
    (q,) = find_quotes(body, find_mentions(body))
    assert (q.speaker, q.speaker_kind, q.verb) == ("the ministry", "organisation", "said")


def test_quote_continued_across_paragraphs() -> None:
    body = (
        "The letter said: “We reject the ruling entirely.\n\n"
        "“We will appeal to the highest court in the land.”\n\nUnrelated text follows here."
    )
    quotes = find_quotes(body, find_mentions(body))
    assert [(q.text, q.speaker, q.speaker_kind) for q in quotes] == [
        ("We reject the ruling entirely.", "the letter", "document"),
        ("We will appeal to the highest court in the land.", "the letter", "document"),
    ]


def test_nested_single_quotes_stay_inside() -> None:
    body = "“Do not try to ‘heat up’ the situation in the region,” Anna Berg warned."
    assert _quotes(body) == [("Do not try to ‘heat up’ the situation in the region", "Anna Berg")]


def test_short_unattributed_quote_is_a_scare_quote() -> None:
    assert _quotes("Officials condemned the “outside” interference in the vote.") == []


def test_heading_quote_takes_speaker_of_the_quote_it_repeats() -> None:
    body = (
        "“Not some irregular channel”\n\n"
        "“My role was not some irregular channel at all,” Kurt Volker said."
    )
    assert [s for _, s in _quotes(body)] == ["Kurt Volker", "Kurt Volker"]


def test_quote_offsets_match_text() -> None:
    body = "Intro line.\n\n“We have a very negative attitude,” Sergei Lavrov said."
    (q,) = find_quotes(body, find_mentions(body))
    assert body[q.start : q.end] == q.text and q.ordinal == 1


def test_british_single_quotes_when_no_double_quotes() -> None:
    body = "‘We’re not going anywhere, not this year,’ Anna Berg said."
    assert _quotes(body) == [("We’re not going anywhere, not this year", "Anna Berg")]


# ---------------------------------------------------------------- dates


def test_weekday_with_date_needs_a_year() -> None:
    (d,) = find_dates("He spoke on Wednesday (Oct. 8) in Moscow.", None)
    assert (d.text, d.date, d.year_known, d.start) == ("Wednesday (Oct. 8)", None, False, 12)


def test_explicit_year_is_used() -> None:
    (d,) = find_dates("The deal was signed on Oct. 8, 2014 in Moscow.", None)
    assert (d.text, d.date, d.year_known) == ("Oct. 8, 2014", "2014-10-08", True)


def test_year_from_publication_is_latest_not_after_it() -> None:
    (d,) = find_dates("The call took place on July 25 and lasted an hour.", datetime(2019, 11, 19))
    assert d.date == "2019-07-25"
    (d,) = find_dates("The vote on 20 December was close.", datetime(2020, 1, 5))
    assert d.date == "2019-12-20"


def test_future_sentence_looks_ahead() -> None:
    (d,) = find_dates("The court will rule on Dec. 3 on the appeal.", datetime(2019, 11, 19))
    assert d.date == "2019-12-03"


def test_doubtful_year_stays_unresolved() -> None:
    (d,) = find_dates("The board met on Dec. 3 about the appeal.", datetime(2019, 11, 19))
    assert (d.date, d.year_known) == (None, False)


def test_weekday_contradicting_every_year_leaves_date_unresolved() -> None:
    assert (
        infer_date(10, 8, 0, datetime(2014, 10, 10).date(), False) is None
    )  # Oct 8 2014 was a Wednesday


def test_context_is_the_sentence() -> None:
    (d,) = find_dates("First sentence. They met on 8 October in Paris. Last one.", None)
    assert d.context == "They met on 8 October in Paris."


# ---------------------------------------------------------------- robustness


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("Ab Cd ef.“”‘’\"',:\n —MayOct 12Said said he"))),
    st.booleans(),
)
def test_enrich_never_fails_and_offsets_stay_in_body(body: str, dated: bool) -> None:
    found = enrich(None, body, datetime(2020, 1, 1) if dated else None)
    entities, quotes, dates = found.entities, found.quotes, found.dates
    for e in entities:
        assert all(0 <= o < len(body) for o in e.offsets)
    for q in quotes:
        assert 0 <= q.start <= q.end <= len(body)
    for d in dates:
        assert body[d.start : d.start + len(d.text)] == d.text
