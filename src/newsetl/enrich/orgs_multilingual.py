# ruff: noqa: RUF001
# (letters and apostrophes of several languages are part of the words matched here)
"""Organisations in non-English articles, from explicit cues only.

Why not capitalisation: German capitalises every noun and headlines capitalise
everything, so a capitalised run is no evidence of a name ("Millionen Euro" was a
top "organisation"). A run counts here only when the text itself says it names a body:

- a legal form right after it: "Volkswagen AG", "Eurocash S.A.", "Amica sp. z o.o.";
- an acronym it defines in brackets, whose letters are the initials of its words:
  "Europäische Zentralbank (EZB)", "Innowacyjna Platforma Handlu (IPH)" (the acronym
  written later is then a mention of the same body);
- an institution keyword of the language at its head, followed by a name: "Universität
  Hamburg", "Ministerio de Defensa", "Ministerium für Wirtschaft", "Fundacja Lux
  Veritatis" (`KEYWORDS`; a keyword followed by no name is a common noun and ignored).

Everything else is left out: an empty answer beats a wrong one.
"""

from __future__ import annotations

import re

from newsetl.enrich.entities import lookup_place
from newsetl.enrich.people import first_names
from newsetl.models import Entity

# Institution nouns that head an organisation's name, per language (nominative, as written
# at the head of a name). German also as the end of a compound ("Bundesministerium").
KEYWORDS: dict[str, frozenset[str]] = {
    "de": frozenset({"ministerium", "universität", "hochschule", "partei", "stiftung", "verband",
                     "institut", "bundesamt", "landesamt", "gericht", "bank", "verein",
                     "gewerkschaft"}),
    "fr": frozenset({"ministère", "université", "parti", "fondation", "institut", "banque",
                     "fédération", "association", "syndicat", "conseil", "tribunal", "cour",
                     "agence", "commission", "office", "groupe"}),
    "es": frozenset({"ministerio", "universidad", "partido", "fundación", "instituto", "banco",
                     "federación", "asociación", "sindicato", "consejo", "tribunal", "agencia",
                     "comisión", "grupo", "ayuntamiento", "junta"}),
    "it": frozenset({"ministero", "università", "partito", "fondazione", "istituto", "banca",
                     "federazione", "associazione", "sindacato", "consiglio", "tribunale",
                     "agenzia", "commissione", "gruppo", "comune"}),
    "nl": frozenset({"ministerie", "universiteit", "partij", "stichting", "instituut", "bank",
                     "vereniging", "raad", "rechtbank", "gemeente"}),
    "sv": frozenset({"universitet", "partiet", "stiftelsen", "institutet", "banken",
                     "förbundet", "rådet", "kommun"}),
    "cs": frozenset({"ministerstvo", "univerzita", "strana", "nadace", "institut", "banka",
                     "svaz", "sdružení", "soud", "úřad", "agentura", "skupina"}),
    "pl": frozenset({"ministerstwo", "uniwersytet", "partia", "fundacja", "instytut", "bank",
                     "stowarzyszenie", "związek", "urząd", "sąd", "agencja", "grupa", "rada",
                     "komisja", "konfederacja"}),
}
# Words that may stand between a keyword and its name ("Ministerio de Defensa", "Ministerium
# für Wirtschaft", "Stowarzyszenie na Rzecz ...").
_CONNECTORS = frozenset({
    "für", "der", "des", "de", "del", "la", "du", "d", "l", "di", "della", "dello", "delle",
    "degli", "dei", "van", "voor", "för", "pro", "dla", "na", "i", "y", "et", "e", "und",
    "rzecz", "w", "im"})
# Legal forms, as written after a company's name.
_LEGAL_FORMS = (r"GmbH(?:\s*&\s*Co\.\s*KG)?|AG|SE|KGaA|KG|e\.\s?V\.|S\.\s?A\.|SA|S\.p\.A\.|SpA|"
                r"S\.r\.l\.|Srl|S\.L\.|SL|SAS|SARL|B\.V\.|BV|N\.V\.|NV|AB|ASA|A/S|Oyj|Oy|a\.s\.|"
                r"s\.r\.o\.|[Ss]p\. z o\.o\.|S\.A\.S\.")
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w’'&\-]*|&)"
_LEGAL = re.compile(rf"((?:{_NAME_WORD}\s){{1,4}})({_LEGAL_FORMS})(?![\w.])")
_ACRONYM_DEF = re.compile(r"\(([A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ0-9]{1,7})\)")
_WORD = re.compile(r"[^\W\d_][\w’'\-]*")
_MAX_NAME_WORDS = 6
_COMPOUNDING = frozenset({"de", "nl", "sv", "da", "no"})
# German compounds ending in these are institutions ("Bundesministerium", "Landgericht");
# only a ministry takes its name with an article ("Bundesministerium der Verteidigung"):
# "vor dem Oberlandesgericht der Prozess" is a court, then the subject of the sentence.
_GERMAN_COMPOUND_HEADS = ("ministerium", "bundesamt", "gericht")
_GERMAN_ARTICLES = frozenset({"der", "des", "die", "das"})
# Sentence-initial words that are never part of an organisation's name.
# Sentence-initial words and generic company nouns before a name ("Spółka Eurocash S.A.").
_LEADING = frozenset({"die", "der", "das", "den", "dem", "des", "le", "la", "les", "el", "los",
                      "las", "il", "lo", "gli", "de", "het", "een", "ein", "eine", "un", "une",
                      "firma", "spółka", "unternehmen", "konzern", "société", "empresa",
                      "compañía", "società", "bedrijf", "företaget", "společnost"})


