# ruff: noqa: RUF001, RUF002, RUF003
# (quotation marks of several languages are the subject matter of this module)
"""Direct quotations and their speakers in German, French and Spanish articles.

Why a module apart from `quotes`: the English rules lean on English word
order and on entity mentions found by capitalisation, which is no evidence of
a name in German and wrong often enough elsewhere. Here a speaker is taken
from the words that introduce the quotation, as written:

- the marks of each convention: „…“ and »…« (German), « … » (French,
  Spanish), “…”, "…", and ‚…‘ or ‘…’ when an article has no double marks;
- a reporting verb right after the quotation («…», a affirmé le ministre,
  Andreï Belooussov / „…“, sagt Dawidowski / "…", dijo Horner), or before it
  in the same sentence (X beteuerte: "…" / una vecina comenta que "…");
- a pronoun or a missing subject (déclare-t-il / confesó) is the previous
  speaker; a surname alone is the fullest earlier name ending in it; a role
  with a definite article ("der Leseforscher", "el portavoz") is the person
  that role was attached to earlier, or the one person named in the sentence
  before the quotation ("Sergio Llull bat um Entschuldigung. «…», twitterte der
  Aufbauspieler"), else it stays as written;
- a paragraph that is only a quotation continues the previous paragraph's.

`speaker_kind` is 'person' for a name, 'organisation' for a named body or an
institution noun, 'unnamed' for a source described but not named ("einer der
Wissenschaftler", "una vecina", "the study authors"). Quotations with no
speaker found are left out (an empty answer beats a wrong one), and so are
slogans: a quotation whose sentence says it was written on a sign or banner
or chanted by a crowd (`SLOGAN_CUES`) is nobody's statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsetl.enrich.lexicon import (
    DETERMINERS_BY_LANGUAGE,
    INSTITUTION_NOUNS,
    NAME_INNER_WORDS,
    PRONOUNS_BY_LANGUAGE,
    REPORTING_AUXILIARIES,
    REPORTING_VERBS_BY_LANGUAGE,
    SLOGAN_CUES,
)
from newsetl.enrich.sentences import paragraph_spans, sentence_start_before
from newsetl.models import Quote

PERSON, ORG, UNNAMED = "person", "organisation", "unnamed"
_WORD = re.compile(r"[^\W\d_][\w’'\-]*")
_STRAIGHT_OPEN_CONTEXT = " \t\n([{—–-/:"
_MAX_GAP_WORDS = 25  # words between a reporting verb before a quotation and the quotation
_SHORT_MAX_WORDS = 5
# A quotation of _SHORT_MAX_WORDS or fewer with no speaker of its own is a term, not a statement.
_SPLIT_GAP_CHARS = 300  # «A», dit X, «B»: the attribution between the two parts is this short
# Words that end a speaker phrase: what follows says where or when, not who.
_PHRASE_END = {
    "de": r"in|im|auf|bei|beim|am|an|gegenüber|während|nach|vor|über|mit|laut|als|und|dass|weil",
    "fr": r"dans|lors|sur|à|au|durant|selon|en|avec|pour|et|qui|que|devant|après|avant",
    "es": r"en|durante|a|al|ante|tras|según|con|para|y|que|quien|desde|sobre|antes|después",
    "pl": r"w|we|na|podczas|po|przed|z|ze|do|dla|i|że|który|która|gdy",
}
# Polish (kept here until its quotation rules meet the bar and its words join `lexicon`):
# quotations open with a dash at a paragraph or sentence start and close with a dash before
# the reporting verb ("– To jest moment fundamentalny – mówił premier Mateusz Morawiecki").
_POLISH_VERB_WORDS = """
    mówi mówił mówiła mówili powiedział powiedziała powiedzieli dodaje dodał dodała dodali
    zaznacza zaznaczył zaznaczyła podkreśla podkreślił podkreśliła deklaruje deklarował
    deklarowała stwierdza stwierdził stwierdziła ocenia ocenił oceniła tłumaczy tłumaczył
    tłumaczyła wyjaśnia wyjaśnił wyjaśniła przekonuje przekonywał przekonywała napisał
    napisała pisze twierdzi twierdził twierdziła zapowiada zapowiedział zapowiedziała
    apeluje apelował przyznaje przyznał przyznała komentuje komentował skomentował
    odpowiada odpowiedział odpowiedziała zauważa zauważył zauważyła uważa
    """
_POLISH_VERBS = frozenset(_POLISH_VERB_WORDS.split())
_LOCAL_VERBS = {"pl": _POLISH_VERBS}
_LOCAL_PRONOUNS = {"pl": frozenset({"on", "ona", "oni"})}
# Institution nouns: a described source headed by one is an organisation, not a person.
_DEFINITE = {"pl": frozenset(), "de": frozenset({"der", "die", "das"}),
             "fr": frozenset({"le", "la", "les"}),
             "es": frozenset({"el", "la", "los", "las"})}
# "Para Hurtado, ..." / "Selon Javier López, ..." / "Laut Dawidowski ...": whose view follows.
_OPINION_OF = re.compile(r"(?:^|[\s,])(?:[Pp]ara|[Ss]egún|[Ss]elon|[Pp]our|[Ll]aut)\s+"
                         r"((?:[A-ZÀ-ÖØ-Þ][\w’'\-]*\s*){1,4})[,]")
_TITLES = frozenset({"m", "mm", "mme", "mlle", "me", "dr", "pr", "herr", "frau", "sr", "sra",
                     "srta", "don", "doña", "prof"})
_ONLY_AFTER_QUOTE = frozenset({"so", "note", "juge", "lance", "cuenta", "rief", "ruft"})
_LEADING_PREPOSITIONS = frozenset({"desde", "von", "seitens", "depuis"})
_CONJUNCTIONS = frozenset({"aber", "und", "doch", "mais", "et", "pero", "y", "sin", "embargo"})


@dataclass
class _Segment:
    open: int
    close: int
    text_start: int
    text_end: int


@dataclass
class _Speaker:
    name: str
    kind: str
    verb: str | None
    at: int  # where the attribution was found, for "the previous speaker"


def _closers(text: str, language: str) -> dict[str, str]:
    """Which marks close a quotation opened by each mark, in this article's conventions.

    »…« is German; French and Spanish open with « (a » starting a line there
    continues a quotation or marks a list item, and opens nothing).
    """
    pairs = {"„": "“”\"", "“": "”", "«": "»", '"': '"', "‚": "‘’"}
    first_right, first_left = text.find("»"), text.find("«")
    if language == "de" and first_right != -1 and (first_left == -1 or first_right < first_left):
        pairs = {**pairs, "»": "«"}  # German »…«
        del pairs["«"]
    if not any(c in text for c in "„“”«»\""):
        pairs["‘"] = "’"  # single quotes only where an article has no double ones
    return pairs


def _dash_segments(text: str, verbs: frozenset[str]) -> list[_Segment]:
    """Polish quotations: from a dash that opens a paragraph or follows a sentence's end to a
    dash followed by a reporting verb (or the paragraph's end)."""
    segments = []
    for ps, pe in paragraph_spans(text):
        for m in re.finditer(r"(?:^|(?<=[.!?…]\s))[–—-]\s", text[ps:pe], re.M):
            open_ = ps + m.start()
            close = pe
            for c in re.finditer(r"\s[–—-]\s+(\w+)", text[open_ + 2 : pe]):
                if c.group(1).lower() in verbs:
                    close = open_ + 2 + c.start() + 1
                    break
            if not segments or open_ > segments[-1].close:
                segments.append(_segment(text, open_, close))
    return segments


def find_segments(text: str, language: str) -> list[_Segment]:
    """Quoted stretches, one per paragraph at most per quotation; nested marks stay inside."""
    pairs = _closers(text, language)
    if language in _LOCAL_VERBS:
        dashed = _dash_segments(text, _LOCAL_VERBS[language])
        ends = [(d.close, _sentence_end(text, d.close)) for d in dashed]
        marked = [m for m in _marked_segments(text, pairs)  # a title inside an attribution
                  if not any(c < m.open < e for c, e in ends)]  # (z „Rzeczpospolitą”)
        return sorted(dashed + marked, key=lambda seg: seg.open)
    return _marked_segments(text, pairs)


def _sentence_end(text: str, at: int) -> int:
    m = re.compile(r"[.!?\n]").search(text, at + 1)
    return m.start() if m else len(text)


def _marked_segments(text: str, pairs: dict[str, str]) -> list[_Segment]:
    """Stretches between quotation marks of this article's conventions."""
    segments = []
    for ps, pe in paragraph_spans(text):
        opened: int | None = None
        for i in range(ps, pe):
            ch = text[i]
            if opened is None:
                if ch in pairs and (ch != '"' or i == ps or text[i - 1] in _STRAIGHT_OPEN_CONTEXT):
                    opened = i
            elif ch in pairs[text[opened]] and (ch != "’" or i + 1 == pe
                                                or not text[i + 1].isalpha()):
                segments.append(_segment(text, opened, i))
                opened = None
        if opened is not None:
            segments.append(_segment(text, opened, pe))
    return segments


def _segment(text: str, open_: int, close: int) -> _Segment:
    s, e = open_ + 1, close
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
        e -= 1
    return _Segment(open_, close, s, e)


class _Resolver:
    """Speaker phrases of one article to canonical speakers, remembering who spoke."""

    def __init__(self, text: str, language: str) -> None:
        self.text, self.language = text, language
        self.verbs = REPORTING_VERBS_BY_LANGUAGE.get(language) or _LOCAL_VERBS[language]
        self.pronouns = PRONOUNS_BY_LANGUAGE.get(language) or _LOCAL_PRONOUNS[language]
        self.determiners = DETERMINERS_BY_LANGUAGE.get(language, frozenset())
        self.spoken: list[_Speaker] = []
        self.quote_open = 0  # where the quotation being attributed opens
        self.phrase_end = re.compile(r"\s(?:" + _PHRASE_END[language] + r")\s.*$", re.S)
        # Before a quotation a verb is looked for anywhere in the sentence, so words that are
        # reporting verbs only right after a quotation ("„…“, so Dawidowski", "«…», note X")
        # and common words elsewhere ("so gut", "la note", "en cuenta") are left out there.
        before = self.verbs - _ONLY_AFTER_QUOTE
        self.verb_re = re.compile(
            r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, before), key=len, reverse=True))
            + r")(?![\w-])")

    # ---------------------------------------------------------------- names

    def _is_cap(self, word: str) -> bool:
        return word[:1].isupper() and word.lower() not in self.determiners

    def name_in(self, phrase: str) -> str | None:
        """The first run of two or more capitalised words (inner particles allowed)."""
        best: list[str] = []
        run: list[str] = []
        last_end = 0
        for m in [*_WORD.finditer(phrase), None]:
            w = m.group() if m else ""
            joined = m is not None and (not run or not phrase[last_end : m.start()].strip())
            last_end = m.end() if m else last_end
            if w and joined and (self._is_cap(w) or (run and w.lower() in NAME_INNER_WORDS)):
                run.append(w)
                continue
            while run and run[-1].lower() in NAME_INNER_WORDS:
                run.pop()
            if len(run) >= 2 and not best:
                best = run
            run = [w] if w and self._is_cap(w) else []
        if not best:
            return None
        if self.language == "de":  # nouns are capitalised: "Leseforscher Christian Dawidowski"
            best = best[-2:]
        return " ".join(best)

    def full_name(self, surname: str, before: int) -> str | None:
        """The fullest earlier name ending in `surname` (a speaker first, else any run)."""
        for sp in reversed(self.spoken):
            if sp.kind == PERSON and sp.name.split()[-1] == surname:
                return sp.name
        pattern = re.compile(r"((?:[^\W\d_][\w’'\-]*\s+){1,3})" + re.escape(surname) + r"\b")
        for m in pattern.finditer(self.text, 0, before):
            name = self.name_in(m.group(0))
            if name and name.split()[-1] == surname:
                return name
        return None

    def role_holder(self, role: str, before: int) -> str | None:
        """The person a role noun was attached to earlier ("Leseforscher Christian Dawidowski",
        "David Campo, portavoz de ..."): the latest name within a few words of the role."""
        found = None
        for m in re.finditer(r"(?<![\w-])" + re.escape(role) + r"(?![\w-])", self.text[:before]):
            window = self.text[max(0, m.start() - 60) : m.end() + 60]
            follow = self.text[m.end() : m.end() + 90]
            after = self.name_in(follow.split(",")[0].split(".")[0])
            near = after if after and follow.find(after) < 5 else None
            apposition = re.match(r"[^,.;:!?\n]{0,50},\s*([^,.;:!?\n]+)", follow)
            if near is None and apposition:  # "le ministre russe de la Défense, Andreï B."
                cand = self.name_in(apposition.group(1))
                near = cand if cand and apposition.group(1).strip() == cand else None
            if near is None:
                lead = self.text[max(0, m.start() - 60) : m.start()].rstrip(" ,")
                tail = re.split(r"[.;:!?]", lead)[-1]
                cand = self.name_in(tail)
                near = cand if cand and tail.rstrip().endswith(cand) else None
            if near and window:
                found = near
        return found

    # ---------------------------------------------------------------- phrases

    def previous(self, at: int) -> _Speaker | None:
        """The last speaker named before `at` within the two paragraphs before it."""
        earlier = [s for s in self.spoken if s.at < at]
        return earlier[-1] if earlier else None

    def resolve(self, phrase: str, at: int, verb: str | None) -> _Speaker | None:
        """A speaker phrase as written to a speaker; None when it names nobody."""
        phrase = self.phrase_end.sub("", " " + phrase.strip(" ,\n\t") + " ").strip(" ,")
        first, _, rest = phrase.partition(" ")
        if first.lower() in _LEADING_PREPOSITIONS:  # "Desde esta Asociación reclaman"
            phrase = rest
        first, _, rest = phrase.partition(" ")
        if first.lower().rstrip(".") in _TITLES and rest[:1].isupper():
            phrase = rest  # "M. Peskov", "Frau Merkel", "Sr. Campo": the title is no name part
        while phrase.rsplit(" ", 1)[-1].lower() in REPORTING_AUXILIARIES and " " in phrase:
            phrase = phrase.rsplit(" ", 1)[0]  # "La Chine a (annoncé)"
        words = _WORD.findall(phrase)
        if not words or phrase[:1] in "0123456789":
            return self._prev(at, verb) if not phrase else None
        low = [w.lower() for w in words]
        if low[0] in self.pronouns or (len(words) == 1 and low[0] in {"t-il", "t-elle"}):
            return self._prev(at, verb)
        if len(words) > 8:
            return None
        name = self.name_in(phrase)
        if name and not self._is_det(low[0]):
            return self._note(name, PERSON, verb, at)
        if len(words) == 1 and self._is_cap(words[0]):
            full = self.full_name(words[0], at)
            if full is None and self.language == "de":
                return None  # "Dennoch", "Laut": a capitalised word is no name in German
            return self._note(full or words[0], PERSON if full else ORG, verb, at)
        if self._is_det(low[0]) and len(words) >= 2:
            head = words[1] if len(words) == 2 else words[-1]
            if low[0] in _DEFINITE[self.language] and not self._is_det(low[1]) and (
                    self.language == "de" or words[1].islower()):
                holder = self.role_holder(words[1], at - len(phrase))
                if holder:
                    return self._note(holder, PERSON, verb, at)
                prev = self.previous(at)
                if len(words) == 2 and prev and prev.kind == PERSON and \
                        self.text.count("\n", prev.at, at) <= 2:
                    return self._note(prev.name, PERSON, verb, at)  # "Der Trainer freut sich"
            if name and phrase.endswith(name) and not {w.lower() for w in name.split()} & \
                    INSTITUTION_NOUNS:  # "der ... zuständige Fed-Vizechef Michael Barr"
                return self._note(name, PERSON, verb, at)
            if name is None and low[0] in _DEFINITE[self.language]:
                holder = self.apposed_person()
                if holder:  # "Sergio Llull bat um Entschuldigung. «…», twitterte der 35
                    return self._note(holder, PERSON, verb, at)  # Jahre alte Aufbauspieler"
            if name:  # "die Sprecherin der Berliner Polizei": as written
                return self._note(phrase, UNNAMED, verb, at)
            kind = ORG if head.lower() in INSTITUTION_NOUNS or (
                words[1][:1].isupper() and self.language != "de") else UNNAMED
            if self.language == "de" and words[1].lower() in INSTITUTION_NOUNS:
                kind = ORG
            return self._note(phrase, kind, verb, at)
        return None

    def _polish_subject(self, clause: str, at: int, verb: str) -> _Speaker | None:
        """Who a Polish attribution names after its verb: a person with a known first name
        ("premier Mateusz Morawiecki"), or a surname alone for an earlier full name."""
        from newsetl.enrich.people import find_people

        people = find_people(clause.split(",")[0], "pl")
        if people:
            return self._note(people[0].name, PERSON, verb, at)
        words = _WORD.findall(clause.split(",")[0])
        caps = [w for w in words if w[:1].isupper()]
        if len(caps) == 1 and len(words) <= 3:
            full = self.full_name(caps[0], at)
            if full:
                return self._note(full, PERSON, verb, at)
        return None

    def apposed_person(self) -> str | None:
        """The one person named (by a known first name) in the sentence before the
        quotation being attributed and in the sentence that opens it: who a role written
        as its speaker ("der Aufbauspieler", "el ingeniero de pista") stands for. Two
        people there, or none, and the role stays as written."""
        from newsetl.enrich.people import find_people  # people imports nothing from here

        opens = sentence_start_before(self.text, self.quote_open)
        start = sentence_start_before(self.text, max(0, opens - 2)) if opens > 1 else opens
        found = {e.name for e in find_people(self.text[start : self.quote_open], self.language)}
        return found.pop() if len(found) == 1 else None

    def _is_det(self, word: str) -> bool:
        return word in self.determiners or word.startswith(("l'", "l’", "d'", "d’"))

    def _prev(self, at: int, verb: str | None) -> _Speaker | None:
        """Who a pronoun or a missing subject means: a person introduced as speaking since
        the last quotation's speaker ("..., Joan Vaquero, admet que ..."), else that speaker."""
        window = self._paragraph_before(at)
        prev = self.previous(at)
        newer = self.reported_in(max(prev.at + 1 if prev else 0, window), at, note=False)
        if newer:
            return self._note(newer.name, PERSON, verb, at)
        if prev is None or prev.at < window:
            return None  # the last speaker is too far back to be meant
        return _Speaker(prev.name, prev.kind, verb, at)

    def _paragraph_before(self, at: int) -> int:
        """Start of the paragraph before the one holding `at`."""
        here = self.text.rfind("\n", 0, at)
        if here < 0:
            return 0
        return self.text.rfind("\n", 0, self.text.rfind("\n", 0, here) + 1 - 1 if here else 0) + 1

    def _note(self, name: str, kind: str, verb: str | None, at: int) -> _Speaker:
        sp = _Speaker(name, kind, verb, at)
        self.spoken.append(sp)
        return sp

    # ---------------------------------------------------------------- attribution

    def after(self, seg: _Segment, limit: int) -> _Speaker | None:
        """«…», a affirmé le ministre, Andreï Belooussov / „…“, sagt Dawidowski / "…", confesó."""
        rest = self.text[seg.close + 1 : limit]
        m = re.match(r"[\s,.—–-]*", rest)
        tail = rest[m.end():] if m else rest
        words = tail.split(None, 2)
        if not words:
            return None
        first = words[0].lower()
        verb_at = 0
        if first in REPORTING_AUXILIARIES or first.startswith(("a-t-", "hat", "ha")):
            if len(words) < 2:
                return None
            verb_word, verb_at = words[1].lower(), 1
        else:
            verb_word = first
        bare = re.split(r"[-,.;:]", verb_word)[0] if verb_word[:1] != "s" else \
            re.split(r"[,.;:]", verb_word)[0]
        if bare not in self.verbs and re.split(r"-t-|-", verb_word)[0] not in self.verbs:
            return None
        if verb_at == 0 and first[:1].isupper():
            return None  # a new sentence that starts with a verb-like word
        rest_from = m.end() if m else 0
        after_verb = tail.split(None, verb_at + 1)
        subject = after_verb[verb_at + 1] if len(after_verb) > verb_at + 1 else ""
        if re.match(r"[^\s,.;:!?]*-t-(?:il|elle)|[^\s,.;:!?]*-(?:il|elle)\b", verb_word):
            return self._prev(seg.close, bare)
        if verb_word.endswith((",", ".", ";", ":")) or not subject or subject[:1] in ",.;:!?":
            return self._prev(seg.close, bare)
        subject = re.sub(r"\b(M|MM|Mme|Mlle|Dr|Pr|Sr|Sra|Srta)\.\s", r"\1 ", subject)  # M. Peskov
        sentence = re.split(r"[.;:!?\n]|\s[—–]\s", subject)[0]
        if self.language == "pl":  # verb first, then where, then who: "mówił w Sejmie premier
            self.quote_open = seg.open  # Mateusz Morawiecki"
            return self._polish_subject(sentence, seg.close + 1 + rest_from + tail.find(subject),
                                        bare)
        chunks = [c.strip() for c in sentence.split(",")]
        if len(chunks) > 1:
            apposition = self.name_in(chunks[1])
            if apposition and chunks[1].strip() == apposition:
                return self._note(apposition, PERSON, bare, seg.close)
        start = seg.close + 1 + rest_from + tail.find(subject)
        self.quote_open = seg.open
        return self.resolve(chunks[0], start, bare)

    def before(self, seg: _Segment, floor: int) -> _Speaker | None:
        """X beteuerte: "…" / Der Trainer freut sich: „…“ / una vecina comenta que "…"."""
        start = sentence_start_before(self.text, seg.open, floor)
        pre = self.text[start : seg.open]
        if pre.rstrip().endswith(":"):
            clause = pre.rstrip()[:-1]
            verbs = list(self.verb_re.finditer(clause.lower()))
            subject = clause[: verbs[-1].start()] if verbs else clause
            subject = re.split(r"\s(?:que|dass|qu')\s", subject)[-1]
            if verbs and len(subject.split()) == 1 and self.language == "de":
                subject = clause[verbs[-1].end():]  # "Dennoch betont der Trainer:" (verb second)
            name = self.name_in(subject)
            if name:
                return self._note(name, PERSON, verbs[-1].group() if verbs else None, seg.open)
            lead = re.split(r",", subject.strip())[-1 if verbs else 0].split()
            while lead and lead[0].lower() in _CONJUNCTIONS:
                lead = lead[1:]
            if not verbs:  # no verb known: only "Der Trainer" / "esta vecina" is a subject
                if len(lead) < 2 or not self._is_det(lead[0].lower()):
                    return None
                lead = lead[:2]
            return self.resolve(" ".join(lead), start, verbs[-1].group() if verbs else None)
        opinion = _OPINION_OF.search(pre)
        if opinion:  # "Para Hurtado, García Ortiz fue ... “…”" / "Selon X, «…»"
            holder = self.resolve(opinion.group(1), start + opinion.start(1), None)
            if holder and holder.kind == PERSON:
                return holder
        verbs = list(self.verb_re.finditer(pre.lower()))
        if not verbs:
            return None
        v = verbs[-1]
        if len(pre[v.end():].split()) > _MAX_GAP_WORDS:
            return None
        subject = pre[: v.start()]
        subject = re.split(r",|\s(?:que|dass|qu')\s", subject)[-1]
        subject = re.split(r"\s(?:y|et|und)\s", subject)[0]
        if not subject.strip():
            return None
        return self.resolve(subject, start + pre.find(subject), v.group())

    def reported_in(self, ps: int, pe: int, note: bool = True) -> _Speaker | None:
        """The last person reported as speaking in a stretch: a name (or its apposition)
        before a reporting verb ("Kobachidse forderte", "X, capitaine ..., Y, admet"), or
        after "selon"/"laut"/"según"/"pour"/"para" ("Selon Javier López, il faut ...")."""
        found: tuple[int, str, str | None] | None = None
        chunk = self.text[ps:pe]
        for v in self.verb_re.finditer(chunk.lower()):
            lead = re.split(r"[.!?:;]\s", chunk[: v.start()])[-1].rstrip(" ,")
            for part in reversed(lead.split(",")):
                name = self.name_in(part)
                if name and part.strip().endswith(name):
                    found = (v.start(), name, v.group())
                    break
        for m in re.finditer(r"(?<!\w)(?:selon|laut|según|pour|para)\s+", chunk, re.I):
            name = self.name_in(chunk[m.end() : m.end() + 60].split(",")[0])
            if name and chunk[m.end():].startswith(name) and (not found or m.start() > found[0]):
                found = (m.start(), name, None)
        if not found:
            return None
        sp = _Speaker(found[1], PERSON, found[2], ps + found[0])
        if note:
            self.spoken.append(sp)
        return sp


