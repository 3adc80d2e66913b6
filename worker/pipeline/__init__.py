"""The pure core: raw article in, update events and state changes out.

Nothing here imports faust, aiokafka, orjson, logging, the clock or the environment: time and
state come in as arguments, so the streaming agent, `news-worker process` and the unit tests run
the very same code.
"""

from worker.pipeline.process import Outcome, process_article

__all__ = ["Outcome", "process_article"]
