"""Users' own stores for tests/test_user_store.py: ``FeatureStoreCore``s a scenario names as
``store: {type: python, core: "user_cores:JsonCore"}`` (the tests folder is on ``sys.path``)."""

import json


class JsonCore:
    """A core that keeps JSON text, as a database does: every read builds a fresh record."""

    def __init__(self):
        self.rows: dict[tuple[str, str], str] = {}
        self.inited = False

    def init_internal(self, all_data):
        self.rows = {(kind.namespace, key): json.dumps(item) for kind, items in all_data.items()
                     for key, item in items.items()}
        self.inited = True

    def get_internal(self, kind, key):
        text = self.rows.get((kind.namespace, key))
        return None if text is None else json.loads(text)

    def get_all_internal(self, kind):
        return {key: json.loads(text) for (namespace, key), text in self.rows.items() if namespace == kind.namespace}

    def upsert_internal(self, kind, item):
        old = self.get_internal(kind, item["key"])
        if old is not None and old["version"] >= item["version"]:
            return old
        self.rows[(kind.namespace, item["key"])] = json.dumps(item)
        return item

    def initialized_internal(self):
        return self.inited

    def is_available(self):
        return True


class BlindJsonCore(JsonCore):
    """The same core without an availability check: the SDK's wrapper cannot monitor it."""

    is_available = None  # type: ignore[assignment]


class AsyncJsonCore:
    """:class:`JsonCore` as an ``AsyncFeatureStoreCore``: coroutine methods."""

    def __init__(self):
        self.sync = JsonCore()

    async def init_internal(self, all_data):
        self.sync.init_internal(all_data)

    async def get_internal(self, kind, key):
        return self.sync.get_internal(kind, key)

    async def get_all_internal(self, kind):
        return self.sync.get_all_internal(kind)

    async def upsert_internal(self, kind, item):
        return self.sync.upsert_internal(kind, item)

    async def initialized_internal(self):
        return self.sync.initialized_internal()

    async def is_available(self):
        return True


def not_a_core_maker():
    return None


NOT_CALLABLE = 3
