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


# ---------------------------------------------------------------- languages (issue 17)

from newsetl.enrich.enrichment import method_for  # noqa: E402
from newsetl.enrich.multiquotes import find_quotes_multilingual  # noqa: E402
from newsetl.models import Item  # noqa: E402
from newsetl.pipeline.extract import extract_item  # noqa: E402

MULTI_GOLD = json.loads((ROOT / "tests/gold/enrich_multilingual.json").read_text())["articles"]
FUNDUS = ROOT.parent / "shared" / "eval" / "fundus-dev"


def _ml(body: str, language: str) -> list[tuple[str, str | None, str | None]]:
    return [(q.text, q.speaker, q.speaker_kind) for q in find_quotes_multilingual(body, language)]


def test_the_language_chooses_the_method() -> None:
    assert method_for("en") == "full"
    assert method_for("de") == "people+quotes+organisations (language de)"
    assert method_for("it") == "none (language it)"
    assert method_for(None) == "none (language unknown)"


def test_a_language_without_a_method_gets_nothing_and_says_so() -> None:
    body = 'Mario Rossi ha detto: "Non è vero, e lo sanno tutti." Poi è partito per Roma.'
    found = enrich(None, body, None, "it")
    assert (found.entities, found.quotes, found.method) == ([], [], "none (language it)")


def test_german_gets_people_by_first_name_and_quotes_but_no_capitalised_nouns() -> None:
    body = ("Der Osnabrücker Leseforscher Christian Dawidowski sieht das anders.\n\n"
            "„Es passiert immer irgendetwas anderes, was uns abhält“, sagt Dawidowski. "
            "Die Künstliche Intelligenz helfe kaum, Millionen Euro auch nicht.")
    found = enrich(None, body, None, "de")
    assert found.method == "people+quotes+organisations (language de)"
    assert [(e.name, e.kind, e.mentions) for e in found.entities] == [
        ("Christian Dawidowski", "person", 2)]
    assert [body[o:].split()[0] for o in found.entities[0].offsets] == [
        "Christian", "Dawidowski."]
    assert [(q.speaker, q.speaker_kind, q.verb) for q in found.quotes] == [
        ("Christian Dawidowski", "person", "sagt")]
    assert body[found.quotes[0].start:].startswith("Es passiert")


def test_german_guillemets_and_a_colon_introduced_quote() -> None:
    body = ("Bidzina Iwanischwili, Gründer der Partei »Georgischer Traum«, beteuerte: "
            "»Wir werden im Jahr 2030 der EU beitreten, das verspreche ich Ihnen.«")
    assert _ml(body, "de") == [("Wir werden im Jahr 2030 der EU beitreten, das verspreche ich "
                                "Ihnen.", "Bidzina Iwanischwili", "person")]


def test_french_apposition_and_pronoun_speaker() -> None:
    body = ("« Nous avons fait échouer toute leur campagne », a affirmé le ministre de la "
            "Défense, Andreï Belooussov, selon une vidéo.\n\n"
            "« Le problème est que nous sommes peu nombreux », a-t-il expliqué.")
    assert [s for _, s, _ in _ml(body, "fr")] == ["Andreï Belooussov", "Andreï Belooussov"]


def test_french_title_before_a_surname_resolves_to_the_full_name() -> None:
    body = ("Le porte-parole du Kremlin, Dmitri Peskov, parlait vendredi.\n\n"
            "« Les migrants, c'est un besoin pour nous », a affirmé M. Peskov.")
    assert _ml(body, "fr") == [("Les migrants, c'est un besoin pour nous", "Dmitri Peskov",
                                "person")]


def test_unnamed_sources_keep_their_words_and_kind() -> None:
    de = ('"Die gesamte Bevölkerung muss evakuiert werden!", erklärt einer der bekifften '
          "Wissenschaftler, während die Kollegen nicken.")
    es = ('Recibía amenazas. "Siempre fue violento con todos nosotros", declaró la mujer de 35 '
          "años en una entrevista.")
    assert _ml(de, "de")[0][1:] == ("einer der bekifften Wissenschaftler", "unnamed")
    assert _ml(es, "es")[0][1:] == ("la mujer de 35 años", "unnamed")


def test_a_definite_role_is_the_person_it_was_attached_to() -> None:
    body = ('"Quince días de fiesta es una salvajada", comenta David Campo, portavoz de la '
            "Asociación.\n\n"
            'Pide menos ruido. "Nos sigue pareciendo insuficiente para los niños", afirma el '
            "portavoz.")
    assert [s for _, s, _ in _ml(body, "es")] == ["David Campo", "David Campo"]


def test_slogans_on_signs_and_chants_are_not_quotes() -> None:
    de = ('Auf den Plakaten stand "Finanziert unsere Schulen jetzt sofort", sagte eine '
          "Teilnehmerin.")
    fr = "Les manifestants scandaient « Macron démission, Macron démission », dit un témoin."
    assert _ml(de, "de") == [] and _ml(fr, "fr") == []


def test_a_quote_with_no_speaker_found_is_left_out() -> None:
    assert _ml("Il a plu. « Toutes les parties doivent rester calmes et patientes. »", "fr") == []


def test_french_line_starting_with_a_closing_guillemet_opens_nothing() -> None:
    body = ("» Le fil des événements de jeudi :\n\n"
            "« On est prêt pour les Jeux », a assuré le directeur Augustin Tran Van Chau.")
    assert _ml(body, "fr") == [("On est prêt pour les Jeux", "Augustin Tran Van Chau", "person")]


def test_extract_item_records_the_method_of_a_german_page() -> None:
    body = ("Christian Dawidowski forscht in Osnabrück seit vielen Jahren über das Lesen.\n\n"
            "„Wir erinnern uns an diese Texte viel schlechter als an gedruckte“, sagt "
            "Dawidowski. Die Künstliche Intelligenz ändere daran wenig, meint er, und die "
            "Studierenden lesen immer weniger Bücher.")
    html = (f"<html lang='de'><head><title>Lesen am Bildschirm</title></head><body><article>"
            f"<h1>Lesen am Bildschirm</h1>{''.join(f'<p>{p}</p>' for p in body.split(chr(10)*2))}"
            f"</article></body></html>").encode()
    article = extract_item(Item(key="k", data=html, archive_path="k", source="s",
                                content_type="text/html"))
    assert article.language == "de"
    assert article.enrichment == "people+quotes+organisations (language de)"
    assert [e.name for e in article.entities] == ["Christian Dawidowski"]
    assert [q.speaker for q in article.quotes] == ["Christian Dawidowski"]


