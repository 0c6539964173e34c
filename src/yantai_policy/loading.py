"""Load a plan file (JSON or TOML) into a [`Policy`][yantai_policy.model.Policy].

The built-in Yantai plan ships inside the package as JSON and is read once, then
cached. JSON because the standard library parses it in C: the cold import-and-load
budget is 40 ms over a bare interpreter, and the pure-Python TOML parser alone would
cost a third of that. Plans written by hand may be TOML; both load the same way. Any other plan in the same format loads the
same way from a path. Every problem in a file is reported as a
[`PolicyDataError`][yantai_policy.errors.PolicyDataError] that names the file, the key path and,
where the parser gives one, the line.

Examples:
    >>> import yantai_policy as yp
    >>> policy = yp.load_policy()
    >>> policy.notice.document_number
    '烟政办字〔2021〕3号'
    >>> policy is yp.load_policy()
    True
"""

from __future__ import annotations

import _thread
import datetime as dt
import json
import os
import re
import stat
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, TypeVar

from yantai_policy import jsonkeys
from yantai_policy._text import escape_forbidden, is_blank, name_key, text_problem
from yantai_policy.dates import parse_date
from yantai_policy.errors import PolicyDataError
from yantai_policy.formula_parameters import out_of_bounds, unit_mismatch
from yantai_policy.model import (
    Action,
    Assignment,
    Bureau,
    BureauKind,
    Deadline,
    Erratum,
    EventSource,
    Item,
    LeadRule,
    Measure,
    Notice,
    ParentNotice,
    Policy,
    Provenance,
    Reference,
    ReferenceKind,
    Reporting,
    ReviewNote,
    Role,
    Section,
    SourceRef,
    Text,
    UnitEvent,
    UnitEventKind,
    main_assignment,
)
from yantai_policy.parameters import (
    Parameter,
    ParameterSet,
    Source,
    SourceKind,
    Unit,
    Value,
    parse_value,
)
from yantai_policy.textio import SNIFF_BYTES, bom_encoding

try:  # CPython's own SHA-256: the same digest as hashlib's, without loading OpenSSL (~2 ms)
    from _sha256 import sha256  # type: ignore[import-not-found]  # Python 3.11
except ImportError:  # pragma: no cover - other Pythons
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12 and later
    except ImportError:
        from hashlib import sha256

if TYPE_CHECKING:
    import enum
    from collections.abc import Mapping
    from typing import BinaryIO

__all__ = [
    "BUILTIN_PLAN",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_PLAN_BYTES",
    "READABLE_VERSIONS",
    "load_policy",
    "policy_from_dict",
    "read_policy",
]

FORMAT = "yantai-policy/plan"
"""The value of a plan file's ``format`` key."""
FORMAT_VERSION = 2
"""The plan-file format version this library writes (and reads)."""
READABLE_VERSIONS = (1, 2)
"""The versions it reads: a version 1 file (one unit per action) is upgraded on read."""
BUILTIN_PLAN = "yantai-2021-3.json"
"""The file name of the built-in Yantai plan inside ``yantai_policy/data``."""
MAX_PLAN_BYTES = 256 * 1024 * 1024
"""The default bound on a plan file's size (256 MiB); the built-in plan is about 80 KB."""

_ID = re.compile(r"[a-z][a-z0-9_]*")
_E = TypeVar("_E", bound="enum.Enum")


def load_policy(
    path: str | os.PathLike[str] | None = None, *, max_bytes: int = MAX_PLAN_BYTES
) -> Policy:
    """Load a plan: the built-in Yantai plan, or a plan file in the same format.

    Args:
        path: A plan file: TOML where the name ends in ``.toml``, JSON otherwise. It
            must be a regular file (not a directory, device or pipe), in UTF-8, or in
            UTF-16 or UTF-32 with a byte-order mark.
            ``None`` loads the built-in plan, which is parsed once and cached.
        max_bytes: The largest plan file read: a larger one is refused before it is
            read whole.

    Returns:
        The plan as immutable, typed objects.

    Raises:
        PolicyDataError: The file cannot be read, is not a regular file, is larger than
            ``max_bytes``, is not UTF-8 (or UTF-16/32 with a mark), does not parse (a
            key given twice does not), or does not follow the format; the message
            names the file, key path and line.

    Examples:
        >>> import yantai_policy as yp
        >>> yp.load_policy().measure(7).actions[0].bureau.name.zh
        '市财政局'
        >>> yp.load_policy("no/such/plan.toml")
        Traceback (most recent call last):
        ...
        yantai_policy.errors.PolicyDataError: no/such/plan.toml: cannot read the file (No such file or directory)
    """
    if path is None:
        return _builtin()
    name = os.fspath(path)
    raw = _read_plan(name, max_bytes)
    return _load_bytes(raw, name, json_format=not name.lower().endswith(".toml"))


