"""One name per place (issue 13): the navigation, the control-center tabs, the README, the console banner and every
text a page or a message shows call a place by the same name. Any other spelling of a name ('Sync settings',
'the dashboard', 'control center', 'Realm ID') fails here with the file and line where it is."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from pages.frame import NAVIGATION
from pages.integrations.control_center import TABS

ROOT = Path(__file__).resolve().parents[2]
# what people read: every page, and the services and commands whose words reach a page, an email or the console
SOURCES = (*sorted((ROOT / 'pages').rglob('*.py')),
           *(ROOT / 'qbsync' / name for name in (
               'services/owner_messages.py', 'services/setup_guide.py', 'services/report_content.py',
               'services/connection_views.py', 'services/notifications.py', 'services/permissions.py',
               'quickbooks/explain.py', 'demo.py', 'sync_command.py', 'status.py', 'labels.py')))

PLACES = ('Overview', 'Sync Settings', 'Account Mapping', 'Field Mapping', 'Sync Dashboard', 'Sync Log', 'Setup Guide')
# other spellings of a place -> its one name (case matters: 'change the field mapping' is a phrase, not a name)
VARIANTS = {
    r'\bSync settings\b': 'Sync Settings', r'\bAccount mapping\b': 'Account Mapping',
    r'\bField mapping\b': 'Field Mapping', r'\bSync dashboard\b': 'Sync Dashboard', r'\b[Ss]ync log\b': 'Sync Log',
    r'\bSetup guide\b': 'Setup Guide', r'(?<!Sync )(?<!App )\b[Dd]ashboard\b': 'Sync Dashboard (or Home)',
    r'\b[Cc]ontrol [Cc]enter\b': 'QuickBooks settings', r'\bQuickBooks Settings\b': 'QuickBooks settings',
    r'\bRealm ID\b': 'Company ID', r'\b[Tt]oken health\b': 'connection health in words',
}


def _texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal in a module that is not a docstring and reads as words (has a space)."""
    tree = ast.parse(path.read_text(encoding='utf-8'))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and ' ' in node.value.strip()]


def test_the_tabs_are_the_places_and_the_navigation_leads_to_them() -> None:
    assert tuple(label for _, label, *_ in TABS) == PLACES
    assert 'Integrations' in [entry.label for entry in NAVIGATION]  # where QuickBooks settings are found


def test_no_page_message_or_command_uses_another_name_for_a_place() -> None:
    found = [f'{path.relative_to(ROOT)}:{line}: {text.strip()[:80]!r} (say {name!r})'
             for path in SOURCES for line, text in _texts(path)
             for pattern, name in VARIANTS.items() if re.search(pattern, text)]
    assert found == []


def test_the_readme_uses_the_same_names() -> None:
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    for place in PLACES:
        assert place in readme, place
    assert 'QuickBooks settings' in readme
    prose = re.sub(r'`[^`]*`', '', readme)  # commands and paths are not names people read on screen
    found = [f'README.md:{n}: {line.strip()[:80]!r} (say {name!r})' for n, line in enumerate(prose.splitlines(), 1)
             for pattern, name in VARIANTS.items() if re.search(pattern, line)]
    assert found == []
