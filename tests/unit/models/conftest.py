from __future__ import annotations

import pytest
from models_helpers import probe

from pgadmin_py.orm.introspect import ModelCatalog


@pytest.fixture(scope="session")
def typed20() -> ModelCatalog:
    facts = probe("shop20.models:Base", "typed20")
    assert facts.problem is None, facts.problem
    return facts.catalog