def read_policy(
    stream: BinaryIO, name: str = "<stdin>", *, toml: bool = False, max_bytes: int = MAX_PLAN_BYTES
) -> Policy:
    """Load a plan from an open binary stream, such as standard input (``--plan -``).

    The same reading as [`load_policy`][yantai_policy.load_policy]: at most ``max_bytes``,
    the encoding told by a byte-order mark, a key given twice refused.

    Args:
        stream: Where the plan's bytes are read from.
        name: What errors call the stream.
        toml: The plan is TOML; JSON otherwise.
        max_bytes: The largest plan read.

    Raises:
        PolicyDataError: As for [`load_policy`][yantai_policy.load_policy].

    Examples:
        >>> import io
        >>> from yantai_policy.loading import read_data_file, read_policy
        >>> len(read_policy(io.BytesIO(read_data_file("yantai-2021-3.json"))).actions)
        49
    """
    raw = _read_bounded(stream, name, max_bytes, "the plan")
    return _load_bytes(raw, name, json_format=not toml)


def _read_bounded(stream: BinaryIO, name: str, max_bytes: int, what: str) -> bytes:
    """Read at most ``max_bytes`` from ``stream``: the one bound on a plan's size, and its errors."""
    try:
        raw = stream.read(max_bytes + 1)
    except OSError as error:
        raise PolicyDataError(f"cannot read {what} ({error.strerror})", file=name) from None
    if len(raw) > max_bytes:
        raise PolicyDataError(f"{what} is larger than {max_bytes:,} bytes", file=name)
    return raw


