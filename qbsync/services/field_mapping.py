"""Field Mapping for the active company: the rules (classes, locations, custom fields, tax codes), checked and saved,
with what the tab offers read live from QuickBooks (tracking preferences, classes, locations, custom field names,
tax codes).

Saving re-plans what the change affects: every synced record of an entity whose payload the new rules shape
differently goes back to pending, so the next run sends it again under the new mapping (it is an update of the
same QuickBooks object, never a second one).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from sqlalchemy import func, update
from sqlmodel import col, select

from ..mapping.custom_fields import CustomFieldDefinition, definitions
from ..mapping.rules import APP_FIELDS, CLASS, FIXED, LOCATION, NONE, NOT_TAXABLE_KEY, TAXABLE_KEY, FieldRules
from ..mapping.tax import TaxSetup, key_label
from ..mapping.tracking import TrackingPrefs
from ..models import EntityLink, FieldMapping, LinkStatus, SyncLogEntry, User
from ..models.records import utcnow
from ..sync.entities import ENTITY_NAMES, entity
from ..sync.field_context import LIST_ENTITY, load_rules, load_tax_setup, used_rates
from .account_mapping import CompanyScoped, NotConnected
from .errors import ValidationError
from .permissions import require_manager

__all__ = ['FieldMappingService', 'CompanySetup', 'SaveOutcome', 'replan']


@dataclass(frozen=True)
class CompanySetup:
    """What the connected company tracks and offers, read live."""
    prefs: TrackingPrefs
    classes: list[str] = field(default_factory=list)  # active classes, FullyQualifiedName, sorted
    locations: list[str] = field(default_factory=list)
    custom_fields: list[CustomFieldDefinition] = field(default_factory=list)
    tax: TaxSetup = field(default_factory=TaxSetup)  # its sales tax codes (none: a US company, TAX/NON)

    def names(self, kind: str) -> list[str]:
        return self.classes if kind == CLASS else self.locations


@dataclass(frozen=True)
class SaveOutcome:
    rules: FieldRules
    replanned: dict[str, int]  # entity -> synced records that go again under the new rules

    def message(self) -> str:
        parts = [f'{n} {entity(name).label.lower() if n != 1 else entity(name).singular.lower()}'
                 for name, n in self.replanned.items() if n]
        return 'Field mapping saved.' + (f' {" and ".join(parts)} will be sent again under the new mapping.'
                                         if parts else '')


class FieldMappingService(CompanyScoped):
    async def load(self, realm_id: str | None = None) -> FieldRules:
        realm_id = realm_id or await self.active_realm()
        if not realm_id:
            return FieldRules()
        async with self._db.session() as session:
            return await load_rules(session, realm_id)

    async def company_setup(self) -> CompanySetup:
        """Tracking preferences, classes, locations and custom fields of the connected company (QuickBooksError
        when QuickBooks cannot be read)."""
        client = await self._connection.api()
        prefs_body = await client.preferences()
        prefs = TrackingPrefs.from_preferences(prefs_body)
        lists: dict[str, list[str]] = {}
        for kind, entity_name in LIST_ENTITY.items():
            rows = await client.query(f'SELECT * FROM {entity_name}') if prefs.tracks(kind) else []
            lists[kind] = sorted((str(r.get('FullyQualifiedName') or r.get('Name') or '') for r in rows),
                                 key=str.lower)
        return CompanySetup(prefs, lists[CLASS], lists[LOCATION], definitions(prefs_body),
                            await load_tax_setup(client))

    async def app_tax_keys(self) -> list[str]:
        """What the tax mapping translates: every rate the sales lines use (lowest first), then 'taxable' and 'not
        taxable' for lines without a rate of their own."""
        async with self._db.session() as session:
            rates = await used_rates(session)
        return [*rates, TAXABLE_KEY, NOT_TAXABLE_KEY]

    async def app_values(self, field_name: str) -> list[str]:
        """The distinct values the records hold in an app field (what a value map can translate), sorted."""
        spec = APP_FIELDS[field_name]
        found: set[str] = set()
        async with self._db.session() as session:
            for entity_type in spec.entities:
                column = getattr(entity(entity_type).model, field_name)
                rows = (await session.exec(select(column).where(column != '').distinct())).all()
                found.update(str(value).strip() for value in rows if str(value).strip())
        return sorted(found, key=str.lower)

    async def save(self, rules: FieldRules, *, acting: User, setup: CompanySetup | None = None) -> SaveOutcome:
        """Check and keep the company's rules, and re-plan the records they change.

        :param setup: the company as the tab read it; a fixed class or location must be one of its names unless
            missing ones may be created
        """
        require_manager(acting, 'change the field mapping')
        realm_id = await self.active_realm()
        if not realm_id:
            raise NotConnected('Connect QuickBooks before mapping fields.')
        errors = rules.problems()
        for kind, key in ((CLASS, 'classes'), (LOCATION, 'locations')):
            rule = rules.tracking(kind)
            known = {name.lower() for name in setup.names(kind)} if setup is not None else None
            if rule.source == FIXED and known is not None and not rule.create_missing and \
                    rule.fixed.strip().lower() not in known:
                errors.setdefault(f'{key}.fixed', f"QuickBooks has no {kind} '{rule.fixed}'.")
        if setup is not None and setup.tax.global_tax:
            for tax_key, code_id in rules.tax.codes.items():
                if setup.tax.code(code_id) is None:
                    errors.setdefault(f'tax.{tax_key}', f'QuickBooks has no active tax code for {key_label(tax_key)} '
                                                        'with that Id.')
        if errors:
            raise ValidationError(errors)
        before = await self.load(realm_id)
        rules = _owned_refs(before, rules)
        changed = [name for name in ENTITY_NAMES if before.fingerprint(name) != rules.fingerprint(name)]
        async with self._db.session() as session:
            row = (await session.exec(select(FieldMapping).where(FieldMapping.realm_id == realm_id))).first() \
                or FieldMapping(realm_id=realm_id)
            row.rules, row.updated_at = rules.to_json(), utcnow()
            session.add(row)
            replanned = {}
            for name in changed:
                replanned[name] = await replan(session, realm_id, name)
            total = sum(replanned.values())
            session.add(SyncLogEntry(realm_id=realm_id, action='field_mapping', level='info', message=(
                f'Field mapping changed by {acting.email}'
                + (f'; {total} synced record{"s" if total != 1 else ""} will be sent again.' if total else '.'))))
            await session.commit()
        return SaveOutcome(rules, replanned)


def _owned_refs(before: FieldRules, rules: FieldRules) -> FieldRules:
    """A class or location rule switched (back) to none keeps ``clear_old`` when the app gave that ref before: the
    next update of each record then clears it in QuickBooks rather than leaving the old one."""
    for kind in (CLASS, LOCATION):
        old, new = before.tracking(kind), rules.tracking(kind)
        owned = new.source == NONE and (old.source != NONE or old.clear_old)
        if new.clear_old != owned:
            rules = rules.with_tracking(kind, replace(new, clear_old=owned))
    return rules


async def replan(session, realm_id: str, entity_type: str) -> int:  # type: ignore[no-untyped-def]
    """Synced records of the entity go back to pending: the plan sends them again as updates."""
    where = (col(EntityLink.realm_id) == realm_id, col(EntityLink.entity_type) == entity_type,
             col(EntityLink.status) == LinkStatus.SYNCED, col(EntityLink.qbo_id).isnot(None))
    count = (await session.exec(select(func.count()).select_from(EntityLink).where(*where))).one()
    if count:
        await session.exec(update(EntityLink).where(*where).values(status=LinkStatus.PENDING,  # type: ignore
                                                                      updated_at=utcnow()))
    return int(count)
