"""The rule baseline: dictionary terms, dose patterns, ConText assertion and relation rules.

Each sentence (`extract.text.sentences`) is processed on its own, so time and memory grow
linearly with the note; a sentence longer than `max_sentence_chars` is cut at whitespace.
All offsets are into the original note; the evidence of a triple is its sentence.

Abbreviations defined in the note (`extract.abbreviations`) whose long form is a known drug
are drug mentions wherever their short form stands, with the long form as the span's
`expansion` (normalization links it through that).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from extract.abbreviations import NONE, Abbreviations, abbreviations
from extract.base import ExtractionResult
from extract.course import CourseMatcher
from extract.options import ExtractOptions
from extract.rules.context import ContextMatcher
from extract.rules.coreference import ANAPHOR, ANAPHOR_START, find_anaphor
from extract.rules.dose_patterns import dose_span, find_doses, plain
from extract.rules.lexicon import Lexicon, TermKind, TermSource
from extract.rules.morphology import Morphology
from extract.rules.relations import Link, Range, RelationMatcher
from extract.rules.tokens import Match, Tokens, fold, tokenize
from extract.temporal import TimeExpression, find_times, time_to_onset
from extract.text import Window, sentences
from pvkg import __version__
from pvkg.errors import ConfigError
from pvkg.options import ref
from pvkg.records import (
    ALTERNATIVES,
    DECHALLENGE,
    EXPANSION,
    ONSET,
    OUTCOME,
    RECHALLENGE,
    SEVERITY,
    Assertion,
    AttributeValue,
    ExtractorInfo,
    Mention,
    MentionKind,
    Note,
    Span,
    Triple,
)

NAME = "rules"


@dataclass(frozen=True)
class _Sentence:
    """One sentence's mentions: token ranges and their spans, by kind."""

    window: Window
    tokens: Tokens
    drugs: list[tuple[Range, Span]]
    events: list[tuple[Range, Span]]
    doses: list[tuple[Range, Span]]


