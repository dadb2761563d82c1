"""The container, as far as it can be checked without a Docker daemon: the Dockerfile's shape, compose.yaml, and the
image's own start command and HEALTHCHECK run as plain commands with the image's environment (JSON logs on)."""
from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT = 60.0


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r'\\\n\s*', ' ', (REPO / 'Dockerfile').read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith('#')]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions()
    last_from = max(n for n, (name, _) in enumerate(steps) if name == 'FROM')
    return steps[last_from:]


def _image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for name, args in _final_stage():
        if name == 'ENV':
            env.update(dict(part.split('=', 1) for part in shlex.split(args)))
    return env


def test_the_dockerfile_builds_a_small_non_root_image_with_a_healthcheck_and_a_volume() -> None:
    steps = _instructions()
    stages = [args for name, args in steps if name == 'FROM']
    assert len(stages) == 2 and stages[0].endswith(' AS build') and 'slim' in stages[1]
    final = _final_stage()
    names = [name for name, _ in final]
    assert ('COPY', '--from=build /opt/qbsync /opt/qbsync') in final  # only the built venv, no compilers or caches
    assert 'RUN' not in names[names.index('USER'):]  # nothing runs as root after the switch
    user = dict(final)['USER']
    assert user not in ('root', '0') and re.search(rf'useradd .*{user}', dict(final)['RUN'])
    assert dict(final)['VOLUME'] == '["/data"]' and _image_env()['QBSYNC_DATA_DIR'] == '/data'
    assert '/healthz' in dict(final)['HEALTHCHECK'] and json.loads(dict(final)['CMD']) == ['python', 'app.py']
    assert "'.[postgres]'" in dict(steps)['RUN'] or any("'.[postgres]'" in a for n, a in steps if n == 'RUN')
    ignored = (REPO / '.dockerignore').read_text().split()
    assert {'.git', '.venv', 'data', 'tests'} <= set(ignored)


def test_compose_runs_the_app_on_postgresql() -> None:
    compose = yaml.safe_load((REPO / 'compose.yaml').read_text())
    db, app = compose['services']['db'], compose['services']['app']
    assert db['image'].startswith('postgres:') and 'pg_isready' in ' '.join(db['healthcheck']['test'])
    assert app['depends_on']['db']['condition'] == 'service_healthy' and app['build'] == '.'
    url = app['environment']['QBSYNC_DATABASE_URL']
    user, database = db['environment']['POSTGRES_USER'], db['environment']['POSTGRES_DB']
    assert url == f'postgresql+asyncpg://{user}:${{QBSYNC_DB_PASSWORD}}@db:5432/{database}'
    assert 'QBSYNC_DB_PASSWORD' in db['environment']['POSTGRES_PASSWORD']
    assert any(volume.endswith(':/data') for volume in app['volumes']) and set(compose['volumes']) == {
        'pgdata', 'qbsync-data'}


def test_the_image_command_and_healthcheck_work_as_plain_commands(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST' and not k.startswith('NICEGUI_')}
    env.update(_image_env())
    env.update({'PATH': f'{Path(sys.executable).parent}:{os.environ.get("PATH", "")}',  # the venv as /opt/qbsync
                'QBSYNC_DATA_DIR': str(tmp_path / 'data'),
                'QBSYNC_HOST': '127.0.0.1',
                'QBSYNC_PORT': str(port), 'QBSYNC_DEMO_DATA': '0', 'QBSYNC_LOG_FORMAT': 'json',
                'QBSYNC_LOG_LEVEL': 'INFO'})
    healthcheck = dict(_final_stage())['HEALTHCHECK'].split(' CMD ', 1)[1]
    log_file = tmp_path / 'app.log'
    with log_file.open('wb') as log:
        child = subprocess.Popen(json.loads(dict(_final_stage())['CMD']), cwd=REPO, env=env, stdout=log,
                                 stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + BOOT_TIMEOUT
        while subprocess.run(['sh', '-c', healthcheck], env=env, capture_output=True).returncode != 0:
            assert child.poll() is None, log_file.read_text(errors='replace')
            assert time.monotonic() < deadline, 'the HEALTHCHECK never passed:\n' + log_file.read_text()
            time.sleep(0.25)  # polling another process's readiness: there is no event to wait on
        current = subprocess.run(['qbsync', 'db', 'current'], env=env, capture_output=True, text=True, timeout=60)
        assert current.returncode == 0 and 'up to date' in current.stdout
    finally:
        child.terminate()
        child.wait(timeout=20)
    lines = [line for line in log_file.read_text().splitlines() if line.strip()]
    assert lines and all(json.loads(line)['level'] for line in lines)  # JSON logs: every line one object
    assert any('database ready' in json.loads(line)['message'] for line in lines)
