"""Checks for the notebooks' exercises: ``ls.check("5.2", answer)``.

A notebook shows a blank (``answer = ...``) and a call to check. The check never contains the answer: it compares
against a stored hash of the answer (:func:`answer_hash`) or tests a property (a student's function against the
package's on random inputs). It prints one line and never raises, so "Run All" completes:
- ``...`` (not answered yet): says so, returns None;
- right: says so, returns True;
- wrong (or the answer raised an error): says so with a hint, returns False.

Each notebook NN keeps its exercises in ``nbNN.py`` beside this file, registered with :func:`exercise`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import math
from dataclasses import dataclass
from typing import Callable

import torch

from .. import i18n


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id ("5.2"), a check(answer, **context) -> bool, and a hint per language."""

    id: str
    check: Callable[..., bool]
    hint: dict[str, str]


REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, hint_en: str, hint_zh: str | None = None):
    """Decorator: register ``check(answer, **context) -> bool`` as the check of exercise ``exercise_id``."""
    def register(check: Callable[..., bool]) -> Callable[..., bool]:
        if exercise_id in REGISTRY:
            raise ValueError(f"exercise {exercise_id} is registered twice")
        REGISTRY[exercise_id] = Exercise(exercise_id, check, {"en": hint_en, "zh": hint_zh or hint_en})
        return check
    return register


def _canonical(value, digits: int | None) -> str:
    """A text form of value that is the same for equal answers: ints, floats (rounded to ``digits`` significant
    digits when given), strings, bools, None, and lists/tuples/tensors/arrays of these (as nested lists)."""
    if hasattr(value, "tolist"):  # torch tensors, numpy arrays and scalars
        value = value.tolist()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if digits is None:
            return repr(value)
        if value == 0 or not math.isfinite(value):
            return repr(value)
        return f"{value:.{digits - 1}e}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v, digits) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(v, digits) for v in value)) + "}"
    raise TypeError(f"cannot compare an answer of type {type(value).__name__}")


def answer_hash(value, digits: int | None = None) -> str:
    """sha256 (hex) of the canonical form of an answer; floats rounded to ``digits`` significant digits."""
    return hashlib.sha256(_canonical(value, digits).encode("utf-8")).hexdigest()


def matches(value, digest: str, digits: int | None = None) -> bool:
    """Whether ``value`` hashes to ``digest`` (see answer_hash)."""
    try:
        return answer_hash(value, digits) == digest
    except TypeError:
        return False


@contextlib.contextmanager
def refusing(targets, message: str):
    """While the student's function runs, each ``(owner, name)`` in targets (e.g. ``(F, "softmax")``) raises
    RuntimeError(message): the exercise asks for the computation written out, not a call to torch's. Put back after."""
    def refuse(*args, **kwargs):
        raise RuntimeError(message)

    saved = [(owner, name, getattr(owner, name)) for owner, name in targets]
    try:
        for owner, name, _ in saved:
            setattr(owner, name, refuse)
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def seeded_randn(seed: int, *shape: int) -> torch.Tensor:
    """torch.randn(*shape) from its own generator seeded with ``seed``: the same test inputs on every machine."""
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def whole_number(x) -> int:
    """A count given as an int, or as a float or one-element tensor holding a whole number, as an int.
    ValueError for anything else (2.7, True): a wrong count must not pass by rounding."""
    x = x.item() if hasattr(x, "item") else x
    if isinstance(x, bool) or not float(x).is_integer():
        raise ValueError(f"{x!r} is not a whole number")
    return int(float(x))


def lookup(exercise_id: str) -> Exercise:
    """The registered exercise ``exercise_id`` ("5.2" lives in nb05.py), imported on first use."""
    if exercise_id not in REGISTRY:
        number = exercise_id.split(".")[0]
        if number.isdigit():
            try:
                importlib.import_module(f"{__name__}.nb{int(number):02d}")
            except ModuleNotFoundError:
                pass
    if exercise_id not in REGISTRY:
        raise KeyError(f"no exercise {exercise_id!r}; the notebooks' exercises are numbered like '5.2'")
    return REGISTRY[exercise_id]


def check(exercise_id: str, answer, lang: str | None = None, **context) -> bool | None:
    """Check a student's answer to exercise ``exercise_id``; print one line; return True, False or None."""
    ex = lookup(exercise_id)
    if answer is Ellipsis:
        print(i18n.text("exercise.not_answered", lang, id=exercise_id))
        return None
    hint = ex.hint[i18n.resolve(lang)]
    try:
        ok = bool(ex.check(answer, **context))
    except Exception as e:  # the student's code (or answer) failed: report it, do not stop the notebook
        print(i18n.text("exercise.raised", lang, id=exercise_id, error=f"{type(e).__name__}: {e}", hint=hint))
        return False
    key = "exercise.correct" if ok else "exercise.wrong"
    print(i18n.text(key, lang, id=exercise_id, hint=hint))
    return ok