def _read_plan(name: str, max_bytes: int) -> bytes:
    """The bytes of a plan file: a regular file of at most ``max_bytes``.

    Opened without blocking, so that a pipe with no writer is refused at once, as are
    a directory and a device (``/dev/zero`` would never end).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(name, flags)
    except OSError as error:
        raise PolicyDataError(f"cannot read the file ({error.strerror})", file=name) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "Is a directory" if stat.S_ISDIR(mode) else "not a regular file: a device or a pipe"
        raise PolicyDataError(f"cannot read the file ({kind})", file=name)
    with open(fd, "rb") as stream:  # noqa: PTH123 - pathlib costs import time
        return _read_bounded(stream, name, max_bytes, "the file")


def read_data_file(name: str) -> bytes:
    """Return the bytes of a file shipped in ``yantai_policy/data``.

    Read straight from the package directory, falling back to
    `importlib.resources` (which costs more to import) when the package is not
    on the file system, as in a zip.
    """
    here = os.path.join(os.path.dirname(__file__), "data", name)  # noqa: PTH118, PTH120
    try:
        with open(here, "rb") as stream:  # noqa: PTH123
            return stream.read()
    except OSError:
        from importlib import resources  # noqa: PLC0415 - only for zipped installs

        return resources.files("yantai_policy").joinpath("data", name).read_bytes()


_BUILTIN: list[Policy] = []
"""The built-in plan once loaded: one object for every caller, in every thread."""
_BUILTIN_LOCK = _thread.allocate_lock()


def _builtin() -> Policy:
    if not _BUILTIN:  # double-checked: threads asking at once wait for the one load
        with _BUILTIN_LOCK:
            if not _BUILTIN:
                raw = read_data_file(BUILTIN_PLAN)
                name = f"<yantai_policy>/data/{BUILTIN_PLAN}"
                _BUILTIN.append(_load_bytes(raw, name, json_format=True))
    return _BUILTIN[0]


def _load_bytes(raw: bytes, file: str, *, json_format: bool) -> Policy:
    try:
        codec = bom_encoding(raw[:SNIFF_BYTES])
    except ValueError as error:
        raise PolicyDataError(str(error), file=file) from None
    try:
        text = raw.decode("utf-8" if codec == "utf-8-sig" else codec)
    except UnicodeDecodeError as error:
        line = raw[: error.start].decode(codec, "replace").count("\n") + 1
        raise PolicyDataError(
            f"the file is not {error.encoding.upper()} "
            f"(byte {error.start}: {raw[error.start : error.start + 1]!r})",
            file=file,
            line=line,
        ) from None
    text = text.removeprefix("\ufeff")
    data = _parse_json(text, file) if json_format else _parse_toml(text, file)
    return policy_from_dict(data, file=file, data_sha256=sha256(raw).hexdigest())


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    import tomllib  # noqa: PLC0415 - only TOML plans pay for the TOML parser

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = int(match.group(1)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error)) or "invalid TOML"
        raise PolicyDataError(f"invalid TOML: {reason}", file=file, line=line) from None
    except RecursionError:
        raise PolicyDataError("invalid TOML: nested too deeply", file=file) from None
    except ValueError as error:  # not a TOMLDecodeError: a 5,000-digit integer
        raise PolicyDataError(f"invalid TOML: {error}", file=file) from None


def _parse_json(text: str, file: str) -> dict[str, Any]:
    try:
        data = jsonkeys.loads(text, parse_constant=_reject_constant)
    except jsonkeys.DuplicateKeyError as error:
        raise PolicyDataError(jsonkeys.REASON, file=file, path=error.path) from None
    except json.JSONDecodeError as error:
        raise PolicyDataError(f"invalid JSON: {error.msg}", file=file, line=error.lineno) from None
    except (RecursionError, ValueError) as error:
        raise PolicyDataError(f"invalid JSON: {error}", file=file) from None
    if not isinstance(data, dict):
        raise PolicyDataError("the top level must be an object", file=file)
    return data


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not allowed")


class _Node:
    """A value in the parsed file, with its key path, for precise errors."""

    __slots__ = ("file", "path", "value")

    def __init__(self, value: object, file: str, path: str) -> None:
        self.value = value
        self.file = file
        self.path = path

    def fail(self, reason: str) -> NoReturn:
        raise PolicyDataError(reason, file=self.file, path=self.path)

    def child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        key = escape_forbidden(key)  # a path must print, whatever the key holds
        return f"{self.path}.{key}" if self.path else key

    def table(self) -> Mapping[str, object]:
        if not isinstance(self.value, dict):
            self.fail(f"expected a table, got {_kind(self.value)}")
        return self.value

    def only(self, *keys: str) -> None:
        """Reject keys the format does not define (a typo would otherwise be lost)."""
        for key in self.table():
            if key not in keys:
                import difflib  # noqa: PLC0415 - only the error path needs it

                close = difflib.get_close_matches(key, keys, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                _Node(None, self.file, self.child_path(key)).fail(f"unknown field {key!r}{hint}")

    def has(self, key: str) -> bool:
        return key in self.table()

    def get(self, key: str) -> _Node:
        table = self.table()
        if key not in table:
            self.fail(f"missing required field {key!r}")
        return _Node(table[key], self.file, self.child_path(key))

    def items(self, key: str, *, required: bool = True) -> list[_Node]:
        if not required and not self.has(key):
            return []
        node = self.get(key)
        if not isinstance(node.value, list):
            node.fail(f"expected a list, got {_kind(node.value)}")
        return [_Node(v, self.file, node.child_path(i)) for i, v in enumerate(node.value)]

    def string(self, key: str, *, allow_empty: bool = False) -> str:
        node = self.get(key)
        if not isinstance(node.value, str):
            node.fail(f"expected a string, got {_kind(node.value)}")
        return node.checked_text(node.value, allow_empty=allow_empty)

    def checked_text(
        self, value: str, *, allow_empty: bool = False, empty: str = "must not be empty"
    ) -> str:
        """Return this node's text, refusing what no output can hold and, unless allowed, blanks.

        The one check of every text field: a lone surrogate or a control character fails
        with its code point and offset, and text of only whitespace and invisible
        characters (zero-width spaces, U+3000) counts as empty.
        """
        problem = text_problem(value)
        if problem is not None:
            self.fail(problem)
        if not allow_empty and is_blank(value):
            self.fail(empty)
        return value

    def integer(self, key: str) -> int:
        node = self.get(key)
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            node.fail(f"expected an integer, got {_kind(node.value)}")
        return node.value

    def date(self, key: str) -> dt.date:  # noqa: RET503 - fail() never returns
        node = self.get(key)
        value = node.value
        if isinstance(value, dt.datetime):
            node.fail("expected a date, got a date-time")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return parse_date(value)
            except ValueError as error:
                node.fail(str(error))
        node.fail(f"expected a date, got {_kind(value)}")

    def enum(self, key: str, kind: type[_E], default: _E | None = None) -> _E:
        if default is not None and not self.has(key):
            return default
        value = self.string(key)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in kind)
            self.get(key).fail(f"invalid value {value!r}; expected one of {allowed}")

    def strings(self, key: str) -> tuple[str, ...]:
        out = []
        for node in self.items(key, required=False):
            if not isinstance(node.value, str):
                node.fail("expected a non-empty string")
            out.append(node.checked_text(node.value, empty="expected a non-empty string"))
        return tuple(out)

    def text(self, key: str) -> Text:
        node = self.get(key)
        node.only("zh", "en", "errata")
        errata = []
        for e in node.items("errata", required=False):
            e.only("printed", "corrected", "note")
            errata.append(
                Erratum(
                    printed=e.string("printed"),
                    corrected=e.string("corrected"),
                    note=e.string("note"),
                )
            )
        zh = node.string("zh")
        for index, erratum in enumerate(errata):
            if erratum.printed not in zh:
                node.get("errata").fail(
                    f"[{index}]: printed text {erratum.printed!r} does not occur in zh"
                )
        # The English may be empty ("" marks a text not yet translated: a draft's), but not
        # missing: every text keeps its slot, so a typo such as 'eng' is still caught.
        return Text(zh=zh, en=node.string("en", allow_empty=True), errata=tuple(errata))

    def source(self, document: str) -> SourceRef:
        node = self.get("lines")
        value = node.value
        if (
            not isinstance(value, list)
            or len(value) != 2  # a [first, last] pair
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            or not 1 <= value[0] <= value[1]
        ):
            node.fail("expected [first, last] line numbers with 1 <= first <= last")
        return SourceRef(document=document, first_line=value[0], last_line=value[1])


def _kind(value: object) -> str:
    names = {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}
    for cls, name in names.items():
        if isinstance(value, cls):
            return name
    return type(value).__name__


def policy_from_dict(
    data: Mapping[str, Any], *, file: str = "<data>", data_sha256: str | None = None
) -> Policy:
    """Validate a parsed plan (as from TOML or JSON) and build the [`Policy`][yantai_policy.model.Policy].

    Args:
        data: The parsed plan file.
        file: The file name to put in error messages.
        data_sha256: The SHA-256 of the file's bytes; computed from a canonical JSON
            dump of ``data`` when not given.

    Returns:
        The validated plan.

    Raises:
        PolicyDataError: The data does not follow the format.
    """
    root = _Node(data, file, "")
    root.only(
        "comment",
        "format",
        "format_version",
        "provenance",
        "notice",
        "bureaus",
        "later_units",
        "lead_rule",
        "measures",
        "parameters",
        "review",
    )
    fmt = root.string("format")
    if fmt != FORMAT:
        root.get("format").fail(f"expected {FORMAT!r}, got {fmt!r}")
    version = root.integer("format_version")
    if version not in READABLE_VERSIONS:
        readable = " and ".join(map(str, READABLE_VERSIONS))
        root.get("format_version").fail(
            f"this library reads versions {readable}, the file is version {version}"
        )
    if version == 1:
        for key in ("lead_rule", "later_units", "review"):
            if root.has(key):
                root.get(key).fail(f"{key!r} is a version 2 field; set format_version = 2")
    provenance = _provenance(root.get("provenance"))
    doc = provenance.document_number
    bureaus = _bureaus(root, "bureaus")
    later_units = _bureaus(root, "later_units")
    _check_names((*bureaus, *later_units), file)
    _check_events(root, bureaus, later_units)
    by_id = {b.id: b for b in bureaus}
    lead_rule = root.enum("lead_rule", LeadRule, LeadRule.EXPLICIT)
    shape = _Shape(version=version, lead_rule=lead_rule, later=frozenset(b.id for b in later_units))
    measures: list[Measure] = []
    seen_numbers: dict[int, str] = {}
    seen_actions: dict[str, str] = {}
    for node in root.items("measures"):
        measure = _measure(node, doc, by_id, seen_actions, shape)
        if measure.number in seen_numbers:
            node.get("number").fail(
                f"duplicate measure number {measure.number} (first at {seen_numbers[measure.number]})"
            )
        seen_numbers[measure.number] = node.path
        measures.append(measure)
    if not measures:
        root.get("measures").fail("a plan needs at least one measure")
    notice = _notice(root.get("notice"), doc, version)
    # Before the digest: a parameter value too long to write (a 5,000-digit int) is
    # refused here, at its key, rather than failing the canonical dump.
    parameters = _parameters(root, {m.number: m for m in measures})
    if data_sha256 is None:
        canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
        # surrogatepass: a lone surrogate in the ignored ``comment`` must not crash the hash
        data_sha256 = sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
    return Policy(
        notice=notice,
        measures=tuple(measures),
        bureaus=bureaus,
        provenance=provenance,
        data_sha256=data_sha256,
        parameters=parameters,
        lead_rule=lead_rule,
        later_units=later_units,
        review=tuple(_review(n) for n in root.items("review", required=False)),
    )


def _review(node: _Node) -> ReviewNote:
    """Parse one entry of a draft's ``review`` list: ``{kind, message, lines?, where?}``."""
    node.only("kind", "message", "lines", "where")
    lines = None
    if node.has("lines"):
        source = node.source("")
        lines = (source.first_line, source.last_line)
    return ReviewNote(
        kind=node.string("kind"),
        message=node.string("message"),
        lines=lines,
        where=node.string("where", allow_empty=True) if node.has("where") else "",
    )


