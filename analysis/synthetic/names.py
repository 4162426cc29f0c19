"""Fictional area and local-authority names: invented syllables, never a real place."""

from __future__ import annotations

import re

import numpy as np

DTV_ID = "durham-tees-valley"
DTV_NAME = "Durham Tees Valley"
SYNTHETIC = "synthetic"


# Invented syllables: none of the compounds is, to our knowledge, an English or Welsh place.
HEADS = ("Varn", "Quell", "Zarn", "Brax", "Vesk", "Thrall", "Grisk", "Ister", "Jarl", "Lunn",
          "Morv", "Ossel", "Pell", "Ravel", "Skarr", "Tavish", "Xander", "Zell", "Brisk",
          "Corvel", "Dunmar", "Elsk", "Gavel", "Hask", "Oskel", "Trusk", "Prenn", "Zorbel",
          "Quarv", "Velm")


TAILS = ("holt", "mere", "combe", "stead", "wick", "water", "thorpe", "ley", "hythe",
          "garth", "dale", "ness", "fold", "brook", "by", "worth")


QUALIFIERS = ("Upper", "Lower", "Greater", "Outer", "Inner", "Vale of")


#: Compounds of the syllables above that are, or read like, real places: never used.
REAL = frozenset({"briskley", "pellworth", "lunnley", "haskley", "morvley", "gavelley"})


# names ---------------------------------------------------------------------------------------
def slug(name: str) -> str:
    """An area id from a display name: lower case, words joined by '-'."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text[:64].rstrip("-") or "area"


def place(rng: np.random.Generator) -> str:
    while True:
        word = str(rng.choice(HEADS)) + str(rng.choice(TAILS))
        if word.lower() not in REAL:
            return word


def synthetic_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct fictional area names, e.g. "Varnholt and Zellmere", "Upper Braxwick"."""
    names: list[str] = []
    ids: set[str] = set()
    attempts = 0
    while len(names) < n:
        attempts += 1
        kind = rng.random()
        if kind < 0.45:
            name = place(rng)
        elif kind < 0.80:
            first, second = place(rng), place(rng)
            if first == second:
                continue
            name = f"{first} and {second}"
        else:
            name = f"{rng.choice(QUALIFIERS)} {place(rng)}"
        if attempts > 50 * (n + 10):  # pragma: no cover - only for absurd n
            name = f"{name} {len(names) + 1}"
        ident = slug(name)
        if ident in ids or ident == DTV_ID:
            continue
        ids.add(ident)
        names.append(name)
    return names


def abbreviation(name: str) -> str:
    """Upper-case initials of a name's words (``and``/``of`` skipped), e.g. "VZ"."""
    words = [w for w in re.split(r"[^A-Za-z]+", name) if w and w.lower() not in ("and", "of")]
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w[0] for w in words)[:4].upper()
