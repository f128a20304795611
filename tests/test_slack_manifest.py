"""``sharebot manifest slack`` validates against Slack's official manifest schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.settings import load_settings
from adapters.slack.manifest import SCOPES, manifest_yaml, slack_manifest
from tests.cli import run_cli
from tests.schemas import SLACK_MANIFEST, validator


def manifest_validator() -> Any:
    """The official schema, with its absolute references served from the local copies."""
    return validator(SLACK_MANIFEST)


@pytest.mark.parametrize("app_token", ["", "xapp-1-socket"])
def test_the_manifest_is_valid_for_http_and_socket_mode(app_token: str) -> None:
    settings = load_settings(
        SHAREBOT_PUBLIC_URL="https://sharebot.example.com/",
        SLACK_APP_TOKEN=app_token,
        SHAREBOT_SLACK_COMMAND="/teilen",
    )
    manifest = slack_manifest(settings)
    errors = list(manifest_validator().iter_errors(manifest))
    assert errors == [], [e.message for e in errors]
    assert manifest["settings"]["socket_mode_enabled"] is bool(app_token)
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == "/teilen" and command["should_escape"] is True
    if app_token:
        assert "request_url" not in manifest["settings"]["interactivity"]
    else:
        url = "https://sharebot.example.com/slack/events"
        assert command["url"] == url
        assert manifest["settings"]["event_subscriptions"]["request_url"] == url
        assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["oauth_config"]["scopes"]["bot"] == list(SCOPES)


def test_a_broken_manifest_is_caught() -> None:
    """Guards the test itself: the validator does reject what Slack would reject."""
    manifest = slack_manifest(load_settings())
    manifest["features"]["slash_commands"][0]["command"] = "no-slash"
    manifest["settings"]["event_subscriptions"]["bot_events"] = ["not_an_event!"]
    assert list(manifest_validator().iter_errors(manifest))


def test_the_cli_prints_yaml_and_json(tmp_path: Path) -> None:
    env = {"SHAREBOT_PUBLIC_URL": "https://bot.example"}
    as_yaml = run_cli(["manifest", "slack"], tmp_path, **env)
    as_json = run_cli(["manifest", "slack", "--json"], tmp_path, **env)
    assert as_yaml.returncode == 0 and as_json.returncode == 0, as_yaml.stderr + as_json.stderr
    assert yaml.safe_load(as_yaml.stdout) == json.loads(as_json.stdout)
    assert json.loads(as_json.stdout)["features"]["slash_commands"][0]["url"] == (
        "https://bot.example/slack/events"
    )
    assert manifest_yaml({"a": "ü"}) == "a: ü\n"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"SHAREBOT_ADAPTERS": "slack"}, "SLACK_BOT_TOKEN"),
        ({"SHAREBOT_ADAPTERS": "slack", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_run_names_the_missing_slack_key(env: dict[str, str], key: str, tmp_path: Path) -> None:
    result = run_cli(["run"], tmp_path, **env)
    assert result.returncode == 2
    assert key in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_message_shortcut_is_declared_and_valid() -> None:
    manifest = slack_manifest(load_settings())
    [shortcut] = manifest["features"]["shortcuts"]
    assert shortcut["type"] == "message" and shortcut["callback_id"] == "suggest_from_message"
    assert shortcut["name"] == "Suggest for sharing"
    assert "commands" in manifest["oauth_config"]["scopes"]["bot"]  # shortcuts need it
    assert list(manifest_validator().iter_errors(manifest)) == []
    manifest["features"]["shortcuts"][0]["name"] = "A name far longer than Slack allows"
    assert list(manifest_validator().iter_errors(manifest))  # the schema does check it