_PARAMETER_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def _measure_texts(measure: Measure) -> list[str]:
    texts = [measure.title.zh, measure.provincial_text.zh]
    for action in measure.actions:
        texts.append(action.text.zh)
        texts.extend(item.text.zh for item in action.items)
    return texts


def _parameters(root: _Node, measures: Mapping[int, Measure]) -> ParameterSet:
    """Parse ``parameters``: dated values with a unit and a cited source."""
    if not root.has("parameters"):
        return ParameterSet()
    table = root.get("parameters")
    out = {name: _parameter(table.get(name), name, measures) for name in table.table()}
    for name, param in out.items():
        if param.cap is None:
            continue
        if param.cap not in out:
            table.get(name).get("cap").fail(f"no parameter {param.cap!r} in this plan")
        if out[param.cap].unit is not param.unit:
            table.get(name).get("cap").fail(
                f"the cap {param.cap!r} is in {out[param.cap].unit.value}, not {param.unit.value}"
            )
    params = ParameterSet(out)
    try:
        params.check_caps()
    except ValueError as error:
        table.fail(str(error))
    return params


def _parameter(node: _Node, name: str, measures: Mapping[int, Measure]) -> Parameter:
    if not _PARAMETER_NAME.fullmatch(name):
        node.fail(f"invalid parameter name {name!r}: use dotted lowercase names such as a.b")
    node.only("description", "unit", "values", "source", "cap", "sources")
    unit = node.enum("unit", Unit)
    mismatch = unit_mismatch(name, unit)
    if mismatch is not None:
        node.get("unit").fail(mismatch)
    values_node = node.get("values")
    values: list[tuple[dt.date, Value | None]] = []
    for key, raw in values_node.table().items():
        child = _Node(raw, values_node.file, values_node.child_path(key))
        try:
            since = parse_date(str(key))
        except ValueError as error:
            child.fail(str(error))
        try:
            value = None if raw is None else parse_value(unit, raw)
        except ValueError as error:
            child.fail(str(error))
        refused = out_of_bounds(name, unit, since, value)
        if refused is not None:
            child.fail(refused)
        values.append((since, value))
    values.sort(key=lambda pair: pair[0])
    return Parameter(
        name=name,
        description=node.text("description"),
        unit=unit,
        values=tuple(values),
        source=_source(node.get("source"), measures),
        cap=node.string("cap") if node.has("cap") else None,
        sources=_dated_sources(node, {since for since, _ in values}, measures),
    )


