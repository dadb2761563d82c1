"""A SIGKILL at any moment of a migration leaves a database the next start migrates normally (issue 10, item 5).

One helper process imports qbsync once, then forks a child per trial that runs the real ``upgrade_schema`` on its
own database file and is killed with SIGKILL after a random delay spread over a whole migration's duration (forking
after the imports keeps each trial at migration cost, not interpreter start-up cost). Each database is then
migrated again by a fresh process and must be at head with exactly the models' schema.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

TRIALS = 6

KILLER = textwrap.dedent('''
    import json, os, random, signal, sys, time
    from qbsync.db import upgrade_schema
    folder, trials = sys.argv[1], int(sys.argv[2])

    def migrate_in_child(path):
        pid = os.fork()
        if pid == 0:
            try:
                upgrade_schema(f'sqlite+aiosqlite:///{path}')
            finally:
                os._exit(0)
        return pid

    started = time.perf_counter()  # one full migration, to spread the kill points over
    os.waitpid(migrate_in_child(os.path.join(folder, 'timing.db')), 0)
    duration = time.perf_counter() - started
    random.seed(int(os.environ.get('KILL_SEED', '0')) or None)
    kills = []
    for trial in range(trials):
        delay = random.uniform(0, duration * 1.1)
        pid = migrate_in_child(os.path.join(folder, f'trial-{trial}.db'))
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        kills.append({'delay': round(delay, 4), 'killed': os.WIFSIGNALED(status)})
    print(json.dumps({'duration': duration, 'kills': kills}))
''')

CHECK = textwrap.dedent('''
    import json, sys
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import text
    from sqlmodel import SQLModel
    import qbsync.models
    from qbsync.db import alembic_config, create_sync_engine, upgrade_schema
    head = ScriptDirectory.from_config(alembic_config('sqlite://')).get_current_head()
    results = {}
    for path in sys.argv[1:]:
        url = f'sqlite+aiosqlite:///{path}'
        try:
            upgrade_schema(url)
            engine = create_sync_engine(url)
            with engine.connect() as connection:
                version = connection.execute(text('SELECT version_num FROM alembic_version')).scalar()
                diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
            engine.dispose()
            results[path] = 'ok' if version == head and not diff else f'version {version}, diff {diff}'[:300]
        except Exception as error:
            results[path] = f'{type(error).__name__}: {error}'[:300]
    print(json.dumps(results))
''')


def _python(script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, '-c', script, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sigkill_at_random_points_of_a_migration_leaves_a_startable_database(tmp_path: Path) -> None:
    report = _python(KILLER, str(tmp_path), str(TRIALS))
    killed = [kill for kill in report['kills'] if kill['killed']]
    assert len(killed) >= TRIALS // 2, report  # most trials really died mid-way (the rest had finished)
    databases = sorted(str(path) for path in tmp_path.glob('trial-*.db'))
    assert databases, 'no trial got as far as creating its database file'
    results = _python(CHECK, *databases)
    failures = {path: outcome for path, outcome in results.items() if outcome != 'ok'}
    assert not failures, f'{len(failures)} of {len(results)} killed migrations left a broken database: {failures}'
