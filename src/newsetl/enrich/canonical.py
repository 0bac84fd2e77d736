"""Canonical (nominative, fullest) forms of people's names in inflecting languages.

Why: Polish and Czech decline names, so one person is written "Piotr
Gontarczyk", "Piotra Gontarczyka" (genitive), "Rafałowi Kanarkowi" (dative) or
"Tuskiem" (instrumental). Counting each form as a person splits one person into
several, and misses every form whose first name is not in the nominative first-name
list. The rules here are small and general (case endings, not names):

- `first_name_base` reads an inflected first name back to a listed one
  ("Zbigniewa" -> "Zbigniew", "Urszuli" -> "Urszula") and says which case
  family the ending belongs to;
- `surname_base` undoes the matching ending on the surname ("Gontarczyka" ->
  "Gontarczyk", "Kanarkowi" -> "Kanarek", "Morawieckiego" -> "Morawiecki"),
  hyphenated parts each ("Kosiniaka-Kamysza");
- `same_stem` lets `people` fold a guessed form into a form the article writes
  itself, so the article's own spelling wins over the guess.

A guess can be wrong ("Ziobry" is "Ziobro", not "Ziobra"): that is why a form
the article writes in the nominative is preferred whenever there is one.
"""

from __future__ import annotations

INFLECTING = frozenset({"pl", "cs", "sk"})

# Case endings of masculine and feminine first names, longest first, with what replaces them.
# The "family" says which surname endings go with it (a genitive first name, a genitive surname).
_FIRST_ENDINGS: tuple[tuple[str, str, str], ...] = (
    ("owi", "", "dat"), ("ovi", "", "dat"), ("em", "", "ins"), ("ego", "", "gen"),
    ("a", "", "gen"), ("u", "", "dat"), ("e", "", "gen"),
    ("i", "a", "fem"), ("y", "a", "fem"), ("ą", "a", "fem"), ("ę", "a", "fem"),
    ("ě", "a", "fem"), ("é", "a", "fem"),
)
# Surname endings per family: (ending, replacement); the first that applies is used.
_SURNAME_ENDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "gen": (("skiego", "ski"), ("ckiego", "cki"), ("dzkiego", "dzki"), ("iego", "i"),
            ("ego", "y"), ("ého", "ý"), ("a", ""), ("e", ""), ("y", "a")),
    "dat": (("skiemu", "ski"), ("ckiemu", "cki"), ("iemu", "i"), ("emu", "y"), ("ému", "ý"),
            ("owi", ""), ("ovi", ""), ("u", "")),
    "ins": (("skim", "ski"), ("ckim", "cki"), ("kiem", "k"), ("giem", "g"), ("ym", "y"),
            ("ým", "ý"), ("em", "")),
    "fem": (("skiej", "ska"), ("ckiej", "cka"), ("iej", "ia"), ("ej", "a"), ("é", "á"),
            ("y", "a"), ("i", "a")),
}
_VOWELS = frozenset("aeiouyąęóáéěíýů")


def first_name_base(word: str, names: frozenset[str]) -> tuple[str, str] | None:
    """(nominative first name, case family) of an inflected first name, or None.

    Only endings whose removal gives a listed first name of three letters or more
    count. The fleeting e is tried first ("Marka" is Marek's genitive in Polish, though
    "Mark" is listed too).
    """
    for ending, repl, family in _FIRST_ENDINGS:
        if not word.endswith(ending) or len(word) - len(ending) < 3:
            continue
        stem = word[: len(word) - len(ending)]
        for base in (_fleeting_e(stem) + repl, stem + repl):
            if base in names:
                return base, family
    return None


def _fleeting_e(stem: str) -> str:
    """"Mark" -> "Marek", "Kanark" -> "Kanarek": the e that Polish drops before -k/-c
    in every case but the nominative comes back between two consonants."""
    if len(stem) >= 3 and stem[-1] in "kc" and stem[-2] not in _VOWELS | {"s", "z"} \
            and stem[-3] in _VOWELS:  # but not "Tuska" -> "Tusek"
        return stem[:-1] + "e" + stem[-1]
    return stem


def surname_base(word: str, family: str) -> str:
    """The nominative guess of a surname in the case `family` of its first name."""
    if "-" in word:
        return "-".join(surname_base(part, family) for part in word.split("-"))
    for ending, repl in _SURNAME_ENDINGS.get(family, ()):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: len(word) - len(ending)]
            if repl == "" and ending in {"owi", "ovi", "a", "em", "u"}:
                stem = _fleeting_e(stem)  # "Kanarkowi" -> "Kanarek"
            return stem + repl
    return word


def same_stem(a: str, b: str) -> bool:
    """Two forms of one word: equal, or equal but for endings of at most three letters
    after a shared stem of four letters or more ("Gontarczyka" / "Gontarczyk")."""
    if a == b:
        return True
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k >= 4 and len(a) - k <= 3 and len(b) - k <= 3 and k >= min(len(a), len(b)) - 2