def find_quotes_multilingual(text: str, language: str) -> list[Quote]:
    """Every direct quotation in `text` whose speaker is found, in text order.

    `language` is an ISO 639-1 code with word lists in `lexicon`
    (`REPORTING_VERBS_BY_LANGUAGE`); any other gives no quotes.
    """
    if language not in REPORTING_VERBS_BY_LANGUAGE and language not in _LOCAL_VERBS:
        return []
    segments = find_segments(text, language)
    resolver = _Resolver(text, language)
    paragraphs = paragraph_spans(text)
    quotes: list[Quote] = []
    last_para_speaker: dict[int, _Speaker] = {}
    for i, seg in enumerate(segments):
        para = next(k for k, p in enumerate(paragraphs) if p[0] <= seg.open <= p[1])
        ps, pe = paragraphs[para]
        nxt = segments[i + 1].open if i + 1 < len(segments) and segments[i + 1].open < pe else pe
        # An earlier quotation in the paragraph bounds this one's sentence, unless it is a
        # term inside that sentence ("Vorsitzender der Partei "Georgischer Traum" beteuerte:").
        prev_close = ps
        for earlier in segments[max(0, i - 3) : i][::-1]:
            if earlier.close >= ps and len(text[earlier.text_start : earlier.text_end].split()) \
                    > _SHORT_MAX_WORDS:
                prev_close = earlier.close + 1
                break
        sentence = text[sentence_start_before(text, seg.open, prev_close) : seg.open].lower()
        if set(_WORD.findall(sentence)) & SLOGAN_CUES:
            continue
        speaker = resolver.after(seg, nxt) or resolver.before(seg, prev_close)
        words = len(text[seg.text_start : seg.text_end].split())
        inherits = speaker is None and words > _SHORT_MAX_WORDS  # a term needs its own speaker
        split_by = last_para_speaker.get(para)
        if inherits and i and split_by and split_by.at >= segments[i - 1].close and \
                seg.open - segments[i - 1].close <= _SPLIT_GAP_CHARS:
            speaker = split_by  # «A», dit X, «B»: a quotation split by its attribution
        if inherits and speaker is None and not text[ps : seg.open].strip() and para:
            speaker = last_para_speaker.get(para - 1) or resolver.reported_in(*paragraphs[para - 1])
        if speaker is None or words < 1 or (words == 1 and speaker.kind != PERSON):
            continue
        last_para_speaker[para] = speaker
        quotes.append(Quote(len(quotes) + 1, text[seg.text_start : seg.text_end], speaker.name,
                            speaker.kind, speaker.verb, seg.text_start, seg.text_end))
    return quotes