def _dated_sources(
    node: _Node, dates: set[dt.date], measures: Mapping[int, Measure]
) -> tuple[tuple[dt.date, Source], ...]:
    """Parse the optional ``sources``: the source of a value by its date (one of ``values``')."""
    if not node.has("sources"):
        return ()
    table = node.get("sources")
    out = []
    for key in table.table():
        child = table.get(key)
        try:
            since = parse_date(str(key))
        except ValueError as error:
            child.fail(str(error))
        if since not in dates:
            child.fail(f"no value takes effect on {since}: a dated source names one of values")
        out.append((since, _source(child, measures)))
    return tuple(sorted(out, key=lambda pair: pair[0]))


def _source(node: _Node, measures: Mapping[int, Measure]) -> Source:
    kind = node.enum("kind", SourceKind)
    if kind is SourceKind.NOTICE:
        node.only("kind", "measure", "excerpt")
        number = node.integer("measure")
        excerpt = node.string("excerpt")
        if number not in measures:
            node.get("measure").fail(f"no measure {number} in this plan")
        if not any(excerpt in text for text in _measure_texts(measures[number])):
            node.get("excerpt").fail(
                f"the excerpt does not occur verbatim in the text of measure {number}"
            )
        return Source(kind=kind, measure=number, excerpt=excerpt)
    if kind is SourceKind.REGULATION:
        node.only("kind", "document", "note")
        return Source(kind=kind, document=node.string("document"), note=node.text("note"))
    node.only("kind", "note")
    return Source(kind=kind, note=node.text("note"))


def _provenance(node: _Node) -> Provenance:
    node.only(
        "document_number",
        "issuer",
        "issued_on",
        "source_file",
        "source_sha256",
        "furniture_lines",
        "note",
    )
    sha = node.string("source_sha256")
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        node.get("source_sha256").fail("expected 64 lowercase hexadecimal digits")
    furniture = []
    for item in node.items("furniture_lines", required=False):
        if isinstance(item.value, bool) or not isinstance(item.value, int) or item.value < 1:
            item.fail("expected a positive line number")
        furniture.append(item.value)
    return Provenance(
        document_number=node.string("document_number"),
        issuer=node.string("issuer"),
        issued_on=node.date("issued_on"),
        source_file=node.string("source_file"),
        source_sha256=sha,
        furniture_lines=tuple(furniture),
        note=node.string("note", allow_empty=True) if node.has("note") else "",
    )


def _bureaus(root: _Node, key: str) -> tuple[Bureau, ...]:
    """Parse ``bureaus`` (the notice's units) or ``later_units`` (their later successors)."""
    bureaus: list[Bureau] = []
    seen: dict[str, str] = {}
    for node in root.items(key, required=key == "bureaus"):
        node.only("id", "name", "short_names", "kind", "events")
        bureau_id = node.string("id")
        if not _ID.fullmatch(bureau_id):
            node.get("id").fail(
                f"invalid id {bureau_id!r}: use lowercase ASCII letters, digits and underscores"
            )
        if bureau_id in seen:
            node.get("id").fail(f"duplicate unit id {bureau_id!r} (first at {seen[bureau_id]})")
        seen[bureau_id] = node.path
        bureaus.append(
            Bureau(
                id=bureau_id,
                name=node.text("name"),
                short_names=node.strings("short_names"),
                kind=node.enum("kind", BureauKind),
                events=tuple(_event(e) for e in node.items("events", required=False)),
            )
        )
    return tuple(bureaus)


def _event(node: _Node) -> UnitEvent:
    """Parse one of a unit's ``events``: renamed, merged_into, split_into or abolished."""
    node.only("kind", "on", "name", "into", "source")
    kind = node.enum("kind", UnitEventKind)
    source = node.get("source")
    source.only("document", "note", "assumption")
    assumption = source.get("assumption").value if source.has("assumption") else False
    if not isinstance(assumption, bool):
        source.get("assumption").fail(f"expected true or false, got {_kind(assumption)}")
    document = source.string("document") if source.has("document") else None
    if document is None and not source.has("note"):
        source.fail(
            "a source needs a 'document' number or a 'note' saying where the fact comes from"
        )
    event = UnitEvent(
        kind=kind,
        on=node.date("on"),
        source=EventSource(
            document=document,
            note=source.string("note") if source.has("note") else "",
            assumption=assumption,
        ),
        name=node.text("name") if node.has("name") else None,
        into=node.strings("into"),
    )
    wants_name = kind is UnitEventKind.RENAMED
    if wants_name != (event.name is not None):
        node.fail(
            "a 'renamed' event needs the new 'name'"
            if wants_name
            else f"a {kind.value!r} event has no 'name'"
        )
    counts = {UnitEventKind.MERGED_INTO: (1, 1), UnitEventKind.SPLIT_INTO: (2, None)}
    low, high = counts.get(kind, (0, 0))
    if len(event.into) < low or (high is not None and len(event.into) > high):
        wanted = {
            (1, 1): "exactly one unit id",
            (2, None): "two or more unit ids",
            (0, 0): "no unit ids",
        }[(low, high)]
        where = node.get("into") if node.has("into") else node
        where.fail(f"a {kind.value!r} event takes {wanted} in 'into', got {len(event.into)}")
    return event


