"""``GET /{invoice|creditmemo}/{id}/pdf``: the document as QuickBooks would print it, as a small, valid PDF.

Hand-written PDF 1.4 (no dependency): Letter pages, the two standard Helvetica fonts (nothing embedded), plain
content streams and an exact cross-reference table. It shows what a client checks on a real one: company name and
address, document title and number, dates, customer and billing address, the lines (description, qty, rate,
amount), subtotal, discount, tax, total and balance, and the customer memo; long documents run onto more pages.
The bytes depend only on the document and the sandbox clock, so the same document prints the same way twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .entities import entity_type
from .entities.values import ref_id

if TYPE_CHECKING:
    from .store import Company

__all__ = ['document_pdf', 'render_pdf', 'PdfPage', 'PdfText', 'text_width']

PAGE_WIDTH, PAGE_HEIGHT = 612, 792      # US Letter, in points
LEFT, RIGHT, TOP, BOTTOM = 50, 562, 742, 60
QTY_RIGHT, RATE_RIGHT = 400, 480
DESCRIPTION_WIDTH = 280
LEADING = 14
TITLES = {'Invoice': 'INVOICE', 'CreditMemo': 'CREDIT MEMO', 'SalesReceipt': 'SALES RECEIPT',
          'RefundReceipt': 'REFUND', 'Estimate': 'ESTIMATE'}
NUMBER_LABELS = {'Invoice': 'INVOICE NO.', 'CreditMemo': 'CREDIT NO.', 'SalesReceipt': 'SALES NO.',
                 'RefundReceipt': 'REFUND NO.', 'Estimate': 'ESTIMATE NO.'}

# Helvetica advance widths (thousandths of the font size) for printable ASCII, from Adobe's AFM; anything else is
# drawn as '?' or counted at 556. Bold text is measured with the same table (close enough to right-align headers;
# digits and punctuation, which is what amounts are made of, have the same widths in both fonts).
_WIDTHS = dict(zip(map(chr, range(32, 127)), (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
    556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556,
    556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
    500, 500, 500, 334, 260, 334, 584), strict=True))


@dataclass(frozen=True)
class PdfText:
    x: float
    y: float
    text: str
    size: float = 10
    bold: bool = False
    align: str = 'left'      # or 'right': x is where the text ends


@dataclass
class PdfPage:
    texts: list[PdfText] = field(default_factory=list)
    rules: list[tuple[float, float, float]] = field(default_factory=list)   # (x1, x2, y) horizontal lines


def text_width(text: str, size: float) -> float:
    return sum(_WIDTHS.get(ch, 556) for ch in text) * size / 1000


def document_pdf(company: Company, entity: str, entity_id: str) -> bytes:
    """The PDF of one invoice or credit memo; raises QBOFault (610 for an unknown id, 500 for other entities)."""
    from . import faults
    kind = entity_type(entity)
    if 'pdf' not in kind.operations:
        raise faults.unsupported_operation(f'PDF on {kind.name}')
    doc = kind.read(company, entity_id)
    info = company.get_object('CompanyInfo', '1') or {}
    pages = _layout(kind.name, doc, info.get('CompanyName') or company.name, info.get('CompanyAddr') or {})
    title = f"{TITLES[kind.name].title()} {doc.get('DocNumber') or doc['Id']}"
    return render_pdf(pages, title=title, author=info.get('CompanyName') or company.name,
                      created=company.now(), zone=company.zone)


# --- layout -------------------------------------------------------------------------------------------------------
def _layout(entity: str, doc: dict[str, Any], company_name: str, company_addr: dict[str, Any]) -> list[PdfPage]:
    pages = [PdfPage()]
    page = pages[0]
    page.texts.append(PdfText(LEFT, TOP, company_name, 16, bold=True))
    page.texts.append(PdfText(RIGHT, TOP, TITLES[entity], 20, bold=True, align='right'))
    y = TOP - 18
    for line in _address_lines(company_addr):
        page.texts.append(PdfText(LEFT, y, line, 9))
        y -= 12
    y = min(y, TOP - 40) - 24
    top_of_boxes = y
    page.texts.append(PdfText(LEFT, y, 'BILL TO', 9, bold=True))
    customer = (doc.get('CustomerRef') or {}).get('name') or f"Customer {ref_id(doc.get('CustomerRef')) or ''}"
    bill_to = [customer, *_address_lines(doc.get('BillAddr') or {})]
    if (doc.get('BillEmail') or {}).get('Address'):
        bill_to.append(doc['BillEmail']['Address'])
    for line in bill_to:
        y -= 13
        page.texts.append(PdfText(LEFT, y, line, 10))
    facts = [(NUMBER_LABELS[entity], doc.get('DocNumber') or doc['Id']), ('DATE', _us_date(doc.get('TxnDate')))]
    if entity == 'Invoice':
        facts.append(('DUE DATE', _us_date(doc.get('DueDate'))))
        if (doc.get('SalesTermRef') or {}).get('name'):
            facts.append(('TERMS', doc['SalesTermRef']['name']))
    right_y = top_of_boxes
    for label, value in facts:
        page.texts.append(PdfText(440, right_y, label, 9, bold=True, align='right'))
        page.texts.append(PdfText(RIGHT, right_y, str(value), 10, align='right'))
        right_y -= 13
    y = min(y, right_y) - 28

    def header(at: float) -> float:
        for x, label, align in ((LEFT, 'DESCRIPTION', 'left'), (QTY_RIGHT, 'QTY', 'right'),
                                (RATE_RIGHT, 'RATE', 'right'), (RIGHT, 'AMOUNT', 'right')):
            pages[-1].texts.append(PdfText(x, at, label, 9, bold=True, align=align))
        pages[-1].rules.append((LEFT, RIGHT, at - 5))
        return at - 5 - LEADING

    def room(at: float, rows: int) -> float:
        """Start a new page when ``rows`` more rows would not fit above the bottom margin."""
        if at - (rows - 1) * LEADING >= BOTTOM + 20:
            return at
        pages.append(PdfPage())
        return header(TOP)

    y = header(y)
    for description, qty, rate, amount in _rows(doc):
        wrapped = _wrap(description, DESCRIPTION_WIDTH, 10) or ['']
        y = room(y, len(wrapped))
        for index, text in enumerate(wrapped):
            pages[-1].texts.append(PdfText(LEFT, y, text, 10))
            if index == 0:
                for x, value in ((QTY_RIGHT, qty), (RATE_RIGHT, rate), (RIGHT, amount)):
                    if value:
                        pages[-1].texts.append(PdfText(x, y, value, 10, align='right'))
            y -= LEADING
    totals = _totals(entity, doc)
    y = room(y - 6, len(totals) + 1)
    pages[-1].rules.append((RATE_RIGHT - 120, RIGHT, y + LEADING - 4))
    for label, value, strong in totals:
        pages[-1].texts.append(PdfText(RATE_RIGHT, y, label, 11 if strong else 10, bold=strong, align='right'))
        pages[-1].texts.append(PdfText(RIGHT, y, value, 11 if strong else 10, bold=strong, align='right'))
        y -= LEADING + (2 if strong else 0)
    memo = (doc.get('CustomerMemo') or {}).get('value')
    if memo:
        lines = [part for paragraph in str(memo).splitlines() for part in _wrap(paragraph, RIGHT - LEFT, 10) or ['']]
        y = room(y - 10, len(lines) + 1)
        pages[-1].texts.append(PdfText(LEFT, y, 'MESSAGE', 9, bold=True))
        for line in lines:
            y -= LEADING
            pages[-1].texts.append(PdfText(LEFT, y, line, 10))
    for number, each in enumerate(pages, start=1):
        each.texts.append(PdfText(RIGHT, BOTTOM - 25, f'Page {number} of {len(pages)}', 8, align='right'))
    return pages


def _rows(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in doc.get('Line', []):
        kind = line.get('DetailType')
        if kind == 'SalesItemLineDetail':
            detail = line.get('SalesItemLineDetail') or {}
            description = line.get('Description') or (detail.get('ItemRef') or {}).get('name') or ''
            qty = detail.get('Qty')
            rate = detail.get('UnitPrice')
            rows.append((description, _number(qty) if qty else '', _money(rate) if rate else '',
                         _money(line.get('Amount', 0))))
        elif kind == 'DescriptionOnly':
            amount = Decimal(line.get('Amount', 0) or 0)
            rows.append((line.get('Description') or '', '', '', _money(amount) if amount else ''))
    return rows


def _totals(entity: str, doc: dict[str, Any]) -> list[tuple[str, str, bool]]:
    subtotal = next((line.get('Amount', 0) for line in doc.get('Line', [])
                     if line.get('DetailType') == 'SubTotalLineDetail'), 0)
    totals = [('SUBTOTAL', _money(subtotal), False)]
    for line in doc.get('Line', []):
        if line.get('DetailType') == 'DiscountLineDetail':
            percent = (line.get('DiscountLineDetail') or {}).get('DiscountPercent')
            label = f'DISCOUNT {_number(percent)}%' if percent is not None else 'DISCOUNT'
            totals.append((label, _money(-Decimal(line.get('Amount', 0))), False))
    tax = Decimal((doc.get('TxnTaxDetail') or {}).get('TotalTax', 0) or 0)
    if tax:
        totals.append(('TAX', _money(tax), False))
    totals.append(('TOTAL', _money(doc.get('TotalAmt', 0)), True))
    if entity == 'Invoice':
        deposit = Decimal(doc.get('Deposit', 0) or 0)
        if deposit:
            totals.append(('DEPOSIT', _money(-deposit), False))
        totals.append(('BALANCE DUE', _money(doc.get('Balance', 0)), True))
    elif entity == 'CreditMemo':
        totals.append(('REMAINING CREDIT', _money(doc.get('RemainingCredit', doc.get('Balance', 0))), True))
    elif entity in ('SalesReceipt', 'RefundReceipt'):
        totals.append(('PAID' if entity == 'SalesReceipt' else 'REFUNDED', _money(doc.get('TotalAmt', 0)), True))
    return totals


def _address_lines(addr: dict[str, Any]) -> list[str]:
    lines = [str(addr[k]) for k in ('Line1', 'Line2', 'Line3', 'Line4', 'Line5') if addr.get(k)]
    region = ' '.join(str(addr[k]) for k in ('CountrySubDivisionCode', 'PostalCode') if addr.get(k))
    place = ', '.join(part for part in (str(addr.get('City') or ''), region) if part)
    return lines + ([place] if place else [])


def _money(value: Any) -> str:
    amount = Decimal(value or 0).quantize(Decimal('0.01'))
    return f'-${-amount:,.2f}' if amount < 0 else f'${amount:,.2f}'


def _number(value: Any) -> str:
    number = Decimal(value).normalize()
    return f'{number:f}'


def _us_date(value: Any) -> str:
    if not value:
        return ''
    return date.fromisoformat(str(value)[:10]).strftime('%m/%d/%Y')


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy word wrap by measured width; a word wider than the column is cut."""
    lines: list[str] = []
    current = ''
    for word in str(text).split():
        while text_width(word, size) > width:
            cut = max(1, next(i for i in range(len(word), 0, -1) if text_width(word[:i], size) <= width))
            if current:
                lines.append(current)
                current = ''
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f'{current} {word}' if current else word
        if text_width(candidate, size) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