class RuleExtractor:
    """Finds (drug, dose, adverse event) triples with rules; see the package doc."""

    def __init__(
        self,
        terms: TermSource | Lexicon | None = None,
        index: TermSource | None = None,
        *,
        context: ContextMatcher | None = None,
        relations: RelationMatcher | None = None,
        morphology: Morphology | bool = True,
        expand_abbreviations: bool = True,
        min_confidence: float = 0.0,
        max_sentence_chars: int = 2000,
    ) -> None:
        if isinstance(terms, Lexicon):
            self.lexicon = terms
            if index is not None:
                self.lexicon.add_terms(index)
        else:
            self.lexicon = Lexicon(*(s for s in (terms, index) if s is not None))
        if not len(self.lexicon):
            raise ConfigError(
                "the rule extractor has no terms",
                hint=f"give a term list ({ref(ExtractOptions, 'terms')})",
            )
        self.context = context or ContextMatcher()
        self.course = CourseMatcher()
        self.relations = relations or RelationMatcher()
        self.morphology = Morphology() if morphology is True else morphology or None
        self.expand_abbreviations = expand_abbreviations
        self.min_confidence = min_confidence
        self.max_sentence_chars = max_sentence_chars
        rules = f"{self.context.rules.version}.{self.relations.rules.version}"
        self._info = ExtractorInfo(name=NAME, version=f"{__version__}+rules.{rules}")

    @property
    def info(self) -> ExtractorInfo:
        return self._info

    def extract_many(self, notes: Iterable[Note]) -> Iterator[ExtractionResult]:
        for note in notes:
            yield self.extract(note)

    def extract(self, note: Note) -> ExtractionResult:
        text = note.text
        dose_text = plain(text)
        triples: list[Triple] = []
        mentions: list[Mention] = []
        problems: list[str] = []
        defined = abbreviations(text) if self.expand_abbreviations else NONE
        stated: list[tuple[Window, frozenset[str]]] = []
        antecedent: Span | None = None
        for sentence in sentences(text):
            for window in _pieces(text, sentence, self.max_sentence_chars):
                if window != sentence:
                    problems.append(f"sentence {sentence.start}:{sentence.end} was cut")
                found = self._mentions(text, dose_text, window, defined)
                mentions.extend(_as_mentions(found))
                if found.drugs:
                    antecedent = _sole_drug(found)
                    triples.extend(self._triples(note, found))
                elif found.events and antecedent is not None:
                    triples.extend(self._anaphoric(note, _resolved(text, found, antecedent)))
                stated.append((window, frozenset(s.text.casefold() for _, s in found.drugs)))
        statements = self._statements(text, _reaching(stated, triples))
        return ExtractionResult(
            note_id=note.id,
            triples=tuple(_with_challenges(triples, statements)),
            mentions=tuple(mentions),
            returned_spans=len(mentions),
            problems=tuple(dict.fromkeys(problems)),
        )

    def _mentions(
        self, text: str, dose_text: str, window: Window, defined: Abbreviations
    ) -> _Sentence:
        tokens = tokenize(text, window.start, window.end)
        drugs: list[tuple[Range, Span]] = []
        events: list[tuple[Range, Span]] = []
        short = self._short_forms(tokens, window, defined) if defined.definitions else {}
        matches = _with_short_forms(list(self.lexicon.find(tokens)), short)
        if self.morphology is not None:
            matches = self.morphology.complete(tokens.words, matches)
        for match in matches:
            start, end = tokens.starts[match.first], tokens.ends[match.stop - 1]
            long_form = short.get((match.first, match.stop))
            attributes: dict[str, AttributeValue] = {EXPANSION: long_form} if long_form else {}
            span = Span.trusted(text=text[start:end], start=start, end=end, attributes=attributes)
            found = drugs if match.value == "drug" else events
            found.append(((match.first, match.stop), span))
        doses = _doses(text, dose_text, window, tokens, [*drugs, *events]) if drugs else []
        return _Sentence(window, tokens, drugs, events, doses)

    def _short_forms(
        self, tokens: Tokens, window: Window, defined: Abbreviations
    ) -> dict[Range, str]:
        """Token ranges of the window's short forms whose long form is a known drug, with
        that long form. A short form must be whole tokens, so its span is its own text."""
        found: dict[Range, str] = {}
        for short in defined.within(window.start, window.end):
            first = bisect.bisect_left(tokens.starts, short.start)
            stop = bisect.bisect_left(tokens.starts, short.end)
            whole = first < stop and tokens.ends[stop - 1] == short.end
            if whole and tokens.starts[first] == short.start and self._is_drug(short.long_form):
                found[(first, stop)] = short.long_form
        return found

    def _is_drug(self, term: str) -> bool:
        if self.lexicon.kind_of(term) == "drug":
            return True
        words = fold(term)
        return (
            self.morphology is not None
            and len(words) == 1
            and self.morphology.kind_of(words[0]) == "drug"
        )

    def _anaphoric(self, note: Note, found: _Sentence) -> list[Triple]:
        """Triples through a drug anaphor, where a relation pattern links it to the event:
        the nearest-drug fallback is too weak a reason to reach into another sentence."""
        if not found.drugs:
            return []
        fallback = self.relations.rules.fallback.confidence
        return [t for t in self._triples(note, found) if t.confidence > fallback]

    def _with_course(self, text: str, found: _Sentence, times: list[TimeExpression]) -> _Sentence:
        """The sentence's events with their severity (`SEVERITY`) and time to onset
        (ISO-8601, `ONSET`: the time nearest the event, from its first drug) where stated."""
        drug = found.drugs[0][1] if found.drugs else None
        events = []
        for tokens, event in found.events:
            added: dict[str, AttributeValue] = {}
            severity = self.course.severity(text, event.start)
            if severity is not None:
                added[SEVERITY] = severity
            onset = (
                time_to_onset(times, (drug.start, drug.end), (event.start, event.end))
                if drug
                else None
            )
            if onset is not None and onset.value is not None:
                added[ONSET] = onset.value
            if added:
                event = event.model_copy(update={"attributes": {**event.attributes, **added}})
            events.append((tokens, event))
        return dataclasses.replace(found, events=events)

    def _statements(
        self, text: str, windows: Iterable[tuple[Window, frozenset[str]]]
    ) -> list[_Statement]:
        """What the windows state about the course: dechallenge, rechallenge, other causes
        excluded and the case's outcome, each with the drugs its sentence names."""
        said = []
        for window, drugs in windows:
            sentence, at = text[window.start : window.end], window.start
            course = self.course.may_state_course(sentence)
            for name, check in ((DECHALLENGE, self.course.dechallenge),
                                (RECHALLENGE, self.course.rechallenge)):  # fmt: skip
                if course and (outcome := check(sentence)) is not None:
                    said.append(_Statement(at, name, outcome, drugs))
            if self.course.alternatives_excluded(sentence):
                said.append(_Statement(at, ALTERNATIVES, "excluded", drugs))
            if course and (case_outcome := self.course.outcome(sentence)) is not None:
                said.append(_Statement(at, OUTCOME, case_outcome, drugs))
        return said

    def _triples(self, note: Note, found: _Sentence) -> list[Triple]:
        if not found.drugs:
            return []
        words = found.tokens.words
        drug_ranges = [r for r, _ in found.drugs]
        event_ranges = [r for r, _ in found.events]
        links = self.relations.link_events(words, drug_ranges, event_ranges)
        owners = self.relations.link_doses(words, drug_ranges, [r for r, _ in found.doses])
        occupied = [*drug_ranges, *event_ranges, *(r for r, _ in found.doses)]
        assertions = self.context.assertions(words, event_ranges, occupied)
        evidence = Span.trusted(
            text=note.text[found.window.start : found.window.end],
            start=found.window.start,
            end=found.window.end,
            attributes={},
        )
        if found.events:
            times = find_times(note.text, start=found.window.start, end=found.window.end,
                               dates=False)  # fmt: skip
            found = self._with_course(note.text, found, times)
        triples = []
        for index, (_, drug) in enumerate(found.drugs):
            doses = [found.doses[d][1] for d, owner in enumerate(owners) if owner == index]
            events = [
                (found.events[e][1], link, assertions[e])
                for e, event_links in enumerate(links)
                for link in event_links
                if link.drug == index
            ]
            for triple in self._drug_triples(note.id, drug, doses, events, evidence):
                if triple.confidence >= self.min_confidence:
                    triples.append(triple)
        return triples

    def _drug_triples(
        self,
        note_id: str,
        drug: Span,
        doses: list[Span],
        events: list[tuple[Span, Link, Assertion]],
        evidence: Span,
    ) -> Iterator[Triple]:
        """Each event with each dose of the drug; the doses alone when it has no event."""

        def triple(dose: Span | None, event: Span | None, found: Assertion, c: float) -> Triple:
            return Triple.trusted(
                note_id=note_id,
                drug=drug,
                dose=dose,
                adverse_event=event,
                assertion=found,
                evidence=evidence,
                extractor=self.info,
                confidence=c,
            )

        dose_options: list[Span | None] = [*doses] or [None]
        for event, link, assertion in events:
            for dose in dose_options:
                yield triple(dose, event, assertion, link.confidence)
        if not events:
            for dose in doses:
                yield triple(dose, None, "present", self.relations.rules.dose.confidence)


