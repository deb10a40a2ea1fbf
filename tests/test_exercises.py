"""The exercise checker: hashes compare answers without storing them, and check() reports each case."""

import pytest
import torch

import llama_scratch as ls
from llama_scratch.tools import exercises, i18n


@pytest.fixture()
def registered():
    digest = exercises.answer_hash(42)

    @exercises.exercise("99.1", "think about 6 x 7", "想想 6 × 7")
    def check(answer):
        return exercises.matches(answer, digest)

    yield "99.1"
    exercises.REGISTRY.pop("99.1")


def test_hash_is_sha256_of_a_canonical_form():
    import hashlib

    assert exercises.answer_hash(42) == hashlib.sha256(b"42").hexdigest()
    assert exercises.answer_hash([1, 2]) == exercises.answer_hash((1, 2)) == exercises.answer_hash(torch.tensor([1, 2]))
    assert exercises.answer_hash(0.123456, digits=3) == exercises.answer_hash(0.1234, digits=3)
    assert exercises.answer_hash(0.123456, digits=3) != exercises.answer_hash(0.124, digits=3)
    assert exercises.answer_hash(1) != exercises.answer_hash(True)


def test_check_reports_unanswered_right_wrong_and_errors(registered, capsys, monkeypatch):
    monkeypatch.setenv(i18n.LANG_ENV, "en")
    assert exercises.check(registered, ...) is None
    assert "not answered yet" in capsys.readouterr().out
    assert exercises.check(registered, 42) is True
    assert "correct" in capsys.readouterr().out
    assert exercises.check(registered, 41) is False
    out = capsys.readouterr().out
    assert "not right yet" in out and "6 x 7" in out and "42" not in out
    assert exercises.check(registered, object()) is False  # unhashable kind of answer: wrong, not a crash


def test_check_speaks_chinese_in_the_chinese_edition(registered, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    (tmp_path / "zh").mkdir()
    monkeypatch.chdir(tmp_path / "zh")
    assert i18n.default_language() == "zh"
    exercises.check(registered, 41)
    out = capsys.readouterr().out
    assert "还不对" in out and "想想 6 × 7" in out


def test_a_failing_property_check_does_not_stop_the_notebook(capsys):
    @exercises.exercise("99.2", "call it with a tensor")
    def check(fn):
        return bool(fn(torch.ones(2)).sum() == 2)

    try:
        assert exercises.check("99.2", lambda x: x.undefined_method()) is False
        assert "raised AttributeError" in capsys.readouterr().out
    finally:
        exercises.REGISTRY.pop("99.2")


def test_unknown_exercise_and_language_are_clear_errors():
    with pytest.raises(KeyError, match="no exercise '0.99'"):
        exercises.check("0.99", 1)
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.text("exercise.correct", "fr", id="1.1")


def test_a_chinese_solutions_folder_is_chinese_and_notebook_texts_follow_the_language(monkeypatch, tmp_path):
    (tmp_path / "zh" / "solutions").mkdir(parents=True)
    (tmp_path / "solutions").mkdir()
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    for folder, lang in (("zh/solutions", "zh"), ("solutions", "en"), ("zh", "zh"), (".", "en")):
        monkeypatch.chdir(tmp_path / folder)
        assert i18n.default_language() == lang, folder
    monkeypatch.setitem(i18n.STRINGS, "nb99.x", {"en": "a {n}", "zh": "甲 {n}"})
    monkeypatch.chdir(tmp_path / "zh" / "solutions")
    assert (ls.text("nb99.x", n=1), ls.text("nb99.x", "en", n=2)) == ("甲 1", "a 2")  
    with pytest.raises(KeyError, match="nb98.missing"):
        ls.text("nb98.missing")


def test_every_text_is_in_both_languages_with_the_same_fields():
    import string

    def fields(template):
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    assert i18n.STRINGS["exercise.correct"]["zh"]  # the table is read
    for key, entry in i18n.STRINGS.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        assert entry["en"].strip() and entry["zh"].strip(), key
        assert fields(entry["en"]) == fields(entry["zh"]), key


def test_a_text_defined_twice_is_an_error_naming_the_file(monkeypatch):
    monkeypatch.setitem(i18n.STRINGS, "nb00.twice", {"en": "a", "zh": "甲"})
    module = type(i18n)("llama_scratch.tools.texts.nb_twice")
    module.STRINGS = {"nb00.twice": {"en": "b", "zh": "乙"}}
    monkeypatch.setitem(__import__("sys").modules, module.__name__, module)
    monkeypatch.setattr(i18n.pkgutil, "iter_modules", lambda paths: [type("M", (), {"name": "nb_twice"})])
    with pytest.raises(ValueError, match="nb00.twice.*tools/texts/nb_twice.py"):
        i18n.add_texts()


def test_whole_number_takes_whole_counts_only():
    """A count may come as a float or a tensor; a fraction must not round (or truncate) into the right answer."""
    from llama_scratch.tools.exercises import whole_number
    assert whole_number(7) == 7 and whole_number(7.0) == 7 and whole_number(torch.tensor(7)) == 7
    for bad in (7.3, 6.7, True, torch.tensor(7.5)):
        with pytest.raises(ValueError, match="whole number"):
            whole_number(bad)
