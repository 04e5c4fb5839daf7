"""Declaring a step kind: the registry, and every form derived from one declaration.

A step kind is a frozen dataclass registered with :func:`step_kind`::

    @step_kind
    @dataclass(frozen=True, slots=True)
    class Evaluate(Action):
        \"\"\"Evaluate a flag for a context key through ``variation_detail``.\"\"\"

        name: ClassVar[str] = "evaluate"
        flag: str = option(KEY, "the flag evaluated")
        context: str = option(KEY, "the context key", default="user-1")

Its options (the dataclass fields made with :func:`option`) and its ``body``
setting are all the kit needs to derive:

- the JSON Schema of its body (:attr:`Action.body_schema`, with each option's
  description, assembled into ``scenario.schema.json``);
- reading it from YAML-shaped data (:meth:`Action.from_data`), quickly for
  common bodies (:meth:`Action.from_simple_data`), and writing it back
  (:meth:`Action.to_data`);
- the builder's method of the same name, with a real signature and docstring
  (see ``builder.py``);
- its share of generated scenarios: ``weight`` (how often; 0 for never) and
  :meth:`Action.drawn` (the step four bytes stand for; a kind whose options all
  have defaults needs none).

Its ``name`` is its word in YAML and names the world method that carries it
out, ``on_<name>`` (see :mod:`harness.replay.play`). Pure: no YAML, no pandas,
no SDK.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import MISSING, dataclass
from typing import Any, Callable, ClassVar, Iterable

from ...errors import ScenarioError
from ..item_fields import Item
from .forms import NOT_QUICK, Form

STEP_KINDS: dict[str, type["Action"]] = {}
TIMING_KEYS = ("at", "after")

#: How a step's body is written (``Action.body``).
MAPPING = "mapping"                   # evaluate: {flag: f1, context: user-2}
VALUE = "value"                       # wait: 2s (the one option's value)
VALUE_OR_MAPPING = "value or mapping"  # status: VALID, or status: {state: VALID, error: {...}}
BODIES = (MAPPING, VALUE, VALUE_OR_MAPPING)


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of an option that has none.
REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Param:
    """One option of a step: its key in the body (and the builder's parameter), how
    its value is written, what it means, and its default in the model (made by
    ``default_factory`` when given). ``field`` is the dataclass field that holds it."""

    name: str
    form: Form
    doc: str
    default: Any = REQUIRED
    default_factory: Callable[[], Any] | None = None
    field: str = ""

    def __post_init__(self):
        if not self.field:
            object.__setattr__(self, "field", self.name)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED and self.default_factory is None

    def default_value(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default

    def schema(self) -> dict:
        return {**self.form.schema, "description": self.doc}


def option(form: Form, doc: str, *, default: Any = MISSING, default_factory: Any = MISSING,
           name: str | None = None) -> Any:
    """A dataclass field that is an option of its step: written in ``form``, described by
    ``doc``; ``name``: its key in YAML when it differs from the field's name."""
    return dataclasses.field(default=default, default_factory=default_factory,
                             metadata={"option": (form, doc, name)})


def handler_name(kind: str) -> str:
    """The world method that carries out a step kind."""
    return "on_" + kind


class Action:
    """One thing a step does. Subclasses are frozen dataclasses registered with :func:`step_kind`."""

    __slots__ = ()  # steps are many in long scenarios: no __dict__ each

    #: Its word in YAML, the builder's method and the handler ``on_<name>``.
    name: ClassVar[str]
    #: Its options in order; made from the dataclass fields by :func:`step_kind`, or
    #: declared with :meth:`from_params` and :meth:`to_params` when fields and options differ.
    params: ClassVar[tuple[Param, ...]] = ()
    #: How the body is written: :data:`MAPPING`, :data:`VALUE` or :data:`VALUE_OR_MAPPING`.
    body: ClassVar[str] = MAPPING
    #: Whether the step may be written with no body (``stop:``) when every option has a default.
    bare: ClassVar[bool] = True
    #: Further keys the body may hold, passed to :meth:`from_params` as they are:
    #: (the builder's name for them, their JSON Schema properties, what they are). None: no others.
    extra: ClassVar[tuple[str, dict, str] | None] = None
    #: How many entries the generation table gives this kind (0: never generated).
    weight: ClassVar[int] = 1
    #: False for steps that :func:`harness.replay.play.play` carries out itself (``wait``).
    needs_handler: ClassVar[bool] = True
    #: Derived by :func:`step_kind`: the JSON Schema of the body, the options by name, the
    #: names of the required ones, and whether every option is named as its field.
    body_schema: ClassVar[dict]
    param_index: ClassVar[dict[str, Param]]
    required_params: ClassVar[tuple[str, ...]]
    named_as_fields: ClassVar[bool]
    #: Derived too, for the quick reading of long files: the step from the value of its first
    #: option alone (the class itself when that option is its first field).
    made_from_value: ClassVar[Callable[[Any], "Action"]]

    # -- what a kind may override: options other than its fields, and its draw from bytes ------

    @classmethod
    def from_params(cls, **values: Any) -> "Action":
        """The step from its options' model values (and any extra keys)."""
        if cls.named_as_fields:
            return cls(**values)
        return cls(**{param.field: values[param.name] for param in cls.params if param.name in values})

    def to_params(self) -> dict[str, Any]:
        """The model value of every option (and any extra keys), by name."""
        return {param.name: getattr(self, param.field) for param in self.params}

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Action":
        """The step three bytes stand for (any bytes make a valid step; zeros the plainest)."""
        return cls.from_params()

    # -- read and written, for every kind ------------------------------------------------

    @classmethod
    def from_data(cls, body: Any) -> "Action":
        """The step from its YAML body (already checked against ``body_schema``)."""
        if cls.body != MAPPING and (cls.body == VALUE or type(body) is not dict):
            first = cls.params[0]
            return cls.from_params(**{first.name: first.form.read(body, first.name)})
        body = body or {}
        values = {param.name: param.form.read(body[param.name], param.name)
                  for param in cls.params if param.name in body}
        if cls.extra is not None:
            values.update((key, value) for key, value in body.items() if key not in values)
        return cls.from_params(**values)

    @classmethod
    def from_simple_data(cls, body: Any) -> "Action | None":
        """The step from a body in a common form, read without the schema; ``None`` for
        every other body, valid or not, which the schema then checks. Never accepts a
        body that ``body_schema`` refuses (a test holds every kind to that)."""
        try:
            body_form = cls.body
            if body_form != MAPPING and (body_form == VALUE or type(body) is not dict):
                quick = cls.params[0].form.quick
                value = NOT_QUICK if quick is None else quick(body)
                return None if value is NOT_QUICK else cls.made_from_value(value)
            if body is None:
                return cls.from_params() if cls.bare and not cls.required_params else None
            if type(body) is not dict:
                return None
            index, values = cls.param_index, {}
            for key, value in body.items():
                param = index.get(key)
                quick = None if param is None else param.form.quick
                if quick is None:
                    return None
                value = quick(value)
                if value is NOT_QUICK:
                    return None
                values[key] = value
            for name in cls.required_params:
                if name not in values:
                    return None
            return cls.from_params(**values)
        except ScenarioError:
            return None  # the careful reader explains it, located

    def to_data(self) -> Any:
        """The step's YAML body: the options not at their defaults (and any extra keys)."""
        values = self.to_params()
        written: dict = {}
        for param in self.params:
            if param.name in values:
                value = values.pop(param.name)
                if param.required or value != param.default_value():
                    written[param.name] = param.form.write(value)
        written.update(values)  # extra keys, as they are
        if self.body == VALUE or (self.body == VALUE_OR_MAPPING and written.keys() <= {self.params[0].name}):
            first = self.params[0]
            return written.get(first.name, first.form.write(getattr(self, first.field)))
        return written

    # -- what the scenario's own checks read, without per-kind code ----------------------

    def writes(self) -> Iterable[tuple[str, str]]:
        """(kind, key) of every item this step writes or deletes."""
        return ()

    def items(self) -> Iterable[Item]:
        """Every item spec this step carries."""
        return ()

    def extent(self) -> int:
        """How far (microseconds) this step itself can move the clock, at most."""
        return 0


def _params_of_fields(cls: type[Action]) -> tuple[Param, ...]:
    params = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if "option" not in f.metadata:
            raise TypeError(f"step kind {cls.name!r}: field {f.name!r} is no option(...); declare 'params', "
                            "'from_params' and 'to_params' when the fields are not the options")
        form, doc, name = f.metadata["option"]
        params.append(Param(name or f.name, form, doc, REQUIRED if f.default is MISSING else f.default,
                            None if f.default_factory is MISSING else f.default_factory, f.name))
    return tuple(params)


def body_schema(cls: type[Action]) -> dict:
    """The JSON Schema of a kind's body, from its options."""
    doc = description(cls)
    if cls.body == VALUE:
        return {**cls.params[0].form.schema, "description": doc}
    properties = {param.name: param.schema() for param in cls.params}
    mapping: dict = {"type": "object", "additionalProperties": False, "properties": properties}
    if cls.extra is not None:
        properties.update((key, schema) for key, schema in cls.extra[1].items() if key not in properties)
    required = [param.name for param in cls.params if param.required]
    if required:
        mapping["required"] = required
    elif cls.bare and cls.body == MAPPING:
        mapping["type"] = ["object", "null"]
    if cls.body == MAPPING:
        return {**mapping, "description": doc}
    return {"description": doc, "if": {"type": "object"}, "then": mapping, "else": cls.params[0].form.schema}


def description(cls: type) -> str:
    """The first paragraph of a class's docstring, on one line."""
    return " ".join(inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].split())