def test_multilingual_gold_is_well_formed() -> None:
    langs = {a["language"] for a in MULTI_GOLD}
    assert langs >= {"de", "fr", "es"}
    assert all(sum(a["language"] == lang for a in MULTI_GOLD) >= 4 for lang in langs)
    assert {a["split"] for a in MULTI_GOLD} == {"dev", "held-out"}


@pytest.mark.skipif(not FUNDUS.exists(), reason="needs ../shared/eval/fundus-dev")
def test_multilingual_gold_quote_speakers_are_mostly_right() -> None:
    """Quote-speaker precision on the hand-annotated German, French and Spanish pages
    (gold bodies; bench/enrich_eval.py scores the extracted ones): 0.87 when written."""
    tp = fp = 0
    for a in MULTI_GOLD:
        body = json.loads((FUNDUS / a["id"] / "expected.json").read_text())["body"]
        found = enrich(None, body, None, a["language"])
        assert {e.kind for e in found.entities} <= {"person", "organisation"}
        scare = [_norm(s) for s in a["scare_quotes"]]
        for q in found.quotes:
            t = _norm(q.text)
            if any(t.startswith(_norm(g["start"])) and _words(q.speaker) & _words(g["speaker"])
                   for g in a["quotes"]):
                tp += 1
            elif not any(t.startswith(s) for s in scare):
                fp += 1
    assert tp >= 60 and tp / (tp + fp) >= 0.8, (tp, fp)


def test_english_unnamed_sources_are_kept_as_written() -> None:
    cases = {
        "“We will not comment on this matter now,” an insider told reporters.": "an insider",
        "“The effect was far larger than expected,” the study authors wrote.": "the study authors",
        "A spokesperson said: “We are reviewing the decision carefully.”": "a spokesperson",
        "“She never signed that contract at all,” Swift's rep said.": "Swift's rep",
    }
    for body, speaker in cases.items():
        assert [(q.speaker, q.speaker_kind) for q in enrich(None, body, None).quotes] == [
            (speaker, "unnamed")], body


def test_english_slogans_on_signs_are_not_quotes() -> None:
    body = ("Thousands marched downtown. Protesters held signs reading “Fund our schools, not "
            "the new stadium downtown” as they walked.")
    assert enrich(None, body, None).quotes == []


def test_people_need_a_known_first_name_not_capitals() -> None:
    from newsetl.enrich.people import find_people

    de = ("Künstliche Intelligenz kostet Millionen Euro. Fortuna Düsseldorfs Trainer Daniel "
          "Thioune lobt die Schule Joan Capó. Man sieht: Nike Tech, Nike hier, Nike dort, "
          "Nike überall.")
    es = ("Las Fiestas de San Isidro Respetuosas. José Luis Fernández Louzao habló con Mohammed "
          "Ben Sulayem y con Lewis Hamilton en la calle Pablo Neruda.")
    assert [e.name for e in find_people(de, "de")] == ["Daniel Thioune"]
    assert [e.name for e in find_people(es, "es")] == [
        "José Luis Fernández Louzao", "Mohammed Ben Sulayem", "Lewis Hamilton"]


def test_a_surname_shared_by_two_people_alone_counts_for_neither() -> None:
    from newsetl.enrich.people import find_people

    body = "Joe Biden und Hunter Biden reisten. Biden sprach, Hunter Biden schwieg."
    found = {e.name: e.mentions for e in find_people(body, "de")}
    assert found == {"Joe Biden": 1, "Hunter Biden": 2}


def test_multilingual_gold_people_meet_the_precision_bar() -> None:
    """People precision >= 0.90 and F1 >= 0.80 per language on the hand-annotated pages
    (bodies as the gold has them), the bar for a language to get people at all."""
    if not FUNDUS.exists():
        pytest.skip("needs ../shared/eval/fundus-dev")
    counts: dict[str, list[int]] = {}
    for a in MULTI_GOLD:
        body = json.loads((FUNDUS / a["id"] / "expected.json").read_text())["body"]
        people = {e.name for e in enrich(None, body, None, a["language"]).entities
                  if e.kind == "person"}
        c = counts.setdefault(a["language"], [0, 0, 0])
        c[0] += len(people & set(a["people"]))
        c[1] += len(people - set(a["people"]))
        c[2] += len(set(a["people"]) - people)
    for lang, (tp, fp, fn) in counts.items():
        assert tp / (tp + fp) >= 0.9 and 2 * tp / (2 * tp + fp + fn) >= 0.8, (lang, tp, fp, fn)


# ---------------------------------------------------------------- English beyond enrich-dev

ENGLISH_GOLD = json.loads((ROOT / "tests/gold/enrich_english.json").read_text())["articles"]


def _speakers(body: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in enrich(None, body, None).quotes]


def _kinds(body: str) -> dict[str, str]:
    return {e.name: e.kind for e in enrich(None, body, None).entities}


def test_english_gold_is_well_formed() -> None:
    assert len(ENGLISH_GOLD) >= 10
    assert {a["split"] for a in ENGLISH_GOLD} == {"dev", "held-out", "held-out-2", "held-out-3"}
    for a in ENGLISH_GOLD:
        assert a["set"] in ("zyte-dev", "fundus-dev") and a["url"].startswith("http")
        assert a["people"] or a["split"] == "held-out-2"  # a page naming no one is a fair test
        assert all(q["start"] and q["speaker"] for q in a["quotes"])
        if a["split"] in ("held-out-2", "held-out-3"):
            assert all(q["speaker_kind"] in ("person", "unnamed", "organisation")
                       for q in a["quotes"])
        assert isinstance(a["organisations"], list) and isinstance(a["scare_quotes"], list)


def test_two_single_marks_close_a_double_quote() -> None:
    body = ("“The plan was never costed at all,’’ Anna Berg, head of the budget office, told "
            "reporters. “We asked twice.’’")
    assert _speakers(body) == [("The plan was never costed at all", "Anna Berg"),
                               ("We asked twice.", "Anna Berg")]


