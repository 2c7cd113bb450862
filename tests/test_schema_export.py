"""`wflint schema export`: strict, standalone JSON Schemas per kind."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from wflint.cli.main import cli
from wflint.argo.schema_export import KINDS, export, fields_at

import os

# Argo's examples (not part of the repository): WFLINT_ARGO_EXAMPLES, else ../shared beside the checkout.
CORPUS = Path(os.environ.get("WFLINT_ARGO_EXAMPLES") or
              Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "argo-examples")
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/argo-examples")

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: export-
spec:
  entrypoint: main
  arguments:
    parameters:
      - name: style
        value: path
  templates:
    - name: main
      inputs:
        artifacts:
          - name: data
            path: /tmp/data
            s3:
              key: some/key
              addressingStyle: "{{workflow.parameters.style}}"
      retryStrategy:
        limit: "{{workflow.parameters.style}}"
      container:
        image: alpine:3.20
        command: [cat, /tmp/data]
"""


def _validator(kind: str, version: str = "4.1"):
    schema = export(kind, version)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("version", ["4.1", "3.7"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_exports_a_valid_standalone_schema(kind, version):
    schema = export(kind, version)
    jsonschema.Draft7Validator.check_schema(schema)
    text = json.dumps(schema)
    for ref in set(part.split('"')[0] for part in text.split('"$ref": "#/definitions/')[1:]):
        assert ref in schema["definitions"], ref
    assert schema["additionalProperties"] is False and schema["properties"]["kind"]["const"] == kind


def test_accepts_placeholders_and_rejects_misspelt_keys():
    validator = _validator("Workflow")
    data = yaml.safe_load(WORKFLOW)
    assert list(validator.iter_errors(data)) == []
    top = dict(data, specs=data["spec"])
    errors = list(validator.iter_errors(top))
    assert errors and "specs" in errors[0].message
    inner = yaml.safe_load(WORKFLOW.replace("      retryStrategy:", "      retryStrategey:"))
    errors = list(validator.iter_errors(inner))
    assert [list(e.absolute_path) for e in errors] == [["spec", "templates", 0]]
    assert "retryStrategey" in errors[0].message
    wrong_enum = yaml.safe_load(WORKFLOW.replace('"{{workflow.parameters.style}}"\n      retry', '"sideways"\n      retry'))
    assert list(validator.iter_errors(wrong_enum))


def test_descriptions_for_hover():
    schema = export("WorkflowTemplate")
    template = schema["definitions"]["Template"]["properties"]
    assert "templateRef.template" in template["name"]["description"]
    assert schema["definitions"]["DAGTask"]["properties"]["depends"]["description"]
    assert dict(fields_at("Workflow", ["spec", "templates", "[]"]))["dag"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="Argo's examples are not here")
def test_every_argo_example_validates():
    validators = {kind: _validator(kind) for kind in KINDS}
    checked, failures = 0, []
    for path in sorted(CORPUS.rglob("*.y*ml")):
        for data in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not isinstance(data, dict) or data.get("kind") not in validators:
                continue
            checked += 1
            for error in validators[data["kind"]].iter_errors(data):
                failures.append(f"{path.name}: /{'/'.join(map(str, error.absolute_path))}: {error.message[:120]}")
    assert checked > 100 and failures == []


def test_cli(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["schema", "export", "--kind", "CronWorkflow", "--argo-version", "3.7"])
    assert result.exit_code == 0 and json.loads(result.output)["properties"]["kind"]["const"] == "CronWorkflow"
    result = runner.invoke(cli, ["schema", "export", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{k}.json" for k in KINDS)
    result = runner.invoke(cli, ["schema", "export"])
    assert result.exit_code == 2
