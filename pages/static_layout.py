"""The app's layout as plain HTML, for the pages a plain route answers (the QuickBooks connect results: cancelled,
refused, switch company). Same header, navigation, colours and type as ``frame``, so the owner never lands on a
page that looks like another product, and the way back is the usual navigation."""
from __future__ import annotations

import html

from .frame import NAVIGATION
from .theme import COLORS

__all__ = ['static_layout']


def static_layout(title: str, content: str) -> str:
    """A whole page: header with ``title``, the navigation (what every role may open), then ``content`` (HTML)."""
    links = ''.join(f'<li><a href="{entry.path}">{html.escape(entry.label)}</a></li>'
                    for entry in NAVIGATION if not entry.owner_only)
    primary = COLORS['primary']
    return f'''<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="{primary}"><title>{html.escape(title)} · qbsync</title>
<style>
*{{box-sizing:border-box}} body{{margin:0;font-family:Roboto,system-ui,-apple-system,"Segoe UI",sans-serif;
color:#1F2937;background:#F6F7F9}}
header{{background:{primary};color:#fff;padding:.75rem 1rem;display:flex;gap:.5rem;align-items:center}}
header a{{color:#fff;font-weight:700;font-size:1.125rem;text-decoration:none}}
.layout{{display:flex;min-height:calc(100vh - 3.25rem)}}
nav{{width:300px;background:#FAFAFA;border-right:1px solid #E2E5EA;padding:.5rem}}
nav ul{{list-style:none;margin:0;padding:0}} nav a{{display:block;padding:.6rem .75rem;border-radius:4px;
color:#212121;text-decoration:none}} nav a:hover{{background:#E8F5E9}}
main{{flex:1;max-width:72rem;margin:0 auto;padding:1rem}}
.card{{background:#fff;border:1px solid #E2E5EA;border-radius:8px;padding:1.25rem}}
h1{{font-size:1.5rem;margin-top:0}} a{{color:#1558B0}} .actions{{display:flex;flex-wrap:wrap;gap:.5rem}}
form{{margin:0}} button{{font:inherit;padding:.55rem 1rem;border-radius:4px;border:1px solid {primary};
background:#fff;color:{primary};cursor:pointer}}
button.danger{{background:#C62828;border-color:#C62828;color:#fff}}
a:focus-visible,button:focus-visible{{outline:3px solid #1565C0;outline-offset:2px}}
@media (max-width:640px){{.layout{{flex-direction:column}} nav{{width:auto;border-right:0;
border-bottom:1px solid #E2E5EA}} nav ul{{display:flex;flex-wrap:wrap;gap:.25rem}} main{{padding:.5rem}}}}
</style></head>
<body><header><a href="/">qbsync</a><span aria-hidden="true">·</span><span>{html.escape(title)}</span></header>
<div class="layout"><nav aria-label="Main"><ul>{links}</ul></nav>
<main><div class="card">{content}</div></main></div></body></html>'''
