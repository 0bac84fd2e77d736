# ruff: noqa: RUF001
# (curly quotation marks and apostrophes are the subject matter of this module)
"""Direct quotations and who said them, by punctuation and reporting-verb rules.

Quotes are found from their marks (curly or straight double quotes; single
curly quotes only when an article uses no double ones), one per paragraph
segment, so a quote continued across paragraphs is several segments sharing a
speaker unless a later one names its own. Speakers come, in order, from an
attribution after the quote (“...,” Lavrov said), one before it in the same
sentence (Lavrov said: “...”, according to X), the previous quote of a split
or continued quotation, and a later quote that repeats the text (headings).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from newsetl.enrich.entities import ORG, PERSON, PLACE, Mention
from newsetl.enrich.lexicon import (
    DOCUMENT_NOUNS,
    ORG_NOUNS,
    PRONOUNS,
    REPORTING_VERBS,
    ROLE_NOUNS,
    SLOGAN_CUES,
    UNNAMED_NOUNS,
)
from newsetl.enrich.sentences import paragraph_spans, sentence_end_after, sentence_start_before
from newsetl.models import Quote

_OPEN = "“„«"
_CLOSE = "”»"
_OPEN_CONTEXT = " \t\n([{—–-/:"
# A period inside a speaker's name: after an initial or a title ("U.S. Attorney Jane Cox",
# "said Mr. Smith", "Sonya A. Zoghlin").
_ABBR_DOT = r"(?:(?<=\b[A-Z])|" + "|".join(
    f"(?<=\\b{a})" for a in ("Mr", "Ms", "Mrs", "Dr", "St", "Sen", "Rep", "Gov", "Gen", "Lt",
                             "Col", "Jr", "Sr", "Prof", "Rev", "Sgt", "Capt", "Adm", "Pres")
) + r")\.(?=\s|[A-Z])"
_SP = r"(?P<sp>(?:[^,.;:!?“”\"\n]|" + _ABBR_DOT + r")"  # a speaker phrase, before {n,m})
_VERB = r"(?P<v>" + "|".join(sorted(REPORTING_VERBS, key=len, reverse=True)) + r")\b"
_ADVERB = (
    r"(?:(?:[a-z]+ly|also|later|then|again|once|instead|still|even|has|had|have|would|will"
    r"|could|might|did|does"
    r"|(?:goes|went|go) on to|(?:continues|continued|wants|wanted|declined|refused) to)\s+)*"
)
# A subject right after a quotation, with its apposition: “...,” Morrison, Vindman's superior,
_SUBJECT_AFTER = (r"\s*[,—–-]?\s*" + _SP + r"{1,80}?)(?:\s*,\s*(?P<app>(?:[^.;“”\"\n]|"
                  + _ABBR_DOT + r"){1,150}?),)?\s+")
# “...,” Lavrov said / “...,” Morrison, Vindman's superior, said
# (it must end with its verb: `_attribution_after` matches it only up to the last verb)
_AFTER_SUBJECT_VERB = re.compile(_SUBJECT_AFTER + _ADVERB + _VERB)
# “...,” Howard Gleckman, a senior fellow at ..., has written: "written" reports only
# right after a quotation ("he had written a will" before one does not)
_AFTER_SUBJECT_WRITTEN = re.compile(
    _SUBJECT_AFTER + r"(?:has|have|had)\s+(?:[a-z]+ly\s+|also\s+)*(?P<v>written)\b")
# “...,” said Lavrov / “...,” wrote 43-year-old Martin Taylor of Aberdeenshire
_AFTER_VERB_SUBJECT = re.compile(r"\s*[,—–-]?\s*" + _VERB + r"\s+" + _SP + r"{1,80})")
_ACCORDING_AFTER = re.compile(r"\s*[,—–-]?\s*according to\s+(?P<sp>[^,.;:!?“”\"\n]{1,80})", re.I)
_ACCORDING_BEFORE = re.compile(r"according to\s+(?P<sp>[^,.;:!?“”\"\n]{1,80})", re.I)
_AGE_NOUN = re.compile(r"^\d{1,3}-year-old$")  # "said the 36-year-old": the person just named
_APPOSITION = re.compile(r",\s*([^,.;:!?“”\"\n]{2,60}?)\s*,")
_PUT_IT = re.compile(r"\b[Aa]s\s+(?P<sp>[^,.;:!?“”\"\n]{2,60}?)\s+(?:put|puts)\s+it\b")
_COLON_BEFORE = re.compile(r"^\s*(?P<sp>[^,.;:!?“”\"\n]{2,60}?)\s*:\s*$")
_VERB_ANY = re.compile(r"\b" + _VERB)
_VERB_AFTER_NAME = re.compile(r",?\s+" + _ADVERB + _VERB)
# A name followed by a finite verb is its clause's subject ("Russell Bradbrooke has
# reservations"): a likely antecedent of the next "he" or "she".
_FINITE_AFTER_NAME = re.compile(r",?\s+(?:[a-z]+ly\s+)?(?:has|have|had|is|was|were|will|would"
                                r"|could|can|did|does|[a-z]{3,}ed|spoke|went|took|gave|made"
                                r"|came|met|began|became|wrote|sat|gives|funds|runs|owns|leads"
                                r"|wants|plans|works|lives|believes|thinks|knows|holds|remains"
                                r"|serves|spends)\b")
# "Khan alleged that Munir was behind it. He also ...": the subject of a reported clause
# is not, by its verb alone, the one a later "he" stands for.
_THAT_BEFORE = re.compile(r"\bthat\s+$")
_REPORTED_THAT = re.compile(r"\b" + _VERB + r"(?:\s+[\w’']+){0,4}?\s+that\b")
_TRAILING_ADVERBS = re.compile(r"\s+" + _ADVERB + r"$")
_RELATIVE = re.compile(
    r"^(?P<np>(?:the|a|an|this|that|its|his|her|their)\s+[\w’'\- ]{1,40}?)\s+(?:that|which|who)\b",
    re.I,
)
_CUT_AFTER_NP = re.compile(
    r"\s+(?:for|with|by|about|over|in|on|at|during|after|before|to|from|via|when|while|who|which|that|as|and|but|of)\s.*$"
)
# A described subject followed by a passive or auxiliary verb before the reporting one:
# "A voice is then heard saying:", "an insider has been quoted as saying".
_CUT_AUXILIARY = re.compile(
    r"(?<=\w)\s+(?:is|are|was|were|has|have|had|can|could|would|will|may|might)\s+"
    r"(?:[a-z]+ly\s+|then\s+|also\s+|been\s+|be\s+)*[a-z]+(?:ed|en|rd|wn)\b.*$")
# A definite proper-noun phrase naming an office or a body as a whole: "The United Nations
# High Commissioner for Human Rights said"; kept as written, as an organisation.
_NAMED_OFFICE = re.compile(r"^[Tt]he(?:\s+[A-Z][\w.’'\-]*|\s+(?:of|for|on|and|the)(?=\s+[A-Z]))"
                           r"{2,10}$")
_COORDINATED = re.compile(r"\b(?:and|or)\s*,?\s*$")
_EMPTY_SUBJECT = re.compile(r"^[\s,]*(?:and|but|then|before|after)?[\s,]*$", re.I)
_SUBJECT_WORDS = re.compile(r"^(?:and|but|so|then|he|she|it|they|we|i)$", re.I)
_DETERMINERS = ("the ", "a ", "an ", "this ", "that ", "its ", "his ", "her ", "their ")
UNNAMED = "unnamed"  # speaker_kind of a source described but not named
_MAX_VERB_GAP_WORDS = 30  # words between a reporting verb and the quote it introduces
_MAX_THAT_GAP_WORDS = 60  # ... when "said that" makes the whole sentence reported speech
_SCARE_MAX_WORDS = 5
_AFTER_PREPOSITION = re.compile(r"\b(?:of|to|at|on|in|from|with|by|for)\s+(?:the\s+)?$")
_ROLE_REACH = 1500  # characters back a definite role ("the senator") looks for its holder
_PRONOUN_SAID = re.compile(r"(He|She)\s+" + _ADVERB + _VERB)
_NEXT_WORD = re.compile(r"\s+(\w+)")
_NEW_SENTENCE_WORDS = frozenset({"The", "A", "An", "This", "That", "These", "Those", "It",
                                 "He", "She", "They", "We", "I", "But", "And", "In", "On"})
_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+$")
# The rest of a sentence that names its speaker at its end: "... illogical and a “bad
# idea” with regard to Mexico, Economy Minister Marcelo Ebrard said Tuesday."
_SENTENCE_END_ATTRIBUTION = re.compile(
    r"[^“”\"\n]*?,\s*" + _SP + r"{1,60}?)\s+" + _ADVERB + _VERB
    + r"(?:\s+[\w.’'\-]+){0,4}\s*[.!?]?\s*$"
)
# ... or with the verb first: "... a “hard-liner” even within Hamas, said Matthew Levitt, ..."
_SENTENCE_END_VERB_FIRST = re.compile(r"[^“”\"\n]*?,\s*" + _VERB + r"\s+" + _SP + r"{1,80})")


@dataclass
class _Segment:
    """One quoted stretch inside one paragraph."""

    open: int  # offset of the opening mark (or of the text, when none)
    close: int  # offset of the closing mark (or paragraph end, when open-ended)
    text_start: int
    text_end: int
    continues: bool  # quotation carries on into the next paragraph
    chain: int  # segments of one multi-paragraph quotation share this


@dataclass
class _Attribution:
    speaker: str | None
    kind: str
    verb: str | None
    # an attribution written right after the quotation whose speaker could not be resolved
    # ("..., says the director of ... at SUM"): no earlier speaker may be carried over to it
    explicit: bool = False


# ---------------------------------------------------------------- finding marks


def _is_open(text: str, i: int, straight: str) -> bool:
    """An opening mark: curly-open, or straight with space (or start) before it."""
    ch = text[i]
    if ch in _OPEN or ch == "‘":
        return True
    if ch == straight:
        return i == 0 or text[i - 1] in _OPEN_CONTEXT or text[i - 1] in _OPEN
    return False


def _is_close(text: str, i: int, straight: str) -> bool:
    ch = text[i]
    if ch in _CLOSE:
        return True
    if ch == "’":  # closes a single-quoted quotation only before a non-letter
        return straight == "‘" and (i + 1 == len(text) or not text[i + 1].isalpha())
    return ch == straight and i > 0 and not text[i - 1].isspace()


_DOUBLE_MARKS = (_OPEN + '"', _CLOSE + '"')
_SINGLE_MARKS = ("‘", "’")
# Two single closing marks written for a closing double one (AP wire copy).
_PAIRED_CLOSE = ("’’", "''")
# Any opening or closing mark of each convention: find_segments visits only these characters.
_ANY_MARK = {
    _DOUBLE_MARKS: re.compile("’’|''|[" + re.escape("".join(_DOUBLE_MARKS)) + "]"),
    _SINGLE_MARKS: re.compile("[" + re.escape("".join(_SINGLE_MARKS)) + "]"),
}


def _marks(text: str) -> tuple[str, str]:
    """Which characters open and close quotations in this article."""
    if any(c in text for c in _OPEN + _CLOSE + '"'):
        return _DOUBLE_MARKS
    return _SINGLE_MARKS


def find_segments(text: str) -> list[_Segment]:
    """Quoted stretches; nested single quotes stay inside their quotation."""
    opens, closes = _marks(text)
    any_mark = _ANY_MARK[(opens, closes)]
    straight = '"' if '"' in opens else "‘"
    segments: list[_Segment] = []
    chain = 0
    paragraphs = paragraph_spans(text)
    for n, (ps, pe) in enumerate(paragraphs):
        start: int | None = None
        for mark in any_mark.finditer(text, ps, pe):
            i, ch = mark.start(), mark.group()
            if ch in _PAIRED_CLOSE:
                if start is not None:
                    seg = _segment(text, start, i, False, chain)
                    seg.close = i + 1  # the attribution after it starts past both marks
                    segments.append(seg)
                    start = None
                    chain += 1
                continue
            if start is None and _is_open(text, i, straight) and ch in opens:
                start = i
            elif start is not None and _is_close(text, i, straight) and ch in closes:
                segments.append(_segment(text, start, i, False, chain))
                start = None
                chain += 1
        if start is not None:
            nxt = paragraphs[n + 1][0] if n + 1 < len(paragraphs) else None
            continues = nxt is not None and text[nxt] in opens and _is_open(text, nxt, straight)
            segments.append(_segment(text, start, pe, continues, chain))
            if not continues:
                chain += 1
    return segments


def _segment(text: str, open_: int, close: int, continues: bool, chain: int) -> _Segment:
    """Trim the quoted text of whitespace and a trailing comma."""
    s, e = open_ + 1, close
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
        e -= 1
    return _Segment(open_, close, s, e, continues, chain)


# ---------------------------------------------------------------- speakers


def _head_noun(phrase: str) -> str:
    words = re.findall(r"[\w\-]+", phrase.lower())
    return words[-1] if words else ""


def _speaker_from_phrase(
    phrase: str, start: int, ctx: _Context, nearest: bool = False, as_written: bool = False
) -> _Attribution | None:
    """Turn the words naming a speaker into a canonical speaker and its kind.

    `nearest` picks the person closest to the verb when several are named
    before it ("Van Der Beek was eliminated in what host Tom Bergeron described").
    `as_written`: a proper name the entity rules did not know, right next to the verb
    ("said Kotak Institutional Equities", "Downing Street said"), is the speaker as
    written (kind 'unknown'), rather than no one, which would let an earlier speaker in.
    """
    lead = len(phrase) - len(phrase.lstrip())
    phrase, start = phrase.strip(), start + lead
    if not phrase:
        return None
    low = phrase.lower()
    if low in PRONOUNS:
        unnamed = _unnamed_subject_before(start, low, ctx)
        if unnamed:
            return unnamed
        person = ctx.salient_person_before(start, pronoun=low)
        return _Attribution(person, PERSON, None) if person else _Attribution(None, "unknown", None)
    last_word = low.split()[-1]
    if last_word in PRONOUNS and " " in low:  # "In a Tumblr post at the time she"
        return _speaker_from_phrase(phrase.split()[-1], start + len(phrase) - len(last_word), ctx)
    if low in ("it", "they"):
        earlier = ctx.last_source_before(start, plural=low == "they")
        if earlier:
            return _Attribution(earlier.speaker, earlier.kind, None)
        group = ctx.last_group_before(start) if low == "they" else None
        if group:  # "lawmakers on the committee requested ...", then “...,” they wrote
            return _Attribution(group, UNNAMED, None)
        org = ctx.last_org_before(start)
        return _Attribution(org, ORG, None) if org else None
    if _SUBJECT_WORDS.match(phrase):
        return None
    clause = _PRONOUN_CLAUSE.match(phrase)
    if clause:  # "she wrote an angry post about it on Twitter, calling ...": its subject
        return _speaker_from_phrase(clause.group("p"), start + clause.start("p"), ctx)
    found = ctx.mentions_between(start, start + len(phrase))
    people = [m for m in found if m.kind == PERSON]
    if people and all(_OWNER_MARK.match(ctx.text, m.end) for m in people):
        owned = _OWNED_NOUN.match(ctx.text, people[-1].end, start + len(phrase))
        if owned:  # "Ford's now-deceased father told", "Trump's spokesman said": not Ford
            np = _LEADING_CONJUNCTION.sub("", ctx.text[people[0].start : owned.end()])
            return _Attribution(np, UNNAMED, None)
    if people:
        ctx.note_speaker(people[-1 if nearest else 0])
        return _Attribution(people[-1 if nearest else 0].name, PERSON, None)
    np = _CUT_AFTER_NP.sub("", _CUT_AUXILIARY.sub("", phrase))
    head = _head_noun(np)
    heads = [
        m
        for m in found
        if m.kind in (ORG, PLACE) and m.start - start < len(np) <= m.end - start + 1
    ]
    if heads and head not in DOCUMENT_NOUNS and head not in ORG_NOUNS:
        ctx.org_speakers.append(heads[0])
        return _Attribution(heads[0].name, ORG, None)
    named_body = _NAMED_BODY.search(phrase)
    if named_body and " " in named_body.group(1):
        # “...,” environmental organisation Frack Free Namibia says: a body the entity rules
        # did not know, named right after the noun that says what it is
        return _Attribution(named_body.group(1), ORG, None)
    aged = _AGE_NOUN.match(np.split()[-1]) if np.split() else None
    # "the director of academic management at SUM": a role that names its own institution
    # is someone else than the person last spoken of
    own_body = _ROLE_COMPLEMENT.match(phrase, len(np)) and not aged
    role = _role_holder(np, start, ctx) if (head in ROLE_NOUNS or aged) and not own_body else None
    if role:
        return _Attribution(role, PERSON, None)
    if found and _NAMED_OFFICE.match(phrase):  # "The UN High Commissioner for Human Rights"
        return _Attribution("the" + phrase[3:], ORG, None)
    if len(np.split()) > 6 or (head not in DOCUMENT_NOUNS and head not in ORG_NOUNS
                               and head not in UNNAMED_NOUNS):
        if as_written and not found and _PROPER_PHRASE.match(phrase) and (
                phrase.split()[0] not in _NEW_SENTENCE_WORDS):
            return _Attribution(phrase, "unknown", None)
        return None
    np = _LEADING_CONJUNCTION.sub("", np)  # "But a spokesperson said": "a spokesperson"
    np = np[0].lower() + np[1:] if np.lower().startswith(_DETERMINERS) else np
    if head in UNNAMED_NOUNS:  # "an insider", "the study authors", "Swift's rep": as written
        att = _Attribution(np, UNNAMED, None)
    else:
        att = _Attribution(np, "document" if head in DOCUMENT_NOUNS else ORG, None)
    ctx.sources.append((start, head.endswith("s") and not head.endswith("ss"), att))
    return att


# Two to five capitalised words, with the small words names hold: a name as written.
_PROPER_PHRASE = re.compile(r"^(?:[A-Z][\w’'&.\-]*\s+(?:(?:of|for|and|the|&)\s+)?){1,4}"
                            r"[A-Z][\w’'&.\-]*$")
# "he/she" then a lower-case verb opening a clause: the pronoun is its subject.
_PRONOUN_CLAUSE = re.compile(r"^(?:(?:[Aa]nd|[Bb]ut|[Tt]hen)\s+)?(?P<p>[Hh]e|[Ss]he)\s+"
                             r"(?:[a-z]+ly\s+|also\s+|then\s+)*(?:wrote|posted|published|"
                             r"issued|released|took to|went on|spoke|appeared)\b")
_ROLE_COMPLEMENT = re.compile(r"\s+(?:of|at|for)\s+(?:the\s+)?[\w\-]")
_LEADING_CONJUNCTION = re.compile(
    r"^(?:[Bb]ut|[Aa]nd|[Ss]o|[Yy]et|[Tt]hen|[Hh]owever,?)\s+(?=\S+\s)")
# A lower-case noun of an institution, then the capitalised name that ends the phrase.
_NAMED_BODY = re.compile(
    r"\b(?:organisation|organization|group|company|firm|agency|charity|union|association|"
    r"federation|network|newspaper|outlet|broadcaster|nonprofit|non-profit|think-tank|"
    r"watchdog|coalition|alliance)\s+((?:[A-Z][\w’'\-.&]*)(?:\s+[A-Z][\w’'\-.&]*)*)\s*$")


# Party adjectives before a role ("the Conservative MP", "the Democratic senator") say
# which side the person is on, not which institution's role it is ("the UN High
# Commissioner" names someone else).
_PARTY_ADJECTIVES = frozenset({"conservative", "labour", "liberal", "republican", "democratic",
                               "democrat", "tory", "gop", "green", "independent"})


# A sentence whose subject is an unnamed spokesperson or official who says something:
# "But a spokesperson for the employers' association said its members had ...".
_UNNAMED_SAYS = re.compile(
    r"(?:^|[.!?]\s+|\n)(?:[Bb]ut\s+|[Aa]nd\s+|[Yy]et\s+)?((?:[Aa]n?|[Tt]he)\s+"
    r"(?:[\w\-’']+\s+){0,2}?(?P<n>spokesperson|spokesman|spokeswoman|official|source)"
    r"(?:\s+(?:for|at|of|from)\s+[^.,;:“”\"\n]{1,60}?)?)\s+(?:said|says|told|added)\b"
    r"[^\n]*$")
_NOUN_GENDER = {"spokesman": "he", "spokeswoman": "she"}


def _unnamed_subject_before(pos: int, pronoun: str, ctx: _Context) -> _Attribution | None:
    """“...,” he said, right after a sentence whose subject is an unnamed spokesperson or
    official who speaks and which names no one: that source ("a spokesperson for the
    employers"), not the person named before it. The quotation must open its paragraph
    and follow that sentence directly."""
    i = bisect_right(ctx._quoted_starts, pos) - 1
    if i < 0 or ctx.quoted[i][1] > pos:
        return None
    open_ = ctx.quoted[i][0]
    if pos - ctx.quoted[i][1] > 12:
        return None  # "he said" right after the closing mark only
    para = ctx.text.rfind("\n", 0, open_)
    if ctx.text[para + 1 : open_].strip():
        return None
    before = ctx.text[max(para - 300, 0) : para].rstrip()
    m = _UNNAMED_SAYS.search(before)
    if not m or _NOUN_GENDER.get(m.group("n"), pronoun) != pronoun:
        return None
    s = max(para - 300, 0) + m.start(1)
    if any(x.kind == PERSON for x in ctx.mentions_between(s, para)):
        return None
    np = m.group(1)
    return _Attribution(np[0].lower() + np[1:], UNNAMED, None)


def _role_holder(np: str, start: int, ctx: _Context) -> str | None:
    """The person a definite role with no name of its own points back at ("the senator",
    "the government spokesman", "the singer"): the salient person of the last few
    paragraphs. A role that names its institution ("the UN High Commissioner") or an
    indefinite one ("a spokesperson") is someone else, left as written."""
    words = np.split()
    while words and words[0].lower() in ("but", "and", "so", "then", "while"):
        words = words[1:]
    if len(words) < 2 or words[0].lower() != "the" or any(
            w[:1].isupper() and w.lower() not in _PARTY_ADJECTIVES for w in words[1:-1]) or (
            words[-1][:1].isupper() and words[-1] != "MP"):
        return None
    if words[-1].lower() not in ROLE_NOUNS and not _AGE_NOUN.match(words[-1]):
        return None
    return ctx.salient_person_before(start, since=start - _ROLE_REACH)


def _antecedent(start: int, comma: int, ctx: _Context) -> _Attribution | None:
    """What "which" or "who" after a comma refers to: the last person or organisation
    named before that comma in the clause."""
    named = [m for m in ctx.mentions_between(start, comma) if m.kind in (PERSON, ORG)]
    if not named:
        return None
    if named[-1].kind == PERSON:
        ctx.note_speaker(named[-1])
    else:
        ctx.org_speakers.append(named[-1])
    return _Attribution(named[-1].name, named[-1].kind, None)


def _clause_subject(clause: str, start: int, ctx: _Context) -> _Attribution | None:
    """The subject of a clause whose words right before the verb name no one:
    "One of the protesters, Hayley Walsh, 42, a lecturer from Nottingham, said:",
    "He funds gun control groups and has stated, “...”". A pronoun opening the
    sentence is its antecedent; otherwise the first person the clause names."""
    first = clause.split()[:1]
    if first and first[0].lower() in PRONOUNS:
        person = ctx.salient_person_before(start, pronoun=first[0].lower())
        return _Attribution(person, PERSON, None) if person else None
    people = [m for m in ctx.mentions_between(start, start + len(clause)) if m.kind == PERSON]
    # "..., but General Mark Milley, chairman of the Joint Chiefs of Staff, told": the verb
    # follows an apposition; the last part naming someone (not as an owner, "Teresa's
    # husband") before it is the subject
    after_apposition = not clause[clause.rfind(",") + 1 :].strip() and not _VERB_ANY.search(clause)
    for part in _clause_parts(clause, start) if after_apposition else ():
        named = [m for m in people if part[0] <= m.start < part[1]
                 and not _OWNER_MARK.match(ctx.text, m.end)]
        if named:
            ctx.note_speaker(named[0])
            return _Attribution(named[0].name, PERSON, None)
    if people:
        ctx.note_speaker(people[0])
        return _Attribution(people[0].name, PERSON, None)
    return None


_SUBORDINATE_PART = re.compile(
    r"\s*(?:who|which|whose|where|when|while|after|before|since|in|at|on|with|for|from"
    r"|during|according|as|if|although|because|[a-z]+(?:ed|en)\s+by)\b", re.I)


def _clause_parts(clause: str, start: int) -> list[tuple[int, int]]:
    """The comma-separated parts of a clause that can hold its subject, last first: not a
    relative, adverbial or participial part ("who met Lavrov", "after a meeting with Rutte",
    "joined by Justice Barrett")."""
    parts, at = [], start
    for piece in clause.split(","):
        if not _SUBORDINATE_PART.match(piece):
            parts.append((at, at + len(piece)))
        at += len(piece) + 1
    return parts[::-1]


def _attribution_after(text: str, seg: _Segment, limit: int, ctx: _Context) -> _Attribution | None:
    """“...,” Lavrov said / “...,” said Lavrov / “...,” according to X."""
    if seg.close >= limit:
        return None
    pos = seg.close + 1
    if text[seg.text_end - 1 : seg.text_end] in (".", "?", "!"):
        nxt = _NEXT_WORD.match(text, pos, limit)
        if nxt and nxt.group(1) in _NEW_SENTENCE_WORDS:  # “... guilt?” The minister admitted
            return None
    for pattern in (_ACCORDING_AFTER, _AFTER_VERB_SUBJECT, _AFTER_SUBJECT_VERB,
                    _AFTER_SUBJECT_WRITTEN):
        if pattern is _AFTER_SUBJECT_WRITTEN:
            if text[seg.text_end - 1 : seg.text_end] in (".", "?", "!"):
                continue  # “... some comfort at least.” Although he had written a will
            end = text.find("written", pos, limit)
            m = pattern.match(text, pos, end + 7) if end >= 0 else None
        elif pattern is _AFTER_SUBJECT_VERB:
            # It can only end at a reporting verb: matched up to the last one (the same
            # match, as nothing after it can take part), it does not backtrack through
            # its phrase and apposition lengths over the rest of the paragraph in vain.
            end = _last_verb_end(text, pos, limit)
            m = pattern.match(text, pos, end) if end else None
        else:
            m = pattern.match(text, pos, limit)
        if not m:
            continue
        phrase = m.group("sp")
        if pattern is _AFTER_VERB_SUBJECT:
            phrase = re.split(r",", phrase)[0]
        owner_only = pattern in (_AFTER_SUBJECT_VERB, _AFTER_SUBJECT_WRITTEN) and (
            _names_only_owners(text, m.start("sp"), m.end("sp"), ctx))
        # “...,” Harris senior adviser David Plouffe said: the name nearest the verb is the
        # head of the phrase; “...,” Epstein's neighbor, Donald Trump, said: the apposition
        att = None if owner_only else _speaker_from_phrase(
            phrase, m.start("sp"), ctx, nearest=pattern is not _AFTER_VERB_SUBJECT,
            as_written=pattern is not _ACCORDING_AFTER and not m.groupdict().get("app"))
        if (att is None or att.kind != PERSON) and m.groupdict().get("app"):
            # “...,” the company's CEO, Abdulaziz Jaafar, told reporters: the name in apposition
            named = _appositive_person(m.start("app"), m.end("app"), ctx)
            att = named or att
        if att:
            att.verb = m.groupdict().get("v")
            return att
        if _own_body_role(phrase):
            return _Attribution(None, "unknown", m.groupdict().get("v"), explicit=True)
    return None


def _own_body_role(phrase: str) -> bool:
    """A described speaker whose role names its own institution ("the director of academic
    management at SUM"): someone the article does not name, not whoever spoke before."""
    np = _CUT_AFTER_NP.sub("", phrase.strip())
    return (np.lower().startswith(_DETERMINERS) and _head_noun(np) in ROLE_NOUNS
            and bool(_ROLE_COMPLEMENT.match(phrase.strip(), len(np))))


def _last_verb_end(text: str, pos: int, limit: int) -> int | None:
    """End of the last reporting verb in text[pos:limit], if any (each is a whole word)."""
    end = None
    for v in _VERB_ANY.finditer(text, pos, limit):
        end = v.end()
    return end


def _names_only_owners(text: str, start: int, end: int, ctx: _Context) -> bool:
    """Every person a speaker phrase names is an owner ("Epstein's neighbor in Florida"):
    the speaker is someone else, named in apposition or not at all."""
    people = [m for m in ctx.mentions_between(start, end) if m.kind == PERSON]
    return bool(people) and all(_OWNER_MARK.match(text, m.end) for m in people)


_OWNER_MARK = re.compile(r"[’']s?\b")
# The rest of a phrase after an owner's name: lower-case words up to its end.
_OWNED_NOUN = re.compile(r"[’']s?(?:\s+[a-z][\w\-]*){1,4}\s*$")


def _appositive_person(start: int, end: int, ctx: _Context) -> _Attribution | None:
    """The person an apposition names, when it is a name and nothing more."""
    people = [m for m in ctx.mentions_between(start, end) if m.kind == PERSON]
    if len(people) != 1 or end - people[0].end > 2:
        return None
    ctx.note_speaker(people[0])
    return _Attribution(people[0].name, PERSON, None)


_NOUN_BEFORE = re.compile(r"\b(?:the|a|an|its|his|her|their|our|my|your|these|those|campaign)\s+$")
_NOUN_AFTER = re.compile(r"\s+(?:for|of)\b")


_SENTENCE_CLOSED = re.compile(r"[.!?][”’\"]?\s*$")
_PRONOUN_OPENING = re.compile(r"\s*(He|She)\b")
# Reporting verbs whose object is the one spoken to ("Cooperman told Reed"), not the speaker.
_ADDRESS_VERBS = frozenset({"told", "tells", "tell", "asked", "asks", "informed", "informs",
                            "reminded", "reminds", "urged", "urges", "advised", "advises",
                            "assured", "assures", "begged", "begs", "answered", "answers"})
_NEAR_VERB = 30  # characters between a reporting verb and the name it goes with


def _previous_sentence_speaker(
    text: str, seg: _Segment, floor: int, ctx: _Context
) -> _Attribution | None:
    """A quotation that opens a sentence, right after a sentence in the same paragraph
    that reports someone speaking ("... leadership of a different flavour, says Yao.
    “They cannot ...”"; "Rhoads says that reports ... indicate ... “Some councils ...”"):
    that someone. The name next to the last reporting verb counts, after it
    ("says Yao") before what comes before it ("Rhoads says"); a sentence opening with
    "He" or "She" gives the person that pronoun stands for."""
    pre_end = seg.open
    if pre_end <= floor or not _SENTENCE_CLOSED.search(text, max(floor, pre_end - 4), pre_end):
        return None
    s0 = _sentence_before(text, pre_end, floor)
    if any(s0 <= qs < pre_end for qs, _ in ctx.quoted):
        return None  # “...,” X told Y. “...”: a split quotation, which `_inherit` joins
    sentence = text[s0:pre_end]
    verbs = [v for v in _VERB_ANY.finditer(sentence) if not _is_plural_noun(sentence, v)]
    if not verbs:
        return None
    v = verbs[-1]
    vs, ve = s0 + v.start(), s0 + v.end()
    people = [m for m in ctx.mentions_between(s0, pre_end) if m.kind == PERSON and ctx._outside(m)]
    # not a name inside a phrase of the subject ("Claverie, advisor to Arnault, told")
    before = [m for m in people if m.end <= vs and vs - m.end <= _NEAR_VERB
              and not _AFTER_PREPOSITION.search(text, max(m.start - 12, 0), m.start)]
    after = [] if v.group("v") in _ADDRESS_VERBS else [
        m for m in people if ve <= m.start <= ve + 3]
    if not before and text[s0:vs].rstrip().endswith(","):
        # "Ana Escrogima, the U.S. ambassador to Oman, told ...": the name opening the
        # sentence, past its apposition
        before = [m for m in people[:1] if not text[s0 : m.start].strip()
                  and not _OWNER_MARK.match(text, m.end)]
    chosen = (before[-1:] or after or [None])[0]
    if chosen:
        ctx.note_speaker(chosen)
        return _Attribution(chosen.name, PERSON, v.group("v"))
    opening = _PRONOUN_OPENING.match(sentence)
    if opening and opening.end() + s0 <= vs and vs - (opening.end() + s0) <= _NEAR_VERB:
        person = ctx.salient_person_before(s0, pronoun=opening.group(1).lower())
        if person:
            return _Attribution(person, PERSON, v.group("v"))
    return None


def _sentence_before(text: str, pos: int, floor: int) -> int:
    """Start of the sentence that ends right before `pos` (its closing mark included)."""
    end = len(text[:pos].rstrip())
    return sentence_start_before(text, max(end - 2, floor), floor)


def _is_plural_noun(pre: str, v: re.Match[str]) -> bool:
    """A reporting verb's -s form used as a plural noun ("its campaign pledges for the
    election", "the claims of"): no one speaks there."""
    return v.group("v").endswith("s") and bool(
        _NOUN_BEFORE.search(pre, 0, v.start()) or _NOUN_AFTER.match(pre, v.end())
    )


# A sentence whose subject is a clause ("That Xi announced ... signals ...", "Whether ...").
_NOUN_CLAUSE_OPENING = re.compile(r"\s*(?:That|Whether|What)\s")
_CAPITAL_NEXT = re.compile(r"\s+[A-Z]")


def _attribution_at_sentence_end(
    text: str, seg: _Segment, limit: int, ctx: _Context, named: bool = False
) -> _Attribution | None:
    """A quotation inside a sentence whose speaker comes at its end, after a comma
    ("... a “bad idea” with regard to Mexico, Economy Minister Marcelo Ebrard said.").
    `named`: only a person named right after the verb (", says Belinda Schäpe"), by a verb
    that is not a news agency's "reported"."""
    if text[seg.text_end - 1 : seg.text_end] in (".", "?", "!") and _CAPITAL_NEXT.match(
            text, seg.close + 1, limit):
        return None  # “... or not.” But ... father told Starner: the quotation ended its sentence
    end = sentence_end_after(text, seg.close + 1, limit)
    if _VERB_ANY.search(text, seg.close + 1, end) is None:
        return None  # both patterns below need a reporting verb: spare their backtracking
    m = None if named else _SENTENCE_END_ATTRIBUTION.match(text, seg.close + 1, end)
    phrase = m.group("sp") if m else ""
    if not m:
        m = _SENTENCE_END_VERB_FIRST.match(text, seg.close + 1, end)
        if not m:
            return None
        phrase = m.group("sp").split(",")[0]
    if named and (m.group("v").startswith("report") or not any(
            x.kind == PERSON for x in ctx.mentions_between(m.start("sp"), m.end("sp")))):
        return None
    att = _speaker_from_phrase(phrase, m.start("sp"), ctx)
    if att:
        att.verb = m.group("v")
    return att


def _attribution_before(text: str, seg: _Segment, floor: int, ctx: _Context) -> _Attribution | None:
    """Lavrov said: “...” / X said that ... “...” / according to X, “...”."""
    start = sentence_start_before(text, seg.open, floor)
    pre = text[start : seg.open]
    m = _ACCORDING_BEFORE.search(pre)
    if m:
        att = _speaker_from_phrase(m.group("sp"), start + m.start("sp"), ctx)
        app = _APPOSITION.match(pre, m.end("sp"))
        if (att is None or att.kind != PERSON) and app:  # "According to his aunt, Jane Starner,"
            att = _appositive_person(start + app.start(1), start + app.end(1), ctx) or att
        if att:
            return att
    m = _PUT_IT.search(pre)
    if m:  # "As Gaiman put it, “...”"
        att = _speaker_from_phrase(m.group("sp"), start + m.start("sp"), ctx)
        if att:
            return att
    verbs = [v for v in _VERB_ANY.finditer(pre) if not _is_plural_noun(pre, v)]
    for v in reversed(verbs):
        gap = pre[v.end() :].split()
        if len(gap) > (_MAX_THAT_GAP_WORDS if gap[:1] == ["that"] else _MAX_VERB_GAP_WORDS):
            return None
        if _PASSIVE.search(pre, 0, v.start()) and v.group("v").endswith(("ed", "told")):
            return _Attribution(None, "unknown", v.group("v"))  # "Ishiba was asked, “...”"
        clause = _TRAILING_ADVERBS.sub(" ", pre[: v.start()])
        if _COORDINATED.search(clause) and v is not verbs[0]:
            continue  # "... said X and added, “...”": the subject is the earlier verb's
        rel = _RELATIVE.match(clause.strip())
        if rel:
            phrase_start = start + clause.index(rel.group("np"))
            att = _speaker_from_phrase(rel.group("np"), phrase_start, ctx)
        else:
            tail_at = max(clause.rfind(","), clause.rfind(";")) + 1
            phrase = clause[tail_at:]
            if phrase.strip().lower() in ("which", "who"):  # "the Group in Turkey, which says"
                att = _antecedent(start, start + tail_at, ctx)
            else:
                att = _speaker_from_phrase(phrase, start + tail_at, ctx, nearest=True,
                                           as_written=True)
            loose = not phrase.strip() or phrase.strip()[0].islower()
            if att is None and (loose or _COORDINATED.search(clause)):
                att = _clause_subject(clause, start, ctx)
            if att is None and loose:
                first = clause.split(",")[0]  # "Cheuk Hau-yip, the commander of ..., said:"
                att = _speaker_from_phrase(first, start, ctx, nearest=True)
        if att:
            att.verb = v.group("v")
            return att
        return _Attribution(None, "unknown", v.group("v")) if _EMPTY_SUBJECT.match(clause) else None
    m = _COLON_BEFORE.match(pre)
    if m:
        return _speaker_from_phrase(m.group("sp"), start + m.start("sp"), ctx)
    return None


@dataclass
class _Context:
    """What speaker resolution needs to know about the article."""

    mentions: list[Mention]  # in text order, as find_mentions gives them
    quoted: list[tuple[int, int]]  # in text order, disjoint
    speakers: list[Mention] = field(default_factory=list)
    org_speakers: list[Mention] = field(default_factory=list)
    # (offset, plural, attribution) of each speaker named by a noun phrase ("the letter",
    # "the lawmakers"): a later "it" or "they" may be that speaker
    sources: list[tuple[int, bool, _Attribution]] = field(default_factory=list)
    text: str = ""
    _reported: dict[int, bool] = field(default_factory=dict)  # see `_in_reported_clause`

    def __post_init__(self) -> None:
        self._mention_starts = [m.start for m in self.mentions]
        self._quoted_starts = [s for s, _ in self.quoted]

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        """Mentions that begin in [start, end), found by bisection rather than a scan."""
        lo = bisect_left(self._mention_starts, start)
        return self.mentions[lo : bisect_left(self._mention_starts, end, lo)]

    def _outside(self, m: Mention) -> bool:
        """Not inside any quotation: only the last one opening before it can hold it."""
        i = bisect_right(self._quoted_starts, m.start) - 1
        return i < 0 or m.start >= self.quoted[i][1]

    def note_speaker(self, m: Mention) -> None:
        """Remember a named speaker: the likeliest antecedent of a later "he"."""
        self.speakers.append(m)

    def salient_person_before(
        self, pos: int, since: int = 0, pronoun: str | None = None
    ) -> str | None:
        """Antecedent of "he"/"she": the latest sentence subject or named speaker
        before `pos`, else the person last named outside quotation marks; only
        mentions from `since` on count. For a `pronoun`, people whose first name
        is known to be of the other gender are passed over (when anyone is left)."""
        earlier = self.mentions_between(max(since, 0), pos)
        salient = [
            m
            for m in earlier
            if m.kind == PERSON
            and self._outside(m)
            and (m.subject or _VERB_AFTER_NAME.match(self.text, m.end)
                 or (pronoun and _FINITE_AFTER_NAME.match(self.text, m.end)
                     and not _THAT_BEFORE.search(self.text, max(m.start - 6, 0), m.start)))
            and not (pronoun and self._in_reported_clause(m))
        ]
        salient += [m for m in self.speakers if since <= m.start < pos]
        named = [m for m in earlier if m.kind == PERSON and self._outside(m)]
        if pronoun:
            agree_salient, agree_named = _agreeing(salient, pronoun), _agreeing(named, pronoun)
            if agree_salient or agree_named:
                salient, named = agree_salient, agree_named
        if salient:
            return max(salient, key=lambda m: m.start).name
        return named[-1].name if named else None

    def _in_reported_clause(self, m: Mention) -> bool:
        """The mention is inside what someone else is reported to have said ("Trump said
        in his proclamation that his nominee, Howard Lutnick, had informed him ..."): not
        the subject a later "he" stands for."""
        found = self._reported.get(m.start)
        if found is None:  # each mention once: pronouns look back over the same ones
            s0 = sentence_start_before(self.text, m.start, max(m.start - 400, 0))
            that = self.text.find(" that ", s0, m.start)
            found = that >= 0 and bool(_REPORTED_THAT.search(self.text, s0, that + 5))
            self._reported[m.start] = found
        return found

    def last_source_before(self, pos: int, plural: bool) -> _Attribution | None:
        """The last speaker named by a noun phrase ("the letter stated", "the lawmakers
        wrote") that "it" (singular) or "they" (plural) can be, when no organisation
        was named since."""
        fits = [(at, att) for at, pl, att in self.sources if at < pos and pl == plural]
        if not fits:
            return None
        at, att = fits[-1]
        later_org = any(m.kind == ORG and self._outside(m)
                        for m in self.mentions_between(at + 1, pos))
        return None if later_org else att

    def last_group_before(self, pos: int) -> str | None:
        """Antecedent of "they": the last plural noun of a described group of people
        ("lawmakers", "officials", "residents") written outside quotation marks in the
        last paragraphs, when no person was named as a speaker since. An organisation is
        "it" in news English, so a group noun comes before one."""
        since = max(pos - _ROLE_REACH, 0)
        found = None
        for m in _GROUP_NOUN.finditer(self.text, since, pos):
            i = bisect_right(self._quoted_starts, m.start()) - 1
            if i < 0 or m.start() >= self.quoted[i][1]:
                found = m
        if found is None or any(found.start() < sp.start < pos for sp in self.speakers):
            return None
        return found.group(0).lower()

    def last_org_before(self, pos: int) -> str | None:
        """Antecedent of "it"/"they" as a speaker: the later of the organisation last
        quoted and the last one named outside quotation marks other than as the
        complement of a preposition ("... put out a statement to the organisers of the
        AMAs. “...,” it says": the statement's author, not the AMAs)."""
        quoted = [m for m in self.org_speakers if m.start < pos]
        named = [
            m
            for m in self.mentions_between(0, pos)
            if m.kind == ORG and self._outside(m)
            and not _AFTER_PREPOSITION.search(self.text, max(m.start - 12, 0), m.start)
        ]
        found = [x[-1] for x in (quoted, named) if x]
        if not found:
            return None
        chosen = max(found, key=lambda m: m.start)
        self.org_speakers.append(chosen)
        return chosen.name


_GROUP_NOUN = re.compile(
    r"\b(?:" + "|".join(sorted((w for w in UNNAMED_NOUNS | ORG_NOUNS
                                 if w.endswith("s") and not w.endswith("ss")),
                                key=len, reverse=True)) + r")\b", re.I)
_OTHER_GENDER = {"he": ("female",), "she": ("male",)}  # "mostly_" names (Taylor) stay open


@lru_cache(maxsize=1)
def _gender_of() -> Callable[[str], str]:
    """gender-guesser's first-name lookup ('male', 'mostly_female', 'andy', 'unknown'...),
    built once, on first use; each name's answer is kept, as the lookup is slow."""
    from gender_guesser.detector import Detector

    return lru_cache(maxsize=65536)(Detector(case_sensitive=True).get_gender)


def _agreeing(people: list[Mention], pronoun: str) -> list[Mention]:
    """The people "he" or "she" can refer to: all but those whose first name is known
    to be of the other gender."""
    other = _OTHER_GENDER.get(pronoun)
    if not other:
        return people
    gender = _gender_of()
    return [m for m in people if " " not in m.name or gender(m.name.split()[0]) not in other]


def _norm(s: str) -> str:
    return re.sub(r"[^\w]+", " ", s).strip().casefold()


def find_quotes(text: str, mentions: list[Mention]) -> list[Quote]:
    """Every direct quotation in `text` with its speaker, in text order.

    `mentions` are the entity mentions of `text` in text order, as
    `entities.find_mentions` returns them.

    Single words (“recall”) and short unattributed quotations (five words or
    fewer, “outside”) are scare quotes or terms, and are left out.
    """
    segments = find_segments(text)
    ctx = _Context(mentions, [(s.open, s.close) for s in segments], text=text)
    paragraphs = paragraph_spans(text)
    atts: list[_Attribution | None] = []
    for i, seg in enumerate(segments):
        ps, pe = next(p for p in paragraphs if p[0] <= seg.open < p[1] or p[0] == seg.open)
        nxt = segments[i + 1].open if i + 1 < len(segments) and segments[i + 1].open < pe else pe
        prev_close = segments[i - 1].close + 1 if i and segments[i - 1].close >= ps else ps
        att = _attribution_after(text, seg, nxt, ctx)
        if att is None:
            att = _attribution_before(text, seg, prev_close, ctx)
            if att is not None and att.speaker is not None and _NOUN_CLAUSE_OPENING.match(
                    text, sentence_start_before(text, seg.open, prev_close)):
                # "That Xi announced ... a “commitment” to ..., says Belinda Schäpe": the verb
                # is inside the sentence's subject clause; the speaker named at its end says it
                att = _attribution_at_sentence_end(text, seg, nxt, ctx, named=True) or att
        if (att is None or att.speaker is None) and not (att and att.explicit):
            # the sentence's end may name the speaker
            att = _attribution_at_sentence_end(text, seg, nxt, ctx) or att
        if (att is None or att.speaker is None) and not (att and att.explicit):
            # "..., says Yao. “They cannot ...”"
            att = _previous_sentence_speaker(text, seg, prev_close, ctx) or att
        atts.append(att)
    _inherit(segments, atts, text, paragraphs, ctx)
    quotes = []
    for seg, att in zip(segments, atts, strict=True):
        words = len(text[seg.text_start : seg.text_end].split())
        if words < 2 or ((att is None or att.speaker is None) and words <= _SCARE_MAX_WORDS):
            continue
        if (att is None or att.speaker is None) and _is_slogan(text, seg):
            continue
        if _is_title(text[seg.text_start : seg.text_end]):
            continue
        att = att or _Attribution(None, "unknown", None)
        quotes.append(
            Quote(
                len(quotes) + 1,
                text[seg.text_start : seg.text_end],
                att.speaker,
                att.kind,
                att.verb,
                seg.text_start,
                seg.text_end,
            )
        )
    return quotes


_TITLE_SMALL_WORDS = frozenset({"a", "an", "the", "of", "to", "in", "on", "at", "and", "or",
                               "for", "with", "by", "from", "de"})
_TITLE_MAX_WORDS = 10


def _is_title(quoted: str) -> bool:
    """The title of a work in quotation marks (“Black Water”, “China Grove”):
    a short run of capitalised words with no sentence punctuation, which no one said."""
    words = quoted.rstrip(",").split()
    if not 2 <= len(words) <= _TITLE_MAX_WORDS or quoted.rstrip().endswith((".", "!", ",")):
        return False
    return words[0][:1].isupper() and all(
        w[:1].isupper() or w.lower() in _TITLE_SMALL_WORDS for w in words[1:]
    )


def _is_slogan(text: str, seg: _Segment) -> bool:
    """Words on a sign or banner, or a crowd's chant ("Protesters held signs reading “Fund
    our schools”"): nobody's statement, so not a quote, rather than a quote with no speaker."""
    before = text[sentence_start_before(text, seg.open) : seg.open].lower()
    return bool(set(re.findall(r"[\w\-]+", before)) & SLOGAN_CUES)


def _inherit(
    segments: list[_Segment],
    atts: list[_Attribution | None],
    text: str,
    paragraphs: list[tuple[int, int]],
    ctx: _Context,
) -> None:
    """Fill in speakers of split, continued, follow-on and heading quotations."""
    for i, seg in enumerate(segments):  # the rest of a multi-paragraph quote
        if (atts[i] is None or atts[i].speaker is None) and not (atts[i] and atts[i].explicit):
            donor = next(
                (
                    atts[j]
                    for j, s in enumerate(segments)
                    if s.chain == seg.chain and atts[j] and atts[j].speaker
                ),
                None,
            )
            if donor:
                atts[i] = donor
    starts = [p[0] for p in paragraphs]  # paragraphs are disjoint: one bisection each
    para_of = [bisect_right(starts, s.open) - 1 for s in segments]
    normed = [_norm(text[s.text_start : s.text_end]) for s in segments]
    for i, seg in enumerate(segments):  # headings repeat a quote attributed later
        if atts[i] and atts[i].explicit:
            continue
        if (atts[i] is None or atts[i].speaker is None) and seg.text_end > seg.text_start:
            needle = normed[i]
            donor = next(
                (
                    atts[j]
                    for j in range(len(segments))
                    if j != i
                    and atts[j]
                    and atts[j].speaker
                    and len(needle) > 8
                    and needle in normed[j]
                ),
                None,
            )
            if donor:
                atts[i] = donor
    for i, seg in enumerate(segments):  # split quotes and follow-on paragraphs
        if atts[i] is not None and (atts[i].speaker is not None or atts[i].explicit):
            continue
        if i and para_of[i] == para_of[i - 1] and atts[i - 1] and atts[i - 1].speaker:
            atts[i] = atts[i - 1]
        elif not text[paragraphs[para_of[i]][0] : seg.open].strip():
            atts[i] = _from_earlier_paragraphs(
                para_of[i], segments, atts, para_of, text, paragraphs, ctx
            )


_DOCUMENT_COLON = re.compile(
    r"(?P<np>\b(?:the|a|an|this|its|his|her|their)\s+(?:[\w\-]+\s+){0,3}(?:"
    + "|".join(sorted(DOCUMENT_NOUNS, key=len, reverse=True)) + r"))\s*:\s*$")
_SHORT_PARAGRAPH = (
    200  # a person-less paragraph this short (a "SEE MORE" link) does not break a quote run
)


def _from_earlier_paragraphs(
    para: int,
    segments: list[_Segment],
    atts: list[_Attribution | None],
    para_of: list[int],
    text: str,
    paragraphs: list[tuple[int, int]],
    ctx: _Context,
) -> _Attribution | None:
    """Speaker of a paragraph that is only a quotation: whoever spoke, or was
    reported as speaking ("Erekat said it was ..."), just before it, or the one person
    the paragraph right before opens with as its subject."""
    if para:
        ps, pe = paragraphs[para - 1]
        intro = _DOCUMENT_COLON.search(text, ps, pe)
        if intro:  # "... which contains the following statement:", then the quotation
            return _Attribution(intro.group("np"), "document", None)
    for p in range(para - 1, max(para - 3, -1), -1):
        ps, pe = paragraphs[p]
        spoken = [
            atts[j] for j in range(len(segments)) if para_of[j] == p and atts[j] and atts[j].speaker
        ]
        if spoken:
            return spoken[-1]
        said = _PRONOUN_SAID.match(text, ps, pe)
        if said:  # "He lamented that ...", then a paragraph that is only a quotation
            person = ctx.salient_person_before(ps, pronoun=said.group(1).lower())
            if person:
                return _Attribution(person, PERSON, said.group("v"))
        named = [m for m in ctx.mentions_between(ps, pe) if m.kind == PERSON]
        reported = [m for m in named if _VERB_AFTER_NAME.match(text, m.end, pe)]
        if reported:
            return _Attribution(
                reported[-1].name, PERSON, _VERB_AFTER_NAME.match(text, reported[-1].end, pe)["v"]
            )
        opener = named[0] if named and text[ps : named[0].start].strip() == "" else None
        if (p == para - 1 and opener and all(m.name == opener.name for m in named)
                and not any(para_of[j] == p for j in range(len(segments)))):
            # "Mlungisi Mvoko, the province's finance member, wants to see ...", then a
            # paragraph that is only a quotation: the one person the paragraph right
            # before introduces as its subject speaks it
            return _Attribution(opener.name, PERSON, None)
        if named or pe - ps > _SHORT_PARAGRAPH:
            return None
    return None
