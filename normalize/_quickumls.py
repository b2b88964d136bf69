"""QuickUMLS (Soldaini & Goharian 2016) as an optional matcher behind the index's interface.

`QuickUmlsLinker` opens an existing QuickUMLS index directory and answers `link`,
`link_many` and `candidates` with the same `LinkResult`s, filtered to a kind through the
same semantic types (normalize._common.kinds). QuickUMLS stores only CUIs, terms and TUIs: results
have the matched term as name, TUIs without names, and no codes or roll-ups.

It never touches the network. QuickUMLS 1.4 loads `en_core_web_sm` through `spacy.load`
unless built as a spaCy component (`spacy_component=True`, its documented switch, which
its own `SpacyQuickUMLS` uses): we do that and tokenize with a blank English pipeline,
which is all its n-gram generation needs. It also calls `nltk.download("stopwords")` when
NLTK's stopword corpus is missing: our own list, in NLTK's corpus layout under
`normalize/nltk_data`, is put on NLTK's data path first, so the corpus is always found.

`build_quickumls` writes a QuickUMLS index from RRF files with the functions of QuickUMLS's
own installer (`quickumls.install`), without its `main`, which downloads a spaCy model and
asks questions on stdin.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from loaders.release import find_release
from normalize._common.kinds import ADVERSE_EVENT_TUIS, DRUG_TUIS, Kind
from normalize._query.linker import Linker
from normalize._query.result import LinkResult
from pvkg.errors import ConfigError, InputError, TerminologyError
from pvkg.records import SemanticType

NLTK_DATA = Path(__file__).resolve().parent / "nltk_data"
INSTALL_HINT = "pip install pvkg[quickumls]"
_KIND_TUIS: dict[Kind, frozenset[str]] = {"drug": DRUG_TUIS, "adverse_event": ADVERSE_EVENT_TUIS}
_REQUIRED = ("umls-simstring.db", "cui-semtypes.db")


def _modules() -> tuple[Any, Any]:
    """quickumls and spacy, imported on first use (an optional extra), with our stopwords
    first on NLTK's data path."""
    try:
        import nltk  # type: ignore[import-untyped]
        import quickumls  # type: ignore[import-untyped]
        import spacy
    except ImportError as exc:
        raise ConfigError(f"the QuickUMLS backend needs {exc.name}", hint=INSTALL_HINT) from None
    if str(NLTK_DATA) not in nltk.data.path:
        nltk.data.path.insert(0, str(NLTK_DATA))
    return quickumls, spacy


class QuickUmlsLinker(Linker):
    """A QuickUMLS index: `link`, `link_many`, `candidates`, like `TerminologyIndex`.

    `threshold` and `similarity` are QuickUMLS's own (jaccard 0.7 by default). A match that
    covers part of the mention scores its similarity times the share of the mention's
    characters it covers; only a whole-mention match at similarity 1 is "exact".
    """

    def __init__(
        self, directory: Path, threshold: float = 0.7, similarity: str = "jaccard"
    ) -> None:
        missing = [name for name in _REQUIRED if not (directory / name).is_dir()]
        if missing:
            raise TerminologyError(
                f"{directory}: not a QuickUMLS index ({', '.join(missing)} missing)",
                hint="build one with the quickumls backend (`build_quickumls`)",
            )
        quickumls, spacy = _modules()
        self.directory = directory
        self._matcher = quickumls.QuickUMLS(
            str(directory),
            threshold=threshold,
            similarity_name=similarity,
            accepted_semtypes=None,
            spacy_component=True,
        )
        self._nlp = spacy.blank("en")

    def link_many(self, texts: Sequence[str], kind: Kind) -> list[LinkResult]:
        return [self.link(text, kind) for text in texts]

    def link_stream(self, texts: Iterable[str], kind: Kind) -> Iterator[LinkResult]:
        for text in texts:
            yield self.link(text, kind)

    def candidates(self, text: str, kind: Kind, k: int = 5) -> list[LinkResult]:
        """Up to `k` concepts of `kind`, best first, from every span QuickUMLS matched."""
        stripped = text.strip()
        if not stripped or k < 1:
            return []
        tuis = _KIND_TUIS[kind]
        # The call QuickUMLS's own spaCy component makes, on our blank pipeline's tokens.
        groups = self._matcher._match(self._nlp(stripped), best_match=False)
        best: dict[str, tuple[float, dict[str, Any]]] = {}
        for group in groups:
            for m in group:
                if tuis.isdisjoint(m["semtypes"]):
                    continue
                covered = (m["end"] - m["start"]) / len(stripped)
                score = round(m["similarity"] * covered, 4)
                if m["cui"] not in best or score > best[m["cui"]][0]:
                    best[m["cui"]] = (score, m)
        ranked = sorted(best.values(), key=lambda h: (-h[0], -h[1]["preferred"], h[1]["cui"]))
        return [
            LinkResult(
                text=text,
                kind=kind,
                cui=m["cui"],
                name=m["term"],
                score=score,
                match="exact" if score == 1.0 else "approximate",
                semantic_types=tuple(SemanticType(tui=t, name="") for t in sorted(m["semtypes"])),
            )
            for score, m in ranked[:k]
        ]