def test_speaker_named_inside_a_longer_subject() -> None:
    body = ("One of the marchers, Jane Doe, 42, a teacher from Leeds, said: “We cannot wait "
            "any longer for this.”")
    assert _speakers(body) == [("We cannot wait any longer for this.", "Jane Doe")]


def test_a_definite_role_points_back_at_the_person_named_in_it() -> None:
    body = ("Senator Mary Clark opened the hearing on Monday.\n\n"
            "But the senator, who recently said that she wants “a government that listens to "
            "the people again,” left early.")
    assert _speakers(body) == [("a government that listens to the people again", "Mary Clark")]


def test_pronoun_passes_over_people_of_the_other_gender() -> None:
    body = ("James Hill announced the ruling on Monday. His lawyer, Sarah Lee, spoke later.\n\n"
            "“We will appeal this decision,” she said.")
    assert _speakers(body) == [("We will appeal this decision", "Sarah Lee")]


def test_titles_of_works_are_neither_quotes_nor_people() -> None:
    body = ("The band played “Blue River,” “Paper Moon Rising” and “Long Night Driving,” the "
            "singer Tom Baker said.")
    assert _speakers(body) == []
    assert _kinds(body) == {"Tom Baker": "person"}


def test_a_lone_capitalised_word_needs_evidence_to_be_an_organisation() -> None:
    body = ("In The Tempest, Prospero rules the island. Kremlin spokesman Dmitry Peskov "
            "praised Mercosur, Unasur, CELAC and Petrocaribe.")
    orgs = {n for n, k in _kinds(body).items() if k == "organisation"}
    assert orgs == {"Kremlin", "Mercosur", "Unasur", "CELAC", "Petrocaribe"}


def test_contractions_letters_and_state_abbreviations_are_not_organisations() -> None:
    body = ("“I’m sure of it,” said Sen. Paul Reed (D., Conn.). Rep. Nora Vance (D-Ariz.) "
            "met voters in Palo Alto, Calif., and in Tampa, FL, on Monday. I've seen C grades.")
    kinds = _kinds(body)
    assert "organisation" not in kinds.values(), kinds
    assert kinds["Paul Reed"] == kinds["Nora Vance"] == "person"
    assert kinds.get("Connecticut") == kinds.get("Florida") == "place"


def test_venues_streets_and_regions_are_not_people() -> None:
    body = ("The tour stops at Harbor Bank Arena in Nashville, at Coral Lake Amphitheatre and "
            "on Mercer Street, then in North Ridgeshire. Emma Hill attended.")
    assert {n for n, k in _kinds(body).items() if k != "place"} == {"Emma Hill"}


def test_glued_names_are_split_and_merged_to_the_fullest_form() -> None:
    body = ("Oregon Gov. Maria LopezMaria Ann LopezOregon governor spoke. "
            "Maria Lopez said it works.")
    assert {n for n, k in _kinds(body).items() if k == "person"} == {"Maria Ann Lopez"}


def test_speaker_named_at_the_end_of_the_sentence() -> None:
    body = ("The levies are unfair and a “bad idea” for farmers, Trade Minister Lena Ortiz "
            "said Tuesday. Prices are a “real worry” here, said Ana Ruiz, an economist.")
    assert _speakers(body) == [("bad idea", "Lena Ortiz"), ("real worry", "Ana Ruiz")]


def test_titles_and_initials_inside_a_speaker_name() -> None:
    assert _speakers("“We will win this fight in the end,” said Mr. Smith.") == [
        ("We will win this fight in the end", "Smith")]
    assert _speakers("“We will win this fight in the end,” said U.S. Attorney Jane Cox.") == [
        ("We will win this fight in the end", "Jane Cox")]


def test_it_and_they_are_the_document_or_group_last_quoted() -> None:
    body = ("“The council ignored every warning we sent,” the letter stated. It called the "
            "plan “a waste of public money from start to finish.”\n\n"
            "“For that reason, we ask for an audit,” the residents wrote. “We will "
            "follow up within the month,” they wrote.")
    assert [s for _, s in _speakers(body)] == ["the letter", "the letter", "the residents",
                                               "the residents"]


def test_passive_reporting_verb_names_no_speaker() -> None:
    body = "Later, Mayor Tom Reid was asked, “Will you resign before the vote next week?”"
    assert [s for _, s in _speakers(body)] == [None]


def test_which_after_a_comma_points_at_the_organisation_before_it() -> None:
    body = ("Mr. Dale chairs the Harbour Rights Association, which says on its website that "
            "it wants to “keep the old port open to everyone.”")
    assert _speakers(body) == [("keep the old port open to everyone.",
                                "Harbour Rights Association")]


def test_organisation_names_with_and_possessive_places_and_short_forms() -> None:
    body = ("The Northern Center for Disease Control and Prevention said so; the CDC agreed. "
            "Tom Reed of the New York Times wrote it, and the Times confirmed it. "
            "In 2016, Oregon’s Department of Forestry reported it.")
    orgs = {n for n, k in _kinds(body).items() if k == "organisation"}
    assert orgs == {"Northern Center for Disease Control and Prevention", "New York Times",
                    "Department of Forestry"}


# ---------------------------------------------------------------- issue 17: kinds of error


def test_bands_and_groups_are_organisations_events_nothing() -> None:
    body = ("A half century on, The Doobie Brothers are still smoking, and the rights group "
            "Safeguard Defenders said so. Tickets for the 50th Anniversary Tour are on sale; "
            "the 50th Anniversary Tour starts in June, and the 50th Anniversary Tour ends in "
            "the Davis Cup Finals week.")
    kinds = _kinds(body)
    assert kinds.get("Doobie Brothers") == kinds.get("Safeguard Defenders") == "organisation"
    assert "person" not in kinds.values() and "Anniversary Tour" not in kinds, kinds


def test_a_place_and_a_common_word_or_a_saint_is_no_one() -> None:
    body = ("Florida Man will have to up the ante, a man said. He sailed from St. Lawrence "
            "Island to St Petersburg with Wichita North coach Amy Reed.")
    assert [n for n, k in _kinds(body).items() if k == "person"] == ["Amy Reed"]


