"""One demo-site server for the whole directory: starting it renders ~500 pages once."""
from __future__ import annotations

import pytest

from crawlers.demo_site import serve_demo_site


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    with serve_demo_site(directory=tmp_path_factory.mktemp("demo-site")) as site:
        yield site
