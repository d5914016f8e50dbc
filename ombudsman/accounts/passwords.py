"""Passwords: Argon2id hashing and the one password policy.

The policy (`check_policy`) is applied wherever a person chooses a password: the admin's user form, the
account page, the reset page and `flask users create`. The demo seed alone bypasses it (its accounts use
"demo", demo data only). A new password must

- be at least PASSWORD_MIN_LENGTH characters long (config, 12 by default);
- not be a commonly breached password: zxcvbn's offline list of the 30,000 most frequent passwords of public
  breaches, also in l33t or reversed form, and nothing zxcvbn rates as guessable within about 10^6 guesses
  (score 0 or 1: keyboard walks, repeats, a breached word plus digits); no network is used;
- not be or contain the user's e-mail address, the part before its "@", or their name.

Why zxcvbn (pinned in requirements.txt): it is maintained (4.5.0, 2025), pure Python, MIT-licensed, and ships
its frequency lists inside the package, so the check works offline on every node; a password-strength
estimator also catches the variants ("P@ssw0rd12345") that an exact list lookup misses.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

from ombudsman.errors import Invalid

# zxcvbn's score: 0-1 = guessable within ~10^6 guesses, refused; 2 and up are accepted.
MIN_SCORE = 2
# zxcvbn's own cap on the characters it analyses (its cost grows with the length).
ANALYSED_LENGTH = 72
# Parts of a name or e-mail shorter than this are not looked for inside a password ("Ed" in "credit").
MIN_PERSONAL_PART = 4


@cache
def _hasher_for(params: tuple[tuple[str, int], ...]) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(params))
    # Verified against when the e-mail is unknown, so both paths cost the same time.
    return hasher, hasher.hash("not-a-real-password")


def hasher() -> tuple[PasswordHasher, str]:
    """The Argon2id hasher with the configured cost, and a dummy hash to verify against for unknown users."""
    return _hasher_for(tuple(sorted(current_app.config.get("ARGON2_PARAMETERS", {}).items())))


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return hasher()[0].hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches the hash; with None it checks a dummy hash (same cost) and says False."""
    argon, dummy = hasher()
    try:
        argon.verify(password_hash or dummy, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the configured ones."""
    return hasher()[0].check_needs_rehash(password_hash)


def min_length() -> int:
    """The shortest new password accepted (config PASSWORD_MIN_LENGTH, 12 by default)."""
    return int(current_app.config.get("PASSWORD_MIN_LENGTH", 12))


def _is_breached(password: str, analysis: dict) -> bool:
    if password.lower() in RANKED_DICTIONARIES["passwords"]:
        return True
    # The whole password is one breached password, possibly in l33t ("p@ssw0rd") or reversed.
    return any(
        m["pattern"] == "dictionary"
        and m["dictionary_name"] == "passwords"
        and m["i"] == 0
        and m["j"] >= len(password) - 1
        for m in analysis["sequence"]
    )


def _personal_parts(email: str, name: str) -> list[str]:
    email = email.strip().lower()
    parts = [email, email.partition("@")[0], name.strip().lower(), *name.lower().split()]
    return [p for p in parts if len(p) >= MIN_PERSONAL_PART]


def check_policy(password: str, *, email: str = "", name: str = "", field: str = "password") -> None:
    """Refuse a new password that breaks the policy (see the module docstring).

    Raises `Invalid` naming `field`, with the first rule broken. Returns None when the password is acceptable.
    """
    shortest = min_length()
    if len(password) < shortest:
        raise Invalid(_l("Kata sandi minimal %(n)d karakter.", n=shortest), field)
    lowered = password.lower()
    if any(part in lowered for part in _personal_parts(email, name)):
        raise Invalid(_l("Kata sandi tidak boleh memuat e-mail atau nama Anda."), field)
    analysis = zxcvbn(password[:ANALYSED_LENGTH], user_inputs=_personal_parts(email, name))
    if _is_breached(password, analysis):
        raise Invalid(
            _l("Kata sandi ini ada dalam daftar kata sandi yang pernah bocor. Pilih yang lain."), field
        )
    if analysis["score"] < MIN_SCORE:
        raise Invalid(
            _l(
                "Kata sandi ini terlalu mudah ditebak (kata sandi umum, pola keyboard atau pengulangan). "
                "Coba beberapa kata acak."
            ),
            field,
        )
