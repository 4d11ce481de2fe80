"""What the running app holds, built once by ``create_app`` and injected into handlers."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.di import NamedDependency
from sqlalchemy import Engine

from pgadmin_py.browser.service import Browser
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.monitor import DatabaseMonitor
from pgadmin_py.migrations.service import MigrationsService
from pgadmin_py.orm.models import ProjectModels
from pgadmin_py.web.render import Renderer
from pgadmin_py.web.sessions import Sessions
from pgadmin_py.web.throttle import LoginThrottle


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    monitor: DatabaseMonitor
    models: ProjectModels  # the project's models as facts, read by the probe in the project's interpreter
    renderer: Renderer
    access_token: str | None  # the password or generated token; None when auth is off
    cookie_secret: str
    browser: Browser  # the data browser service (it caches table descriptions for a few seconds)
    migrations: MigrationsService  # its probe cache, SQL previews' pool and run registry live with the app
    sessions: Sessions | None  # login sessions (revoked on logout); None when auth is off
    throttle: LoginThrottle  # the limit on failed logins


# What handlers declare to receive the app state: `runtime: Runtime` (an explicit named dependency).
Runtime = NamedDependency[AppState]
