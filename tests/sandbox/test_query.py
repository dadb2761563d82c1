"""The query language (checklist 28, 29): parser, filters, ordering, paging, counts, errors."""
from __future__ import annotations

import pytest

from qbsync.sandbox.accounting.faults import QBOFault
from qbsync.sandbox.accounting.query import Condition, parse_query


def _names(response: dict, entity: str) -> list[str]:
    return [o.get('DisplayName') or o.get('Name') for o in response.get(entity, [])]


def test_parse_full_statement():
    query = parse_query("select * from Invoice where TxnDate >= '2026-01-01' and CustomerRef IN ('1', '2') "
                        "and DocNumber LIKE '10%' ORDER BY TxnDate DESC, Id STARTPOSITION 11 MAXRESULTS 10")
    assert query.entity == 'Invoice' and not query.count
    assert query.where == [Condition('TxnDate', '>=', ('2026-01-01',)), Condition('CustomerRef', 'IN', ('1', '2')),
                           Condition('DocNumber', 'LIKE', ('10%',))]
    assert query.order == [('TxnDate', True), ('Id', False)] and (query.start, query.max_results) == (11, 10)
    assert parse_query("SELECT COUNT(*) FROM Customer WHERE DisplayName = 'O\\'Brien'").where[0].values == ("O'Brien",)


@pytest.mark.parametrize(('text', 'code'), [
    ("select * from Customer where DisplayName = 'a' or DisplayName = 'b'", '4000'),
    ('select * from Customer c join Invoice i', '4000'),
    ('select * from Customer group by Active', '4000'),
    ("select * from Customer where DisplayName <> 'a'", '4000'),
    ('select Id from', '4000'),
    ('delete from Customer', '4000'),
    ('select * from Widget', '4000'),
    ("select * from Customer where Color = 'red'", '4001'),
    ('select * from Customer orderby Color', '4001'),
    ('select * from Customer maxresults 0', '4000'),
])
def test_statements_outside_the_language_are_refused(company, text, code):
    with pytest.raises(QBOFault) as caught:
        company.query(text)
    assert caught.value.code == code


def test_equality_is_case_insensitive_and_entity_names_any_case(company):
    assert _names(company.query("select * from customer where DisplayName = 'COOL CARS'"), 'Customer') == ['Cool Cars']
    assert company.query("SELECT * FROM CUSTOMER WHERE Id = '3'")['Customer'][0]['DisplayName'] == 'Cool Cars'


def test_comparisons_in_like_and_ordering(company):
    assert _names(company.query("select * from Item where UnitPrice > 20 orderby UnitPrice desc"), 'Item') == \
        ['Rock Fountain', 'Design', 'Installation']
    assert _names(company.query("select * from Item where UnitPrice <= '2' and Type = 'Inventory'"), 'Item') == \
        ['Sprinkler Heads']
    assert _names(company.query("select * from Customer where DisplayName like '%s%' and Id in ('1', '2', '6')"),
                  'Customer') == ["Amy's Bird Sanctuary", "Bill's Windsurf Shop", 'Freeman Sporting Goods']
    assert _names(company.query("select * from Account where Name like 'S%' orderby Name"), 'Account') == \
        ['Sales of Product Income', 'Savings', 'Services', 'Supplies']


def test_paging_and_envelope(company):
    page = company.query('select * from Account startposition 3 maxresults 2')
    assert [a['Id'] for a in page['Account']] == ['3', '4'] and page['startPosition'] == 3 and page['maxResults'] == 2
    assert company.query('select * from Account startposition 500') == {}
    assert len(company.query('select * from Account maxresults 5000')['Account']) == 18    # capped at 1000
    assert company.query('select count(*) from Account') == {'totalCount': 18}


def test_inactive_hidden_unless_asked_for(company):
    company.update('Customer', {'Id': '6', 'SyncToken': '0', 'sparse': True, 'Active': False})
    assert company.query('select count(*) from Customer') == {'totalCount': 29}          # 30 seeded, 1 inactive
    assert company.query('select count(*) from Customer where Active = false') == {'totalCount': 1}
    assert company.query('select count(*) from Customer where Active in (true, false)') == {'totalCount': 30}


def test_metadata_times_compare_as_instants(company, clock):
    clock.advance(hours=2)
    company.update('Customer', {'Id': '2', 'SyncToken': '0', 'sparse': True, 'Notes': 'changed'})
    # 17:30Z written in another offset is after the seed (17:00Z) and before the change (19:00Z)
    changed = company.query("select * from Customer where MetaData.LastUpdatedTime > '2026-01-15T12:30:00-05:00'")
    assert [c['Id'] for c in changed['Customer']] == ['2']
    assert company.query("select count(*) from Customer where MetaData.CreateTime < '2026-01-15T17:00:01Z'") == \
        {'totalCount': 30}                                     # every seeded customer, the history's included


def test_transactions_by_reference_date_and_balance(company):
    for customer, amount, day in (('1', 100, '2026-01-10'), ('2', 40, '2026-01-12'), ('1', 5, '2026-01-14')):
        company.create('Invoice', {'CustomerRef': {'value': customer}, 'TxnDate': day,
                                   'Line': [{'Amount': amount, 'SalesItemLineDetail': {'ItemRef': {'value': '3'}}}]})
    mine = company.query("select * from Invoice where CustomerRef = '1' orderby TotalAmt")
    assert [i['TotalAmt'] for i in mine['Invoice']] == [5, 100]
    assert company.query("select count(*) from Invoice where Balance > '50' and CustomerRef in ('1', '2')") == \
        {'totalCount': 1}
    assert company.query("select count(*) from Invoice where TxnDate >= '2026-01-12'") == {'totalCount': 2}
    assert company.query("select * from Customer where Balance > 0 and Id in ('1', '2', '3')")['Customer'][0][
        'Id'] == '1'
