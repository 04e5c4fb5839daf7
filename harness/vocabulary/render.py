"""Write scenarios back as YAML, and failures as a readable, replayable report."""

from __future__ import annotations

from typing import Iterable

import yaml

from .model import Scenario


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML, ready to paste into ``scenarios/``."""
    return yaml.safe_dump(scenario.to_data(), sort_keys=False, allow_unicode=True, width=100)


def failure_report(scenario: Scenario, target: str, failures: Iterable[object]) -> str:
    where = f" ({scenario.file}:{scenario.line or 1})" if scenario.file else ""
    lines = [f"scenario {scenario.name!r} on target {target!r}{where} did not meet its expectations:"]
    lines += [f"  - {failure}" for failure in failures]
    lines += ["", "Replay it (paste into a file under scenarios/):", "---", scenario_yaml(scenario).rstrip()]
    return "\n".join(lines)
