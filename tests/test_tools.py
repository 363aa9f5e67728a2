"""The calibration tool's argument handling (its full run takes the dev sets: see README)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sweep_settings_builds_every_combination():
    sweep = load("sweep_settings")
    combos = sweep.grid(["unknown_weight=0.6,1.0", "candidates=20,30"])
    assert len(combos) == 4 and {"unknown_weight": 0.6, "candidates": 20} in combos
    assert isinstance(combos[0]["candidates"], int)
    assert sweep.grid([]) == [{}]


@pytest.mark.parametrize("spec", ["no_such_setting=1", "unknown_weight"])
def test_sweep_settings_rejects_what_is_not_a_setting(spec):
    with pytest.raises(SystemExit):
        load("sweep_settings").grid([spec])
