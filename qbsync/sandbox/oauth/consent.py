"""The consent screen and the authorize error page: plain server-rendered HTML, every value escaped.

It looks and behaves like Intuit's screen (app name, what each scope allows, a company picker, Connect and Cancel)
and needs no JavaScript, so a headless browser or a form-posting script can drive it.
"""
from __future__ import annotations

from html import escape

from ..accounting.store import CompanyRef
from .authorize import NEW_COMPANY, SCOPE_DESCRIPTIONS, AuthorizationRequest
from .user import SandboxUser

__all__ = ['render_consent', 'render_error']

_STYLE = '''
body{margin:0;font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f4f5f8;color:#393a3d}
header{background:#fff;border-bottom:1px solid #dcdcdc;padding:14px 24px;font-weight:600;color:#2ca01c}
header small{color:#6b6c72;font-weight:400;margin-left:8px}
main{max-width:480px;margin:40px auto;background:#fff;border-radius:8px;padding:32px;
     box-shadow:0 2px 8px rgba(0,0,0,.08)}
h1{font-size:22px;margin:0 0 8px}p{line-height:1.5}ul{padding-left:20px}li{margin:6px 0}
label{display:block;font-weight:600;margin:20px 0 6px}select{width:100%;padding:8px;font-size:15px}
.actions{display:flex;gap:12px;justify-content:flex-end;margin-top:28px}
button{font-size:15px;padding:9px 22px;border-radius:4px;cursor:pointer;border:1px solid #8d9096;background:#fff}
button.primary{background:#2ca01c;border-color:#2ca01c;color:#fff;font-weight:600}
.user,.note{color:#6b6c72;font-size:13px}.error{color:#d52b1e}
'''


def render_consent(request: AuthorizationRequest, companies: list[CompanyRef], ticket: str, action: str,
                   user: SandboxUser) -> str:
    app_name = escape(request.app.name)
    scopes = ''.join(f'<li data-scope="{escape(s)}">{escape(SCOPE_DESCRIPTIONS[s])}</li>' for s in request.scopes)
    picker = ''
    if request.needs_company:
        options = ''.join(f'<option value="{escape(c.realm_id)}">{escape(c.name)}</option>' for c in companies)
        options += f'<option value="{NEW_COMPANY}">Create a new sandbox company</option>'
        picker = (f'<label for="company">Select a company</label>'
                  f'<select id="company" name="realm_id">{options}</select>')
    body = f'''
<h1>Connect {app_name} to QuickBooks</h1>
<p class="user">Signed in as {escape(user.display_name)} ({escape(user.email)})</p>
<p><strong>{app_name}</strong> would like to:</p>
<ul id="scopes">{scopes}</ul>
<form method="post" action="{escape(action)}">
<input type="hidden" name="consent_ticket" value="{escape(ticket)}">
{picker}
<p class="note">By clicking Connect, you authorize Intuit to share your data with {app_name}.
You can disconnect at any time.</p>
<div class="actions">
<button type="submit" id="cancel" name="decision" value="deny" formnovalidate>Cancel</button>
<button type="submit" id="connect" class="primary" name="decision" value="allow">Connect</button>
</div>
</form>'''
    return _page(f'Connect {request.app.name} to QuickBooks', body)


def render_error(title: str, message: str) -> str:
    body = f'<h1 class="error">{escape(title)}</h1><p id="error-message">{escape(message)}</p>'
    return _page(title, body)


def _page(title: str, body: str) -> str:
    return f'''<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_STYLE}</style></head>
<body><header>intuit quickbooks<small>sandbox</small></header><main>{body}</main></body></html>
'''
