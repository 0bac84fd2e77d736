# ruff: noqa: RUF001
# (quotation marks of several languages are part of the test texts)
"""Non-English enrichment beyond German, French and Spanish: Polish people and their case
forms, short forms, organisations from explicit cues, roles standing for a named speaker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsetl.enrich import enrich
from newsetl.enrich.canonical import first_name_base, surname_base
from newsetl.enrich.enrichment import method_for
from newsetl.enrich.multiquotes import find_quotes_multilingual
from newsetl.enrich.orgs_multilingual import find_organisations
from newsetl.enrich.people import find_people, first_names

GOLD_EXTRA = Path(__file__).parent / "gold" / "enrich_multilingual_extra.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"


def _people(text: str, language: str) -> dict[str, int]:
    return {e.name: e.mentions for e in find_people(text, language)}


def test_polish_case_forms_read_back_to_the_nominative() -> None:
    names = first_names()
    cases = {("Piotra", "Gontarczyka"): "Piotr Gontarczyk",
             ("Rafałowi", "Kanarkowi"): "Rafał Kanarek",
             ("Mateusza", "Morawieckiego"): "Mateusz Morawiecki",
             ("Władysława", "Kosiniaka-Kamysza"): "Władysław Kosiniak-Kamysz",
             ("Friedricha", "Merza"): "Friedrich Merz",
             ("Donaldem", "Tuskiem"): "Donald Tusk"}
    for (first, last), nominative in cases.items():
        base = first_name_base(first, names)
        assert base is not None, first
        assert f"{base[0]} {surname_base(last, base[1])}" == nominative


def test_a_case_form_merges_with_the_nominative_the_article_writes() -> None:
    text = ("Czytamy w artykule Piotra Gontarczyka w tygodniku. Piotr Gontarczyk wspomina, że "
            "Rosja próbuje wybielać historię. Gontarczyk stwierdza także, że to kłamstwo.")
    assert _people(text, "pl") == {"Piotr Gontarczyk": 3}


def test_a_case_form_alone_is_guessed_in_the_nominative() -> None:
    text = "Za pomoc dziękujemy panu Rafałowi Kanarkowi z Polskiego Związku Niewidomych."
    assert _people(text, "pl") == {"Rafał Kanarek": 1}
    assert _people("Politycy Friedricha Merza protestowali w Pradze.", "cs") == {
        "Friedrich Merz": 1}


def test_short_forms_merge_under_the_fullest_name_and_hyphenated_names_stay_whole() -> None:
    text = ("Alexander Wynaendts leitet den Aufsichtsrat. Alex Wynaendts sagte am Montag, "
            "Eva-Marie Schulte habe zugestimmt. Später sprach auch Mischa Zverev mit Alexander "
            "Zverev.")
    found = _people(text, "de")
    assert found["Alexander Wynaendts"] == 2 and "Alex Wynaendts" not in found
    assert "Eva-Marie Schulte" in found
    assert "Mischa Zverev" in found and "Alexander Zverev" in found  # two first names: two people


def test_named_after_institutions_and_case_forms_of_institutions_are_no_people() -> None:
    text = ("Jest absolwentem Uniwersytetu im. Adama Mickiewicza w Poznaniu. Uchwałę przyjęło "
            "Stowarzyszenie im. prof. Jana Szyszko. Zespół Wspierania Radia Maryja protestuje. "
            "Urszula Furtak zabrała głos.")
    assert list(_people(text, "pl")) == ["Urszula Furtak"]


def test_two_word_particles_stay_inside_a_name_and_a_rejected_case_form_consumes_nothing(
) -> None:
    text = ("Przewodniczący Rady Europejskiej Charles Michel napisał na Twitterze. Zadowolenie "
            "wyraziła też przewodnicząca KE Ursula von der Leyen.")
    assert list(_people(text, "pl")) == ["Charles Michel", "Ursula von der Leyen"]
    assert list(_people("Tore von Julian Alvarez und die Sprecherin der Polizei.", "de")) == [
        "Julian Alvarez"]


def test_elided_articles_and_diacritics_do_not_hide_a_first_name() -> None:
    text = ("Il a gagné la confiance d’Emmanuel Macron, selon un proche d'Edouard Philippe. "
            "Le ministre de la Défense, Andreï Belooussov, et Sean O'Brien sont venus.")
    assert list(_people(text, "fr")) == [
        "Emmanuel Macron", "Edouard Philippe", "Andreï Belooussov", "Sean O'Brien"]


def test_a_first_name_mostly_alone_counts_when_its_surname_stands_alone_too() -> None:
    person = ("Do szpitala zgłosił się 27-letni Angus Barbieri. Angus pochodził ze Szkocji. "
              "Angus trafił do szpitala. Barbieri pościł. Angus pił kawę. Barbieri się uparł.")
    brand = "Man sieht: Nike Tech, Nike hier, Nike dort, Nike überall."
    assert _people(person, "pl") == {"Angus Barbieri": 3}
    assert _people(brand, "de") == {}


def test_organisations_come_from_legal_forms_defined_acronyms_and_keywords() -> None:
    text = ("Die Volkswagen AG investiert. Die Europäische Zentralbank (EZB) erhöht die Zinsen; "
            "die EZB hatte gewarnt. Forscher der Universität Hamburg widersprechen, die Partei "
            "Kritik übte nicht. Vor dem Oberlandesgericht der Prozess begann.")
    found = {e.name: e.mentions for e in find_organisations(text, "de")}
    assert found == {"Volkswagen AG": 1, "Europäische Zentralbank": 2, "Universität Hamburg": 1}


def test_an_organisation_keyword_run_stops_at_a_persons_name() -> None:
    text = "Lo decidió el Tribunal Supremo Ángel Hurtado, juez del caso, el lunes."
    assert [e.name for e in find_organisations(text, "es")] == ["Tribunal Supremo"]


def test_polish_gets_people_and_organisations_and_other_languages_nothing() -> None:
    assert method_for("pl") == "people+organisations (language pl)"
    assert method_for("it") == "none (language it)"
    assert method_for("cs") == "none (language cs)"
    text = ("– To jest moment fundamentalny – mówił premier Mateusz Morawiecki. Spółka "
            "Eurocash S.A. i Innowacyjna Platforma Handlu (IPH) ruszają; IPH działa.")
    found = enrich(None, text, None, "pl")
    assert [(e.name, e.kind) for e in found.entities] == [
        ("Mateusz Morawiecki", "person"), ("Eurocash S.A.", "organisation"),
        ("Innowacyjna Platforma Handlu", "organisation")]
    assert found.quotes == []  # no Polish quotation rules: none rather than wrong ones


def test_a_role_written_as_speaker_resolves_to_the_one_person_just_named() -> None:
    one = ("Der spanische Basketball-Star Sergio Llull bat um Entschuldigung. «Was letzte Nacht "
           "passiert ist, sollte niemals passieren», twitterte der 35 Jahre alte Aufbauspieler.")
    two = ("Sergio Llull und Gabriel Deck äußerten sich. «Was letzte Nacht passiert ist, sollte "
           "niemals passieren», twitterte der 35 Jahre alte Aufbauspieler.")
    assert [(q.speaker, q.speaker_kind) for q in find_quotes_multilingual(one, "de")] == [
        ("Sergio Llull", "person")]
    assert [(q.speaker, q.speaker_kind) for q in find_quotes_multilingual(two, "de")] == [
        ("der 35 Jahre alte Aufbauspieler", "unnamed")]


def test_polish_dash_quotations_and_their_speakers_after_the_verb() -> None:
    """Read, though not yet wired into `enrich` (held-out attribution is below the bar)."""
    text = ("– To jest moment fundamentalny. Apeluję do izby – mówił w Sejmie premier Mateusz "
            "Morawiecki.\n\n– Porozumienie będzie stawiać na samorządy – deklaruje w rozmowie z "
            "„Rzeczpospolitą” wicepremier Jarosław Gowin.\n\nGrzegorz Baczewski zaznacza, że to "
            "ważne. – Komitet powinien brać udział w negocjacjach – mówi Baczewski.")
    assert [(q.text.split()[0], q.speaker) for q in find_quotes_multilingual(text, "pl")] == [
        ("To", "Mateusz Morawiecki"), ("Porozumienie", "Jarosław Gowin"),
        ("Komitet", "Grzegorz Baczewski")]


def test_extra_multilingual_gold_is_well_formed() -> None:
    gold = json.loads(GOLD_EXTRA.read_text())["articles"]
    assert {a["language"] for a in gold} >= {"pl", "it"}
    assert {a["split"] for a in gold} == {"dev", "held-out"}
    for a in gold:
        assert a["set"] in {"fundus-dev", "trafilatura-dev", "zyte-dev"}
        assert all(set(q) == {"start", "speaker"} and len(q["start"].split()) <= 6
                   for q in a["quotes"])  # openings only: no page text in the repository


@pytest.mark.skipif(not (SHARED / "trafilatura-dev").exists(), reason="needs ../shared/eval")
def test_polish_gold_people_meet_the_precision_bar() -> None:
    """People precision >= 0.90 and F1 >= 0.80 on the Polish pages, extracted from the HTML:
    the bar that lets Polish have people at all (0.94 / 0.84 when written)."""
    from newsetl.models import Article
    from newsetl.pipeline.extract import extract_path

    tp = fp = fn = 0
    for a in json.loads(GOLD_EXTRA.read_text())["articles"]:
        if a["language"] != "pl":
            continue
        article = extract_path(SHARED / a["set"] / a["id"] / "page.html.gz")
        assert isinstance(article, Article)
        found = enrich(article.title, article.body, None, "pl")
        people = {e.name for e in found.entities if e.kind == "person"}
        tp += len(people & set(a["people"]))
        fp += len(people - set(a["people"]))
        fn += len(set(a["people"]) - people)
    assert tp / (tp + fp) >= 0.9 and 2 * tp / (2 * tp + fp + fn) >= 0.8, (tp, fp, fn)


def _said(text: str, language: str) -> list[tuple[str, str | None, str]]:
    return [(q.text.split()[0], q.speaker, q.speaker_kind)
            for q in find_quotes_multilingual(text, language)]


def test_according_to_after_a_quotation_and_an_adverb_before_the_subject() -> None:
    fr = ("Les comptes se sont « très fortement dégradés » en 2022, avec deux tiers en "
          "déficit, « une proportion inédite depuis 2005 », selon la Drees. La dette « repart "
          "à la hausse sans retrouver son niveau » de 2019, note aussi la Drees.")
    es = ('Las familias "se sientan expulsadas del barrio" esos días "por la dinámica del '
          'Ayuntamiento", según asegura Campo, portavoz vecinal.')
    assert _said(fr, "fr") == [("très", "la Drees", "organisation"),
                               ("une", "la Drees", "organisation"),
                               ("repart", "la Drees", "organisation")]
    assert [s for _, s, _ in _said(es, "es")] == ["Campo", "Campo"]


def test_an_earlier_fragment_of_the_sentence_takes_the_later_attribution() -> None:
    text = ("Le groupe vise une croissance de 5 %, « malgré un pessimisme ambiant » dû "
            "notamment « à l'incertitude politique en France », explique Arthur Sadoun. Il "
            "signe une tribune dans « Le Monde » et « le plan sera tenu », assure Arthur Sadoun.")
    found = _said(text, "fr")
    assert ("malgré", "Arthur Sadoun", "person") in found
    assert ("à", "Arthur Sadoun", "person") in found
    assert all(first != "Le" for first, _, _ in found)  # a title is nobody's statement


def test_a_subject_with_an_apposition_or_relative_clause_before_the_verb() -> None:
    text = ("Keir Starmer, qui s'entretiendra jeudi avec le président Emmanuel Macron, affirme "
            "qu'il souhaite « donner un nouvel élan » à la relation entre les deux pays.")
    assert _said(text, "fr") == [("donner", "Keir Starmer", "person")]


def test_a_role_as_speaker_is_the_person_who_spoke_just_before_if_gender_allows() -> None:
    text = ("Keir Starmer affirme qu'il souhaite « donner un nouvel élan » aux relations. "
            "Hier, la présidence avait indiqué que les dirigeants se verraient.\n\n"
            "« Le président Macron et moi-même nous pencherons sur les questions urgentes », "
            "écrit le chef du gouvernement travailliste.")
    assert _said(text, "fr")[-1] == ("Le", "Keir Starmer", "person")
    woman = text.replace("écrit le chef du gouvernement travailliste", "écrit la ministre")
    assert _said(woman, "fr")[-1] == ("Le", "la ministre", "unnamed")


def test_a_role_with_an_organisation_complement_is_the_person_named_before() -> None:
    text = ("Al clima bélico Christian Horner quiso arrojar su propia lata de gasolina. "
            '"La sanción de ayer se basó más bien en la histeria de George", abundó el team '
            "principal de Red Bull.")
    assert _said(text, "es") == [("La", "Christian Horner", "person")]


def test_a_pronoun_with_no_speaker_before_is_the_last_person_named_of_its_gender() -> None:
    fr = ("Le colistier de Donald Trump, JD Vance, a parlé de sa grand-mère. « J'avais un ange "
          "gardien à mes côtés, elle était dure comme la pierre », a-t-il raconté.")
    de = ("„Wir müssen jetzt handeln, sonst wird es zu spät sein“, sagte Karsten Haustein. "
          "Auch Samantha Burgess erwartet einen heißen Sommer. „Die Daten deuten darauf hin, "
          "dass der Sommer wärmer wird“, sagte sie.")
    assert _said(fr, "fr") == [("J'avais", "JD Vance", "person")]
    assert [s for _, s, _ in _said(de, "de")] == ["Karsten Haustein", "Samantha Burgess"]


def test_german_capitals_alone_make_no_name() -> None:
    text = ("US-Präsident Donald Trump sprach am Abend. „Der Präsident hat einen neuen Ansatz "
            "gewählt“, sagte US-Präsident Trump. „Es ist schon sehr heiß heute“, sagte Hessens "
            "Arbeitsministerin Heike Hofmann. „Es wird auf jeden Fall ein Spektakel“, sagte "
            "Agit Kabayel.\n\nAuch Debatten: „Man muss das altersgerecht tun, aber offen.“")
    assert _said(text, "de") == [("Der", "Donald Trump", "person"),
                                 ("Es", "Heike Hofmann", "person"),
                                 ("Es", "Agit Kabayel", "person")]


def test_opinion_cues_before_a_quotation_name_a_role_or_a_person() -> None:
    es = ('Mohammed Ben Sulayem, presidente de la FIA, replicó: "Son nuestras reglas y las '
          'aplicamos como creemos". A juicio del mandatario emiratí, los pilotos han de '
          '"concentrarse en lo que mejor saben hacer".')
    de = "Dem Sprecher zufolge sei die Lage „völlig unter Kontrolle, niemand wurde verletzt“."
    assert [s for _, s, _ in _said(es, "es")] == ["Mohammed Ben Sulayem"] * 2
    assert _said(de, "de") == [("völlig", "der Sprecher", "unnamed")]


def test_german_verb_final_clauses_and_titles_are_no_attribution() -> None:
    text = ("„Good Morning“, sagt Kate Moss leise. Sie nennt die Preise, die sie als „völlig "
            "unangemessen“ kritisiert. Ihr Lieblingslied ist „Behind Blue Eyes“ von The Who.")
    assert _said(text, "de") == [("Good", "Kate Moss", "person")]


def test_a_new_paragraph_about_someone_else_changes_who_a_missing_subject_means() -> None:
    text = ('Mohammed Ben Sulayem replicó a la carta: "Son nuestras reglas y las aplicamos".\n\n'
            "A George Russell, cuarto en la meta, no le queda sino aferrarse a la última "
            'prueba. "Sinceramente, esperaba que chocásemos en la primera curva", rememoró.')
    assert [s for _, s, _ in _said(text, "es")] == ["Mohammed Ben Sulayem", "George Russell"]


def test_german_manner_verbs_separable_verbs_and_described_speakers_without_a_verb() -> None:
    text = ("„Das sind wohl die kleinsten Räume der Stadt“, lacht Kerstin Wahala. „Das muss "
            "man sich erst mal leisten können“, räumt Jens Aberle ein.\n\nEine junge Anwältin, "
            "entschlossen: „Ich lasse mich nicht auf Mutterschaft reduzieren.“\n\nEine Aussage "
            "dazu: „Das Produkt wird eine digitale Lösung anbieten.“")
    assert _said(text, "de") == [("Das", "Kerstin Wahala", "person"),
                                 ("Das", "Jens Aberle", "person"),
                                 ("Ich", "Eine junge Anwältin", "unnamed")]
