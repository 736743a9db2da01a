"""Every setting: where things live, each environment variable and the TOML config file, parsed in one place.

A setting's value comes from, in order: the command-line option, its `READLIST_*` environment variable, the
config file (`readlist config path`), its default. Settings are data (`Setting` rows in `SETTINGS`): adding
one is one line here, and `readlist config`, the error messages and the README table follow from it."""

from __future__ import annotations

import os
import posixpath
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from readlist.errors import ConfigError

if TYPE_CHECKING:
    from readlist.location import Location

APP_NAME = "readlist"
CONFIG_FILE_NAME = "config.toml"
T = TypeVar("T")


# ---- parsers: text → value, or ValueError saying what was expected ----------------------------------------


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 0 or value == float("inf"):  # also refuses nan
        raise ValueError("a number of seconds, 0 or more (e.g. 3 or 0.5)")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError("a whole number, 1 or more (e.g. 20)")
    return value


def http_url(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("an http(s) URL (e.g. https://export.arxiv.org/api/query)")
    return text.strip()


def megabytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):  # also refuses nan
        raise ValueError("a size in megabytes, more than 0 (e.g. 10 or 0.5)")
    return value


def name(text: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise ValueError("a non-empty name (e.g. alice)")
    return value


def language(text: str) -> str:
    value = text.strip().lower()
    if value not in ("auto", "zh", "en"):
        raise ValueError("zh, en or auto (the notes' language)")
    return value


def path(text: str) -> str:
    if not text.strip():
        raise ValueError("a file path (e.g. ~/papers/readlist.db)")
    return str(Path(text.strip()).expanduser())


def db_location(text: str) -> str:
    """A SQLite file path, or a postgresql:// URL (kept as written: libpq reads it)."""
    from readlist.location import is_url

    return text.strip() if is_url(text) else path(text)


def email(text: str) -> str:
    value = text.strip()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in value):
        raise ValueError("an e-mail address (e.g. you@example.org)")
    return value


def flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ValueError("1 or 0 (true or false)")


# ---- the table of settings ----------------------------------------------------------------------------------


class Setting(Generic[T]):
    """One setting: its config-file key, how its text is parsed, its default, and one line of help.

    Set once, below, and never changed. A plain class: a frozen dataclass's generated methods took 0.7 ms to
    build on every run."""

    __slots__ = ("key", "parse", "default", "help", "in_file", "env_name")

    def __init__(
        self,
        key: str,
        parse: Callable[[str], T],
        default: T,
        help: str,
        in_file: bool = True,  # False: environment only (e.g. where the config file itself lives)
        env_name: str = "",
    ) -> None:
        self.key = key
        self.parse = parse
        self.default = default
        self.help = help
        self.in_file = in_file
        self.env_name = env_name

    @property
    def env(self) -> str:
        return self.env_name or f"READLIST_{self.key.upper()}"

    def __repr__(self) -> str:
        return f"Setting({self.key!r})"