def test_listed_venues_and_two_capitals_are_no_organisations() -> None:
    body = ("Meth is a serious problem in SD, the state says.\n\n"
            "June 26 -- PPL Center, Allentown, PA\n\nJuly 3 -- Mansfield, MA @ Xfinity Center\n\n"
            "Tickets are sold by Live Nation (LN); LN said more dates will follow. "
            "The firm plans an IPO.")
    orgs = {n for n, k in _kinds(body).items() if k == "organisation"}
    assert orgs == {"Live Nation"}  # "LN" is defined in the text: it resolves to the name


def test_products_and_things_named_like_people_are_not_people() -> None:
    body = ("The company could carry more with its Dream Chaser vehicle. Nintendo Switch Lite "
            "sold out, and the Logitech MX Master 2S mouse did too.")
    assert "person" not in _kinds(body).values()


def test_an_enumeration_of_organisations_makes_its_unknown_names_organisations() -> None:
    body = ("Tribune, the owner of the Chicago Tribune, New York Daily News, Baltimore Sun "
            "and Hartford Courant, said nothing. Draper, Firefly Aerospace, Intuitive "
            "Machines, Lockheed Martin and Masten Space Systems bid, said Anna Berg.")
    kinds = _kinds(body)
    assert kinds["Baltimore Sun"] == kinds["Hartford Courant"] == "organisation"
    assert kinds["Lockheed Martin"] == "organisation" and kinds["Anna Berg"] == "person"


def test_a_name_without_a_known_given_name_needs_some_evidence() -> None:
    body = ("Guests relax at Outlook Cabin on Labor Day. Saeb Erekat rejected the plan. "
            "“It is unacceptable,” Erekat said. Senior rapper Kanye West performed.")
    people = sorted(n for n, k in _kinds(body).items() if k == "person")
    assert people == ["Kanye West", "Saeb Erekat"]


def test_roles_glued_before_a_given_name_are_dropped() -> None:
    body = ("Singer-guitarists Tom Johnston played. Co-founder Michael Horvath spoke, and "
            "Frenchman Corentin Moutet won.")
    people = {n for n, k in _kinds(body).items() if k == "person"}
    assert people == {"Tom Johnston", "Michael Horvath", "Corentin Moutet"}


def test_described_speakers_before_an_auxiliary_and_documents_before_a_colon() -> None:
    body = ("A voice is then heard saying: “We’ll have to stop the show, ladies and "
            "gentlemen.”\n\nShe shared the website, which contains the following statement:"
            "\n\n“South Dakota has a problem and there is no single solution.”")
    assert [s for _, s in _speakers(body)] == ["a voice", "the following statement"]


def test_they_is_the_group_named_before_not_an_organisation() -> None:
    body = ("Lawmakers on the committee asked the FBI for answers by May 10.\n\n"
            "“The threat of these schemes undermines our principles,” they wrote.")
    assert [s for _, s in _speakers(body)] == ["lawmakers"]


def test_a_quotation_after_a_sentence_that_reports_a_speaker() -> None:
    body = ("Yao Zhe is a policy adviser at Greenpeace. The world should expect leadership of "
            "a different flavour, says Yao. “They cannot expect China to do it alone.”\n\n"
            "“I know we are happy to get rid of them,” Leon Cooperman told Michael Reed. "
            "“They brought this public in 2014.”")
    assert [s for _, s in _speakers(body)] == ["Yao Zhe", "Leon Cooperman", "Leon Cooperman"]


def test_the_speaker_is_the_head_of_the_phrase_or_its_apposition() -> None:
    body = ("Kamala Harris spoke first.\n\n“There is no easy scenario,” Harris senior adviser "
            "David Plouffe said.\n\n“The minimum wait is a year,” the company’s CEO, Abdulaziz "
            "Jaafar, told reporters.\n\n“Terrific guy,” Epstein’s neighbor in Florida, Donald "
            "Trump, said.")
    assert [s for _, s in _speakers(body)] == ["David Plouffe", "Abdulaziz Jaafar",
                                               "Donald Trump"]


def test_said_the_age_and_as_someone_put_it() -> None:
    body = ("Andy Murray won in straight sets.\n\n“He is one of the most skilful players,” said "
            "the 36-year-old.\n\nAs Neil Gaiman put it, “Had he written a sequel, it would "
            "have sold.”")
    assert [s for _, s in _speakers(body)] == ["Andy Murray", "Neil Gaiman"]


def test_he_is_the_last_subject_of_matching_gender() -> None:
    body = ("Minister Tom Alweendo spoke in Cape Town. “We will connect,” he said.\n\n"
            "However, pipelines executive Russell Bradbrooke has reservations about it.\n\n"
            "“It is an option, but a risky one,” he said.")
    assert [s for _, s in _speakers(body)] == ["Tom Alweendo", "Russell Bradbrooke"]


def test_a_surname_that_is_a_common_word_with_a_known_given_name() -> None:
    body = ("They tested it in the field with a colleague named Leslie Field. “It was "
            "terrible,” Field told me. The Alden Capital fund and the capital city agreed.")
    kinds = _kinds(body)
    assert kinds.get("Leslie Field") == "person" and "Alden Capital" not in kinds
    assert [s for _, s in _speakers(body)] == ["Leslie Field"]


def test_an_affixed_word_splits_two_names_and_camel_case_brands_stay_whole() -> None:
    body = ("LA CROSSE, Wis. (AP) — The Democratic Party-controlled House of Representatives "
            "voted. Sacramento-based McClatchy Co. agreed, and YouTube said so.")
    kinds = _kinds(body)
    assert kinds.get("Democratic Party") == kinds.get("House of Representatives") == "organisation"
    assert "Tube" not in kinds and "CROSSE" not in kinds and "LA CROSSE" not in kinds, kinds


def test_a_run_whose_own_words_rule_out_its_kind_is_dropped() -> None:
    """Context cues ("X said") do not make a firm, a desk or an acronym spelt as a word a
    person, nor a role or a county an organisation; East Asian given names stay whole."""
    body = ("Rates will fall, Rosenberg Research said on Monday. Desjardins Economics, a bank "
            "unit, agreed. The North Atlantic Treaty Organization met. Nato said it would act, "
            "and the C.E.O. of Orange County left. Tsai Ing-wen said so, and Mary Jones said "
            "the firm showed new features at its annual Camp Strava event.")
    kinds = _kinds(body)
    assert kinds.get("Mary Jones") == kinds.get("Tsai Ing-wen") == "person", kinds
    assert kinds.get("North Atlantic Treaty Organization") == "organisation"
    for name in ("Rosenberg Research", "Desjardins Economics", "Nato", "C.E.O.",
                 "Orange County", "Camp Strava"):
        assert kinds.get(name) in (None, "place"), (name, kinds)


