"""Users and roles: the first owner, login with rehash, and who may manage whom (checked on the server)."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from qbsync.db import Database, create_sync_engine
from qbsync.models import QuickBooksConnection, Role, User
from qbsync.security import PasswordHasher
from qbsync.services.errors import NotFound, PermissionDenied, ValidationError
from qbsync.services.users import UserService, ensure_owner, require_role

from data_support import db, db_url, fast_hasher  # noqa: F401 (fixtures)

PASSWORD = 'long enough secret'


@pytest.fixture
def users(db: Database, fast_hasher: PasswordHasher) -> UserService:
    return UserService(db, hasher=fast_hasher)


@pytest.fixture
async def owner(users: UserService) -> User:
    return await users.create_user(email='Owner@Example.com', name='Olga Owner', password=PASSWORD, role=Role.OWNER)


async def test_first_owner_is_created_without_anyone_acting_and_only_once(users: UserService) -> None:
    assert not await users.owner_exists()
    user = await users.create_user(email=' Boss@Example.COM ', name=' Boss ', password=PASSWORD, role=Role.OWNER)
    assert (user.email, user.name, user.role) == ('boss@example.com', 'Boss', Role.OWNER)
    assert await users.owner_exists()
    with pytest.raises(PermissionDenied):
        await users.create_user(email='second@example.com', name='', password=PASSWORD, role=Role.OWNER)


async def test_without_an_owner_nobody_can_sneak_in_a_non_owner(users: UserService) -> None:
    with pytest.raises(PermissionDenied):
        await users.create_user(email='v@example.com', name='', password=PASSWORD, role=Role.VIEWER)


async def test_passwords_are_stored_hashed(users: UserService, owner: User) -> None:
    assert owner.password_hash != PASSWORD and PASSWORD not in owner.password_hash
    assert owner.password_hash.startswith('$argon2id$')


async def test_new_user_input_is_checked_per_field(users: UserService, owner: User) -> None:
    with pytest.raises(ValidationError) as caught:
        await users.create_user(email='not-an-email', name='x' * 256, password='short', role='superuser',
                                acting=owner)
    assert set(caught.value.field_errors) == {'email', 'name', 'password', 'role'}
    with pytest.raises(ValidationError) as caught:
        await users.create_user(email='OWNER@example.com', name='', password=PASSWORD, role=Role.VIEWER,
                                acting=owner)
    assert caught.value.field_errors == {'email': 'An account with this email already exists'}


async def test_authenticate(users: UserService, owner: User) -> None:
    user = await users.authenticate('OWNER@example.com ', PASSWORD)
    assert user is not None and user.id == owner.id and user.last_login_at is not None
    assert await users.authenticate('owner@example.com', PASSWORD + 'x') is None
    assert await users.authenticate('nobody@example.com', PASSWORD) is None
    assert await users.authenticate('', '') is None


async def test_login_upgrades_an_outdated_hash(db: Database, users: UserService, owner: User) -> None:
    stronger = UserService(db, hasher=PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    old_hash = owner.password_hash
    assert await stronger.authenticate('owner@example.com', PASSWORD) is not None
    refreshed = await stronger.get(owner.id)
    assert refreshed is not None and refreshed.password_hash != old_hash
    assert not stronger.hasher.needs_rehash(refreshed.password_hash)
    assert await stronger.authenticate('owner@example.com', PASSWORD) is not None  # the new hash verifies


async def test_viewer_and_admin_cannot_manage_users(users: UserService, owner: User) -> None:
    viewer = await users.create_user(email='v@example.com', name='', password=PASSWORD, role=Role.VIEWER,
                                     acting=owner)
    admin = await users.create_user(email='a@example.com', name='', password=PASSWORD, role=Role.ADMIN,
                                    acting=owner)
    for acting in (viewer, admin):
        with pytest.raises(PermissionDenied):
            await users.create_user(email='x@example.com', name='', password=PASSWORD, role=Role.VIEWER,
                                    acting=acting)
        with pytest.raises(PermissionDenied):
            await users.remove_user(owner.id, acting=acting)  # type: ignore[arg-type]
        with pytest.raises(PermissionDenied):
            await users.set_role(viewer.id, Role.OWNER, acting=acting)  # type: ignore[arg-type]
    assert [u.email for u in await users.list_users()] == ['a@example.com', 'owner@example.com', 'v@example.com']


async def test_the_role_in_the_database_counts_not_the_one_the_page_holds(users: UserService, owner: User) -> None:
    other = await users.create_user(email='o2@example.com', name='', password=PASSWORD, role=Role.OWNER,
                                    acting=owner)
    await users.set_role(owner.id, Role.VIEWER, acting=other)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):  # ``owner`` still says role='owner' in memory
        await users.create_user(email='x@example.com', name='', password=PASSWORD, role=Role.VIEWER, acting=owner)


async def test_last_owner_cannot_be_removed_or_demoted(users: UserService, owner: User) -> None:
    with pytest.raises(ValidationError) as caught:
        await users.remove_user(owner.id, acting=owner)  # type: ignore[arg-type]
    assert 'user' in caught.value.field_errors
    with pytest.raises(ValidationError) as caught:
        await users.set_role(owner.id, Role.ADMIN, acting=owner)  # type: ignore[arg-type]
    assert caught.value.field_errors == {'role': 'At least one owner must remain'}
    second = await users.create_user(email='o2@example.com', name='', password=PASSWORD, role=Role.OWNER,
                                     acting=owner)
    await users.set_role(owner.id, Role.ADMIN, acting=owner)  # type: ignore[arg-type]  # now allowed
    await users.remove_user(owner.id, acting=second)  # type: ignore[arg-type]
    assert [u.email for u in await users.list_users()] == ['o2@example.com']


async def test_removed_user_loses_access_and_connections_they_made_stay(db: Database, users: UserService,
                                                                        owner: User) -> None:
    admin = await users.create_user(email='a@example.com', name='', password=PASSWORD, role=Role.ADMIN,
                                    acting=owner)
    async with db.session() as session:
        session.add(QuickBooksConnection(realm_id='123', connected_by_user_id=admin.id))
        await session.commit()
    await users.remove_user(admin.id, acting=owner)  # type: ignore[arg-type]
    assert await users.get(admin.id) is None
    assert await users.authenticate('a@example.com', PASSWORD) is None
    async with db.session() as session:
        connection = (await session.exec(select(QuickBooksConnection))).one()
    assert connection.connected_by_user_id is None
    with pytest.raises(NotFound):
        await users.remove_user(admin.id, acting=owner)  # type: ignore[arg-type]


async def test_set_role_validates_the_role(users: UserService, owner: User) -> None:
    with pytest.raises(ValidationError):
        await users.set_role(owner.id, 'god', acting=owner)  # type: ignore[arg-type]


def test_require_role() -> None:
    viewer = User(id=1, email='v@example.com', password_hash='-', role=Role.VIEWER)
    admin = User(id=2, email='a@example.com', password_hash='-', role=Role.ADMIN)
    assert require_role(admin) is admin
    assert require_role(viewer, Role.ALL) is viewer
    with pytest.raises(PermissionDenied, match='viewer'):
        require_role(viewer)
    with pytest.raises(PermissionDenied):
        require_role(None)
    with pytest.raises(PermissionDenied):
        require_role(User(id=3, email='x@example.com', password_hash='-', role=Role.OWNER, active=False))


def test_ensure_owner_creates_once(db_url: str, fast_hasher: PasswordHasher) -> None:
    engine = create_sync_engine(db_url)
    try:
        with Session(engine) as session:
            with pytest.raises(ValidationError) as caught:
                ensure_owner(session, email='bad', password='x', hasher=fast_hasher)
            assert set(caught.value.field_errors) == {'email', 'password'}
            created = ensure_owner(session, email='Env@Example.com', password=PASSWORD, hasher=fast_hasher)
            assert created is not None and created.email == 'env@example.com' and created.role == Role.OWNER
            assert ensure_owner(session, email='other@example.com', password=PASSWORD, hasher=fast_hasher) is None
            assert session.exec(select(User.email)).all() == ['env@example.com']
    finally:
        engine.dispose()
