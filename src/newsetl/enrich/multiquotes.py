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
- or at the end of the quotation's sentence: after a later quotation of the same
  sentence («A» dû à «B», explique X gives A to X too) or in its last clause
  («A», avec …, note aussi la Drees); "according to" after it ("…", según
  asegura Campo / «…», selon la Drees) or before it ("A juicio del mandatario,
  …" / "Dem Sprecher zufolge …");
- a pronoun or a missing subject (déclare-t-il / confesó) is the previous
  speaker if the pronoun's gender allows (gender-guesser's list), else the last
  person of that gender named nearby; with no speaker near, the last person
  named in the paragraph; a new paragraph about someone else (it names another
  person of the article and not the previous speaker) means that person. A
  surname alone is the fullest earlier name ending in it; a role with a definite
  article ("der Leseforscher", "el alcalde de Bédar") is the person that role
  (with its complement) was attached to earlier, or the one person named in the
  sentence before the quotation ("Sergio Llull bat um Entschuldigung. «…»,
  twitterte der Aufbauspieler"), or the person who spoke in the paragraph before
  when the role's gender allows, else it stays as written; a name after "de"
  in a role is its organisation ("el team principal de Red Bull"), not a speaker;
- in German, capitals are no evidence of a name: a run of capitalised words is a
  name only from a known first name on ("Hessens Arbeitsministerin Heike
  Hofmann") or as a role before the surname of a person the article names in
  full ("US-Präsident Trump"), or as the two words right after a reporting verb;
  a verb closing a clause without a comma ("… als „das gewisse Etwas“
  beschreibt.") attributes nothing;
- a paragraph that is only a quotation continues the previous paragraph's;
  a short quotation in title case with no speaker of its own is a title.

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
from functools import lru_cache
from importlib.resources import files

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
_LEAD_WORDS = re.compile(r"(?:[^\W\d_][\w’'\-]*\s+){1,3}$")
_WORD = re.compile(r"[^\W\d_][\w’'\-]*")
_STRAIGHT_OPEN_CONTEXT = " \t\n([{—–-/:"
_MAX_GAP_WORDS = 25  # words between a reporting verb before a quotation and the quotation
_SHORT_MAX_WORDS = 5
# A quotation of _SHORT_MAX_WORDS or fewer with no speaker of its own is a term, not a statement.
_TRAILING_CLAUSE_CHARS = 150  # «A» …, note X: the words between a quotation and the comma
_SPLIT_GAP_CHARS = 300  # «A», dit X, «B»: the attribution between the two parts is this short
# Words that end a speaker phrase: what follows says where or when, not who.
_PHRASE_END = {
    "de": r"in|im|auf|bei|beim|am|an|gegenüber|während|nach|vor|über|mit|laut|als|und|dass|weil"
          r"|zu|zum|zur|nun|jetzt|dann|weiter|derweil|später",
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
# "A juicio del mandatario, …" / "Selon le ministre, …" / "Laut dem Sprecher …" / "Dem Sprecher
# zufolge …": a described source whose view follows (resolved like a speaker phrase).
_OPINION_OF_ROLE = re.compile(
    r"(?:^|[\s,])(?:[Aa] juicio|[Ee]n opinión|[Ss]egún|[Ss]elon|[Dd]['’]après|[Ll]aut|"
    r"[Nn]ach (?:Angaben|Ansicht|Einschätzung))\s+([^,.;:!?«»„“\"]{2,60}?)(?=,|\s+(?:sei|"
    r"seien|habe|hätten|könne|müsse|werde|gebe)\b)"
    r"|(?:^|[\s,])((?:[Dd]e[mr]|[Dd]es)\s+[^,.;:!?«»„“\"]{2,50}?)\s+zufolge\b")
# The article inside "de"/"von" + article: "del mandatario" is "el mandatario".
_CONTRACTED = (("del ", "el "), ("du ", "le "), ("des ", "les "), ("de ", ""), ("von ", ""),
               ("dem ", "der "))
_TITLES = frozenset({"m", "mm", "mme", "mlle", "me", "dr", "pr", "herr", "frau", "sr", "sra",
                     "srta", "don", "doña", "prof"})


def _wordset(block: str) -> frozenset[str]:
    """The whitespace-separated words of a block, so word lists read like prose."""
    return frozenset(block.split())


# Reporting verbs beyond `lexicon`'s lists (kept here while another change reworks that module):
# past and imperfect forms news uses after a quotation, and verbs with a prefix written apart.
_EXTRA_VERBS = {
    "de": _wordset("""
        äußert äußerte verkündet verkündete erinnert erinnerte schildert schilderte resümiert
        resümierte gesteht gestand bilanziert bilanzierte fragt fragte hofft hoffte fügte
        teilte teilt stellte führte räumte gab sprach spricht appelliert appellierte
        lobt lobte warnt warnte droht drohte urteilt urteilte räumt gibt stellt führt schätzt
        schätzte beschreibt beschrieb gratuliert gratulierte lacht lachte seufzt seufzte
        schmunzelt schmunzelte"""),
    "fr": _wordset("""
        disait expliquait affirmait déclarait estimait racontait ajoutait assurait soulignait
        confiait précisait indiquait déclara expliqua ajouta lâche lâché glisse glissé
        tempère tempéré nuance nuancé déplore déploré témoigne témoigné réagit réagi
        s'agace s'inquiète s'emporte s'insurge sourit plaisante ironise s'amuse"""),
    "es": _wordset("""
        expresó expresa defendió defiende aseveró asevera remarcó remarca enfatizó enfatiza
        puntualizó puntualiza matizó matiza propuso propone recordó recuerda detalló detalla
        opinó opina valoró valora narró decía explicaba aseguraba contaba reiteró reitera
        anunció anuncia informó informa apostilló bromea bromeó sonríe sonrió"""),
}
# Words that report speech right after a quotation but are common words elsewhere.
_ONLY_AFTER_QUOTE = frozenset({"so", "note", "juge", "lance", "cuenta", "rief", "ruft", "fragt",
                               "fragte", "hofft", "hoffte", "gab", "teilte", "teilt", "stellte",
                               "führte", "räumte", "fügte", "sprach", "spricht", "lâche",
                               "glisse", "nuance", "recuerda", "valora", "opina", "detalla",
                               "propone", "propuso", "informa", "anuncia", "droht", "drohte",
                               "räumt", "gibt", "stellt", "führt", "schätzt", "schätzte",
                               "beschreibt", "beschrieb", "lacht", "lachte", "seufzt", "seufzte",
                               "schmunzelt", "schmunzelte", "sourit", "plaisante", "bromea",
                               "sonríe", "sonrió"})
# "According to" after a quotation: «…», selon la Drees / "…", según (asegura) Campo.
_ACCORDING_TO = frozenset({"selon", "según", "laut"})
_OBJECT_PRONOUNS = frozenset({"lui", "elle", "eux", "él", "ella", "ihm", "ihr"})
# Adverbs between a reporting verb and its subject: «…», note aussi la Drees.
_ADVERBS = frozenset({"aussi", "également", "encore", "ensuite", "enfin", "además", "también",
                      "luego", "auch", "noch", "weiter", "außerdem", "zudem", "derweil", "etwa",
                      "nun", "dann", "jetzt"})
_LEADING_PREPOSITIONS = frozenset({"desde", "von", "seitens", "depuis"})
_RELATIVE_PRONOUNS = frozenset({"der", "die", "das", "welcher", "welche", "qui", "lequel",
                                "laquelle", "quien", "quienes", "cual"})
_CONJUNCTIONS = frozenset({"aber", "und", "doch", "mais", "et", "pero", "y", "sin", "embargo"})


# A German subject with no reporting verb ("Eine junge Anwältin, entschlossen: „…“") is a
# speaker only with an article and a noun ending as nouns for people do.
_GERMAN_ARTICLES = frozenset({"der", "die", "ein", "eine", "einer"})
_GERMAN_PERSON_ENDINGS = ("er", "in", "ent", "ist", "eur", "or", "ant", "mann", "frau", "chef",
                          "kind", "at", "oge", "ling", "rat")
# German role nouns whose article does not tell their gender ("die Mutter", "der Sohn").
_GERMAN_GENDERED = {
    **dict.fromkeys(("mutter", "frau", "tochter", "schwester", "oma", "großmutter"), "f"),
    **dict.fromkeys(("vater", "mann", "sohn", "bruder", "opa", "großvater"), "m"),
}
_PRONOUN_GENDER = {"il": "m", "elle": "f", "t-il": "m", "t-elle": "f", "er": "m", "él": "m",
                   "ella": "f"}


@lru_cache(maxsize=1)
def _genders() -> dict[str, str]:
    """First name -> 'm' or 'f' from gender-guesser's list (nam_dict.txt), where the list
    gives one gender only; read once, on the first pronoun or role that needs it."""
    data = files("gender_guesser").joinpath("data/nam_dict.txt").read_text(encoding="utf-8")
    seen: dict[str, set[str]] = {}
    for code, name in re.findall(r"^[1?]?([MF]) +(\S+)", data, re.M):
        seen.setdefault(name.replace("+", "-").lower(), set()).add(code.lower())
    return {name: g.pop() for name, g in seen.items() if len(g) == 1}


def _gender_fits(name: str, gender: str | None, strict: bool = False) -> bool:
    """Whether a person's first name does not contradict a pronoun's or role's gender
    (an unknown name fits either, unless `strict`: then it must be known to match)."""
    if gender is None:
        return True
    known = _genders().get(name.split()[0].lower())
    return known == gender or (known is None and not strict)


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


@lru_cache(maxsize=8)
def _verbs_before_pattern(verbs: frozenset[str]) -> re.Pattern[str]:
    """Any of `verbs` but those only reporting right after a quotation, as a word; built once
    per language."""
    before = verbs - _ONLY_AFTER_QUOTE
    return re.compile(r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, before), key=len,
                                                          reverse=True)) + r")(?![\w-])")


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
    marks = re.compile("[" + re.escape("".join({*pairs, *"".join(pairs.values())})) + "]")
    for ps, pe in paragraph_spans(text):
        opened: int | None = None
        for found in marks.finditer(text, ps, pe):  # only the marks, not every character
            i, ch = found.start(), found.group()
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
        self.verbs = (REPORTING_VERBS_BY_LANGUAGE.get(language) or _LOCAL_VERBS[language]) | \
            _EXTRA_VERBS.get(language, frozenset())
        self.pronouns = PRONOUNS_BY_LANGUAGE.get(language) or _LOCAL_PRONOUNS[language]
        self.determiners = DETERMINERS_BY_LANGUAGE.get(language, frozenset())
        self.spoken: list[_Speaker] = []
        self._known: dict[str, str | None] = {}  # surname -> full name (`known_person`)
        self._lower: frozenset[str] | None = None  # words the article writes in lower case
        self.quote_open = 0  # where the quotation being attributed opens
        self.phrase_end = re.compile(r"\s(?:" + _PHRASE_END[language] + r")\s.*$", re.S)
        # Before a quotation a verb is looked for anywhere in the sentence, so words that are
        # reporting verbs only right after a quotation ("„…“, so Dawidowski", "«…», note X")
        # and common words elsewhere ("so gut", "la note", "en cuenta") are left out there.
        self.verb_re = _verbs_before_pattern(self.verbs)

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
                best = run if self.language != "de" else self._german_name(run)
            run = [w] if w and self._is_cap(w) else []
        return " ".join(best) if best else None

    def _german_name(self, run: list[str]) -> list[str]:
        """The person a German capitalised run names, or [] for none: nouns are capitalised
        too, so a run is a name only from a known first name on ("Hessens Arbeitsministerin
        Heike Hofmann"), or as a role before the surname of a person named with a first name
        elsewhere in the article ("US-Präsident Trump"), never by its capitals alone ("Sieg
        Nadeschdins", "Auch Debatten")."""
        for i, w in enumerate(run[:-1]):
            if self._first_name(w):
                return run[i : i + 4]
        full = self.known_person(run[-1])
        return full.split() if full else []

    def known_person(self, surname: str) -> str | None:
        """The person of the article, named somewhere with a known first name, whose name
        ends in `surname` ("Oleksandr Usyk" for "Ukrainer Usyk"); looked up once per name."""
        if surname not in self._known:
            self._known[surname] = None
            for m in re.finditer(r"(?<=\s)" + re.escape(surname) + r"(?![\w’'\-])", self.text):
                lead = self.text[max(0, m.start() - 60) : m.start()].split()[-3:]
                if lead and not lead[-1][-1:].isalpha():
                    continue  # "Lange, … Nico": a comma or a period between
                for k in range(len(lead) - 1, -1, -1):
                    if self._first_name(lead[k]) and all(
                            w[:1].isupper() or w in NAME_INNER_WORDS for w in lead[k:]):
                        self._known[surname] = " ".join([*lead[k:], surname])
                        return self._known[surname]
        return self._known[surname]

    def _first_name(self, word: str) -> bool:
        """A known given name that the article never writes in lower case ("Im" is no name)."""
        from newsetl.enrich.people import first_names

        return word in first_names() and word.lower() not in self._lower_words()

    def _lower_words(self) -> frozenset[str]:
        """The words the article writes in lower case, read once."""
        if self._lower is None:
            self._lower = frozenset(re.findall(r"(?<![\w’'\-])[a-zß-öø-ÿ][\w’'\-]*", self.text))
        return self._lower

    def full_name(self, surname: str, before: int) -> str | None:
        """The fullest earlier name ending in `surname` (a speaker first, else any run)."""
        for sp in reversed(self.spoken):
            if sp.kind == PERSON and sp.name.split()[-1] == surname:
                return sp.name
        # each mention of the surname, with up to three words written just before it (found
        # from the mention backwards: a pattern that starts at every word is much slower)
        for m in re.compile(r"(?<![\w’'\-])" + re.escape(surname) + r"\b").finditer(
                self.text, 0, before):
            lead = _LEAD_WORDS.search(self.text, max(0, m.start() - 80), m.start())
            if lead is None:
                continue
            name = self.name_in(lead.group(0) + surname)
            if name and name.split()[-1] == surname:
                return name
        return None

    def role_holder(self, role: str, before: int, complement: str | None = None) -> str | None:
        """The person a role noun was attached to earlier ("Leseforscher Christian Dawidowski",
        "David Campo, portavoz de ..."): the latest name within a few words of the role;
        with a `complement` ("Défense" of "ministre de la Défense"), only a mention of
        the role near that word ("le ministre russe de la Défense, Andreï B.")."""
        found = None
        for m in re.finditer(r"(?<![\w-])" + re.escape(role) + r"(?![\w-])", self.text[:before]):
            window = self.text[max(0, m.start() - 60) : m.end() + 60]
            if complement and complement not in window:
                continue  # "el alcalde de Bédar" is not "el alcalde de Lubrín, Domingo …"
            end = m.end()
            if " " in role and role.split()[-1][:1].isupper():  # "portavoz de la
                run = re.match(r"(?:\s+[A-ZÀ-ÖØ-Þ][\w’'\-]*)*", self.text[end:])  # Asociación
                end += run.end() if run else 0  # Vecinal Pradera-Tercio Terol, David Campo"
            follow = self.text[end : end + 90]
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

    def previous(self, at: int, kind: str | None = None) -> _Speaker | None:
        """The last speaker (of `kind`, if given) found before `at`."""
        earlier = [s for s in self.spoken if s.at < at and kind in (None, s.kind)]
        return max(earlier, key=lambda s: s.at) if earlier else None

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
        if self.language == "de" and phrase.split(" ", 1)[0].lower() in self.determiners:
            while " " in phrase and phrase.rsplit(" ", 1)[-1][:1].islower() and \
                    phrase.rsplit(" ", 1)[-1].lower() not in self.determiners:
                phrase = phrase.rsplit(" ", 1)[0]  # "der Drusenführer (kämpferisch)"
        words = _WORD.findall(phrase)
        if not words or phrase[:1] in "0123456789":
            return self._prev(at, verb) if not phrase else None
        low = [w.lower() for w in words]
        if low[0] in self.pronouns or (len(words) == 1 and low[0] in {"t-il", "t-elle"}):
            gender = _PRONOUN_GENDER.get(low[0])
            if low[0] == "sie" and verb and not verb.endswith("en"):
                gender = "f"  # "sagte sie" (she); "sagten sie" (they)
            return self._prev(at, verb, gender)
        if len(words) > 8:  # a long description: only a person named at its end speaks
            named = self._person_ending(phrase)
            return self._note(named, PERSON, verb, at) if named else None
        name = self.name_in(phrase)
        if name and not self._is_det(low[0]):
            return self._note(name, PERSON, verb, at)
        if len(words) == 1 and self._is_cap(words[0]):
            full = self.full_name(words[0], at)
            if full is None and self.language == "de":
                from newsetl.enrich.people import first_names

                if words[0] in first_names():  # "„…“, sagt Andrij"
                    return self._note(words[0], PERSON, verb, at)
                return None  # "Dennoch", "Laut": a capitalised word is no name in German
            return self._note(full or words[0], PERSON if full else ORG, verb, at)
        if self._is_det(low[0]) and len(words) >= 2:
            head = words[1] if len(words) == 2 else words[-1]
            if low[0] in _DEFINITE[self.language] and not self._is_det(low[1]) and (
                    self.language == "de" or words[1].islower()):
                # "el alcalde de Bédar" is not "el alcalde de Lubrín": a role's complement
                # naming a place or a body is part of the role
                role = re.match(r"\S+\s+(\S+)(\s+(?:de|del|du|des|de la|von|der)\s+"
                                r"([A-ZÀ-ÖØ-Þ][\w’'\-]*))?", phrase)
                holder = None
                if role and role.group(2):
                    holder = self.role_holder(role.group(1) + role.group(2), at - len(phrase))
                holder = holder or self.role_holder(
                    words[1], at - len(phrase), role.group(3) if role else None)
                if holder:
                    return self._note(holder, PERSON, verb, at)
                prev = self.previous(at)
                if len(words) == 2 and prev and prev.kind == PERSON and \
                        self.text.count("\n", prev.at, at) <= 2 and \
                        self._role_fits(prev.name, low):
                    return self._note(prev.name, PERSON, verb, at)  # "Der Trainer freut sich"
            complement = name is not None and re.search(  # "el team principal de Red Bull"
                r"\s(?:de|del|du|des|von|of|di|d['’])\s*$", phrase[: phrase.rfind(name)])
            if name and phrase.endswith(name) and not complement and not {
                    w.lower() for w in name.split()} & INSTITUTION_NOUNS:
                return self._note(name, PERSON, verb, at)  # "der … Fed-Vizechef Michael Barr"
            if (name is None or complement) and low[0] in _DEFINITE[self.language]:
                holder = self.apposed_person()
                if holder:  # "Sergio Llull bat um Entschuldigung. «…», twitterte der 35
                    return self._note(holder, PERSON, verb, at)  # Jahre alte Aufbauspieler"
                prev = self.previous(at, PERSON)
                if self._is_role(words) and prev and \
                        prev.at >= self._paragraph_before(at) and \
                        self._role_fits(prev.name, low):
                    return self._note(prev.name, PERSON, verb, at)  # «…», écrit le chef du
                    # gouvernement travailliste (the speaker of the paragraph before)
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

    def _person_ending(self, phrase: str) -> str | None:
        """The person with a known first name that ends a long description ("le directeur
        adjoint du Village Augustin Tran Van Chau"), unless it follows "de" (a complement)."""
        from newsetl.enrich.people import find_people

        for e in find_people(phrase, self.language):
            end = phrase.rstrip(" ,.")
            if end.endswith(e.name) and not re.search(
                    r"\s(?:de|del|du|des|von|of|di|d['’])\s*$", end[: len(end) - len(e.name)]):
                return e.name
        return None

    def _is_role(self, words: list[str]) -> bool:
        """A definite description headed by a lower-case noun that is no institution ("le
        chef du gouvernement", "el team principal de Red Bull"): a role one person holds."""
        if len(words) < 2:
            return False
        if self.language == "de":
            return words[1].lower() not in INSTITUTION_NOUNS
        return words[1][:1].islower()

    def _role_fits(self, name: str, low: list[str]) -> bool:
        """Whether a person may hold the role `low` by gender: a kinship noun ("die Mutter")
        needs a first name known to be of its gender, an article only one not against it."""
        noun = next((w for w in low[1:] if w not in self.determiners), "")
        return _gender_fits(name, self._role_gender(low),
                            strict=self.language == "de" and noun in _GERMAN_GENDERED)

    def _role_gender(self, low: list[str]) -> str | None:
        """The gender a role's article or ending gives: la ministre (f), el portavoz (m),
        die Sprecherin (f), der Sprecher (m); None where it says nothing."""
        if self.language == "de":
            noun = next((w for w in low[1:] if w not in self.determiners), "")
            if noun in _GERMAN_GENDERED:
                return _GERMAN_GENDERED[noun]
            return "f" if low[0] == "die" and noun.endswith("in") else \
                "m" if low[0] == "der" else None
        return {"la": "f", "le": "m", "el": "m"}.get(low[0])

    def _german_person_noun(self, lead: list[str]) -> list[str]:
        """ "Ein junger Mann mit müden Augen" -> "Ein junger Mann": an article, adjectives and
        a noun that names a person (by its ending: -er, -in, -ent, -ist, -mann, ...); [] for
        a thing ("Eine Aussage", "Das Treffen", "Ihre Arbeit")."""
        if lead[0].lower() not in _GERMAN_ARTICLES:
            return []
        for k, w in enumerate(lead[1:5], 1):
            if w[:1].isupper():
                return lead[: k + 1] if w.lower().endswith(_GERMAN_PERSON_ENDINGS) else []
        return []

    def _is_det(self, word: str) -> bool:
        return word in self.determiners or word.startswith(("l'", "l’", "d'", "d’"))

    def _prev(self, at: int, verb: str | None, gender: str | None = None) -> _Speaker | None:
        """Who a pronoun or a missing subject means: a person introduced as speaking since
        the last quotation's speaker ("..., Joan Vaquero, admet que ..."), else that speaker;
        with no speaker near, the last person named in the paragraph ("Le colistier de
        Donald Trump, JD Vance, a tenu … «…», a-t-il raconté") of the pronoun's gender."""
        window = self._paragraph_before(at)
        prev = self.previous(at)
        newer = self.reported_in(max(prev.at + 1 if prev else 0, window), at, note=False)
        if newer:
            return self._note(newer.name, PERSON, verb, at)
        if prev is None or prev.at < window:
            named = self._last_named(self.text.rfind("\n", 0, self.quote_open) + 1,
                                     self.quote_open, gender)
            return self._note(named, PERSON, verb, at) if named else None
        if prev.kind == PERSON and not _gender_fits(prev.name, gender):
            # "sagte sie" after a man's quotation: the last woman who spoke or was named
            # since the paragraph before, else nobody
            spoke = next((sp.name for sp in sorted(self.spoken, key=lambda sp: -sp.at)
                          if window <= sp.at < at and sp.kind == PERSON
                          and _gender_fits(sp.name, gender)), None)
            named = spoke or self._last_named(window, self.quote_open, gender, strict=True)
            return self._note(named, PERSON, verb, at) if named else None
        para_start = self.text.rfind("\n", 0, self.quote_open) + 1
        if prev.at < para_start:
            topic = self._paragraph_topic(prev, para_start, self.quote_open)
            if topic and _gender_fits(topic, gender):
                return self._note(topic, PERSON, verb, at)
        return _Speaker(prev.name, prev.kind, verb, at)

    def _paragraph_topic(self, prev: _Speaker, start: int, end: int) -> str | None:
        """A new paragraph about someone else: the first person of the article it names
        before the quotation ("A Russell, cuarto en la meta, … «…», rememoró" after Ben
        Sulayem's quotation), when it does not name the previous speaker too."""
        from newsetl.enrich.people import find_people

        chunk = self.text[start:end]
        if not chunk.strip() or prev.name.split()[-1] in chunk:
            return None
        people = {*(sp.name for sp in self.spoken if sp.kind == PERSON),
                  *(e.name for e in find_people(chunk, self.language))}
        for m in re.finditer(r"(?<=\s)[A-ZÀ-ÖØ-Þ][\w’'\-]+", chunk):  # "A Russell, cuarto …"
            full = self.known_person(m.group())
            if full:
                people.add(full)
        first: tuple[int, str] | None = None
        for name in people:
            m = re.search(r"(?<!\w)" + re.escape(name.split()[-1]) + r"(?!\w)", chunk)
            if m and (first is None or m.start() < first[0]):
                first = (m.start(), name)
        return first[1] if first else None

    def _last_named(self, start: int, end: int, gender: str | None,
                    strict: bool = False) -> str | None:
        """The last person named between `start` and `end` whose first name does not
        contradict `gender`: one with a known first name, or (outside German, where
        capitals mark nouns) a run of two capitalised words not after "de"/"of"."""
        from newsetl.enrich.people import find_people

        chunk = self.text[start:end]
        found = [(max(e.offsets or [e.first_offset]), e.name)
                 for e in find_people(chunk, self.language)]
        if self.language != "de":
            for m in re.finditer(r"(?<![\w’'])(?:[A-ZÀ-ÖØ-Þ][\w’'\-]*\s+){1,3}"
                                 r"[A-ZÀ-ÖØ-Þ][\w’'\-]*", chunk):
                before = chunk[max(0, m.start() - 4) : m.start()].lower()
                name = self.name_in(m.group())
                if name and not re.search(r"\b(?:de|del|du|des|of|d['’])\s*$", before) and \
                        sentence_start_before(chunk, m.start()) != m.start():
                    found.append((m.start(), name))
        for _, name in sorted(found, reverse=True):
            if _gender_fits(name, gender, strict):
                return name
        return None

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
        self.quote_open = seg.open
        rest = self.text[seg.close + 1 : limit]
        m = re.match(r"[\s,.—–-]*", rest)
        rest_from = m.end() if m else 0
        tail = rest[rest_from:]
        words = tail.split(None, 2)
        if not words:
            return None
        first = words[0].lower()
        if first in _ACCORDING_TO and len(words) > 1:
            if re.split(r"[,.;:]", words[1].lower())[0] not in self.verbs:
                return self._according_to(seg, seg.close + 1 + rest_from + len(words[0]), limit)
            skip = tail.find(words[1])  # "…", según asegura Campo: the verb follows
            rest_from, tail = rest_from + skip, tail[skip:]
            words = tail.split(None, 2)
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
        after_verb = tail.split(None, verb_at + 1)
        subject = after_verb[verb_at + 1] if len(after_verb) > verb_at + 1 else ""
        while subject.split(None, 1)[:1] and subject.split(None, 1)[0].lower() in _ADVERBS:
            subject = subject.split(None, 1)[1] if " " in subject.strip() else ""  # note aussi X
        inverted = re.match(r"[^\s,.;:!?]*-(?:t-)?(il|elle)\b", verb_word)
        if inverted:
            self.quote_open = seg.open
            return self._prev(seg.close, bare, _PRONOUN_GENDER[inverted.group(1)])
        if verb_word.endswith(":"):
            return None  # "»Georgischer Traum«, beteuerte: »…«": the verb opens what follows
        if self.language == "de" and "," not in rest[:rest_from] and (
                verb_word.endswith((".", ";", ",")) or _is_title(self.text, seg)):
            return None  # "… als „das gewisse Etwas“ beschreibt." (a verb-final clause),
            # "„Vatican News“ verkündete …" (the quotation is the subject)
        if verb_word.endswith((",", ".", ";")) or not subject or subject[:1] in ",.;:!?":
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
        found = self.resolve(chunks[0], start, bare)
        if found is None and self.language == "de":  # „…“, sagte Agit Kabayel: right after
            pair = self.phrase_end.sub("", " " + chunks[0] + " ").split()  # the verb, two
            if len(pair) == 2 and all(w[:1].isupper() for w in pair) and \
                    pair[0].lower() not in self.determiners:  # capitalised words name
                return self._note(" ".join(pair), PERSON, bare, start)  # the speaker
        return found

    def _according_to(self, seg: _Segment, at: int, limit: int) -> _Speaker | None:
        """«…», selon la Drees / „…“, laut Polizei: whose statement the quotation is, named
        after "according to" up to the clause's end."""
        clause = re.split(r"[,.;:!?\n()]|\s[—–]\s", self.text[at:limit])[0]
        if clause.strip().lower() in _OBJECT_PRONOUNS:
            return self._prev(seg.close, None)  # "selon lui"
        self.quote_open = seg.open
        return self.resolve(clause, at + len(clause) - len(clause.lstrip()), None)

    def before(self, seg: _Segment, floor: int) -> _Speaker | None:
        """X beteuerte: "…" / Der Trainer freut sich: „…“ / una vecina comenta que "…"."""
        self.quote_open = seg.open
        start = sentence_start_before(self.text, seg.open, floor)
        pre = self.text[start : seg.open]
        if pre.rstrip().endswith(":"):
            clause = pre.rstrip()[:-1]
            verbs = list(self.verb_re.finditer(clause.lower()))
            subject = clause[: verbs[-1].start()] if verbs else clause
            if verbs:  # "X dice que: …"; without a verb "que" opens a relative clause
                subject = re.split(r"\s(?:que|dass|qu')\s", subject)[-1]
            if verbs and len(subject.split()) == 1 and self.language == "de":
                subject = clause[verbs[-1].end():]  # "Dennoch betont der Trainer:" (verb second)
            name = self.name_in(subject)
            if name:
                return self._note(name, PERSON, verbs[-1].group() if verbs else None, seg.open)
            parts = subject.strip().split(",")
            lead = parts[-1 if verbs else 0].split()
            if verbs and len(parts) >= 2 and lead and lead[0].lower() in _RELATIVE_PRONOUNS:
                # "…, schmunzelte Blanik, die von einem ruhigen Vormittag berichtete: „…“"
                holder = parts[-2].split()[-2:]
                return self.resolve(" ".join(holder), start, verbs[-1].group()) \
                    if holder and holder[-1][:1].isupper() else None
            while lead and lead[0].lower() in _CONJUNCTIONS:
                lead = lead[1:]
            if not verbs:  # no verb known: only "Der Trainer" / "esta vecina" is a subject
                if len(lead) < 2 or not self._is_det(lead[0].lower()):
                    return None
                lead = lead[:2] if self.language != "de" else self._german_person_noun(lead)
                if not lead:
                    return None
            return self.resolve(" ".join(lead), start, verbs[-1].group() if verbs else None)
        opinion = _OPINION_OF.search(pre)
        if opinion:  # "Para Hurtado, García Ortiz fue ... “…”" / "Selon X, «…»"
            holder = self.resolve(opinion.group(1), start + opinion.start(1), None)
            if holder and holder.kind == PERSON:
                return holder
        role = _OPINION_OF_ROLE.search(pre)
        if role:  # "A juicio del mandatario emiratí, los pilotos han de “…”"
            group = 1 if role.group(1) else 2
            phrase = role.group(group)
            for contracted, article in _CONTRACTED:
                if phrase.lower().startswith(contracted):
                    phrase = article + phrase[len(contracted):]
            holder = None
            name = self.name_in(phrase)
            if phrase.split(" ", 1)[0].lower() in self.determiners or (
                    name and phrase.strip().endswith(name)):  # "Laut Polizeisprecher Jan Ott"
                holder = self.resolve(phrase, start + role.start(group), None)
            if holder and (holder.kind != UNNAMED or len(phrase.split()) <= 4):
                return holder  # "Dem Sprecher zufolge …" (unnamed, as written)
        verbs = list(self.verb_re.finditer(pre.lower()))
        if not verbs:
            return None
        v = verbs[-1]
        if len(pre[v.end():].split()) > _MAX_GAP_WORDS:
            return None
        parts = re.split(r",|\s(?:que|dass|qu')\s", pre[: v.start()])
        subject = parts[-1]
        if not subject.strip() and len(parts) >= 3:
            subject = self._apposed_subject(parts[-3], parts[-2])
        pieces = re.split(r"\s(?:y|et|und)\s", subject)
        lead = pieces[-1].split()[:1]  # "X y Y dijeron" is X; "… y él contestó" is "él"
        subject = pieces[-1] if lead and lead[0].lower() in self.pronouns else pieces[0]
        if not subject.strip():
            return None
        return self.resolve(subject, start + pre.find(subject), v.group())

    def _apposed_subject(self, head: str, apposition: str) -> str:
        """The subject of "X, qui …, affirme" (X), "le ministre, Andreï B., a dit" (the
        name) or "David Campo, portavoz de …, señala" (X): a name between commas is the
        speaker, else the name the apposition describes, else the apposition as written."""
        name = self.name_in(apposition)
        if name and apposition.strip() == name:
            return apposition
        name = self.name_in(head)
        if name and head.strip().endswith(name):
            return head
        return apposition

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
    peeked: dict[int, _Speaker | None] = {}  # a later quotation's attribution, found ahead
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
        speaker = peeked.pop(i) if i in peeked else resolver.after(seg, nxt)
        if speaker is None and _is_title(text, seg):
            continue  # "Desert Island Discs" (but "Good Morning", sagt sie: said)
        speaker = speaker or resolver.before(seg, prev_close)
        title_like = len(text[seg.text_start : seg.text_end].split()) <= _SHORT_MAX_WORDS and \
            text[seg.text_start : seg.text_start + 1].isupper()  # « Le Monde »: a name
        if speaker is None and not title_like:  # «A» dû à «B», explique X / «A», selon la Drees
            speaker = _sentence_speaker(text, segments, i, pe, resolver, peeked)
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


def _sentence_speaker(text: str, segments: list[_Segment], i: int, para_end: int,
                      resolver: _Resolver, peeked: dict[int, _Speaker | None]
                      ) -> _Speaker | None:
    """The attribution that closes the sentence of quotation `i` when none follows it
    directly: after a later quotation of the same sentence («A» dû à «B», explique X; the
    earlier fragment is the same speaker's), or in a last clause after a comma («A», avec
    …, note aussi la Drees). None when the sentence ends first."""
    seg = segments[i]
    last = seg
    for j in range(i + 1, len(segments)):
        later = segments[j]
        if later.open >= para_end or _sentence_ends(text, last.close + 1, later.open):
            break
        nxt = segments[j + 1].open if j + 1 < len(segments) and \
            segments[j + 1].open < para_end else para_end
        if j not in peeked:
            peeked[j] = resolver.after(later, nxt)
        if peeked[j] is not None:
            return peeked[j]
        last = later
    if len(text[seg.text_start : seg.text_end].split()) < 2:
        return None  # « asymétrique » …, so Lange: one word is a term the writer uses
    end = min(_sentence_end(text, last.close), para_end)
    stretch = text[last.close + 1 : end]
    comma = stretch.rfind(",")
    if comma < 0 or comma > _TRAILING_CLAUSE_CHARS:
        return None
    at = last.close + 1 + comma
    return resolver.after(_Segment(seg.open, at - 1, seg.text_start, seg.text_end), end)


def _sentence_ends(text: str, start: int, stop: int) -> bool:
    """A sentence boundary lies between `start` and `stop`."""
    return sentence_start_before(text, stop, start) > start + \
        len(text[start:stop]) - len(text[start:stop].lstrip())


def _is_title(text: str, seg: _Segment) -> bool:
    """A short quotation in title case with no closing punctuation names a work or a
    product ("Desert Island Discs", »Classic«), not something said."""
    quoted = text[seg.text_start : seg.text_end]
    words = _WORD.findall(quoted)
    return 2 <= len(words) <= _SHORT_MAX_WORDS and all(w[:1].isupper() for w in words) and \
        quoted.rstrip()[-1:] not in ".!?…"
