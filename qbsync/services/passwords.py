"""Password rules: long enough, not absurdly long, and not a password attackers try first.

"Common" is judged by zxcvbn (Dropbox's estimator, here its maintained Python port): its 30,000 most-used
passwords, English words, names, keyboard walks, repeats, dates and l33t variants, plus the user's own email and
name. A password must score 3 of 4 ("safely unguessable" for an online attack); the message says why not.
"""
from __future__ import annotations

from zxcvbn import zxcvbn

__all__ = ['password_problem', 'MIN_PASSWORD_LENGTH', 'MAX_PASSWORD_LENGTH']

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything, but a megabyte "password" is only a way to burn CPU
_MIN_SCORE = 3
_JUDGED = 100  # zxcvbn's work grows with length; a password this long is judged on its first 100 characters


def password_problem(password: str, *, email: str = '', name: str = '') -> str | None:
    """Why ``password`` may not be used (a message for the field), or None when it is fine."""
    password = password or ''
    if len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        return f'Use at least {MIN_PASSWORD_LENGTH} characters'
    if len(password) > MAX_PASSWORD_LENGTH:
        return f'At most {MAX_PASSWORD_LENGTH} characters'
    hints = [part for part in (email, email.split('@')[0], name, 'qbsync', 'quickbooks') if part]
    verdict = zxcvbn(password[:_JUDGED], user_inputs=hints)
    if verdict['score'] >= _MIN_SCORE:
        return None
    feedback = verdict.get('feedback') or {}
    reason = feedback.get('warning') or 'It is too much like passwords attackers try first.'
    advice = ' '.join(feedback.get('suggestions') or []) or 'Add more words or characters.'
    return f'Too easy to guess. {reason} {advice}'.strip()
