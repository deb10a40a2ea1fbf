"""The training text: generated from a seed (no download), or a user's own UTF-8 text.

A corpus is a list of training documents, a list of held-out documents (val.txt, never trained on) and probes
(held-out questions with the answer the corpus implies). The generated corpus is built so that what a model learns
can be seen (see world.py):
- facts stated in several sentence shapes ("The llama eats grass.", "The llama, which lives in the mountains,
  eats grass."), in English and Chinese;
- questions and answers about most facts; for some facts the question is held out: those are the probes, answerable
  only by combining the question format with the fact learned from statements;
- sentences whose next word needs a word several tokens back (the animal of "..., which lives in ..., eats");
- short stories whose facts are made up on the spot ("Mia has a red kite. ... Mia's kite is red."), so only the
  context can tell the answer.
Documents never contain a blank line: val.txt separates them by one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from . import world

DOC_SEPARATOR = "\n\n"
MIN_DOCUMENTS = 2  # one at least is held out


@dataclass
class Corpus:
    """Training documents, held-out documents and probes ([{"prompt", "answer"}]; empty for a user's text)."""

    train: list[str]
    val: list[str]
    probes: list[dict] = field(default_factory=list)
    source: str = "generated"

    def val_text(self) -> str:
        """The held-out documents as one text, one blank line between documents (what val.txt holds)."""
        return DOC_SEPARATOR.join(self.val) + "\n"


def split_documents(text: str) -> list[str]:
    """Documents of a text: its paragraphs (separated by blank lines), stripped; empty ones dropped."""
    return [p.strip() for p in text.replace("\r\n", "\n").split(DOC_SEPARATOR) if p.strip()]


def _facts(lang: str) -> dict[str, dict[str, str]]:
    """{animal key: {"a": name in lang, attribute: value}} for the animals of one language."""
    if lang == "en":
        return {k: {"a": k, **dict(zip(world.ATTRIBUTES, v))} for k, v in world.ANIMALS_EN.items()}
    return {k: {"a": name, **dict(zip(world.ATTRIBUTES, v))} for k, (name, v) in world.ANIMALS_ZH.items()}


_SHAPES = {
    "en": (world.STATEMENTS_EN, world.LONG_RANGE_EN, world.QUESTIONS_EN, " "),
    "zh": (world.STATEMENTS_ZH, world.LONG_RANGE_ZH, world.QUESTIONS_ZH, ""),
}


def _fact_doc(rng: random.Random, lang: str, facts: dict) -> str:
    """Two to four sentences about one or two animals, statements and long-range shapes mixed."""
    statements, long_range, _, sep = _SHAPES[lang]
    sentences = []
    for key in rng.sample(sorted(facts), rng.choice((1, 1, 2))):
        f = facts[key]
        pool = [s.format(**f) for s in statements.values()] + [s.format(**f) for s in long_range]
        sentences += rng.sample(pool, rng.randint(2, 3))
    return sep.join(sentences)


def _qa_doc(rng: random.Random, lang: str, facts: dict, pairs: list[tuple[str, str]]) -> str:
    """Two to four question/answer pairs drawn from ``pairs`` (animal key, attribute)."""
    statements, _, questions, sep = _SHAPES[lang]
    lines = []
    for key, attr in rng.sample(pairs, rng.randint(2, 4)):
        lines.append(questions[attr].format(**facts[key]) + sep + statements[attr].format(**facts[key]))
    return "\n".join(lines)


def _story_doc(rng: random.Random, lang: str) -> str:
    """Two or three people with an object of a colour each, then the colours asked back in a shuffled order."""
    names, objects, colors = ((world.NAMES_EN, world.OBJECTS_EN, world.COLORS_EN) if lang == "en"
                              else (world.NAMES_ZH, world.OBJECTS_ZH, world.COLORS_ZH))
    n = rng.randint(2, 3)
    cast = list(zip(rng.sample(names, n), rng.sample(objects, n), rng.sample(colors, n)))
    if lang == "en":
        told = [f"{p} has a {c} {o}." for p, o, c in cast]
        asked = [f"{p}'s {o} is {c}." for p, o, c in rng.sample(cast, n)]
        return "Today, " + " ".join(told + asked)  # "Today," so that every name is the token " Mia"
    told = [f"{p}有一个{c}的{o}。" for p, o, c in cast]
    asked = [f"{p}的{o}是{c}的。" for p, o, c in rng.sample(cast, n)]
    return "".join(told + asked)


def probe(lang: str, facts: dict, key: str, attr: str) -> dict:
    """The held-out question about (animal, attribute) and the answer sentence the corpus implies."""
    statements, _, questions, _ = _SHAPES[lang]
    return {"prompt": questions[attr].format(**facts[key]), "answer": statements[attr].format(**facts[key])}


# Mix of document kinds in the generated corpus: (kind, language, weight).
MIX = (("facts", "en", 4), ("qa", "en", 4), ("story", "en", 2), ("facts", "zh", 2), ("qa", "zh", 2),
       ("story", "zh", 1))


def generate_corpus(seed: int = 0, n_train: int = 6000, n_val: int = 200, probes_en: int = 20,
                    probes_zh: int = 10) -> Corpus:
    """The generated corpus for ``seed``: same seed, same text. Held-out questions (one per chosen animal) never
    appear in the training documents; no held-out document equals a training document."""
    rng = random.Random(seed)
    facts = {lang: _facts(lang) for lang in ("en", "zh")}
    held, asked, probes = {}, {}, []
    for lang, n in (("en", probes_en), ("zh", probes_zh)):
        animals = sorted(facts[lang])
        chosen = {key: rng.choice(world.ATTRIBUTES) for key in rng.sample(animals, min(n, len(animals)))}
        held[lang] = sorted(chosen.items())
        asked[lang] = [(k, a) for k in animals for a in world.ATTRIBUTES if chosen.get(k) != a]
        probes += [probe(lang, facts[lang], k, a) for k, a in held[lang]]
    kinds = [(kind, lang) for kind, lang, weight in MIX for _ in range(weight)]

    def document(r: random.Random, pairs: dict) -> str:
        kind, lang = r.choice(kinds)
        if kind == "facts":
            return _fact_doc(r, lang, facts[lang])
        if kind == "qa":
            return _qa_doc(r, lang, facts[lang], pairs[lang])
        return _story_doc(r, lang)

    train = [document(rng, asked) for _ in range(n_train)]
    seen = set(train)
    everything = {lang: asked[lang] + held[lang] for lang in asked}
    val_rng = random.Random(f"val-{seed}")
    val: list[str] = []
    while len(val) < n_val:
        doc = document(val_rng, everything)
        if doc not in seen:
            val.append(doc)
            seen.add(doc)
    return Corpus(train, val, probes, source=f"generated (seed {seed})")


def read_text_file(path) -> str:
    """The text of a user's file, with one clear error for a missing, empty or non-UTF-8 file."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ValueError(f"--text {path}: no such file; give a UTF-8 text file")
    if not path.is_file():
        raise ValueError(f"--text {path}: not a file; give a UTF-8 text file")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"--text {path}: not UTF-8 (byte {e.start} is {e.object[e.start]:#04x}); save it as UTF-8, "
                         "e.g. iconv -f GB18030 -t UTF-8") from None
    if not text.strip():
        raise ValueError(f"--text {path}: the file is empty; give a file with some text in it")
    return text


def corpus_from_text(text: str, seed: int = 0, val_fraction: float = 0.1, source: str = "text") -> Corpus:
    """A corpus from a user's text: paragraphs (or lines, when there are few paragraphs) are the documents; a
    seeded random tenth of them (at least one) is held out. No probes: the text implies no known questions."""
    docs = split_documents(text)
    if len(docs) < 10:
        docs = [line.strip() for line in text.splitlines() if line.strip()]
    if len(docs) < MIN_DOCUMENTS:
        raise ValueError(f"{source}: {len(docs)} paragraph(s) of text; need at least {MIN_DOCUMENTS} paragraphs or "
                         "lines (one is held out to measure the held-out loss)")
    rng = random.Random(seed)
    n_val = max(1, round(val_fraction * len(docs)))
    val_index = set(rng.sample(range(len(docs)), n_val))
    return Corpus([d for i, d in enumerate(docs) if i not in val_index],
                  [d for i, d in enumerate(docs) if i in val_index], [], source=source)
