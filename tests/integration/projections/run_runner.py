"""Run a projection `Runner` over the toy application until SIGTERM (used as a subprocess).

usage: python -m tests.integration.projections.run_runner URL VERSIONS PAGE_SIZE [auto]
"""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from projections.runner import Runner
from tests.integration.projections.toy import CountersV1, CountersV2, CountersV3, open_toy

ALL = {1: CountersV1, 2: CountersV2, 3: CountersV3}


def main() -> None:
    url, versions, page_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    logging.basicConfig(level=logging.INFO)
    runner = Runner(
        url,
        app=open_toy(url),
        projectors=[ALL[int(v)] for v in versions.split(",")],
        auto_promote="auto" in sys.argv[4:],
        page_size=page_size,
        lock_retry=0.5,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        runner.stop()

    signal.signal(signal.SIGTERM, stop)
    runner.run_forever()


if __name__ == "__main__":
    main()
