"""One look for every page, the login included: colours, type, spacing, and what phones and screen readers need.

``apply_theme()`` is called once per page build (by ``frame`` and by the pages outside it: login, setup). The
colours meet WCAG AA contrast with white text (Quasar's default positive/warning/info do not), and the browser's
time zone is handed to the server in a cookie so times can be shown in it without a round trip.
"""
from __future__ import annotations

from nicegui import ui

__all__ = ['apply_theme', 'COLORS', 'TIME_ZONE_COOKIE']

TIME_ZONE_COOKIE = 'qbsync_tz'
COLORS = {
    'primary': '#2E7D32',  # qbsync green; 5.1:1 against white
    'secondary': '#37474F',
    'accent': '#00695C',
    'positive': '#2E7D32',
    'negative': '#C62828',
    'warning': '#B45309',  # amber dark enough for white text (Quasar's #F2C037 is 1.7:1)
    'info': '#1565C0',
    'dark': '#1F2937',
}

_HEAD = f'''
<meta name="theme-color" content="{COLORS['primary']}">
<script>
document.documentElement.setAttribute('lang', 'en');
try {{
  document.cookie = '{TIME_ZONE_COOKIE}=' + encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone)
    + '; path=/; max-age=31536000; SameSite=Lax';
}} catch (e) {{}}
</script>
<style>
body {{ font-family: Roboto, system-ui, -apple-system, "Segoe UI", sans-serif; color: #1F2937; background: #F6F7F9; }}
/* secondary text dark enough to read (WCAG AA) on white and on the light greys */
.text-grey-6, .text-grey-7 {{ color: #5B6270 !important; }}
.text-grey-8 {{ color: #424854 !important; }}
a {{ color: #1558B0; }}
a:focus-visible, button:focus-visible, [tabindex]:focus-visible {{ outline: 3px solid #1565C0; outline-offset: 2px; }}
.qb-money {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
/* list rows: a table on a desktop, one card per row on a phone */
.qb-row {{ color: inherit; text-decoration: none; }}
.qb-row:hover {{ background: #F1F5F2; }}
.qb-cell-label {{ display: none; }}
@media (max-width: 640px) {{
  .qb-list-head {{ display: none !important; }}
  .qb-row {{ flex-wrap: wrap !important; border: 1px solid #E2E5EA; border-radius: 8px; margin: 0 0 .5rem 0;
             padding: .5rem .75rem !important; background: #fff; }}
  .qb-row > .qb-cell {{ flex: 1 1 45% !important; min-width: 40% !important; width: auto !important; }}
  .qb-row > .qb-cell:first-child {{ flex-basis: 100% !important; font-weight: 600; }}
  .qb-cell-label {{ display: block; font-size: .7rem; color: #5B6270; }}
  .qb-cell.qb-money {{ text-align: left; }}
  .qb-hide-phone {{ display: none !important; }}
}}
</style>
'''


def apply_theme() -> None:
    """Colours, the shared CSS and the html language for the page being built."""
    ui.colors(**COLORS)
    ui.add_head_html(_HEAD)
