"""One home for the models: profiles, loading, identity, and the on-disk output cache.

Profiles
    One setting switches every model-backed stage (NER and targeted sentiment):

    ``bundled`` (default)
        offline models that ship with the repository: the NER ensemble of a CRF
        (``data/models/ner-bundled/``) and a fine-tuned multilingual-e5-small encoder
        (``data/models/ner-e5/``, loaded through ``transformers`` like CAMeLBERT), and the
        sentiment lexicon in ``data/lexicon/``.
    ``fast``
        the same without the encoder: the CRF alone, about ten times faster and a few points
        less accurate on organisations (for archives of many thousands of articles).
    ``camelbert``
        CAMeLBERT through ``transformers``: :data:`DEFAULT_NER_MODEL` and
        :data:`DEFAULT_SENTIMENT_MODEL`, or the hub ids / local folders named by
        ``ARABIC_NEWS_NER_MODEL`` and ``ARABIC_NEWS_SENTIMENT_MODEL``.
    ``auto``
        ``camelbert`` where it can be loaded, otherwise ``bundled`` (a note says so:
        :class:`FallbackWarning`).

    The profile comes from the ``profile`` argument, else ``$ARABIC_NEWS_MODELS``, else
    ``bundled`` (:func:`resolve_profile`, the only parser of profile names).

One face
    Every loaded model, whatever its kind, offers what camel-tools' models offer
    (``pretrained()``, ``labels()``, ``predict()``): ``identity`` (one string, see
    :func:`model_identity`), ``labels()`` (what it can output) and ``predict(batch)``.
    :func:`load_ner` and :func:`load_sentiment` are the loaders.

Loading a transformers model (:func:`load_transformers`)
    a local folder, else the local Hugging Face cache, else the hub; the tokenizer with
    ``do_lower_case=False`` (lower-casing strips hamza: أردوغان would become اردوغان) and
    ``model_max_length=512``; weights from safetensors only; never remote code. Anything that
    stops a model from loading raises :class:`ModelUnavailable`, whose message says what to do.

The output cache (:class:`OutputCache`)
    Parquet files under :func:`helpers.paths.cache_dir` (``$ARABIC_NEWS_CACHE``, default
    ``.cache/``), one per stage input, keyed by the input's hash, the model identity and the
    helpers version. Entries carry their key and are checked when read; a corrupt or foreign
    entry is recomputed and replaced. Writes are atomic; a cache folder that cannot be written
    is reported once (:class:`CacheWarning`) and bypassed.

>>> resolve_profile("CamelBERT")
'camelbert'
>>> model_identity("crf-anercorp", "15a666b65b2f", origin="bundled")
'bundled:crf-anercorp@15a666b65b2f'
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from . import __version__
from .paths import cache_dir

if TYPE_CHECKING:
    import pandas as pd

PROFILES = ("bundled", "fast", "camelbert", "auto")
#: the profiles whose models all ship with the repository (no download, cacheable)
OFFLINE_PROFILES = ("bundled", "fast")
DEFAULT_PROFILE = "bundled"
PROFILE_ENV = "ARABIC_NEWS_MODELS"
NER_MODEL_ENV = "ARABIC_NEWS_NER_MODEL"
SENTIMENT_MODEL_ENV = "ARABIC_NEWS_SENTIMENT_MODEL"
DEFAULT_NER_MODEL = "CAMeL-Lab/bert-base-arabic-camelbert-msa-ner"
DEFAULT_SENTIMENT_MODEL = "CAMeL-Lab/bert-base-arabic-camelbert-msa-sentiment"
#: Sub-token limit of CAMeLBERT (its tokenizers do not set ``model_max_length``).
MAX_TOKENS = 512


@dataclass(frozen=True)
class ModelKind:
    """A model-backed stage: the variable naming its model, the default hub id and the
    ``transformers`` task (``AutoModelFor...`` class) its models have."""

    name: str
    env: str
    default: str
    task: str


KINDS = {
    "ner": ModelKind("ner", NER_MODEL_ENV, DEFAULT_NER_MODEL, "token-classification"),
    "sentiment": ModelKind("sentiment", SENTIMENT_MODEL_ENV, DEFAULT_SENTIMENT_MODEL,
                           "text-classification"),
}
_AUTO_CLASSES = {"token-classification": "AutoModelForTokenClassification",
                 "text-classification": "AutoModelForSequenceClassification"}
IDENTITY_RE = re.compile(r"(?:(?P<origin>bundled|local):)?(?P<name>[^@\s]+)@(?P<version>[\w.-]+)")


class ModelUnavailable(RuntimeError):
    """A model cannot be loaded here; the message says why and what to do instead."""


class Model(Protocol):
    """The face every model offers (NER taggers and sentiment classifiers alike)."""

    identity: str

    def labels(self) -> list[str]: ...

    def predict(self, batch: list[Any]) -> list[Any]: ...


# --------------------------------------------------------------------------- profiles


def resolve_profile(profile: str | None = None) -> str:
    """The profile to use: ``profile`` if given, else ``$ARABIC_NEWS_MODELS``, else ``bundled``.

    Case and surrounding spaces are ignored; an unknown name raises ``ValueError`` listing the
    profiles.

    >>> resolve_profile(" Auto ")
    'auto'
    """
    value = profile if profile is not None else os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE
    value = str(value).strip().lower()
    if value not in PROFILES:
        raise ValueError(
            f"unknown model profile {value!r}: choose one of {', '.join(PROFILES)} "
            f"(an argument such as --models, or the environment variable {PROFILE_ENV})")
    return value


def model_name(kind: str, model: str | Path | None = None) -> str:
    """The transformers model of a stage: ``model`` if given, else the stage's environment
    variable (``ARABIC_NEWS_NER_MODEL`` / ``ARABIC_NEWS_SENTIMENT_MODEL``), else CAMeLBERT.

    >>> model_name("sentiment", "my/model")
    'my/model'
    """
    spec = _kind(kind)
    return str(model) if model else os.environ.get(spec.env) or spec.default


def looks_like_model(name: str) -> bool:
    """True when ``name`` is a model folder or a hub id (``owner/name``), not a profile.

    >>> looks_like_model("camelbert"), looks_like_model("CAMeL-Lab/some-ner")
    (False, True)
    """
    return name.strip().lower() not in PROFILES and (
        Path(name).expanduser().is_dir() or "/" in name or "\\" in name)


def _kind(kind: str) -> ModelKind:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}: choose one of {', '.join(KINDS)}")
    return KINDS[kind]


# --------------------------------------------------------------------------- identity


def model_identity(name: str, version: str, *, origin: str = "hub") -> str:
    """The one identity string of a model: ``<name>@<version>`` for a hub model (version: the
    commit), ``local:<folder name>@<content hash>`` for a folder, ``bundled:<name>@<hash>``
    for a model shipped in the repository. It fills the ``model``/``method`` columns and keys
    the output cache, so any change of weights gives another identity.

    >>> model_identity("CAMeL-Lab/bert-base-arabic-camelbert-msa-ner", "1fa7163")
    'CAMeL-Lab/bert-base-arabic-camelbert-msa-ner@1fa7163'
    >>> model_identity("tiny-ner", "0123456789ab", origin="local")
    'local:tiny-ner@0123456789ab'
    """
    if origin not in {"hub", "local", "bundled"}:
        raise ValueError(f"origin must be 'hub', 'local' or 'bundled', not {origin!r}")
    text = f"{name}@{version}" if origin == "hub" else f"{origin}:{name}@{version}"
    if not IDENTITY_RE.fullmatch(text):
        raise ValueError(f"{text!r} is not a valid model identity (name@version, no spaces)")
    return text


def folder_fingerprint(folder: str | Path, sample_above: int = 64 << 20) -> str:
    """Short content hash (12 hex digits) of a model folder's config, tokenizer and weights.

    Weight files larger than ``sample_above`` bytes (BERT-base: 440 MB) are hashed by their
    size and 32 blocks of 64 KiB spread over the file, which any retraining changes, so that
    loading stays fast.
    """
    folder = Path(folder)
    digest = hashlib.sha256()
    names = ["config.json", "tokenizer.json", "vocab.txt", "tokenizer_config.json"]
    files = [folder / n for n in names if (folder / n).is_file()]
    files += sorted(p for ext in ("*.safetensors", "*.bin") for p in folder.glob(ext))
    for path in files:
        size = path.stat().st_size
        digest.update(f"{path.name}:{size}".encode())
        with path.open("rb") as fh:
            if size <= sample_above:
                digest.update(fh.read())
                continue
            block = min(64 << 10, size)
            for k in range(32):
                fh.seek(k * (size - block) // 31)
                digest.update(fh.read(block))
    return digest.hexdigest()[:12]


# --------------------------------------------------------------------------- loading


def is_offline() -> bool:
    """True when the Hugging Face hub must not be contacted (``HF_HUB_OFFLINE`` is set).

    ``huggingface_hub`` reads the variable once, at import; this follows what it read.
    """
    try:
        from huggingface_hub import constants

        return bool(constants.HF_HUB_OFFLINE)
    except ImportError:  # pragma: no cover - installed with transformers
        return os.environ.get("HF_HUB_OFFLINE", "0").strip().lower() in {"1", "true", "yes", "on"}


@functools.lru_cache(maxsize=4)
def hub_reachable(timeout: float = 3.0) -> bool:
    """True when a TCP connection to the Hugging Face hub (``HF_ENDPOINT``, default
    huggingface.co, port 443) opens within ``timeout`` seconds. Checked once per process
    before a download, so that a machine without network gets the fix in seconds instead of
    after the hub client's retries."""
    import socket
    from urllib.parse import urlparse

    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", endpoint.port or 443),
                                      timeout=timeout):
            return True
    except OSError:
        return False


