"""Whom the anonymous doors trust (issue 22): the anonymous Teams door answered any serviceUrl
(a fake roster mapped a stranger to the admin) and took proxied requests; the token-less web
chat took proxied requests too."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.teams import service_url_problem
from bot.app import BotContext, build_web_app
from bot.settings import Settings
from storage.directory import identities_of, person_by_email
from tests.fakes.teams_connector import FakeTeamsConnector
from tests.test_teams import client, connector, personal  # noqa: F401 (fixtures)


async def test_anonymous_teams_answers_only_a_service_url_on_this_machine(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
    directory: BotContext,
) -> None:
    for url in (
        "http://evil.example/",
        "https://smba.trafficmanager.net/emea/",
        "http://10.0.0.5/",
    ):
        activity = personal(connector, "alex", "whoami", serviceUrl=url)
        response = await client.post("/api/messages", json=activity)
        assert response.status == 403, (url, response.status)
    assert connector.posted == []
    async with directory.db.session() as session:
        alex = await person_by_email(session, "alex@learnsheffield.co.uk")
        assert alex is not None and await identities_of(session, alex.id) == []
    local = await client.post("/api/messages", json=personal(connector, "jo", "whoami"))
    assert local.status == 202
    assert connector.posted, "the local fake connector is still answered"


async def test_anonymous_teams_refuses_proxied_requests(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
) -> None:
    for header in ("X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"):
        response = await client.post(
            "/api/messages", json=personal(connector, "jo", "whoami"), headers={header: "x"}
        )
        assert response.status == 403, header
    assert connector.posted == []


def test_with_credentials_only_microsofts_channel_service_hosts() -> None:
    settings = Settings(_env_file=None, CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID="id")  # type: ignore[call-arg]
    assert settings.teams_credentials
    for ok in (
        "https://smba.trafficmanager.net/emea/",
        "https://smba.infra.gov.teams.microsoft.us/",
        "https://webchat.botframework.com/",
    ):
        assert service_url_problem(settings, ok) is None, ok
    for bad in (
        "http://smba.trafficmanager.net/emea/",
        "https://smba.trafficmanager.net.evil.example/",
        "https://evil.example/botframework.com",
        "http://127.0.0.1:3978/",
        "https://[::1",
    ):
        assert service_url_problem(settings, bad), bad


async def test_token_less_web_chat_refuses_proxied_requests(directory: BotContext) -> None:
    async with TestClient(TestServer(build_web_app(directory))) as http:
        assert (await http.get("/")).status == 200
        assert (await http.get("/", headers={"X-Forwarded-For": "203.0.113.9"})).status == 403
        assert (await http.get("/", headers={"Forwarded": "for=203.0.113.9"})).status == 403
    directory.settings.web_chat_token = "s3cret-token"
    async with TestClient(TestServer(build_web_app(directory))) as http:
        proxied = {"X-Forwarded-For": "203.0.113.9"}
        assert (await http.get("/?token=s3cret-token", headers=proxied)).status == 200


async def test_anonymous_teams_refuses_another_host_name(
    client: TestClient,  # noqa: F811
    connector: FakeTeamsConnector,  # noqa: F811
) -> None:
    """DNS rebinding: a page at evil.example whose name now resolves to 127.0.0.1 could post an
    activity with a loopback serviceUrl and read the reply (deliveryMode expectReplies)."""
    assert (await client.post("/api/messages", json=personal(connector, "jo", "whoami"))).status
    posted = len(connector.posted)
    activity = personal(connector, "jo", "whoami", deliveryMode="expectReplies")
    rebound = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}
    response = await client.post("/api/messages", json=activity, headers=rebound)
    assert response.status == 403
    assert "You are" not in await response.text()
    assert len(connector.posted) == posted
    for local in ("127.0.0.1:3978", "localhost:3978", "[::1]:3978"):
        ok = await client.post("/api/messages", json=activity, headers={"Host": local})
        assert ok.status == 200, local