def test_a_quotation_paragraph_after_one_introducing_its_speaker() -> None:
    """A paragraph that is only a quotation, right after a paragraph that opens with one
    person as its subject and quotes no one, is that person's; after a paragraph naming
    two people it stays unattributed rather than guessed."""
    body = ("Mary Jones, the council's transport member, wants the line extended north.\n\n"
            "“Bringing in the northern towns matters for the whole region.”\n\n"
            "Mary Jones met Tom Smith on Monday.\n\n"
            "“We will see what the budget allows.”")
    said = dict((_norm(t)[:12], s) for t, s in _speakers(body))
    assert said.get("bringing in ") == "Mary Jones", said
    assert said.get("we will see ") in (None, ""), said


_TIE_SCRIPT = """
import json
from newsetl.enrich import enrich
text = ("Sonya Ann Zoghlin, 41, said the plan would work. Sonya Beth Zoghlin, 39, a neighbour, "
        "disagreed. \\u201cIt will not,\\u201d Sonya Zoghlin said.")
found = enrich("Plan", text, None)
print(json.dumps([[(e.name, e.kind) for e in found.entities],
                  [(q.text, q.speaker) for q in found.quotes]]))
"""


def test_a_tie_between_two_fuller_names_does_not_depend_on_string_hashing() -> None:
    """Two fuller forms of one length: the short form gets the first written, whatever
    PYTHONHASHSEED the process runs with (a backfill run twice must give the same names).
    Seeds 0 and 1 gave different speakers when the choice was made from a set."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", _TIE_SCRIPT], env=env, capture_output=True,
                             text=True, check=True)
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][1] == [["It will not", "Sonya Ann Zoghlin"]]


def test_a_brand_and_its_product_are_no_person() -> None:
    """Both words of a run written alone elsewhere, neither beside a reporting verb nor
    followed by "he"/"she": a brand and its product, not a given name and a surname. A
    surname-first name whose given name is never alone stays a person."""
    kinds = _kinds("Google Stadia launched on Tuesday. We visited Google’s offices to try it, "
                   "and Stadia worked well.\n\nXi Jinping met officials. Xi said trade matters.")
    assert "Google Stadia" not in kinds, kinds
    assert kinds.get("Xi Jinping") == "person", kinds


def test_a_run_in_brackets_is_not_a_surname_written_alone() -> None:
    kinds = _kinds("It took eight hours at the “Caja Magica” (Magic Box) centre court.")
    assert kinds.get("Magic Box") != "person", kinds


def test_a_company_that_speaks_of_itself_as_it_is_an_organisation() -> None:
    """A one-word speaker followed by "it"/"its" or a product noun is a company; one
    followed by "he" stays a person."""
    kinds = _kinds("Audi has revealed the second model in its e-tron range. The lights, "
                   "Audi says, can highlight road markings.\n\n"
                   "Nissan says it will offer better mileage than newer Nissan models.")
    assert kinds.get("Audi") == "organisation" and kinds.get("Nissan") == "organisation", kinds
    kinds = _kinds("Maley said its shares could rise. He expects more gains.")
    assert kinds.get("Maley") in (None, "person"), kinds


def test_an_organisation_between_two_parties_and_one_with_and_inside() -> None:
    kinds = _kinds("Members of the House Select Committee on the Strategic Competition Between "
                   "the United States and the Chinese Communist Party wrote to the FBI. WeWork "
                   "faces a U.S. Securities and Exchange Commission inquiry.")
    assert kinds.get("House Select Committee on the Strategic Competition Between the United "
                     "States and the Chinese Communist Party") == "organisation", kinds
    assert kinds.get("U.S. Securities and Exchange Commission") == "organisation", kinds


def test_organisation_speakers_after_a_quote() -> None:
    """An organisation the article names speaks ("Strava wrote"), and so does a body named
    after a noun saying what it is, instead of the person quoted before."""
    said = _speakers("Strava on Thursday announced new features for its app.\n\n"
                     "“Studies show that women participate less,” Strava wrote in a blog post.")
    assert said == [("Studies show that women participate less", "Strava")], said
    said = _speakers("Rinaani Musutua says the project contradicts the plan.\n\n"
                     "“This underlines the problem,” she says.\n\n"
                     "“In the absence of such a plan, wildlife will suffer,” environmental "
                     "organisation Frack Free Namibia says.")
    assert said[-1] == ("In the absence of such a plan, wildlife will suffer",
                        "Frack Free Namibia"), said


def test_a_party_role_points_back_and_a_conjunction_is_no_part_of_a_source() -> None:
    said = _speakers("Chris Grayling warned on Monday that the sector is in trouble.\n\n"
                     "Speaking in the Commons, the Conservative MP said: “It does not need to "
                     "be like this.”\n\nBut a spokesperson said: “We disagree.”")
    assert said == [("It does not need to be like this.", "Chris Grayling"),
                    ("We disagree.", "a spokesperson")], said


def test_a_given_name_that_is_also_a_place_keeps_its_middle_name() -> None:
    """"Mary" is also a city, "George" a place name: before an initial or another given
    name they open a person's name, not a place."""
    kinds = _kinds("Then Mary E. Lovely disagreed, and George W. Bush agreed.")
    assert kinds.get("Mary E. Lovely") == "person", kinds
    assert kinds.get("George W. Bush") == "person", kinds
    assert "Mary" not in kinds, kinds


def test_local_office_titles_and_unnamed_members_of_the_public() -> None:
    said = _speakers("“We’re not locked in,” said Steve Lederer, the county's works director."
                     "\n\n“I didn’t believe we’d get here,” said Supervisor Alfredo Pedroza of "
                     "Napa County.\n\n“That just doesn’t seem like recreation,” said one person "
                     "during public comment.")
    assert [s for _, s in said] == ["Steve Lederer", "Alfredo Pedroza", "one person"], said
    kinds = _kinds("The Honourable Natalio Wheatley spoke on Monday.")
    assert kinds.get("Natalio Wheatley") == "person", kinds