def model_cached(kind: str, model: str | Path | None = None) -> bool:
    """True when a stage's transformers model (see :func:`model_name`) is a local folder or
    is in the local Hugging Face cache. Looks only at the disk, never at the network, so a
    notebook can decide whether to run CAMeLBERT without waiting for an unreachable hub.

    >>> model_cached("ner", "/no/such/folder")
    False
    """
    name = model_name(kind, model)
    folder = Path(name).expanduser()
    if folder.is_dir():
        return (folder / "config.json").is_file()
    try:
        with warnings.catch_warnings():  # tqdm's "IProgress not found" in Jupyter
            warnings.filterwarnings("ignore", message="IProgress not found")
            from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except (ImportError, ValueError):  # not installed, or not a valid hub id
        return False


def sentiment_model_cached(model: str | Path | None = None) -> bool:
    """:func:`model_cached` for the sentiment model (what notebook 04 asks before CAMeLBERT)."""
    return model_cached("sentiment", model)


def import_transformers() -> Any:
    """``import transformers`` without tqdm's "IProgress not found" warning in Jupyter."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        import transformers
    return transformers


@dataclass(frozen=True)
class LoadedModel:
    """What :func:`load_transformers` returns: the network (in eval mode), its tokenizer,
    the identity string and where it was loaded from (a folder or a hub id)."""

    model: Any
    tokenizer: Any
    identity: str
    source: str


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def load_transformers(name_or_path: str | Path, kind: str) -> LoadedModel:
    """Load a transformers model of a stage (``kind``: ``ner`` or ``sentiment``) from a local
    folder, else the local Hugging Face cache, else the hub.

    The tokenizer is loaded with ``do_lower_case=False`` (so hamza survives even when the
    saved tokenizer lower-cases) and ``model_max_length=512``; the weights only from
    safetensors files; ``trust_remote_code`` is never set. Raises :class:`ModelUnavailable`
    with one line naming the fix when the folder is missing or incomplete, or when the model
    is not cached and the hub is unreachable (``HF_HUB_OFFLINE`` set, or no network).

    >>> loaded = load_transformers("path/to/tiny-ner", "ner")  # doctest: +SKIP
    >>> loaded.identity  # doctest: +SKIP
    'local:tiny-ner@3f2a9c0d41be'
    """
    spec = _kind(kind)
    transformers = import_transformers()
    auto_model = getattr(transformers, _AUTO_CLASSES[spec.task])
    name = str(name_or_path).strip()
    folder = Path(name).expanduser()
    what = "NER" if kind == "ner" else kind
    fix = ("use profile 'bundled' (--models bundled, or ARABIC_NEWS_MODELS=bundled), or set "
           f"{spec.env} to a saved model folder")
    if folder.is_dir():
        if not (folder / "config.json").is_file():
            raise ModelUnavailable(
                f"{what} model folder '{folder}' holds no config.json: save a transformers "
                f"model there with save_pretrained(), or {fix}")
        if not any(folder.glob("*.safetensors")):
            raise ModelUnavailable(
                f"{what} model folder '{folder}' has no .safetensors weights (this project "
                "never loads pickled .bin weights): convert it once with "
                f"transformers.{_AUTO_CLASSES[spec.task]}.from_pretrained(folder)"
                ".save_pretrained(folder), or use profile 'bundled'")
    elif name.startswith((".", "~", "/", "\\")) or name.count("/") != 1 or "\\" in name:
        raise ModelUnavailable(
            f"{what} model folder '{name}' does not exist: check the path (e.g. in {spec.env}) "
            f"or give a hub id such as '{spec.default}'")

    source = str(folder) if folder.is_dir() else name

    def _load(local_only: bool) -> tuple[Any, Any]:
        tokenizer = transformers.AutoTokenizer.from_pretrained(
            source, do_lower_case=False, model_max_length=MAX_TOKENS,
            local_files_only=local_only, trust_remote_code=False)
        bars = transformers.utils.logging.is_progress_bar_enabled()
        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar in outputs
        try:
            model = auto_model.from_pretrained(
                source, use_safetensors=True, local_files_only=local_only,
                trust_remote_code=False)
        finally:
            if bars:
                transformers.utils.logging.enable_progress_bar()
        return tokenizer, model

    if folder.is_dir():
        try:
            tokenizer, model = _load(True)
        except (OSError, ValueError) as err:
            raise ModelUnavailable(
                f"{what} model folder '{folder}' could not be loaded ({_first_line(err)}): "
                f"{fix}") from None
        identity = model_identity(folder.name, folder_fingerprint(folder), origin="local")
    else:
        not_cached = (f"{what} model '{name}' is not in the local Hugging Face cache (or has "
                      "no safetensors weights there)")
        advice = ("download it once with network access (without HF_HUB_OFFLINE), or " + fix)
        try:
            tokenizer, model = _load(True)
        except (OSError, ValueError):
            if is_offline():
                raise ModelUnavailable(
                    f"{not_cached} and the hub is not reachable (HF_HUB_OFFLINE is set): "
                    f"{advice}") from None
            if not hub_reachable():
                raise ModelUnavailable(
                    f"{not_cached} and the hub is not reachable (no network connection to "
                    f"{os.environ.get('HF_ENDPOINT') or 'huggingface.co'}): {advice}") from None
            try:
                tokenizer, model = _load(False)
            except (OSError, ValueError) as err:
                raise ModelUnavailable(
                    f"{not_cached} and could not be downloaded ({_first_line(err)}): "
                    f"{advice}") from None
        identity = model_identity(name, _hub_version(name, model))
    return LoadedModel(model.eval(), tokenizer, identity, source)


def _hub_version(name: str, model: Any) -> str:
    """The commit of a hub model (7 digits), else a fingerprint of its cached snapshot."""
    commit = getattr(model.config, "_commit_hash", None)
    if commit:
        return str(commit)[:7]
    try:
        from huggingface_hub import try_to_load_from_cache

        config = try_to_load_from_cache(name, "config.json")
    except (ImportError, ValueError):
        config = None
    return folder_fingerprint(Path(config).parent) if isinstance(config, str) else "unknown"


# ------------------------------------------------------------------ stage loaders


def load_ner(profile: str | None = None) -> Model:
    """The NER tagger of a profile, loaded once per process.

    ``profile``: ``bundled``, ``camelbert`` or ``auto`` (``None``: ``$ARABIC_NEWS_MODELS``,
    default ``bundled``), or a model folder / hub id, loaded through transformers. For
    ``camelbert`` the model is ``$ARABIC_NEWS_NER_MODEL`` or :data:`DEFAULT_NER_MODEL`.
    Raises :class:`ModelUnavailable` when CAMeLBERT cannot be loaded; ``auto`` then uses the
    bundled tagger with a note (:class:`FallbackWarning`, :func:`collect_notes`). The tagger
    has ``identity``, ``labels()`` and ``predict(list of word lists)`` -> one
    ``(BIO label, probability)`` per word.

    >>> tagger = load_ner("bundled")  # doctest: +SKIP
    >>> tagger.predict([["قال", "أردوغان"]])  # doctest: +SKIP
    [[('O', 0.99), ('B-PERS', 0.93)]]
    """
    if profile is not None and looks_like_model(profile):
        return _load("ner", "camelbert", profile)
    profile = resolve_profile(profile)
    return _noted("ner", profile, model_name("ner") if profile not in OFFLINE_PROFILES else "")


def load_sentiment(profile: str | None = None, model: str | Path | None = None) -> Model | None:
    """The sentiment classifier of a profile, loaded once per process; ``None`` for
    ``bundled``, whose method is the lexicon (:mod:`helpers.sentiment` scores it, no model).

    ``model`` (or ``$ARABIC_NEWS_SENTIMENT_MODEL``, else :data:`DEFAULT_SENTIMENT_MODEL`) is
    the transformers model of ``camelbert``/``auto``. Raises :class:`ModelUnavailable` for
    ``camelbert`` when it cannot be loaded; ``auto`` then returns ``None`` with a note (:class:`FallbackWarning`).
    The classifier has ``identity``, ``labels()`` and ``predict(texts)`` -> one
    ``{label: probability}`` per text.

    >>> load_sentiment("bundled") is None
    True
    """
    profile = resolve_profile(profile)
    return _noted("sentiment", profile, model_name("sentiment", model)
                  if profile not in OFFLINE_PROFILES else "")


def clear_loaded() -> None:
    """Forget the models loaded by :func:`load_ner` / :func:`load_sentiment` (e.g. after
    changing the environment)."""
    _load.cache_clear()


def _noted(kind: str, profile: str, name: str) -> Any:
    """:func:`_load`, and its fall-back note (if any) passed to every :func:`collect_notes`
    block, also when the model was loaded earlier in this process."""
    loaded = _load(kind, profile, name)
    note = _FALLBACKS.get((kind, profile, name))
    if note is not None:
        _collect(note)
    return loaded


#: fall-back notes of ``auto`` by (kind, profile, model name)
_FALLBACKS: dict[tuple[str, str, str], str] = {}


@functools.lru_cache(maxsize=8)
def _load(kind: str, profile: str, name: str) -> Any:
    if profile in OFFLINE_PROFILES:
        return _load_bundled(kind, ensemble=profile == "bundled")
    if profile == "camelbert":
        return _load_transformers_model(kind, name)
    try:
        return _load_transformers_model(kind, name)
    except ModelUnavailable as err:
        fallback = _load(kind, "bundled", "")
        instead = (f"the bundled NER model ({fallback.identity})" if kind == "ner"
                   else "the bundled lexicon method")
        note = " ".join(f"profile 'auto': {str(err).rstrip('.')}. Using {instead} instead.".split())
        _FALLBACKS[(kind, profile, name)] = note
        warnings.warn(note, FallbackWarning, stacklevel=4)
        return fallback


def _load_bundled(kind: str, ensemble: bool = True) -> Any:
    if kind == "sentiment":
        return None
    from .ner_bundled import BundledTagger

    try:
        return BundledTagger.load(ensemble=ensemble)
    except (FileNotFoundError, RuntimeError) as err:
        raise ModelUnavailable(str(err)) from None


def _load_transformers_model(kind: str, name: str) -> Any:
    if kind == "ner":
        from .ner import TransformersTagger

        return TransformersTagger.from_pretrained(name)
    from .sentiment import SentimentClassifier

    return SentimentClassifier.from_pretrained(name)


# --------------------------------------------------------------------- output cache


class ModelNote(UserWarning):
    """A note of the model layer for the reader of a run, shown once per process as a
    warning and collected by :func:`collect_notes` (``Analysis.notes``, the CLI's ``note:``
    lines): a model fall-back (:class:`FallbackWarning`), a cache that cannot be written
    (:class:`CacheWarning`)."""


class CacheWarning(ModelNote):
    """The output cache could not be written; the run goes on without it."""


class FallbackWarning(ModelNote):
    """Profile ``auto`` could not load CAMeLBERT and uses the bundled model or lexicon."""


_META_KEY = b"helpers.cache"
_REPORTED: dict[str, str] = {}  # cache folder -> its note
_COLLECTORS: list[list[str]] = []


@contextlib.contextmanager
def collect_notes() -> Iterator[list[str]]:
    """Collect the model-layer notes of the code run inside the block (each once, one line):
    cache folders that cannot be written and model fall-backs, also those whose warning was
    already shown earlier in this process. :func:`helpers.pipeline.analyze` adds them to
    ``Analysis.notes``.

    >>> with collect_notes() as notes:
    ...     tagger = load_ner("bundled")
    >>> notes
    []
    """
    notes: list[str] = []
    _COLLECTORS.append(notes)
    try:
        yield notes
    finally:
        _COLLECTORS[:] = [c for c in _COLLECTORS if c is not notes]


def _collect(note: str) -> None:
    for notes in _COLLECTORS:
        if note not in notes:
            notes.append(note)


def cache_notes() -> list[str]:
    """The cache problems reported so far in this process (one line per cache folder)."""
    return list(_REPORTED.values())


def _report_once(folder: Path, err: BaseException) -> None:
    where = str(folder)
    if where in _REPORTED:
        _collect(_REPORTED[where])
        return
    note = (f"the output cache in {where} cannot be written ({_first_line(err)}); results are "
            "computed but not cached: set ARABIC_NEWS_CACHE to a writable folder")
    _REPORTED[where] = note
    _collect(note)
    warnings.warn(note, CacheWarning, stacklevel=4)


class OutputCache:
    """On-disk cache of one stage's model outputs: ``<cache_dir>/<stage>/<key>.parquet``.

    The key (:meth:`key`) hashes the helpers version, the stage, the model identity and the
    input, so a changed text, model or helpers release never serves stale rows. Each entry
    stores its key and identity in the Parquet metadata; :meth:`get` returns ``None`` for an
    entry that is unreadable (truncated, random bytes), carries another key (a foreign entry),
    lacks the expected columns or fails the stage's own ``check``; :meth:`fetch` then
    recomputes and replaces it. Writes go to a temporary file in the same folder, moved into
    place with ``os.replace``; no temporary file survives a failure. A folder that cannot be
    written is reported once (:class:`CacheWarning`) and bypassed.

    >>> cache = OutputCache("ner")  # doctest: +SKIP
    >>> rows = [["a1", 0, 0, "قال أردوغان"]]  # doctest: +SKIP
    >>> key = cache.key("bundled:crf-anercorp@15a666b65b2f", rows)  # doctest: +SKIP
    >>> table = cache.fetch(key, compute, columns=MENTIONS.columns)  # doctest: +SKIP
    """

    def __init__(self, stage: str, folder: str | Path | None = None) -> None:
        if not re.fullmatch(r"[a-z0-9_-]+", stage):
            raise ValueError(f"stage name {stage!r}: use lower-case letters, digits, - or _")
        self.stage = stage
        self._folder = Path(folder) if folder is not None else None

    @property
    def folder(self) -> Path:
        """``<cache_dir>/<stage>`` (read when used, so ``ARABIC_NEWS_CACHE`` may change)."""
        return self._folder if self._folder is not None else cache_dir() / self.stage

    def key(self, identity: str, inputs: Iterable[Sequence[Any]]) -> str:
        """32 hex digits of SHA-256 over the helpers version, stage, identity and inputs
        (each input a JSON-serialisable row)."""
        digest = hashlib.sha256()
        digest.update(json.dumps(["helpers", __version__, self.stage, identity]).encode())
        for row in inputs:
            digest.update(json.dumps(list(row), ensure_ascii=False).encode())
            digest.update(b"\n")
        return digest.hexdigest()[:32]

    def path(self, key: str) -> Path:
        """The entry's file."""
        return self.folder / f"{key}.parquet"

    def get(self, key: str, columns: Sequence[str],
            check: Callable[[pd.DataFrame], bool] | None = None) -> pd.DataFrame | None:
        """The cached table of ``key``, or ``None`` when absent or not trustworthy."""
        import pyarrow.parquet as pq

        path = self.path(key)
        try:
            if not path.is_file():
                return None
            table = pq.read_table(path)
            meta = json.loads((table.schema.metadata or {}).get(_META_KEY, b"{}"))
            if (meta.get("key") != key or meta.get("rows") != table.num_rows
                    or table.column_names != list(columns)):
                return None
            frame = table.to_pandas()
            if check is not None and not check(frame):
                return None
            return frame
        except Exception:  # noqa: BLE001 - any unreadable entry is a miss, never fatal
            return None

    def put(self, key: str, frame: pd.DataFrame, identity: str = "") -> pd.DataFrame:
        """Store ``frame`` under ``key`` atomically; returns the frame as a cache hit would
        (so that hits and misses give identical tables). Failures are reported once and
        bypassed."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {"key": key, "stage": self.stage, "identity": identity, "helpers": __version__,
                "rows": table.num_rows}
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), _META_KEY: json.dumps(meta).encode()})
        folder = self.folder
        tmp: str | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=folder)
            with os.fdopen(fd, "wb") as fh:
                pq.write_table(table, fh)
            os.replace(tmp, self.path(key))
            tmp = None
        except Exception as err:  # noqa: BLE001 - OSError, disk full, pyarrow IO errors
            # once per cache root, whichever stage meets the problem first
            _report_once(self._folder if self._folder is not None else folder.parent, err)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        return table.to_pandas()

    def fetch(self, key: str, compute: Callable[[], pd.DataFrame], columns: Sequence[str],
              check: Callable[[pd.DataFrame], bool] | None = None,
              identity: str = "") -> pd.DataFrame:
        """The cached table of ``key`` if it is sound, else ``compute()``, stored."""
        hit = self.get(key, columns, check)
        if hit is not None:
            return hit
        frame = compute()
        if list(frame.columns) != list(columns):
            raise ValueError(f"{self.stage}: computed columns {list(frame.columns)} differ from "
                             f"the expected {list(columns)}")
        return self.put(key, frame, identity)
