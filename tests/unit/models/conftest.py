from __future__ import annotations

import pytest
from models_helpers import load

from pgadmin_py.orm.introspect import ModelCatalog, describe_models


@pytest.fixture(scope="session")
def typed20() -> ModelCatalog:
    loaded = load("shop20.models:Base", "typed20")
    assert loaded.problem is None, loaded.problem
    return describe_models(loaded)
