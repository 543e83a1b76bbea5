"""The server's threads yield the CPU to its trading process: once the trading process is
started, every thread of the server's process gets :data:`SERVER_NICE_INCREMENT` added to its
nice value (Linux keeps a nice value per thread; a thread started later inherits its
creator's). On a busy machine the kernel then runs the trading process first when a bar is
due, and the dashboard waits instead (docs/api.md, "Load"). Raising a nice value needs no
privilege; a platform without ``/proc/self/task`` keeps its priorities, and the log says so.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Final

logger = logging.getLogger(__name__)

SERVER_NICE_INCREMENT: Final = 5
TASKS: Final = Path("/proc/self/task")


def yield_cpu_to_trading(increment: int = SERVER_NICE_INCREMENT, tasks: Path = TASKS) -> int:
    """Add ``increment`` to the nice value of each thread of this process; the number of
    threads changed (0 where threads cannot be listed, logged)."""
    try:
        thread_ids = [int(name) for name in os.listdir(tasks)]
    except OSError as exc:
        logger.warning("server priority unchanged: cannot list this process's threads (%s)", exc)
        return 0
    changed = 0
    for thread_id in thread_ids:
        try:
            current = os.getpriority(os.PRIO_PROCESS, thread_id)
            os.setpriority(os.PRIO_PROCESS, thread_id, min(current + increment, 19))
            changed += 1
        except OSError:  # the thread ended meanwhile
            continue
    logger.info(
        "server threads at nice +%d below the trading process (%d threads)", increment, changed
    )
    return changed
