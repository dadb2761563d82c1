"""Intuit's query language: parse a SELECT statement and evaluate it against a company's objects.

Grammar (qbo-api.md section 4)::

    SELECT * | COUNT(*) | field [, field ...] FROM Entity
      [WHERE cond [AND cond ...]]        cond: field (= != < > <= >= LIKE) value | field IN (value, ...)
      [ORDERBY | ORDER BY field [ASC|DESC] [, ...]] [STARTPOSITION n] [MAXRESULTS n]

Choices where Intuit is UNCONFIRMED or lenient: entity names match in any case; string ``=``, ``!=``, ``IN`` and
``LIKE`` ignore case; ``!=`` is accepted (Intuit's service parses it although its page lists only = < > <= >= IN
LIKE), ``<>`` is not; a field list after ``*`` (``SELECT *, Sku`` as python-quickbooks sends) returns full objects; a
column list without ``*`` (``SELECT Id, DisplayName FROM Customer``) returns each object with only those fields and
``"sparse": true``, which is how Intuit's query response marks objects "not all properties of the entity are in"
(Intuit's data-query page; its newer page says projections are unsupported, so this is UNCONFIRMED) - a dotted column
(``MetaData.CreateTime``) keeps that part of the object; MAXRESULTS defaults to 100 and values above 1000 are answered
with 1000 objects; results are ordered by numeric Id unless ORDERBY says otherwise. OR, JOIN, GROUP BY and anything
else outside the grammar are 4000; a field that the entity does not allow in WHERE/ORDERBY is 4001. Inactive name-list
objects are hidden unless the WHERE clause mentions ``Active``.
"""
from __future__ import annotations

import copy

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from . import faults
from .entities import find_entity_type
from .wire import parse_intuit_datetime

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from .store import Company

