"""The connect flow through the running app and its embedded sandbox, as a browser walks it."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from nicegui import app
from nicegui.testing import User

from qbsync.models import Role

PASSWORD = 'correct horse battery staple'


async def _sign_in(user: User, role: str = Role.OWNER) -> None:
    users = app.state.services.users
    owner = await users.create_user(email='owner@example.com', name='Owner', password=PASSWORD, role=Role.OWNER)
    email = owner.email
    if role != Role.OWNER:
        email = f'{role}@example.com'
        await users.create_user(email=email, name=role, password=PASSWORD, role=role, acting=owner)
    await user.open('/login')
    user.find(marker='login-email').type(email)
    user.find(marker='login-password').type(PASSWORD)
    user.find(marker='login-submit').click()
    await user.should_see(marker='signed-in-user', retries=20)


async def _authorize(user: User) -> str:
    response = await user.http_client.get('/api/quickbooks/connect')
    assert response.status_code == 303
    return response.headers['location']


async def _consent(user: User, authorize_url: str, decision: str = 'allow') -> str:
    """The sandbox's consent answer: the callback path with Intuit's query string."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
    answer = await user.http_client.post('/sandbox/_sandbox/consent', json={
        'client_id': query['client_id'], 'redirect_uri': query['redirect_uri'], 'state': query['state'],
        'decision': decision}, headers={'authorization': f'Bearer {app.state.sandbox.config.admin_token}'})
    assert answer.status_code == 200, answer.text
    redirect = urlsplit(answer.json()['redirect_url'])
    return f'{redirect.path}?{redirect.query}'


async def test_connect_callback_and_replay(user: User) -> None:
    await _sign_in(user)
    authorize_url = await _authorize(user)
    assert urlsplit(authorize_url).path == '/sandbox/connect/oauth2'
    callback = await _consent(user, authorize_url)

    done = await user.http_client.get(callback)

    assert done.status_code == 303, done.text.split('data-testid="message">')[-1][:300]
    assert done.headers['location'] == '/settings/integrations/quickbooks'
    view = await app.state.services.connection.current()
    assert view is not None and view.connected and view.environment == 'demo'
    replay = await user.http_client.get(callback)
    assert replay.status_code == 400 and 'already used' in replay.text and '<h1' in replay.text


async def test_denial_renders_a_clear_page(user: User) -> None:
    await _sign_in(user)
    page = await user.http_client.get(await _consent(user, await _authorize(user), decision='deny'))
    assert page.status_code == 200
    assert 'Connection cancelled' in page.text and 'declined' in page.text
    assert await app.state.services.connection.current() is None


async def test_forged_state_renders_a_clear_page(user: User) -> None:
    await _sign_in(user)
    callback = await _consent(user, await _authorize(user))
    page = await user.http_client.get(callback.replace('state=', 'state=forged'))
    assert page.status_code == 400 and 'Connection not completed' in page.text


async def test_viewer_may_not_connect(user: User) -> None:
    await _sign_in(user, Role.VIEWER)
    response = await user.http_client.get('/api/quickbooks/connect')
    assert response.status_code == 403 and 'Only owners and admins' in response.text


async def test_signed_out_connect_goes_to_login(user: User) -> None:
    await app.state.services.users.create_user(email='owner@example.com', name='Owner', password=PASSWORD,
                                               role=Role.OWNER)
    response = await user.http_client.get('/api/quickbooks/connect')
    assert response.status_code in (302, 303, 307) and '/login' in response.headers['location']
