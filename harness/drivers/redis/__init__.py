"""A real Redis for ``store: {type: redis}``: a ``redis-server`` and a Toxiproxy fault proxy in front
of it, one each per process, on loopback (see :mod:`.environment`)."""

from .environment import SERVER_WORD, HelperFailed, RedisEnvironment, redis_environment, redis_refusal

__all__ = ["SERVER_WORD", "HelperFailed", "RedisEnvironment", "redis_environment", "redis_refusal"]