def _check_names(units: tuple[Bureau, ...], file: str) -> None:
    """Refuse two units that share a name (a later name counts), so every name finds one unit."""
    names: dict[str, str] = {}
    for bureau in units:
        later = (n for t in bureau.later_names for n in (t.zh, t.en))
        for name in {name_key(n) for n in (*bureau.names, *later)} - {""}:
            if names.setdefault(name, bureau.id) != bureau.id:
                raise PolicyDataError(
                    f"units {names[name]!r} and {bureau.id!r} share the name {name!r}",
                    file=file,
                    path="bureaus",
                )


def _check_events(root: _Node, bureaus: tuple[Bureau, ...], later: tuple[Bureau, ...]) -> None:
    """Check that events are in date order, end a unit at most once, and name known units."""
    units = {b.id: b for b in (*bureaus, *later)}
    successors: set[str] = set()
    for unit, unit_node in zip((*bureaus, *later), _unit_nodes(root), strict=True):
        successors.update(_check_unit_events(unit, unit_node, units))
    _check_cycles(root, (*bureaus, *later))
    for unit, node in zip(later, root.items("later_units", required=False), strict=True):
        if unit.id in {b.id for b in bureaus}:
            node.get("id").fail(f"duplicate unit id {unit.id!r}: the notice has a unit of that id")
        if unit.id not in successors:
            node.fail(
                f"later unit {unit.id!r} is no unit's successor: name it in an event's 'into'"
            )


def _check_cycles(root: _Node, units: tuple[Bureau, ...]) -> None:
    """Refuse events whose duties come back to a unit they left (A into B, B into A)."""
    into = {u.id: [t for e in u.events for t in e.into] for u in units}
    nodes = {u.id: n for u, n in zip(units, _unit_nodes(root), strict=True)}
    for start, first in into.items():
        path = [start]
        todo = [iter(first)]
        while todo:
            target = next(todo[-1], None)
            if target is None:
                todo.pop()
                path.pop()
                continue
            if target in path:
                cycle = " → ".join([*path[path.index(target) :], target])
                nodes[start].get("events").fail(f"the units' events go round in a circle: {cycle}")
            if target in into:
                path.append(target)
                todo.append(iter(into[target]))


def _unit_nodes(root: _Node) -> list[_Node]:
    return [*root.items("bureaus"), *root.items("later_units", required=False)]


def _check_unit_events(unit: Bureau, unit_node: _Node, units: Mapping[str, Bureau]) -> set[str]:
    """Check one unit's events; return the ids its duties pass to."""
    successors: set[str] = set()
    ended = None
    event_nodes = unit_node.items("events", required=False)
    for index, (event, node) in enumerate(zip(unit.events, event_nodes, strict=True)):
        if index and event.on < unit.events[index - 1].on:
            node.get("on").fail(
                f"events must be in date order: {event.on} comes after {unit.events[index - 1].on}"
            )
        if ended is not None:
            node.fail(f"{unit.id!r} already ended on {ended.on} ({ended.kind.value})")
        if event.ends:
            ended = event
        for target in event.into:
            if target not in units:
                node.get("into").fail(
                    f"unknown unit {target!r}; the plan's units are {', '.join(sorted(units))}"
                )
            if target == unit.id:
                node.get("into").fail(f"{unit.id!r} cannot pass its duties to itself")
            successors.add(target)
    return successors


class _Shape(NamedTuple):
    """What a measure's tasks look like in this file: its version and its lead convention.

    A named tuple, not an attrs class: it is private, and it keeps the import light.
    """

    version: int
    lead_rule: LeadRule
    later: frozenset[str]

    @property
    def tasks_key(self) -> str:
        return "actions" if self.version == 1 else "tasks"


def _measure(
    node: _Node,
    doc: str,
    bureaus: Mapping[str, Bureau],
    seen_actions: dict[str, str],
    shape: _Shape,
) -> Measure:
    node.only("number", "lines", "title", "provincial_text", shape.tasks_key)
    number = node.integer("number")
    if number < 1:
        node.get("number").fail("a measure number must be positive")
    actions = []
    for action_node in node.items(shape.tasks_key):
        action = _action(action_node, number, doc, bureaus, shape)
        key = name_key(action.id)  # 7.1 and 7.1 with a zero-width space are one id
        if key in seen_actions:
            what = "action" if shape.version == 1 else "task"
            action_node.get("id").fail(
                f"duplicate {what} id {action.id!r} (first at {seen_actions[key]})"
            )
        seen_actions[key] = action_node.path
        actions.append(action)
    return Measure(
        number=number,
        title=node.text("title"),
        provincial_text=node.text("provincial_text"),
        actions=tuple(actions),
        source=node.source(doc),
    )


