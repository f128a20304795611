"""Can Sharebot reach Slack with its token? For `sharebot doctor`."""

from __future__ import annotations

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError

from adapters.settings import Settings
from adapters.slack.client import web_client
from adapters.slack.errors import error_code


async def auth_test(settings: Settings) -> tuple[bool, str]:
    """``auth.test`` with the bot token: the workspace it belongs to, or what Slack said."""
    client = web_client(settings)
    try:
        found = await client.auth_test()
    except SlackApiError as error:
        return False, f"auth.test failed: {error_code(error) or 'no answer'}"
    except (ClientError, OSError, TimeoutError) as error:
        return False, f"cannot reach {settings.slack_api_url}: {type(error).__name__}"
    return True, f"token works for workspace {found.get('team')} ({found.get('team_id')})"
