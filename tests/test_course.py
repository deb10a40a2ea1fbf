"""The course's mechanical rules on every notebook (see tests/course_report.py for the rules and a report).

`python tests/course_report.py` prints, per notebook, the rules it breaks.
"""

import pytest

from course_report import CHECKS, check_notebook, notebook_paths

NOTEBOOKS = notebook_paths()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_notebook_follows_the_course_rules(path):
    problems = check_notebook(path)
    assert set(problems) == set(CHECKS)
    failing = {name: found for name, found in problems.items() if found}
    assert not failing, "\n".join(f"{name}: {p}" for name, found in failing.items() for p in found)


def test_every_notebook_has_its_solutions_and_its_chinese_edition():
    main = [p for p in NOTEBOOKS if p.parent.name == "notebooks"]
    assert main and all((p.parent / "solutions" / p.name).is_file() for p in main)
    assert all((p.parent / "zh" / p.name).is_file() and (p.parent / "zh" / "solutions" / p.name).is_file()
               for p in main)
    assert len(NOTEBOOKS) == 4 * len(main)  # and nothing in the other folders without an English original
