"""Argo versions are typed and compared as numbers, with one list and one default."""

import pytest

from wflint.argo.version import DEFAULT, SUPPORTED, ArgoVersion, supported
from wflint.rule import Context


def test_versions_compare_as_numbers_not_text():
    assert ArgoVersion("4.10") > ArgoVersion("4.9")
    assert ArgoVersion("4.10") > "4.9"          # a plain string on either side is read as a version
    assert "4.9" < ArgoVersion("4.10")
    assert sorted(["4.10", "3.7", "4.9", "4.1"], key=ArgoVersion) == ["3.7", "4.1", "4.9", "4.10"]
    assert ArgoVersion("4.1").major == 4 and ArgoVersion("4.1").minor == 1


def test_a_version_is_still_its_text():
    version = ArgoVersion("4.1")
    assert version == "4.1" and str(version) == "4.1" and hash(version) == hash("4.1")
    assert {"4.1": "found"}[version] == "found"
    assert f"argo-{version}.json" == "argo-4.1.json"
    assert ArgoVersion("v4.1.2") == "4.1" and ArgoVersion(" 4.01 ") == "4.1"


@pytest.mark.parametrize("text", ["4", "four.one", "4.1.x", "", "4..1"])
def test_what_is_not_a_version(text):
    with pytest.raises(ValueError, match="MAJOR.MINOR"):
        ArgoVersion(text)


def test_one_list_and_one_default():
    assert DEFAULT in SUPPORTED and DEFAULT == max(SUPPORTED)
    assert list(SUPPORTED) == sorted(SUPPORTED, reverse=True)
    assert supported("3.7") == "3.7"
    with pytest.raises(ValueError, match="not supported"):
        supported("2.4")
    assert Context(index=None, options={}).argo_version == DEFAULT


def test_every_supported_version_has_its_schema():
    from importlib.resources import files
    for version in SUPPORTED:
        assert files("wflint.schemas").joinpath(f"argo-{version}.json").is_file()
