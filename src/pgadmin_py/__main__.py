"""`python -m pgadmin_py` is the same as the `pgadmin-py` console script."""

from pgadmin_py.cli import main

raise SystemExit(main())
