# pgadmin-py container: `docker compose up` with compose.yaml, or add the service to your own compose file.
# Multi-stage: build a wheel, install it into a slim runtime with the PostgreSQL client tools
# (pg_dump / pg_restore for backups before migrations). Debian trixie ships PostgreSQL 17 clients,
# which can dump servers from 9.2 up to 17.

FROM python:3.12-slim-trixie AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY templates ./templates
COPY static ./static
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && pip wheel --no-cache-dir --wheel-dir /wheels /wheels/pgadmin_py-*.whl

FROM python:3.12-slim-trixie
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /home/pgadmin pgadmin \
 && mkdir -p /data /project && chown pgadmin /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels

# The same variables the CI test of this command sets (tests/integration/foundation/test_container_command.py).
# PGADMIN_PY_IN_CONTAINER: with nothing naming a database, look for the compose service (postgres, db, database).
ENV PYTHONUNBUFFERED=1 \
    PGADMIN_PY_IN_CONTAINER=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    BACKUP_DIR=/data/backups \
    PROJECT_DIR=/project \
    PYTHONPATH=/project
USER pgadmin
WORKDIR /project
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2)"]
CMD ["pgadmin-py", "serve"]