DB: Setting[str | None] = Setting(
    "db", db_location, None, "Database file or postgresql:// URL (default: a file in the user data dir)."
)
USER: Setting[str | None] = Setting("user", name, None, "Your name on notes and items you add (default: login name).")
TODO_LIMIT = Setting("todo_limit", positive_int, 20, "How many items `readlist todo` shows.")
DIGEST_LANGUAGE = Setting("digest_language", language, "auto", "Labels of `readlist digest`: zh, en or auto.")
ARXIV_URL = Setting("arxiv_url", http_url, "https://export.arxiv.org/api/query", "arXiv API endpoint or mirror.")
ARXIV_TIMEOUT = Setting("arxiv_timeout", seconds, 20.0, "Seconds to wait for an arXiv answer.")
ARXIV_INTERVAL = Setting("arxiv_interval", seconds, 3.0, "Seconds between two arXiv requests (arXiv asks ≥ 3).")
ARXIV_BACKOFF = Setting("arxiv_backoff", seconds, 3.0, "First wait before retrying a busy arXiv; doubles each try.")
FEED_TIMEOUT = Setting("feed_timeout", seconds, 20.0, "Seconds to wait for a feed.")
FEED_MAX_MB = Setting("feed_max_mb", megabytes, 10.0, "Largest feed read, in MB; a bigger one is refused.")
LOCK_TIMEOUT = Setting("lock_timeout", seconds, 120.0, "Seconds a write waits for another process's write.")
ADD_TIMEOUT = Setting(
    "add_timeout", seconds, 8.0, "Total seconds `add` spends on metadata after saving the item (0: never asks)."
)
HTTP_MAX_WAIT = Setting(
    "http_max_wait", seconds, 60.0, "Longest wait before a retry; a server asking for more is left for later."
)
SOURCE_TIMEOUT = Setting(
    "source_timeout", seconds, 15.0, "Seconds to wait for Crossref, GitHub, OpenReview, Semantic Scholar or a page."
)
SOURCE_BUDGET: Setting[float | None] = Setting(
    "source_budget",
    seconds,
    None,
    "Most seconds a source that stops answering may cost one command, tries included (default: 2 × its timeout).",
)
PDF_TIMEOUT = Setting(
    "pdf_timeout", seconds, 120.0, "Total seconds one PDF download may take; an unfinished one resumes next time."
)
EMAIL: Setting[str | None] = Setting(
    "email", email, None, "Your e-mail, sent as mailto: in the User-Agent (Crossref and arXiv ask for a contact)."
)
STATE_DIR: Setting[str | None] = Setting(
    "state_dir",
    path,
    None,
    "Small shared state such as per-host request times (default: user state dir).",
    in_file=False,
)
CONFIG_DIR: Setting[str | None] = Setting(
    "config_dir", path, None, "Where config.toml and the glossary live (default: user config dir).", in_file=False
)
DEBUG = Setting("debug", flag, False, "Show the traceback of an internal error.", in_file=False)

SETTINGS: dict[str, Setting[Any]] = {
    s.key: s
    for s in (
        DB,
        USER,
        TODO_LIMIT,
        DIGEST_LANGUAGE,
        ARXIV_URL,
        ARXIV_TIMEOUT,
        ARXIV_INTERVAL,
        ARXIV_BACKOFF,
        FEED_TIMEOUT,
        FEED_MAX_MB,
        LOCK_TIMEOUT,
        ADD_TIMEOUT,
        HTTP_MAX_WAIT,
        SOURCE_TIMEOUT,
        SOURCE_BUDGET,
        PDF_TIMEOUT,
        EMAIL,
        CONFIG_DIR,
        STATE_DIR,
        DEBUG,
    )
}


# ---- reading ------------------------------------------------------------------------------------------------


def value(setting: Setting[T], cli_value: T | None = None) -> T:
    """The setting's value: command-line option > environment > config file > default."""
    if cli_value is not None:
        return cli_value
    return resolve(setting)[0]


def resolve(setting: Setting[T]) -> tuple[T, str]:
    """(value, where it came from: "env", "file" or "default")."""
    raw = os.environ.get(setting.env)
    if raw is not None and (raw != "" or setting.parse is flag):
        hint = f"fix or unset {setting.env} (default: {_default_text(setting)})"
        return _parse(setting, raw, f"{setting.env}={raw!r}", hint), "env"
    if setting.in_file:
        stored = load_file()
        if setting.key in stored:
            where = f"{setting.key} = {stored[setting.key]!r} in {config_file()}"
            hint = f"run: readlist config set {setting.key} VALUE (or: readlist config unset {setting.key})"
            return _parse(setting, _as_text(setting, stored[setting.key]), where, hint), "file"
    return setting.default, "default"


def _default_text(setting: Setting[Any]) -> str:
    """The default as a person reads it: `120`, `on`, `login name` (what a None default stands for, from the
    setting's help), never Python's `None`, `False` or `120.0`."""
    default = setting.default
    if default is None:
        said = re.search(r"\(default: ([^)]*)\)", setting.help)
        return said.group(1) if said else "none"
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def _parse(setting: Setting[T], raw: str, where: str, hint: str) -> T:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{where} is not {exc}", hint) from None


