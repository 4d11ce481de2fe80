# syntax=docker/dockerfile:1
# pgadmin-py container: `docker compose up` with compose.yaml, or add the service to your own compose file.
#
# Three stages; the image is the last, FROM scratch:
#   build    debian:trixie-slim with Debian's own python3 (3.13): the wheels of pgadmin-py and of the dependency
#            set pip resolves for it, installed with --no-deps into the virtualenv /opt/pgadmin-py, less what
#            pgadmin-py never imports (LEFT_OUT below); debug sections stripped from compiled extensions; pip
#            removed. Wheels, compilers and caches stay here.
#   rootfs   the build stage plus pg_dump / pg_restore taken out of the postgresql-client-17 package (installing
#            the package would bring Perl, 50 MB, for its wrapper scripts); then docker/rootfs.sh assembles in
#            /rootfs only what runs: python3 and its standard library (less tests, ensurepip, curses, readline,
#            ...), the virtualenv, pg_dump / pg_restore, the shared libraries they load, CA certificates, time
#            zones, the diagram's font, a passwd with the user pgadmin. No shell and no package manager: the
#            Debian base alone is 79 MB.
#   (image)  FROM scratch, that directory, the settings.
#
# pg_dump / pg_restore 17 are Debian trixie's, updated with trixie's security support; pg_dump 17 dumps servers
# 9.2 to 17. PostgreSQL 18's client is not in trixie: against a PostgreSQL 18 server pgadmin-py says before a
# migration that it needs a newer pg_dump (README, "Container": a derived image with postgresql-client-18).
# Restores into PostgreSQL 12 to 16 run pg_restore 17's script in one transaction (it starts with a SET those
# servers refuse; src/pgadmin_py/migrations/scriptrestore.py).
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
 && /opt/pgadmin-py/bin/python -c "import pgadmin_py.cli, pgadmin_py.web.app, yaml, psycopg; \
      assert psycopg.pq.__impl__ == 'c', psycopg.pq.__impl__" \
 && rm -rf /tmp/wheels

FROM build AS rootfs
COPY docker/rootfs.sh /usr/local/sbin/rootfs.sh
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates fonts-dejavu-mono tzdata media-types netbase \
 && cd /tmp && apt-get download postgresql-client-17 && mv postgresql-client-17_*.deb postgresql-client-17.deb \
 && dpkg-deb --fsys-tarfile postgresql-client-17.deb | tar -x -C / \
      ./usr/lib/postgresql/17/bin/pg_dump ./usr/lib/postgresql/17/bin/pg_restore \
      ./usr/share/doc/postgresql-client-17/copyright \
 && ln -s /usr/lib/postgresql/17/bin/pg_dump /usr/lib/postgresql/17/bin/pg_restore /usr/local/bin/ \
 && sh /usr/local/sbin/rootfs.sh /rootfs \
 && chroot /rootfs /usr/local/bin/pg_dump --version && chroot /rootfs /usr/local/bin/pg_restore --version \
 && chroot --userspec=10001:10001 /rootfs /opt/pgadmin-py/bin/python -c "import ssl, sqlite3, zoneinfo, uuid, \
      pgadmin_py.cli, pgadmin_py.web.app, resvg_py, psycopg; zoneinfo.ZoneInfo('Europe/Paris'); \
      ssl.create_default_context().load_verify_locations('/etc/ssl/certs/ca-certificates.crt')"

FROM scratch
COPY --from=rootfs /rootfs /

# The virtualenv first on PATH (pgadmin-py and its python; scratch has no PATH of its own). The other variables are the ones the CI test of
# this command sets (tests/integration/foundation/test_container_command.py).
ENV PATH=/opt/pgadmin-py/bin:/usr/local/bin:/usr/bin:/bin
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