@dataclass(frozen=True)
class _Statement:
    """A sentence's dechallenge or rechallenge, and the drugs it names (casefolded)."""

    start: int
    name: str  # DECHALLENGE or RECHALLENGE
    outcome: str
    drugs: frozenset[str]


def _sole_drug(found: _Sentence) -> Span | None:
    """The sentence's drug when it names one (however often), else None."""
    names = {span.text.casefold() for _, span in found.drugs}
    return found.drugs[-1][1] if len(names) == 1 else None


def _resolved(text: str, found: _Sentence, antecedent: Span) -> _Sentence:
    """The sentence with its drug anaphor, if it has one, standing for `antecedent`."""
    where = find_anaphor(found.tokens.words)
    if where is None:
        return found
    start = found.tokens.starts[where[0]]
    end = found.tokens.ends[where[1] - 1]
    attributes = {**antecedent.attributes, ANAPHOR: text[start:end], ANAPHOR_START: start}
    drug = antecedent.model_copy(update={"attributes": attributes})
    return dataclasses.replace(found, drugs=[(where, drug)])


def _with_challenges(triples: list[Triple], statements: list[_Statement]) -> Iterator[Triple]:
    """Each triple's event with the dechallenge and rechallenge the note states about it: in
    its own sentence or a later one that names its drug or no drug at all."""
    for triple in triples:
        event = triple.adverse_event
        found = _challenges(triple, statements) if event is not None else {}
        if event is None or not found:
            yield triple
            continue
        attributes = {**found, **event.attributes}
        updated = event.model_copy(update={"attributes": attributes})
        yield triple.model_copy(update={"adverse_event": updated})