# --- PDF file -----------------------------------------------------------------------------------------------------
def render_pdf(pages: list[PdfPage], *, title: str, author: str, created: datetime, zone: ZoneInfo) -> bytes:
    """Serialise laid-out pages: catalog, page tree, two fonts, info, then a page and a content stream per page."""
    page_ids = [6 + 2 * index for index in range(len(pages))]
    objects: list[bytes] = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [' + b' '.join(b'%d 0 R' % pid for pid in page_ids) + b'] /Count %d >>' % len(pages),
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
        b'<< /Title ' + _string(title) + b' /Author ' + _string(author) + b' /Producer (qbsync QuickBooks sandbox)'
        b' /CreationDate ' + _string(_pdf_date(created, zone)) + b' >>',
    ]
    for page, page_id in zip(pages, page_ids, strict=True):
        stream = _content(page)
        objects.append(b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R '
                       b'/F2 4 0 R >> >> /Contents %d 0 R >>' % (PAGE_WIDTH, PAGE_HEIGHT, page_id + 1))
        objects.append(b'<< /Length %d >>\nstream\n' % len(stream) + stream + b'\nendstream')
    out = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % number + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    out += b''.join(b'%010d 00000 n \n' % offset for offset in offsets)
    out += b'trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objects) + 1, xref)
    return bytes(out)


def _content(page: PdfPage) -> bytes:
    ops = [b'0.5 w']
    ops += [b'%s %s m %s %s l S' % (_num(x1), _num(y), _num(x2), _num(y)) for x1, x2, y in page.rules]
    for text in page.texts:
        x = text.x - text_width(text.text, text.size) if text.align == 'right' else text.x
        ops.append(b'BT /%s %s Tf 1 0 0 1 %s %s Tm %s Tj ET' % (b'F2' if text.bold else b'F1', _num(text.size),
                                                                 _num(x), _num(text.y), _string(text.text)))
    return b'\n'.join(ops)


def _string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252); what it cannot encode becomes '?', control characters spaces."""
    raw = ''.join(' ' if ord(ch) < 32 else ch for ch in text).encode('cp1252', errors='replace')
    return b'(' + raw.replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')', b'\\)') + b')'


def _num(value: float) -> bytes:
    return (b'%.2f' % value).rstrip(b'0').rstrip(b'.')


def _pdf_date(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    offset = local.strftime('%z')
    return local.strftime('D:%Y%m%d%H%M%S') + f"{offset[:3]}'{offset[3:]}'"
