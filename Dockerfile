# qbsync in one container: multi-stage (the build tools stay in the first stage), non-root, data in a volume.
# `docker compose up` (compose.yaml) runs it with PostgreSQL; alone it keeps SQLite in /data.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/qbsync
WORKDIR /src
COPY pyproject.toml README.md ./
COPY qbsync ./qbsync
COPY pages ./pages
# the postgres extra (asyncpg, psycopg) so QBSYNC_DATABASE_URL=postgresql+asyncpg://... works in the same image
RUN /opt/qbsync/bin/pip install '.[postgres]'

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/qbsync/bin:$PATH \
    QBSYNC_DATA_DIR=/data QBSYNC_HOST=0.0.0.0 QBSYNC_PORT=8080
RUN useradd --system --create-home --uid 10001 --user-group qbsync \
    && mkdir -p /data && chown qbsync:qbsync /data && chmod 700 /data
COPY --from=build /opt/qbsync /opt/qbsync
WORKDIR /app
COPY app.py ./
USER qbsync
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 200 when the database answers and the scheduler runs, 503 otherwise (urlopen raises on 503)
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('QBSYNC_PORT', '8080'), timeout=4)"
# the same start command as `make run`; `qbsync backup`, `qbsync db current` etc. are on PATH for `docker exec`
CMD ["python", "app.py"]