def _as_text(setting: Setting[Any], stored: object) -> str:
    if isinstance(stored, bool):
        return "true" if stored else "false"
    if isinstance(stored, int | float | str):
        return str(stored)
    raise ConfigError(
        f"{setting.key} in {config_file()} must be a single value, not {type(stored).__name__}",
        f"run: readlist config set {setting.key} <value>",
    )


def unknown_key(key: str) -> ConfigError:
    known = ", ".join(k for k, s in SETTINGS.items() if s.in_file)
    return ConfigError(f"unknown setting {key!r}", f"known settings: {known}")


def setting(key: str) -> Setting[Any]:
    found = SETTINGS.get(key.strip().lower().replace("-", "_"))
    if found is None or not found.in_file:
        raise unknown_key(key)
    return found


# ---- the config file ----------------------------------------------------------------------------------------

_file_cache: dict[tuple[str, int, int], dict[str, object]] = {}


def config_dir() -> Path:
    """`READLIST_CONFIG_DIR` or the platform's user config dir."""
    configured = value(CONFIG_DIR)
    if configured:
        return Path(configured)
    return _user_dir("config")


# The XDG variable and the default under $HOME of each user dir platformdirs gives on Linux.
_XDG = {
    "config": ("XDG_CONFIG_HOME", ".config"),
    "data": ("XDG_DATA_HOME", ".local/share"),
    "state": ("XDG_STATE_HOME", ".local/state"),
}


def _user_dir(kind: str) -> Path:
    """platformdirs' user dir of this kind for readlist. On Linux it is read here as platformdirs reads it (an
    absolute XDG variable, else under an absolute $HOME): every run looks for the config file, and importing
    platformdirs for that took 4 ms of a 0.1 s start. Anything else (other systems, Android, no $HOME) asks it."""
    if sys.platform == "linux" and "ANDROID_DATA" not in os.environ:
        variable, default = _XDG[kind]
        base = os.environ.get(variable, "")
        if posixpath.isabs(base):
            return Path(base) / APP_NAME
        home = os.environ.get("HOME", "")
        if posixpath.isabs(home):
            return Path(home) / default / APP_NAME
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return Path({"config": dirs.user_config_dir, "data": dirs.user_data_dir, "state": dirs.user_state_dir}[kind])


def config_file() -> Path:
    return config_dir() / CONFIG_FILE_NAME


def load_file() -> dict[str, object]:
    """The config file's settings, checked for unknown keys; {} when there is no file. Read once per change."""
    file = config_file()
    try:
        stat = file.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror}", "check its permissions") from None
    stamp = (str(file), stat.st_mtime_ns, stat.st_size)
    if stamp not in _file_cache:
        _file_cache.clear()
        _file_cache[stamp] = _read(file)
    return _file_cache[stamp]


def _read(file: Path) -> dict[str, object]:
    import tomllib

    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file} is not valid TOML: {exc}", "fix the line it names, or delete the file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror}", "check its permissions") from None
    for key in data:
        if key not in SETTINGS or not SETTINGS[key].in_file:
            error = unknown_key(key)
            raise ConfigError(f"{error.message} in {file}", f"remove it; {error.hint}")
    return data


def set_value(key: str, text: str) -> object:
    """Check `text` like any other source, then store it; returns the stored value."""
    found = setting(key)
    parsed = _parse(found, text, f"{found.key} = {text!r}", "`readlist config list` shows every setting and its help")
    _write_file({**_raw_file(), found.key: parsed})
    return parsed


def unset(key: str) -> bool:
    """Remove a key from the file; False when it was not there."""
    found = setting(key)
    data = _raw_file()
    if found.key not in data:
        return False
    del data[found.key]
    _write_file(data)
    return True