def _unit(node: _Node, bureaus: Mapping[str, Bureau], shape: _Shape) -> Bureau:
    """The notice's unit a string node names by id."""
    if not isinstance(node.value, str):
        node.fail(f"expected a unit id, got {_kind(node.value)}")
    unit_id = node.checked_text(node.value)
    if unit_id in shape.later:
        node.fail(f"{unit_id!r} is a later unit: tasks name the notice's units")
    if unit_id not in bureaus:
        node.fail(f"unknown unit {unit_id!r}; the plan's units are {', '.join(sorted(bureaus))}")
    return bureaus[unit_id]


def _assignments(
    node: _Node, bureaus: Mapping[str, Bureau], shape: _Shape, *, required: bool
) -> tuple[Assignment, ...] | None:
    """Parse a v2 task's (or item's) units: ``assignments`` with roles, or ``units`` in order.

    A unit without a role takes the one the plan's ``lead_rule`` gives it. None where
    neither key is present and ``required`` is false.
    """
    if node.has("assignments") and node.has("units"):
        node.get("units").fail("give either 'assignments' or 'units', not both")
    if not node.has("assignments") and not node.has("units"):
        if required:
            node.fail("missing required field 'assignments' (or 'units')")
        return None
    if node.has("units"):
        entries: list[tuple[Bureau, Role | None, _Node]] = [
            (_unit(u, bureaus, shape), None, u) for u in node.items("units")
        ]
    else:
        entries = []
        for entry in node.items("assignments"):
            entry.only("unit", "role")
            role = entry.enum("role", Role) if entry.has("role") else None
            entries.append((_unit(entry.get("unit"), bureaus, shape), role, entry))
    if not entries:
        key = "units" if node.has("units") else "assignments"
        node.get(key).fail("a task needs at least one unit")
    seen: set[str] = set()
    out = []
    for index, (bureau, role, where) in enumerate(entries):
        if bureau.id in seen:
            where.fail(f"unit {bureau.id!r} is named twice in one task")
        seen.add(bureau.id)
        out.append(Assignment(bureau, role or shape.lead_rule.role_of(index, len(entries))))
    return tuple(out)


def _deadline(node: _Node) -> Deadline:
    """Parse ``deadline``: a date, the printed words (长期坚持), or ``{on, text}``."""
    value = node.value
    if isinstance(value, dict):
        node.only("on", "text")
        if not value:
            node.fail("a deadline needs 'on', 'text' or both")
        text = node.string("text") if node.has("text") else None
        return Deadline(on=node.date("on") if node.has("on") else None, text=text)
    if isinstance(value, str) and not reads_as_date(value):
        return Deadline(text=node.checked_text(value))
    if not isinstance(value, str | dt.date) or isinstance(value, dt.datetime):
        node.fail(
            f"expected a date (YYYY-MM-DD), the deadline's words as printed, or a table "
            f"{{on, text}}; got {_kind(value)}"
        )
    holder = _Node({"on": value}, node.file, node.path)
    try:
        return Deadline(on=holder.date("on"))
    except PolicyDataError as error:
        hint = (
            "; a string that starts like a date is read as one: write words such as "
            "2025-12-31前 as {text = ...}"
            if isinstance(value, str)
            else ""
        )
        node.fail(error.reason + hint)


_ISO_DATE = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}")


def reads_as_date(text: str) -> bool:
    """Whether a deadline written as this string is read as a date, not as printed words.

    Examples:
        >>> reads_as_date("2021-12-31"), reads_as_date("长期坚持"), reads_as_date("2021年底前")
        (True, False, False)
    """
    return _ISO_DATE.match(text) is not None


def _task_units(
    node: _Node, bureaus: Mapping[str, Bureau], shape: _Shape
) -> tuple[Assignment, ...]:
    """A task's units and roles: v1's ``bureau`` and ``role``, or v2's ``assignments``/``units``."""
    if shape.version == 1:
        node.only("id", "bureau", "role", "lines", "text", "items", "references")
        bureau = _unit(node.get("bureau"), bureaus, shape)
        return (Assignment(bureau, node.enum("role", Role, Role.RESPONSIBLE)),)
    node.only(
        "id",
        "assignments",
        "units",
        "lines",
        "text",
        "items",
        "references",
        "deadline",
        "reporting",
        "districts",
    )
    found = _assignments(node, bureaus, shape, required=True)
    assert found is not None  # noqa: S101 - required=True
    return found


