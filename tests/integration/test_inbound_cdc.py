"""Change data capture: the backstop for lost webhooks, its cursor, the 30-day limit, full answers, bursts."""
from __future__ import annotations

from sqlmodel import select

from inbound_env import InboundEnv, connection_env, inbound_env  # noqa: F401 (fixtures)
from qbsync.models import Customer, EventStatus, InboundCursor, WebhookEvent


async def _cursor(env: InboundEnv, entity: str = 'Customer') -> InboundCursor | None:
    async with env.base.db.session() as session:
        return await session.get(InboundCursor, (env.realm_id, entity))


async def test_a_lost_webhook_is_recovered_by_cdc_and_the_cursor_moves_after(inbound_env: InboundEnv) -> None:
    env = inbound_env
    first = await env.inbound.catch_up()
    assert first.mode == 'query' and first.cursor == env.base.clock.now()
    env.base.clock.advance(minutes=10)
    made = env.qbo('Customer', 'create', DisplayName='Lost Notice Ltd')
    env.base.sandbox.webhooks.deliveries()[0].status = 'abandoned'  # Intuit never delivers it
    assert await env.record('customer', made['Id']) is None
    env.base.clock.advance(minutes=10)
    report = await env.inbound.catch_up()
    assert report.mode == 'cdc' and report.requests == 1 and report.result.applied == 1
    assert (await env.record('customer', made['Id'])).display_name == 'Lost Notice Ltd'
    assert (await _cursor(env)).changed_since == env.base.clock.now()


async def test_a_cursor_older_than_thirty_days_falls_back_to_queries(inbound_env: InboundEnv) -> None:
    env = inbound_env
    await env.inbound.catch_up()
    env.base.clock.advance(days=45)
    env.base.service.tokens  # noqa: B018 (the refresh token stays valid: 100 days)
    made = env.qbo('Customer', 'create', DisplayName='Back After Holidays')
    env.base.clock.advance(minutes=1)
    report = await env.inbound.catch_up()
    assert report.mode == 'query' and report.result.applied == 1 and not report.result.failed
    assert (await env.record('customer', made['Id'])) is not None
    assert (await _cursor(env)).changed_since == env.base.clock.now()


async def test_a_full_answer_narrows_the_window_until_everything_is_applied(inbound_env: InboundEnv) -> None:
    env = inbound_env
    await env.set_prefs(sync_items=False, sync_invoices=False, sync_payments=False, sync_expenses=False,
                        sync_credit_memos=False)
    await env.inbound.catch_up()
    env.base.clock.advance(minutes=5)
    for n in range(1100):
        env.company.create('Customer', {'DisplayName': f'Bulk Customer {n:04d}'})
        if n % 100 == 0:
            env.base.clock.advance(seconds=1)
    env.base.clock.advance(minutes=5)
    report = await env.inbound.catch_up()
    assert report.mode == 'cdc' and report.requests == 2 and report.result.applied == 1100
    async with env.base.db.session() as session:
        names = (await session.exec(select(Customer.display_name).where(
            Customer.display_name.like('Bulk Customer %')))).all()  # type: ignore[attr-defined]
    assert len(names) == len(set(names)) == 1100


async def test_a_burst_of_a_thousand_notices_is_applied_once_each(inbound_env: InboundEnv) -> None:
    env = inbound_env
    made = [env.qbo('Customer', 'create', DisplayName=f'Burst {n:04d}') for n in range(1000)]
    assert await env.deliver() == 10  # 100 notices per delivery
    for delivery in env.base.sandbox.webhooks.deliveries()[:3]:  # Intuit's retries of deliveries: deduplicated
        assert await env.redeliver(delivery) == 200
    assert len(await env.events()) == 1000
    report = await env.inbound.process_events()
    assert (report.claimed, report.done, report.result.applied) == (1000, 1000, 1000)
    assert (await env.inbound.process_events()).claimed == 0
    assert {e.status for e in await env.events()} == {EventStatus.DONE}
    assert len(await env.rows(Customer)) == 1000
    assert {(await env.record('customer', m['Id'])).display_name for m in made[:3]} == {
        'Burst 0000', 'Burst 0001', 'Burst 0002'}
    async with env.base.db.session() as session:
        assert len((await session.exec(select(WebhookEvent.event_key))).all()) == 1000
