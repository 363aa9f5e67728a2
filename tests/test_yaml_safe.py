"""The fast YAML reader reads what PyYAML's safe loader reads, and reports errors where it does."""

from importlib import resources

import pytest
import yaml

from uccn_bot.yaml_safe import safe_load


@pytest.mark.parametrize("name", ["lexicon.yaml", "synonyms.yaml", "answer_words.yaml"])
def test_the_bundled_word_lists_read_the_same(name):
    text = resources.files("uccn_bot.data").joinpath(name).read_text("utf-8")
    assert safe_load(text) == yaml.safe_load(text) and safe_load(text)


def test_front_matter_types_are_the_same():
    text = "date: 2019-12-04\ntags: [batik, 'on']\nn: 3\nok: yes\n"
    assert safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["id: a\ntitle: [tidak ditutup\n", "a: 1\n  b: 2\n", "x: 'tidak ditutup\ny: 2\n"])
def test_an_error_names_the_line_pyyaml_names(text):
    errors = []
    for load in (safe_load, yaml.safe_load):
        with pytest.raises(yaml.YAMLError) as err:
            load(text)
        errors.append((err.value.problem_mark.line, err.value.problem))
    assert errors[0] == errors[1]
