"""policykg's benchmark suite: ``python -m bench [NAME ...] [--rounds N] [--scale S] [--quick]``.

Not installed with the package; run it from the repository root.  See ``bench/README.md``.
"""