def _value_maker(cls: type[Action]) -> Callable[[Any], Action]:
    name = cls.params[0].name if cls.params else ""
    generic = "from_params" not in cls.__dict__ and dataclasses.is_dataclass(cls)
    if generic and cls.params and cls.params[0].field == dataclasses.fields(cls)[0].name:
        return cls  # by position: a call fewer and no dict, for each of 20,000 "status: VALID"
    return lambda value: cls.from_params(**{name: value})


_WATCHERS: list[Callable[[type[Action]], None]] = []


def when_declared(callback: Callable[[type[Action]], None]) -> None:
    """Call ``callback`` with every step kind declared so far, and with each one declared later
    (the builder adds its methods this way: the vocabulary knows nothing of the builder)."""
    _WATCHERS.append(callback)
    for kind in list(STEP_KINDS.values()):
        callback(kind)


def step_kind(cls: type[Action]) -> type[Action]:
    """Class decorator: add a step kind to the vocabulary (its ``name`` must be new)."""
    name = cls.__dict__.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"{cls.__name__} needs a ClassVar 'name' that is an identifier")
    if name in STEP_KINDS or name in TIMING_KEYS:
        raise TypeError(f"step kind {name!r} is declared twice")
    if not description(cls) or description(cls).startswith(f"{cls.__name__}("):  # or the one @dataclass wrote
        raise TypeError(f"step kind {name!r} needs a docstring: it is the step's help in editors and the builder")
    if "params" not in cls.__dict__:
        cls.params = _params_of_fields(cls)
    if cls.body not in BODIES:
        raise TypeError(f"step kind {name!r}: body must be one of {BODIES}")
    if cls.body != MAPPING and (not cls.params or (cls.body == VALUE and len(cls.params) != 1)):
        raise TypeError(f"step kind {name!r} is written as a value: it needs "
                        f"{'exactly one option' if cls.body == VALUE else 'options'}")
    if cls.body == VALUE_OR_MAPPING and not cls.params[0].required:
        raise TypeError(f"step kind {name!r}: the option written alone ({cls.params[0].name!r}) must be required")
    required = tuple(param.name for param in cls.params if param.required)
    if cls.weight and required and "drawn" not in cls.__dict__:
        raise TypeError(f"step kind {name!r} has required options: declare how it is drawn from bytes "
                        "(a classmethod 'drawn(cls, a, b, c)'), or weight = 0 to leave it out of generated scenarios")
    cls.param_index = {param.name: param for param in cls.params}
    cls.required_params = required
    cls.named_as_fields = all(param.name == param.field for param in cls.params)
    cls.made_from_value = _value_maker(cls)  # type: ignore[assignment]
    cls.body_schema = body_schema(cls)
    for watcher in _WATCHERS:  # first: a watcher that refuses the kind (a builder name taken) leaves no trace
        watcher(cls)
    STEP_KINDS[name] = cls
    return cls