__all__ = ['Query', 'Condition', 'parse_query', 'run_query', 'DEFAULT_MAX_RESULTS', 'MAX_RESULTS']

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS = 1000
_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:\\.|[^'\\])*')
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),*])
  | (?P<word>[A-Za-z_][\w.]*)
  | (?P<bad>\S)
)""", re.VERBOSE)
_FORBIDDEN = {'OR', 'JOIN', 'GROUP', 'HAVING', 'UNION', 'NOT', 'LIMIT', 'OFFSET', 'DISTINCT', 'SUM', 'MAX', 'MIN'}


@dataclass(frozen=True)
class Condition:
    field: str
    op: str                 # '=', '<', '>', '<=', '>=', 'LIKE', 'IN'
    values: tuple[Any, ...]


@dataclass
class Query:
    entity: str
    count: bool = False
    columns: tuple[str, ...] = ()    # a column list without ``*``: only these fields are returned (sparse)
    where: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)     # (field, descending)
    start: int = 1
    max_results: int = DEFAULT_MAX_RESULTS


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


def _tokens(text: str) -> list[_Tok]:
    out = []
    for match in _TOKEN.finditer(text.strip()):
        kind = match.lastgroup or 'bad'
        if kind == 'bad':
            raise faults.query_parse_error(f'Encountered unexpected character "{match.group(kind)}"')
        out.append(_Tok(kind, match.group(kind)))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def next(self, what: str = 'a token') -> _Tok:
        tok = self.peek()
        if tok is None:
            raise faults.query_parse_error(f'Encountered end of statement, expected {what}')
        self.pos += 1
        if tok.kind == 'word' and tok.text.upper() in _FORBIDDEN:
            raise faults.query_parse_error(f'Encountered "{tok.text}": not supported by the query language')
        return tok

    def keyword(self, *words: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == 'word' and tok.text.upper() in words:
            self.pos += 1
            return True
        if tok is not None and tok.kind == 'word' and tok.text.upper() in _FORBIDDEN:
            raise faults.query_parse_error(f'Encountered "{tok.text}": not supported by the query language')
        return False

    def expect(self, kind: str, text: str | None = None) -> _Tok:
        tok = self.next(text or kind)
        if tok.kind != kind or (text is not None and tok.text.upper() != text):
            raise faults.query_parse_error(f'Encountered "{tok.text}", expected {text or kind}')
        return tok

    def value(self) -> Any:
        tok = self.next('a value')
        if tok.kind == 'string':
            return re.sub(r"\\(.)", r'\1', tok.text[1:-1])
        if tok.kind == 'number':
            return Decimal(tok.text)
        if tok.kind == 'word' and tok.text.lower() in ('true', 'false'):
            return tok.text.lower() == 'true'
        raise faults.query_parse_error(f'Encountered "{tok.text}", expected a value')

    def integer(self, clause: str) -> int:
        tok = self.next(f'a number after {clause}')
        if tok.kind == 'string':
            tok = _Tok('number', tok.text[1:-1])
        if tok.kind != 'number' or not tok.text.isdigit():
            raise faults.query_parse_error(f'{clause} needs a positive whole number, got "{tok.text}"')
        return int(tok.text)


def parse_query(text: str) -> Query:
    p = _Parser(text)
    if not p.keyword('SELECT'):
        raise faults.query_parse_error('A query starts with SELECT')
    count = False
    if p.keyword('COUNT'):
        p.expect('punct', '(')
        p.expect('punct', '*')
        p.expect('punct', ')')
        count = True
    columns: list[str] = []
    star = count
    if not count:
        first = p.peek()
        if first is not None and first.kind == 'word' and first.text.upper() != 'FROM':
            columns.append(p.expect('word').text)
        else:
            p.expect('punct', '*')
            star = True
    while (tok := p.peek()) is not None and tok.kind == 'punct' and tok.text == ',':
        p.next()
        columns.append(p.expect('word').text)
    if not p.keyword('FROM'):
        raise faults.query_parse_error('Expected FROM after the selection')
    query = Query(entity=p.expect('word').text, count=count, columns=() if star else tuple(columns))
    if p.keyword('WHERE'):
        query.where.append(_condition(p))
        while p.keyword('AND'):
            query.where.append(_condition(p))
    if p.keyword('ORDERBY') or (p.keyword('ORDER') and p.expect('word', 'BY')):
        while True:
            name = p.expect('word').text
            descending = p.keyword('DESC')
            if not descending:
                p.keyword('ASC')
            query.order.append((name, descending))
            tok = p.peek()
            if tok is None or tok.kind != 'punct' or tok.text != ',':
                break
            p.next()
    if p.keyword('STARTPOSITION'):
        query.start = max(p.integer('STARTPOSITION'), 1)
    if p.keyword('MAXRESULTS'):
        query.max_results = p.integer('MAXRESULTS')
        if query.max_results < 1:
            raise faults.query_parse_error('MAXRESULTS must be at least 1')
    if (tok := p.peek()) is not None:
        p.next()
        raise faults.query_parse_error(f'Encountered "{tok.text}" after the end of the statement')
    return query


def _condition(p: _Parser) -> Condition:
    name = p.expect('word').text
    if p.keyword('IN'):
        p.expect('punct', '(')
        values = [p.value()]
        while (tok := p.next('")" or ","')).text == ',':
            values.append(p.value())
        if tok.text != ')':
            raise faults.query_parse_error(f'Encountered "{tok.text}", expected ")"')
        return Condition(name, 'IN', tuple(values))
    if p.keyword('LIKE'):
        return Condition(name, 'LIKE', (p.value(),))
    tok = p.next('an operator')
    if tok.kind != 'op' or tok.text == '<>':
        raise faults.query_parse_error(f'Encountered "{tok.text}", expected one of = != < > <= >= IN LIKE')
    return Condition(name, tok.text, (p.value(),))


def run_query(company: Company, text: str) -> dict[str, Any]:
    """Evaluate a statement; returns the ``QueryResponse`` content (``{}`` when nothing matches)."""
    query = parse_query(text)
    etype = find_entity_type(query.entity)
    if etype is None:
        raise faults.query_parse_error(f'Invalid entity name: {query.entity}')
    fields = {c.field for c in query.where} | {name for name, _ in query.order}
    for name in fields:
        if name not in etype.filterable:
            raise faults.query_invalid(f'Property {name} not found or not queryable for entity {etype.name}')
    if query.count and query.order:
        raise faults.query_parse_error('ORDERBY cannot be used with COUNT(*)')
    rows = [obj for obj in etype.views(company) if _matches(obj, query.where, company.zone)]
    if etype.name_list and not any(c.field == 'Active' for c in query.where):
        rows = [obj for obj in rows if obj.get('Active', True) is not False]
    if query.count:
        return {'totalCount': len(rows)}
    rows.sort(key=lambda obj: _id_key(obj.get('Id')))
    for name, descending in reversed(query.order):
        present = [o for o in rows if _lookup(o, name) is not None]
        missing = [o for o in rows if _lookup(o, name) is None]
        present.sort(key=lambda obj: _sort_key(_lookup(obj, name), company.zone, name), reverse=descending)
        rows = present + missing
    page = rows[query.start - 1: query.start - 1 + min(query.max_results, MAX_RESULTS)]
    if not page:
        return {}
    if query.columns:
        page = [_project(obj, query.columns) for obj in page]
    return {etype.name: copy.deepcopy(page), 'startPosition': query.start, 'maxResults': len(page)}


def _project(obj: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """Only the selected fields (a dotted column keeps that branch), marked ``sparse`` as Intuit marks them."""
    out: dict[str, Any] = {}
    for column in columns:
        source, target, parts = obj, out, column.split('.')
        for part in parts[:-1]:
            source = source.get(part) if isinstance(source, dict) else None
            target = target.setdefault(part, {})
        if isinstance(source, dict) and parts[-1] in source:
            target[parts[-1]] = source[parts[-1]]
    return {**out, 'domain': 'QBO', 'sparse': True}


def _lookup(obj: dict[str, Any], path: str) -> Any:
    value: Any = obj
    for part in path.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, dict):
        for key in ('value', 'Address', 'FreeFormNumber', 'URI'):
            if key in value:
                return value[key]
        return None
    return value


def _matches(obj: dict[str, Any], conditions: list[Condition], zone: ZoneInfo) -> bool:
    for cond in conditions:
        actual = _lookup(obj, cond.field)
        if actual is None:
            return False
        if cond.op == 'LIKE':
            if not _like(str(actual), str(cond.values[0])):
                return False
        elif cond.op == 'IN':
            if not any(_compare(actual, v, zone, cond.field) == 0 for v in cond.values):
                return False
        else:
            order = _compare(actual, cond.values[0], zone, cond.field)
            if order is None or not {'=': order == 0, '!=': order != 0, '<': order < 0, '>': order > 0,
                                     '<=': order <= 0, '>=': order >= 0}[cond.op]:
                return False
    return True


def _like(actual: str, pattern: str) -> bool:
    regex = '.*'.join(re.escape(part) for part in pattern.split('%'))
    return re.fullmatch(regex, actual, flags=re.IGNORECASE | re.DOTALL) is not None


def _compare(actual: Any, wanted: Any, zone: ZoneInfo, name: str) -> int | None:
    """-1/0/1 comparing a stored value with a literal, in the stored value's type; None when incomparable."""
    try:
        if isinstance(actual, bool) or isinstance(wanted, bool):
            a, b = _as_bool(actual), _as_bool(wanted)
        elif isinstance(actual, (int, Decimal)):
            a, b = Decimal(actual), Decimal(str(wanted))
        elif _is_datetime(name, actual):
            a, b = parse_intuit_datetime(str(actual), zone), parse_intuit_datetime(str(wanted), zone)
        else:
            a, b = str(actual).casefold(), str(wanted).casefold()
            if a.isdigit() and b.isdigit():
                a, b = int(a), int(b)  # type: ignore[assignment]
    except (InvalidOperation, ValueError, TypeError):
        raise faults.query_invalid(f'Invalid value {wanted!r} for {name}') from None
    return (a > b) - (a < b)  # type: ignore[operator]


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ('true', 'false'):
        return str(value).lower() == 'true'
    raise ValueError(value)


def _is_datetime(name: str, value: Any) -> bool:
    return name.startswith('MetaData.') and isinstance(value, str) and 'T' in value


def _sort_key(value: Any, zone: ZoneInfo, name: str) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if _is_datetime(name, value):
        return parse_intuit_datetime(value, zone)
    text = str(value)
    return (0, int(text), '') if text.isdigit() else (1, 0, text.casefold())


def _id_key(value: Any) -> tuple[int, int, str]:
    text = str(value)
    return (0, int(text), '') if text.isdigit() else (1, 0, text)