def find_organisations(text: str, language: str) -> list[Entity]:
    """Organisations named in `text` by a legal form, a defined acronym or a keyword."""
    found: dict[str, Entity] = {}
    acronyms: dict[str, str] = {}

    def add(name: str, start: int) -> None:
        ent = found.setdefault(name, Entity(name, "organisation", 0, start, []))
        if start not in ent.offsets:
            ent.mentions += 1
            ent.offsets.append(start)
            ent.first_offset = min(ent.first_offset, start)

    for m in _LEGAL.finditer(text):
        words = m.group(1).split()
        while words and words[0].lower() in _LEADING:
            words.pop(0)
        if words:
            start = m.start(1) + m.group(1).index(words[0])
            add(" ".join([*words, m.group(2)]), start)
    for m in _ACRONYM_DEF.finditer(text):
        name = _acronym_name(text, m.start(), m.group(1), language in _COMPOUNDING)
        if name:
            acronyms[m.group(1)] = name
            add(name, m.start() - len(name) - 1)
    keywords = KEYWORDS.get(language, frozenset())
    if keywords:
        for name, start in _keyword_names(text, keywords, language):
            add(name, start)
    for acronym, name in acronyms.items():
        for m in re.finditer(rf"(?<![\w(]){re.escape(acronym)}(?![\w)])", text):
            add(name, m.start())
    spans = [(o, o + len(e.name), e.name) for e in found.values() for o in e.offsets]
    for name in [n for n, e in found.items()  # "Institut für Technologie" inside "Karlsruher
                 if all(any(s <= o and o + len(n) <= t and m != n for s, t, m in spans)
                        for o in e.offsets)]:  # Institut für Technologie": one body
        del found[name]
    for ent in found.values():
        ent.offsets.sort()
    return sorted(found.values(), key=lambda e: e.first_offset)


def _acronym_name(text: str, at: int, acronym: str, compounding: bool) -> str | None:
    """The words right before "(ACR)" that spell ACR: each word gives the next letters, its
    initial first, more from inside a compound in languages that write compounds as one
    word ("Europäische Zentralbank (EZB)"); lower-case connectors in between give none.
    A single word is a term ("Body-Mass-Index (BMI)", "Grundgesetz (GG)"), not a body."""
    base = max(0, at - 200)
    words = list(_WORD.finditer(text[base:at]))
    if not words or text[base + words[-1].end() : at].strip():
        return None
    letters = "".join(c for c in acronym.lower() if c.isalpha())
    for k in range(2, min(len(words), _MAX_NAME_WORDS) + 1):
        picked = words[-k:]
        if not picked[0].group()[:1].isupper():
            continue
        caps = [m.group().lower() for m in picked if m.group()[:1].isupper()]
        if any(m.group().lower() not in _CONNECTORS for m in picked
               if not m.group()[:1].isupper()):
            break
        if len(caps) >= 2 and _spells(caps, letters, compounding):
            return text[base + picked[0].start() : base + picked[-1].end()]
    return None


def _spells(words: list[str], letters: str, compounding: bool) -> bool:
    """Whether `letters` split into one non-empty part per word, each part the word's
    initial followed by letters found in order in the rest of the word."""
    if not words:
        return not letters
    if not letters or words[0][0] != letters[0]:
        return False
    longest = len(letters) - len(words) + 2 if compounding else 2
    for cut in range(1, longest):
        part, rest = letters[1:cut], words[0][1:]
        pos = 0
        for c in part:
            pos = rest.find(c, pos) + 1
            if pos == 0:
                break
        else:
            if _spells(words[1:], letters[cut:], compounding):
                return True
    return False


def _keyword_names(text: str, keywords: frozenset[str], language: str
                   ) -> list[tuple[str, int]]:
    """Runs headed by an institution keyword and followed by a name (capitalised words,
    with connectors between): the keyword alone is a common noun, not a name."""
    out = []
    names = first_names()
    words = list(_WORD.finditer(text))
    for i, m in enumerate(words):
        w = m.group()
        low = w.lower()
        compound = language == "de" and low not in keywords and any(
            low.endswith(k) and len(low) > len(k) + 3 for k in _GERMAN_COMPOUND_HEADS)
        if not (low in keywords or compound) or not w[:1].isupper():
            continue
        taken = [m]
        j = i + 1
        while j < len(words) and len(taken) < _MAX_NAME_WORDS:
            gap = text[taken[-1].end() : words[j].start()]
            if gap not in (" ", "\u00a0", " d’", " d'", " l’", " l'"):
                break
            nxt = words[j].group()
            if nxt in names and j + 1 < len(words) and words[j + 1].group()[:1].isupper():
                break  # "Tribunal Supremo Ángel Hurtado": a person's name starts here
            connects = nxt.lower() in _CONNECTORS and j + 1 < len(words) \
                and words[j + 1].group()[:1].isupper() \
                and not (compound and nxt.lower() in _GERMAN_ARTICLES
                         and not low.endswith("ministerium"))
            if nxt[:1].isupper() or connects:
                taken.append(words[j])
            else:
                break
            j += 1
        while taken and not taken[-1].group()[:1].isupper():
            taken.pop()
        if len(taken) < 2:
            continue
        if language == "de" and len(taken) == 2 and not lookup_place(taken[1].group()) and \
                text[taken[0].end() : taken[1].start()] == " ":
            continue  # German: "Partei Kritik" is two nouns; "Universität Hamburg" a name
        out.append((text[taken[0].start() : taken[-1].end()], taken[0].start()))
    return out
