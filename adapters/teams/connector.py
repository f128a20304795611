"""The Bot Connector client, made to try each call once and to show what it was answered.

botbuilder's connector client retries 429 and 5xx on its own (msrest's default urllib3 retry
policy, Retry-After included): a 502 after the activity was posted would post it twice
before Sharebot hears of it. Sharebot's Sender owns retries, token buckets and backoff for
every platform alike, so here each call is made exactly once and its failure is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ClaimsIdentity, ConnectorFactory
from urllib3.util.retry import Retry

CALL_TIMEOUT_SECONDS = 30


NO_RETRY = Retry(
    total=0,
    connect=0,
    read=0,
    redirect=0,
    status=0,
    status_forcelist=(),
    raise_on_status=False,
    respect_retry_after_header=False,
)


def _no_retry(session: Any, config: Any, kwargs: Any, **request_kwargs: Any) -> Any:
    """msrest's per-request session hook: its session was set up with 3 retries already."""
    for adapter in session.adapters.values():
        adapter.max_retries = NO_RETRY
    return request_kwargs


def single_attempt(client: ConnectorClient) -> ConnectorClient:
    """No retry of any kind, and a bounded wait, for one freshly created client."""
    client.config.retry_policy.policy = NO_RETRY
    client.config.session_configuration_callback = _no_retry
    client.config.connection.timeout = CALL_TIMEOUT_SECONDS
    return client


@dataclass
class Answer:
    """The status and headers of the Bot Connector's last answer in one turn.

    msrest reads the body before it looks at the status, so an HTML 502 surfaces as a
    deserialization error that no longer says it was a 502; this keeps what it hid.
    """

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    def record(self, response: Any, *args: Any, **kwargs: Any) -> None:
        """A requests response hook (it runs in msrest's worker thread)."""
        self.status = int(response.status_code)
        self.headers = dict(response.headers)


def watch_answers(context: TurnContext) -> Answer:
    """Record every answer to the calls this turn's connector client makes from now on."""
    answer = Answer()
    client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    if client is not None:
        client.config.hooks.append(answer.record)
    return answer


class SingleAttemptConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: ConnectorFactory) -> None:
        self.inner = inner

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        return single_attempt(await self.inner.create(service_url, audience))


class SingleAttemptAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """``ConfigurationBotFrameworkAuthentication`` whose connector clients never retry."""

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> Any:
        """Proactive messages and new conversations."""
        return SingleAttemptConnectorFactory(super().create_connector_factory(claims_identity))

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        """Answers within an incoming turn use the factory that authentication hands back."""
        result = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = SingleAttemptConnectorFactory(result.connector_factory)
        return result