def _items(
    node: _Node,
    doc: str,
    bureaus: Mapping[str, Bureau],
    shape: _Shape,
    assignments: tuple[Assignment, ...],
) -> tuple[Item, ...]:
    """Parse a task's numbered items; each keeps its own role, or names its own units."""
    items: list[Item] = []
    for item in node.items("items", required=False):
        if shape.version == 1:
            item.only("number", "role", "lines", "text")
        else:
            item.only("number", "role", "lines", "text", "assignments", "units")
        number = item.integer("number")
        if number != len(items) + 1:
            item.get("number").fail(f"expected item {len(items) + 1}, got {number}")
        own = None if shape.version == 1 else _assignments(item, bureaus, shape, required=False)
        if own is not None and item.has("role"):
            item.get("role").fail(
                "an item with its own units gives their roles there; remove 'role'"
            )
        if own is None:
            stated = item.enum("role", Role) if item.has("role") else None
            own = tuple(Assignment(a.bureau, stated or a.role) for a in assignments)
        role = main_assignment(own).role
        items.append(
            Item(
                number=number,
                text=item.text("text"),
                role=role,
                source=item.source(doc),
                assignments=own,
            )
        )
    return tuple(items)


def _references(node: _Node, text: Text, bureaus: Mapping[str, Bureau]) -> tuple[Reference, ...]:
    references = []
    for ref in node.items("references", required=False):
        ref.only("mention", "kind", "bureau")
        target = ref.string("bureau") if ref.has("bureau") else None
        if target is not None and target not in bureaus:
            ref.get("bureau").fail(f"unknown unit {target!r}")
        mention = ref.string("mention")
        if mention not in text.zh:
            ref.get("mention").fail(f"{mention!r} does not occur in the action's text")
        references.append(
            Reference(mention=mention, kind=ref.enum("kind", ReferenceKind), bureau=target)
        )
    return tuple(references)


def _action(
    node: _Node, measure: int, doc: str, bureaus: Mapping[str, Bureau], shape: _Shape
) -> Action:
    assignments = _task_units(node, bureaus, shape)
    action_id = node.string("id")
    items = _items(node, doc, bureaus, shape, assignments)
    if items:
        if node.has("text"):
            node.get("text").fail("an action with items takes its text from them; remove 'text'")
        text = Text(
            zh="".join(f"{i.number}.{i.text.zh}" for i in items),
            en=" ".join(f"{i.number}. {i.text.en}" for i in items)
            if all(i.text.translated for i in items)
            else "",
            errata=tuple(e for i in items for e in i.text.errata),
        )
    else:
        text = node.text("text")
    districts = node.get("districts").value if node.has("districts") else False
    if not isinstance(districts, bool):
        node.get("districts").fail(f"expected true or false, got {_kind(districts)}")
    return Action(
        id=action_id,
        measure=measure,
        assignments=assignments,
        text=text,
        items=items,
        references=_references(node, text, bureaus),
        source=node.source(doc),
        deadline=_deadline(node.get("deadline")) if node.has("deadline") else None,
        reporting=_reporting(node) if node.has("reporting") else None,
        districts=districts,
    )


def _reporting(node: _Node) -> Reporting:
    """Parse ``reporting``; ``half-yearly`` is read as ``half_yearly``."""
    value = node.get("reporting").value
    if isinstance(value, str):
        node = _Node({"reporting": value.replace("-", "_")}, node.file, node.path)
    return node.enum("reporting", Reporting)


_OPTIONAL_NOTICE_TEXTS = ("addressees", "preamble", "attachment", "annex_title", "publication_note")
"""The notice's parts a version 2 plan may leave out (a draft of a notice that lacks them)."""


def _notice(node: _Node, doc: str, version: int) -> Notice:
    node.only(
        "document_number",
        "issued_on",
        "lines",
        "title",
        "issuer",
        *_OPTIONAL_NOTICE_TEXTS,
        "parent",
        "parents",
        "sections",
    )
    optional = version >= 2  # version 1 requires every part, and one parent
    if node.has("parent") and node.has("parents"):
        node.get("parents").fail("give either 'parent' or 'parents', not both")
    if node.has("parents") and not optional:
        node.get("parents").fail("'parents' is a version 2 field; set format_version = 2")
    if node.has("parent") or not optional:
        parent_nodes = [node.get("parent")]
    else:
        parent_nodes = node.items("parents", required=False)
    parents = []
    for parent in parent_nodes:
        parent.only("document_number", "title")
        parents.append(
            ParentNotice(
                document_number=parent.string("document_number"), title=parent.text("title")
            )
        )
    sections = []
    for index, section in enumerate(node.items("sections", required=not optional)):
        section.only("number", "lines", "heading", "text")
        number = section.integer("number")
        if number != index + 1:
            section.get("number").fail(f"expected section {index + 1}, got {number}")
        sections.append(
            Section(
                number=number,
                heading=section.text("heading"),
                text=section.text("text"),
                source=section.source(doc),
            )
        )

    def part(key: str) -> Text | None:
        return node.text(key) if node.has(key) or not optional else None

    return Notice(
        document_number=node.string("document_number"),
        issuer=node.text("issuer"),
        issued_on=node.date("issued_on"),
        title=node.text("title"),
        source=node.source(doc),
        sections=tuple(sections),
        addressees=part("addressees"),
        preamble=part("preamble"),
        attachment=part("attachment"),
        annex_title=part("annex_title"),
        publication_note=part("publication_note"),
        parents=tuple(parents),
    )
