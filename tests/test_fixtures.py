"""Every rule's golden fixtures: tests/fixtures/<rule>/ok and fail (see wflint.testing)."""

from pathlib import Path

import pytest

from wflint.testing import fixture_cases, run_fixture

FIXTURES = Path(__file__).parent / "fixtures"
CASES = fixture_cases(FIXTURES)


@pytest.mark.parametrize("rule_id,kind,case", CASES,
                         ids=[f"{r}/{k}/{c.name}" for r, k, c in CASES])
def test_fixture(rule_id, kind, case):
    run_fixture(rule_id, kind, case)
