"""One measurement in a fresh process: ``python -m bench.worker BENCHMARK VARIANT``.

The payload (run config and the prepared-data description) comes as JSON on
stdin; the metrics go to stdout as one line ``BENCH-RESULT {json}``, with the
process's peak RSS added as ``peak_rss_mb``.  The special variant
``__prepare__`` builds (or reuses) the benchmark's data and prints its
description instead.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Sequence

from bench.harness import RESULT_PREFIX, RunConfig, peak_rss_mb

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one variant (or the preparation) of one benchmark and print its result line."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m bench.worker BENCHMARK VARIANT  (payload JSON on stdin)",
              file=sys.stderr)
        return 2
    name, variant = args
    payload = json.loads(sys.stdin.read() or "{}")
    config = RunConfig(**payload["config"])
    module = importlib.import_module(f"bench.{name}")
    if variant == "__prepare__":
        result = dict(module.prepare(config))
    else:
        if variant not in module.BENCHMARK.variants:
            print(f"unknown variant {variant!r} of {name}", file=sys.stderr)
            return 2
        result = dict(module.run(variant, config, payload["prepared"]))
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