def open_quickumls(path: str | Path) -> QuickUmlsLinker:
    """Open a QuickUMLS index directory (built by QuickUMLS or `build_quickumls`)."""
    return QuickUmlsLinker(Path(path))


def build_quickumls(rrf_dir: Path, out_dir: Path, *, lowercase: bool = True) -> None:
    """Write a QuickUMLS index (unqlite backend, English atoms) of a UMLS release.

    `lowercase` is the installer's `-L`: terms stored lower-cased, matching case-blind.
    QuickUMLS indexes every English atom: it has no filter for suppressed atoms or sources.
    """
    _modules()
    from quickumls import install

    release = find_release(rrf_dir)
    if release.kind != "umls":
        raise ConfigError(
            f"{rrf_dir}: QuickUMLS indexes UMLS releases (MRCONSO/MRSTY), not RxNorm ones"
        )
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ConfigError(f"{out_dir} exists and is not empty", hint="choose a new directory")
    work = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # The flag files QuickUMLS reads back, as its installer's main() writes them.
    if lowercase:
        (work / "lowercase.flag").touch()
    (work / "language.flag").write_text("ENG")
    (work / "database_backend.flag").write_text("unqlite")
    options = argparse.Namespace(language="ENG", lowercase=lowercase, normalize_unicode=False)
    try:
        # The installer prints progress on stdout, which belongs to our commands' output.
        with contextlib.redirect_stdout(sys.stderr):
            terms = install.extract_from_mrconso(str(release.conso), str(release.sty), options)
            install.parse_and_encode_ngrams(
                terms,
                str(work / "umls-simstring.db"),
                str(work / "cui-semtypes.db"),
                database_backend="unqlite",
            )
    except KeyError as exc:
        _discard(work, exc)
        missing = exc.args[0]
        reason = (
            f"a line has no {missing!r} column"
            if missing in install.HEADERS_MRCONSO + install.HEADERS_MRSTY
            else f"concept {missing} has no semantic type in {release.sty.name}"
        )
        # The installer reads the files itself and does not say which line failed.
        raise InputError(reason, file=release.conso, hint="check the release files") from None
    except BaseException as exc:
        _discard(work, exc)
        raise
    if out_dir.exists():
        out_dir.rmdir()
    work.rename(out_dir)


def _discard(work: Path, exc: BaseException) -> None:
    """Delete a failed build. The installer's writers still live in the traceback's frames
    and write on release: a writer released after its files are gone aborts the process."""
    traceback.clear_frames(exc.__traceback__)
    shutil.rmtree(work, ignore_errors=True)