def _raw_file() -> dict[str, Any]:
    """The file as stored, unknown keys kept (so a `set` never drops what a newer readlist wrote)."""
    file = config_file()
    if not file.exists():
        return {}
    import tomllib

    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file} is not valid TOML: {exc}", "fix the line it names, or delete the file") from None


def _write_file(data: dict[str, Any]) -> None:
    import tomli_w

    file = config_file()
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, file)  # atomic: a reader never sees half a file


def describe() -> list[dict[str, object]]:
    """Every file setting with its effective value and source, for `readlist config list`."""
    rows: list[dict[str, object]] = []
    for s in SETTINGS.values():
        if s.in_file:
            current, source = resolve(s)
            rows.append({"key": s.key, "value": current, "source": source, "env": s.env, "help": s.help})
    return rows


# ---- typed accessors used across the code ------------------------------------------------------------------


def database_path(cli_value: str | Path | Location | None = None) -> Location:
    """`--db` beats `READLIST_DB`, then the config file's `db`, then the platform's user data dir.
    A `postgresql://` URL names a PostgreSQL library, anything else a SQLite file; a location stays as it is."""
    from readlist.location import location

    if cli_value is not None and not isinstance(cli_value, str):
        return cli_value  # already a location (a Python caller's Path or URL)
    configured = cli_value or value(DB)
    if configured:
        return location(configured)
    return data_dir() / "readlist.db"


def data_dir() -> Path:
    """The platform's user data dir (the default library, and a PostgreSQL library's PDFs and backups)."""
    return _user_dir("data")


def database_is_default(cli_value: str | Path | Location | None = None) -> bool:
    return not (cli_value or value(DB))


def user() -> str:
    """Who is reading: `READLIST_USER`, else `user` in the config file, else the login name."""
    configured = value(USER)
    if configured:
        try:
            configured.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 (a Latin-1 terminal): a name no database can hold
            raise ConfigError(
                f"the member name {configured.encode('utf-8', 'surrogateescape')!r} is not UTF-8 text",
                "set READLIST_USER (or `readlist config set user NAME`) to a name in UTF-8",
            ) from None
        return configured
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # where getpass.getuser() looks first
        login = os.environ.get(variable)
        if login:
            return login
    try:  # what getpass.getuser() does after those variables, without importing getpass (and termios)
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):  # no login name (a container with an unknown uid), or no pwd
        return "me"


def debug() -> bool:
    return value(DEBUG)


def arxiv_endpoint() -> str:
    return value(ARXIV_URL)


def arxiv_timeout() -> float:
    return value(ARXIV_TIMEOUT)


def arxiv_min_interval() -> float:
    """Seconds between two arXiv API requests; arXiv asks for at least 3."""
    return value(ARXIV_INTERVAL)


def arxiv_backoff() -> float:
    return value(ARXIV_BACKOFF)


def feed_timeout() -> float:
    return value(FEED_TIMEOUT)


def feed_max_mb() -> float:
    return value(FEED_MAX_MB)


def lock_timeout() -> float:
    """How long a write waits for another process's write transaction (an import can take a while)."""
    return value(LOCK_TIMEOUT)


def state_dir() -> Path:
    """Small shared state (per-host request spacing): `READLIST_STATE_DIR` or the platform's user state dir."""
    configured = value(STATE_DIR)
    if configured:
        return Path(configured)
    return _user_dir("state")


def contact_email() -> str | None:
    return value(EMAIL)


def http_max_wait() -> float:
    return value(HTTP_MAX_WAIT)


def source_timeout() -> float:
    """Seconds one try at Crossref, GitHub, OpenReview, Semantic Scholar or a web page may take."""
    return value(SOURCE_TIMEOUT)


def source_budget(timeout: float) -> float:
    """Seconds a source that stalls may cost one command in all (every try and wait): `source_budget`, else
    twice the source's own timeout."""
    configured = value(SOURCE_BUDGET)
    return configured if configured is not None else 2 * timeout


def pdf_timeout() -> float:
    return value(PDF_TIMEOUT)


def add_timeout() -> float:
    return value(ADD_TIMEOUT)