def test_a_long_role_before_the_speaker_after_a_quote() -> None:
    """A speaker phrase of more than sixty characters ("Pakistani military spokesperson
    Lt. Gen. Ahmed Sharif Chaudhry") still names the speaker, not the person before."""
    said = _speakers("Army chief Asim Munir has warned of digital terrorism.\n\n"
                     "“Just as terrorists use weapons, they use social media,” Pakistani "
                     "military spokesperson Lt. Gen. Ahmed Sharif Chaudhry had said.")
    assert said == [("Just as terrorists use weapons, they use social media",
                     "Ahmed Sharif Chaudhry")], said


def test_he_after_a_paragraph_whose_subject_is_an_unnamed_spokesperson() -> None:
    """"A spokesperson for X said ..." then “...,” he said: the spokesperson, not the
    person named before; a spokeswoman is no "he"."""
    body = ("Jo Grady said the report was damning.\n\n"
            "But a spokesperson for the employers said members had cut such contracts.\n\n"
            "“We have worked with the unions,” he said.")
    assert _speakers(body)[-1] == ("We have worked with the unions",
                                   "a spokesperson for the employers")
    body = body.replace("a spokesperson", "a spokeswoman")
    assert _speakers(body)[-1][1] != "a spokeswoman for the employers"


def test_a_natural_feature_is_no_organisation() -> None:
    kinds = _kinds("The resort would be at Lake Berryessa, said Leigh Sears, the Lake "
                   "Berryessa concessions manager. The Lake Placid Organizing Committee said no.")
    assert kinds.get("Lake Berryessa") != "organisation", kinds
    assert kinds.get("Lake Placid Organizing Committee") == "organisation", kinds


def test_and_inside_a_long_name_but_not_between_two_bodies() -> None:
    """"Urban" is also a given name, but "Urban Development" ends in a field: one body.
    "Federal Bureau of Investigation" after "and" is a body of its own."""
    kinds = _kinds("The Department of Housing and Urban Development said so. Officials at the "
                   "Department of Justice and Federal Bureau of Investigation agreed.")
    assert kinds.get("Department of Housing and Urban Development") == "organisation", kinds
    assert "Urban Development" not in kinds, kinds
    assert kinds.get("Department of Justice") == "organisation", kinds
    assert kinds.get("Federal Bureau of Investigation") == "organisation", kinds


def test_a_dispatcher_is_an_unnamed_source_not_the_detective_quoted_before() -> None:
    said = _speakers("“Once officers were in the area, they saw the car,” said Miami-Dade Police "
                     "Detective Alvaro Zabaleta.\n\n“We have units behind a vehicle,” said a "
                     "dispatcher on the police scanner.")
    assert said[-1] == ("We have units behind a vehicle", "a dispatcher"), said


def test_a_group_written_with_a_plural_acronym_is_no_person() -> None:
    kinds = _kinds("Tory MPs said the deal was poor, and Opposition MPs agreed.")
    assert "Tory MPs" not in kinds and "Opposition MPs" not in kinds, kinds


def test_long_organisation_names_with_on_and_a_leading_the_and() -> None:
    kinds = _kinds("Belinda Schäpe, an analyst at the Centre for Research on Energy and Clean "
                   "Air, said so. A researcher at The Energy and Resources Institute agreed. "
                   "The Ministry of Defence on Ukraine said nothing.")
    assert kinds.get("Centre for Research on Energy and Clean Air") == "organisation", kinds
    assert kinds.get("Energy and Resources Institute") == "organisation", kinds
    assert kinds.get("Ministry of Defence") == "organisation", kinds


def test_words_written_in_capitals_are_no_organisations() -> None:
    """A dateline the article also writes as a name, a long label written once and a
    heading alone on its line are shouted words; a short acronym stays an organisation."""
    kinds = _kinds("MILLBROOK — The following reports were filed in Millbrook this week.\n\n"
                   "CARD HIGHLIGHTS: points on all travel, says the bank.\n\n"
                   "STAFF\n\nThe crew worked with NASA and the FBI on the launch.")
    assert "MILLBROOK" not in kinds and "HIGHLIGHTS" not in kinds, kinds
    assert "STAFF" not in kinds, kinds
    assert kinds.get("NASA") == "organisation" and kinds.get("FBI") == "organisation", kinds


def test_a_long_acronym_defined_in_brackets_stays_an_organisation() -> None:
    kinds = _kinds("The International Criminal Police Organization (INTERPOL) issued a notice.")
    assert kinds.get("International Criminal Police Organization") == "organisation", kinds


def test_a_press_role_is_cut_off_the_organisation_before_it() -> None:
    """"White House Press Secretary Maria Lopez": the organisation is the White House,
    "Press Secretary" her role; "House Speaker" keeps the House."""
    kinds = _kinds("White House Press Secretary Maria Lopez said on Monday that talks went well.")
    assert "White House Press" not in kinds, kinds
    assert kinds.get("White House") == "organisation", kinds
    assert kinds.get("Maria Lopez") == "person", kinds


def test_a_law_or_treaty_is_no_organisation() -> None:
    """A run ending in "Agreement", "Act", "Treaty" names a document, even with an
    organisation word inside ("Forces", "Bank")."""
    kinds = _kinds("Officials discussed the Japan-U.S. Status of Forces Agreement, and the bank "
                   "broke the Bank Secrecy Act, regulators said.")
    assert not any(kind == "organisation" for kind in kinds.values()), kinds


def test_a_comma_list_of_fields_inside_a_name() -> None:
    """"Ministry of Environment, Forestry and Tourism" is one body, "Forestry" none; a
    list of bodies stays a list."""
    kinds = _kinds("A spokesman for the Ministry of Environment, Forestry and Tourism said so. "
                   "Investigators at the Department of Justice, the FBI and the CIA agreed.")
    assert kinds.get("Ministry of Environment, Forestry and Tourism") == "organisation", kinds
    assert "Forestry" not in kinds and "Ministry of Environment" not in kinds, kinds
    assert kinds.get("Department of Justice") == "organisation", kinds


