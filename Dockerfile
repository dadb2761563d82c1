# Single-container install: one process, data in a volume, non-root, port 8080.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    QBSYNC_DATA_DIR=/data QBSYNC_HOST=0.0.0.0 QBSYNC_PORT=8080

RUN useradd --create-home --uid 10001 qbsync && mkdir -p /data && chown qbsync:qbsync /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY qbsync ./qbsync
COPY pages ./pages
COPY app.py ./
RUN pip install --no-cache-dir .

USER qbsync
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz').status == 200 else 1)"
# the same start command as `make run`; demo data only loads when no Intuit credentials are set
CMD ["python", "app.py"]
