# syntax=docker/dockerfile:1
# pgadmin-py container: `docker compose up` with compose.yaml, or add the service to your own compose file.
#
# Two stages, both debian:trixie-slim with Debian's own python3 (3.13), so the virtualenv made in the first
# runs unchanged in the second:
#   build    the wheels of pgadmin-py and of the dependency set pip resolves for it, installed with --no-deps
#            into the virtualenv /opt/pgadmin-py, less what pgadmin-py never imports (LEFT_OUT below); debug
#            sections stripped from compiled extensions; pip removed. Wheels, compilers and caches stay here.
#   runtime  python3, libpq5, CA certificates, the diagram's font, and pg_dump / pg_restore taken out of the
#            postgresql-client-17 package (installing the package would bring Perl, 50 MB, for its wrapper
#            scripts); then the virtualenv.
#
# pg_dump / pg_restore 17 are Debian trixie's, updated with trixie's security support; pg_dump 17 dumps servers
# 9.2 to 17. PostgreSQL 18's client is not in trixie: against a PostgreSQL 18 server pgadmin-py says before a
# migration that it needs a newer pg_dump (README, "Container": a derived image with postgresql-client-18).
#
# `make image-check` builds this file without a container engine, running these instructions in chroots
# (debian:trixie-slim assembled with debootstrap as the official image is), reports the image's size and runs
# its start command against a local PostgreSQL. It knows the instructions used here (FROM, ARG, ENV, RUN with
# cache or bind mounts, COPY, WORKDIR, USER, EXPOSE, VOLUME, HEALTHCHECK, CMD): keep to them.

FROM debian:trixie-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-dev gcc libc6-dev libpq-dev binutils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY templates ./templates
COPY static ./static
# Distributions litestar requires that pgadmin-py never imports: OpenAPI examples (polyfactory, Faker: 25 MB;
# pgadmin-py serves no OpenAPI schema), litestar's CLI (rich, rich-click, markdown-it-py, mdurl; pgadmin-py has its
# own) and its test client (httpx, httpcore, certifi). psycopg-binary is replaced by psycopg's C implementation built
# here against Debian's libpq, which the runtime has for pg_dump anyway (psycopg-binary bundles a second libpq with
# OpenSSL and Kerberos: 11 MB). tests/integration/foundation/test_container_command.py reads this list.
ARG LEFT_OUT="polyfactory faker rich rich-click markdown-it-py mdurl httpx httpcore certifi psycopg-binary"
RUN --mount=type=cache,target=/root/.cache/pip \
    python3 -m venv /opt/pgadmin-py \
 && /opt/pgadmin-py/bin/pip wheel --quiet --wheel-dir /tmp/wheels . \
 && psycopg=$(cd /tmp/wheels && ls psycopg-[0-9]*.whl | cut -d- -f2) \
 && /opt/pgadmin-py/bin/pip wheel --quiet --no-deps --wheel-dir /tmp/wheels "psycopg-c==$psycopg" \
 && for name in $LEFT_OUT; do \
      find /tmp/wheels -maxdepth 1 -iname "$(echo "$name" | tr - _)-[0-9]*.whl" -delete; done \
 && /opt/pgadmin-py/bin/pip install --quiet --no-deps --no-index /tmp/wheels/*.whl \
 && /opt/pgadmin-py/bin/pip uninstall --quiet --yes pip \
 && find /opt/pgadmin-py -name '*.so' -exec sh -c \
      'for f; do if readelf -S "$f" | grep -q "\.debug_info"; then strip --strip-debug "$f"; fi; done' sh {} + \
 && /opt/pgadmin-py/bin/python -c "import pgadmin_py.cli, pgadmin_py.web.app, uvloop, httptools, yaml, psycopg; \
      assert psycopg.pq.__impl__ == 'c', psycopg.pq.__impl__" \
 && rm -rf /tmp/wheels

FROM debian:trixie-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 libpq5 ca-certificates fonts-dejavu-mono \
 && cd /tmp && apt-get download postgresql-client-17 \
 && dpkg-deb --fsys-tarfile postgresql-client-17_*.deb | tar -x -C / \
      ./usr/lib/postgresql/17/bin/pg_dump ./usr/lib/postgresql/17/bin/pg_restore \
      ./usr/share/doc/postgresql-client-17/copyright \
 && rm postgresql-client-17_*.deb \
 && ln -s /usr/lib/postgresql/17/bin/pg_dump /usr/lib/postgresql/17/bin/pg_restore /usr/local/bin/ \
 && pg_dump --version && pg_restore --version \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /home/pgadmin pgadmin \
 && mkdir -p /data /project && chown pgadmin /data
COPY --from=build /opt/pgadmin-py /opt/pgadmin-py

# The virtualenv first on PATH (pgadmin-py and its python). The other variables are the ones the CI test of
# this command sets (tests/integration/foundation/test_container_command.py).
ENV PATH=/opt/pgadmin-py/bin:$PATH
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
# GET /healthz on the HOST and PORT the server listens on (loopback when HOST is 0.0.0.0).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD ["pgadmin-py", "healthcheck"]
CMD ["pgadmin-py", "serve"]