def test_a_plural_possessive_inside_a_name() -> None:
    """"People's Liberation Army", "Donetsk People's Republic": the run goes on past a
    plural noun's possessive, so no cut "Liberation Army" or "Donetsk People"."""
    kinds = _kinds("Troops of the People’s Liberation Army held drills. Few supported the "
                   "Donetsk People’s Republic, teachers said.")
    assert "Liberation Army" not in kinds and "Donetsk People" not in kinds, kinds
    assert kinds.get("People’s Liberation Army") == "organisation", kinds


def test_an_organisation_named_only_in_a_title_case_heading_is_dropped() -> None:
    """In a heading every word is capitalised ("Girl Found Inside City Hospital Toilet"):
    no evidence of a name, unless the body names it too."""
    body = ("Police said the case was under investigation.\n\n"
            "Newborn Girl Found Inside City Hospital Toilet\n\n"
            "In another case, staff found a baby in a toilet.")
    assert "organisation" not in _kinds(body).values(), _kinds(body)
    named = body + "\n\nNurses at Mercy Hospital helped."
    assert _kinds(named).get("Mercy Hospital") == "organisation"


def test_a_place_then_a_named_person_after_of() -> None:
    """"President of Iceland Jon Olafsson, and he ...": a place and a person, not one
    organisation; "the Washington Free Beacon" stays a title."""
    kinds = _kinds("She spoke at an event attended by the former President of Iceland Jon "
                   "Olafsson, and he remarked that it was possible.")
    assert kinds.get("Iceland") == "place" and kinds.get("Jon Olafsson") == "person", kinds
    assert "Iceland Jon Olafsson" not in kinds, kinds


def test_provinces_are_places() -> None:
    kinds = _kinds("Fishing boats left southwestern Nova Scotia and Queensland, officials said.")
    assert kinds.get("Nova Scotia") == "place" and kinds.get("Queensland") == "place", kinds


# ------------------------------------------------ English quote speakers, second round


def _said(body: str) -> dict[str, tuple[str | None, str | None]]:
    """Each quotation's first word -> (speaker, speaker_kind)."""
    return {q.text.split()[0]: (q.speaker, q.speaker_kind)
            for q in find_quotes(body, find_mentions(body))}


def test_a_quotation_that_ends_its_sentence_takes_no_speaker_from_the_next() -> None:
    """“... or not.” But ... Ford's father told Starner that “...”: the attribution in the
    next sentence belongs to the next quotation, not to the one that closed its sentence."""
    body = ("Mike Ford wrote novels.\n\n“The move upset the family,” Jane Starner said. "
            "“Nobody knew whether they still spoke or not.” But at some point, Mike Ford’s "
            "elderly father told Starner that “the only sign of life is the cashed checks.”")
    said = _said(body)
    assert said["Nobody"][0] == "Jane Starner", said
    assert said["the"] == ("Mike Ford’s elderly father", "unnamed"), said


def test_a_speaker_at_the_end_outranks_a_verb_in_a_subject_clause() -> None:
    """"That Xi announced the targets signals a “commitment” to ..., says Belinda Schäpe":
    the verb is inside the sentence's subject clause; Schäpe says the words."""
    body = ("Xi Jinping spoke at the summit.\n\nThat Xi announced the new targets himself "
            "signals a “very high-level commitment to the climate” in Beijing, says Belinda "
            "Schäpe, an analyst at a research centre.")
    assert _said(body)["very"][0] == "Belinda Schäpe"


def test_the_subject_before_an_apposition_says_it() -> None:
    """"..., but General Mark Milley, chairman of the Joint Chiefs, told reporters that ...":
    the subject is the name before the apposition, not the first person of the sentence;
    "Roberts, joined by Justice Amy Barrett, said": a participial part is passed over."""
    body = ("President Donald Trump wants to withdraw, but General Mark Milley, chairman of the "
            "Joint Chiefs of Staff, told reporters that troops would remain “for several more "
            "years at the very least”.\n\nChief Justice John Roberts, joined by Justice Amy "
            "Barrett and three others, said children born there “are citizens at birth and "
            "always were”.")
    said = _said(body)
    assert said["for"][0] == "Mark Milley", said
    assert said["are"][0] == "John Roberts", said


def test_an_unknown_proper_name_next_to_the_verb_is_the_speaker_as_written() -> None:
    """“...,” said Kotak Institutional Equities: a name the entity rules do not know is kept
    as written, rather than leaving the quotation to an earlier speaker."""
    body = ("“Growth will pick up next year as rates fall,” said Sanjiv Bhasin, an analyst.\n\n"
            "“We remain sceptical of a quick recovery in the economy,” said Kotak Institutional "
            "Equities.")
    said = _said(body)
    assert said["Growth"][0] == "Sanjiv Bhasin", said
    assert said["We"] == ("Kotak Institutional Equities", "unknown"), said


def test_a_pronoun_clause_before_a_participle_gives_the_speaker() -> None:
    """"she wrote an angry post about it, calling the illness a “...”": she, not a document
    called "she wrote an angry post"."""
    body = ("Kirstie Alley was diagnosed in 2017. And she wrote an angry post about it on "
            "Twitter, calling the illness a “miserable, hideous and endless creepazoid”.")
    assert _said(body)["miserable,"][0] == "Kirstie Alley"


def test_has_written_reports_only_right_after_a_quotation() -> None:
    """“...,” Howard Gleckman, a senior fellow, has written: he wrote it; but “... at least.”
    Although he had written a will, ...: no attribution."""
    body = ("Tariffs are paid at the border.\n\n“If the US imposes a tariff on televisions, "
            "the importer pays it,” Howard Gleckman, a senior fellow at a policy centre, has "
            "written.\n\nElise Moore found the writer at home. “He looked a little surprised "
            "by it all,” she wrote. “Not pained, which was some comfort at least.” Although "
            "Martin Hale had written a will, it was never witnessed.")
    said = _said(body)
    assert said["If"][0] == "Howard Gleckman", said
    assert said["Not"][0] == "Elise Moore", said


