"""How Piper should say the words of this film it would otherwise mangle.

The narration stays spelled as people read it (it is also the captions); :func:`respell`
rewrites one word just before Piper speaks it. An entry is either ``[[phonemes]]`` in the
espeak-ng IPA that Piper's English voices read (stress marks before the stressed vowel,
``ɡ`` is U+0261), or plain words.

Checked by reading the phonemes Piper produces (``tests/test_voice.py`` and
``benchmarks/voice.py``): Rosenbrock (ɹˈoʊzənbɹˌɑːk), Himmelblau (hˈɪmɪlblˌaʊ), Adam
(ˈædəm, as the name), alpha, beta, epsilon, nabla, "f prime", "2D"/"3D" (tˈuː dˈiː) and
decimals ("0.01": zero point zero one) come out right and need no entry; Rastrigin (espeak
says "RAS-trij-in", with the j of "jam") and Nesterov (a final "ahv") do, and so do the
symbols and forms espeak skips or spells out (∇, f', 1e-05).
"""

from __future__ import annotations

import hashlib
import json
import re

#: Lower-case word (no punctuation, no possessive 's) -> what Piper reads instead.
TABLE: dict[str, str] = {
    # Leonid Rastrigin: ras-TREE-gin, with the g of "give".
    "rastrigin": "[[ɹɑːstɹˈiːɡɪn]]",
    # Yurii Nesterov: NES-ter-off, stress on the first syllable as in Russian.
    "nesterov": "[[nˈɛstəɹˌɔːf]]",
    # espeak drops these symbols silently.
    "∇": "nabla",
    "∇f": "nabla f",
    "α": "alpha",
    "β": "beta",
    "f'": "f prime",
}

#: Scientific notation, which espeak reads digit by digit ("one E zero five").
_SCIENTIFIC = re.compile(r"(-?\d+(?:\.\d+)?)[eE]([+-]?)0*(\d+)")
_EDGE = re.compile(r"^([\"(\[]*)(.*?)([\")\].,;:!?]*)$")


def respell(word: str) -> str:
    """What Piper should read for one narration word, its punctuation kept.

    >>> respell("Rastrigin's,")
    '[[ɹɑːstɹˈiːɡɪnz,]]'
    >>> respell("1e-05.")
    '1 times ten to the minus 5.'
    """
    lead, core, tail = _EDGE.match(word).groups()
    if core.lower() not in TABLE:  # single quotes around a word are not part of it
        bare = core.strip("'")
        if bare and not core.lower().endswith("'s"):
            left = len(core) - len(core.lstrip("'"))
            lead, tail = lead + core[:left], core[left + len(bare) :] + tail
            core = bare
    possessive = core.lower().endswith("'s") and core[:-2].lower() in TABLE
    entry = TABLE.get((core[:-2] if possessive else core).lower())
    if entry is None:
        m = _SCIENTIFIC.fullmatch(core)
        if m is None:
            return word
        sign = "minus " if m[2] == "-" else ""
        return f"{lead}{m[1]} times ten to the {sign}{m[3]}{tail}"
    if not entry.startswith("[["):
        suffix = "'s" if possessive else ""
        return f"{lead}{entry}{suffix}{tail}"
    # Punctuation goes inside the phoneme block: Piper drops it after one (and its pause).
    marks = "".join(c for c in tail if c in ",.;:!?")
    rest = "".join(c for c in tail if c not in ",.;:!?")
    return f"{lead}{entry[:-2]}{'z' if possessive else ''}{marks}]]{rest}"


def table_id() -> str:
    """A short hash of the table, part of each Piper clip's cache key."""
    return hashlib.sha256(json.dumps(TABLE, sort_keys=True).encode()).hexdigest()[:12]