def _reaching(
    windows: list[tuple[Window, frozenset[str]]], triples: list[Triple]
) -> Iterator[tuple[Window, frozenset[str]]]:
    """The windows whose statements `_challenges` can give to one of the triples: the
    course rules are most of a sentence's cost, and most sentences reach no triple."""
    first: dict[str, int] = {}
    for triple in triples:
        if triple.adverse_event is not None:
            drug, start = triple.drug.text.casefold(), (triple.evidence or triple.drug).start
            first[drug] = min(start, first.get(drug, start))
    earliest = min(first.values(), default=None)
    for window, drugs in windows:
        if earliest is None or window.start < earliest:
            continue
        if not drugs or any(drug in first and window.start >= first[drug] for drug in drugs):
            yield window, drugs


def _challenges(triple: Triple, statements: list[_Statement]) -> dict[str, AttributeValue]:
    start = (triple.evidence or triple.drug).start
    drug = triple.drug.text.casefold()
    return {s.name: s.outcome for s in statements
            if s.start >= start and (not s.drugs or drug in s.drugs)}  # fmt: skip


def _with_short_forms(
    matches: list[Match[TermKind]], short: dict[Range, str]
) -> list[Match[TermKind]]:
    """Term matches with the short forms as drugs in their place, in order."""
    if not short:
        return matches
    kept = [
        m for m in matches if not any(m.first < stop and first < m.stop for first, stop in short)
    ]
    drug: TermKind = "drug"
    added = [Match(first, stop, drug) for first, stop in short]
    return sorted([*kept, *added], key=lambda m: m.first)


def _doses(
    text: str, dose_text: str, window: Window, tokens: Tokens, terms: list[tuple[Range, Span]]
) -> list[tuple[Range, Span]]:
    """Dose mentions of the window that overlap no term and no earlier dose, in order."""
    found = sorted(find_doses(dose_text, window.start, window.end))
    if not found:
        return []
    taken = [(span.start, span.end) for _, span in terms]
    doses = []
    for start, end in found:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        first = bisect.bisect_left(tokens.starts, start)
        stop = bisect.bisect_left(tokens.starts, end)
        doses.append(((first, stop), dose_span(text, start, end)))
    return doses


def _as_mentions(found: _Sentence) -> Iterator[Mention]:
    kinds: tuple[tuple[MentionKind, list[tuple[Range, Span]]], ...] = (
        ("drug", found.drugs),
        ("adverse_event", found.events),
        ("dose", found.doses),
    )
    for kind, spans in kinds:
        for _, span in spans:
            yield Mention.trusted(kind=kind, span=span)


def _pieces(text: str, sentence: Window, limit: int) -> Iterator[Window]:
    """The sentence, or pieces of at most `limit` characters cut at whitespace."""
    start = sentence.start
    while sentence.end - start > limit:
        cut = text.rfind(" ", start + 1, start + limit)
        cut = cut if cut > start else start + limit
        yield Window(start, cut)
        start = cut
        while start < sentence.end and text[start].isspace():
            start += 1
    if start < sentence.end:
        yield Window(start, sentence.end)