def test_a_role_that_names_its_institution_is_not_the_last_person() -> None:
    """“...,” says the director of academic management at SUM: someone other than the
    person last spoken of, so no speaker rather than the wrong one; "the director" alone
    still points back."""
    body = ("Elizabeth Rhoads studies the new universities.\n\n“We saw that there was a gap "
            "to fill,” says the director of academic management at SUM.\n\n“Students come "
            "from every region of the country,” said the director.")
    said = _said(body)
    assert said["We"][0] is None, said
    assert said["Students"][0] == "Elizabeth Rhoads", said


def test_an_organisation_word_opening_a_sentence_before_of() -> None:
    """"Bank of Montreal's director" at a sentence's start: the bank, not an organisation
    "Montreal" (the article writes "bank" in lower case too, which used to drop the word)."""
    kinds = _kinds("The bank raised its rates.\n\nBank of Montreal’s managing director said the "
                   "economy was fine.")
    assert kinds.get("Bank of Montreal") == "organisation", kinds
    assert "Montreal" not in kinds, kinds


def test_a_portfolio_before_a_minister_is_no_organisation() -> None:
    kinds = _kinds("The new systems spread fast.\n\nTechnology minister Shiza Khawaja has "
                   "confirmed the upgrade.")
    assert "Technology" not in kinds, kinds


def test_a_firm_joined_by_an_ampersand() -> None:
    """"Ernst & Young" is one firm, not a person "Young"; common words joined by "&"
    ("Plug & Charge", a feature) name nothing."""
    kinds = _kinds("Analysts at Ernst & Young said so. Drivers can plug in and charge with the "
                   "new Plug & Charge feature.")
    assert kinds.get("Ernst & Young") == "organisation", kinds
    assert "Young" not in kinds and "Plug & Charge" not in kinds, kinds


def test_a_name_after_a_preposition_in_the_previous_sentence_is_not_its_subject() -> None:
    """“...,” said Jean Claverie, advisor to Arnault, told Observer. “...”: the next
    quotation is Claverie's, not that of Arnault, named inside the apposition."""
    body = ("“The painting is the last of its kind in private hands,” said Jean Claverie, "
            "advisor to Bernard Arnault, told Observer. “We are delighted to support the "
            "purchase by the museum.”")
    assert _said(body)["We"][0] == "Jean Claverie"


def test_a_subject_set_off_by_commas_is_the_antecedent_of_she() -> None:
    """"In 2014 the former marketing chief, Leesa Eichberger, spoke to Ad Age about Alley
    ... “...,” she said": the subject of the last sentence, though a comma and an irregular
    verb ("spoke") follow her name, not the star named long before."""
    body = ("Kirstie Alley said she had gained weight.\n\nIn 2014 the former marketing chief "
            "of the firm, Leesa Eichberger, spoke to a website about Alley being welcomed "
            "back.\n\n“Her humour and honesty set her apart from other spokespeople,” she said.")
    assert _said(body)["Her"][0] == "Leesa Eichberger"


def test_a_market_index_is_no_organisation() -> None:
    """"FTSE 100", "CAC 40", "Kospi Index (KOSPI)": indexes, not bodies; an acronym
    written without a number stays an organisation."""
    kinds = _kinds("Britain's FTSE 100 slipped and France's CAC 40 gained, while South Korea's "
                   "Kospi Index (KOSPI) fell. NATO said nothing.")
    assert not {"FTSE", "CAC", "KOSPI"} & kinds.keys(), kinds
    assert kinds.get("NATO") == "organisation", kinds


def test_the_subject_of_a_reported_clause_is_not_the_next_he() -> None:
    """"Khan alleged that Munir was behind the crackdown ... He also accused Munir of “...”":
    he is Khan, not Munir, the subject of the clause Khan reported."""
    body = ("Imran Khan also alleged that Asim Munir was behind the crackdown on his party.\n\n"
            "He also accused Munir of “dismantling the future of this country to protect "
            "himself”.")
    assert _said(body)["dismantling"][0] == "Imran Khan"


def test_a_present_tense_verb_makes_a_name_the_antecedent() -> None:
    """"The elder Soros gives millions to groups ... He funds ... and has stated, “...”":
    the subject of "gives" is the "he" that follows, not a person quoted before."""
    body = ("“The policy is garbage,” said Jon Tester, a senator.\n\nThe elder George Soros "
            "gives millions a year to advocacy groups. He funds many of them and has stated, "
            "“I am very much against guns.”")
    assert _said(body)["I"][0] == "George Soros"


def test_a_sentence_first_word_before_a_role_is_no_organisation() -> None:
    """"Head coach Russell Latapy": "Head" is capitalised as a sentence's first word; a
    role after a word counts as an organisation's evidence when the article also writes
    that word capitalised mid-sentence ("Tesla chief executive ... shares of Tesla")."""
    kinds = _kinds("The match is on June 9.\n\nHead coach Russell Latapy’s men have won.")
    assert "Head" not in kinds and kinds.get("Russell Latapy") == "person", kinds
    kinds = _kinds("Tesla chief executive Elon Musk said so. Shares of Tesla fell.")
    assert kinds.get("Tesla") == "organisation", kinds


def test_a_cabin_or_a_bus_stand_is_no_organisation() -> None:
    kinds = _kinds("Guests slept at the Outlook Cabin near the lake, and buses stopped at the "
                   "Lindi Bus Stand.")
    assert "organisation" not in kinds.values(), kinds


def test_a_person_inside_a_reported_clause_is_not_the_next_he() -> None:
    """"Trump said in his proclamation that his nominee, Howard Lutnick, had informed him
    that ... He also said that “...”": he is Trump, who did the saying."""
    body = ("Donald Trump signed the order on Monday.\n\nTrump said in his proclamation that "
            "his nominee for commerce secretary, Howard Lutnick, had informed him of a rise "
            "in imports.\n\nHe also said that the rise “supports a conclusion that there is "
            "transshipment” through Mexico.")
    assert _said(body)["supports"][0] == "Donald Trump"


def test_the_name_opening_the_previous_sentence_past_its_apposition() -> None:
    """"Ana Escrogima, the U.S. ambassador to Oman, told Rest of World ... “...”": the
    quotation that opens the next sentence is hers, though her title stands between her
    name and the verb."""
    body = ("Ana Escrogima, the U.S. ambassador to Oman, told the magazine several firms have "
            "already come. “They really have zeroed in on space companies in the region.”")
    assert _said(body)["They"][0] == "Ana Escrogima"
