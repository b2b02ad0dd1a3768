"""Safe YAML reading: positions, refused constructs, limits."""

from pathlib import Path

import pytest

from negsim.scenario import ScenarioError
from negsim.scenario.yamldoc import MAX_BYTES, parse_yaml, read_yaml


def problems(text: str) -> list:
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "t.yaml")
    return info.value.problems


def test_positions_of_keys_and_values():
    doc = parse_yaml("a:\n  b: [1, 2]\n  c:\n    - x\n", "t.yaml")
    assert doc.data == {"a": {"b": [1, 2], "c": ["x"]}}
    assert doc.key_positions[("a", "b")] == (2, 3)
    assert doc.positions[("a", "b", 1)] == (2, 10)
    assert doc.positions[("a", "c", 0)] == (4, 7)
    assert doc.locate(("a", "c", 0, "missing")) == (4, 7)


def test_scalars_are_plain_data():
    doc = parse_yaml("i: 0x1F\nf: 1e3\nb: true\nn: ~\nd: 2025-03-18\nk: 0.5\n", "t.yaml")
    assert doc.data == {"i": 31, "f": 1000.0, "b": True, "n": None, "d": "2025-03-18", "k": 0.5}


def test_python_object_tag_is_refused_and_never_run(tmp_path: Path):
    marker = tmp_path / "pwned"
    text = f"name: !!python/object/apply:os.system ['touch {marker}']\n"
    found = problems(text)
    assert found[0].line == 1 and found[0].column == 7
    assert "not allowed" in found[0].message
    assert not marker.exists()


@pytest.mark.parametrize("text", ["a: !!set {x, y}\n", "a: !custom 3\n", "a: !!binary aGk=\n",
                                  "a: !!omap [{x: 1}]\n"])
def test_other_tags_are_refused(text):
    assert "not allowed" in problems(text)[0].message


def test_broken_indent_reports_line_and_column():
    found = problems("name: x\nissues:\n  a:\n    label: A\n  zero: q\n      one: r\n")
    assert (found[0].line, found[0].column) == (6, 10)
    assert found[0].path == "<yaml>"


def test_unclosed_flow_sequence():
    found = problems("a: [1, 2\nb: 3\n")
    assert found[0].line >= 1 and "expected" in found[0].message


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join(["*" + prev] * 10) + "]")
    found = problems("\n".join(lines) + "\n")
    assert "expands to more than" in found[0].message


def test_small_aliases_are_allowed():
    doc = parse_yaml("a: &x {k: 1}\nb: *x\n", "t.yaml")
    assert doc.data == {"a": {"k": 1}, "b": {"k": 1}}


def test_recursive_alias_is_refused():
    assert "recursive" in problems("a: &x {b: *x}\n")[0].message


def test_merge_keys_are_refused():
    assert "merge keys" in problems("a: &x {k: 1}\nb:\n  <<: *x\n")[0].message


def test_duplicate_keys_are_refused():
    found = problems("a: 1\nb: 2\na: 3\n")
    assert (found[0].line, found[0].path) == (3, "a")


def test_deep_nesting_is_refused():
    problems("x: " + "[" * 3000 + "]" * 3000 + "\n")


def test_size_limit(tmp_path: Path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * MAX_BYTES + "\n")
    with pytest.raises(ScenarioError, match="limit"):
        read_yaml(big)


def test_unreadable_and_non_utf8(tmp_path: Path):
    with pytest.raises(ScenarioError, match="cannot read"):
        read_yaml(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: 1\nb: \xff\n")
    with pytest.raises(ScenarioError) as info:
        read_yaml(bad)
    assert (info.value.problems[0].line, info.value.problems[0].column) == (2, 4)


@pytest.mark.parametrize("text", ["a: !!int abc\n", "a: !!bool maybe\n", "a: !!float ''\n",
                                  "a: !!int 0b\n"])
def test_explicit_tags_on_unconvertible_text(text):
    (problem,) = problems(text)
    assert (problem.line, problem.column) == (1, 4) and "is not a valid !!" in problem.message


def test_lone_surrogates_are_refused():
    assert "not valid Unicode" in problems('a: "\\ud800 x"\n')[0].message
    assert "not valid Unicode" in problems('"\\udcff": 1\n')[0].message


def test_overlong_strings_are_refused():
    assert "longer than" in problems("a: " + "x" * 6000 + "\n")[0].message


def test_path_with_nul_byte():
    with pytest.raises(ScenarioError, match="cannot read"):
        read_yaml("a\0b.yaml")
