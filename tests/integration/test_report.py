"""The HTML signal report of a real embedded store, rendered and scripted in headless Chromium."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from itertools import count
from pathlib import Path

import pytest

from kg.counts import pair_counts
from kg.evidence import Mention, PairEvidence, pair_evidence
from kg.load import load
from kg.store import GraphStore, open_store
from pvkg.app.reporting import ReportOptions, write_report
from pvkg.app.reporting.assets import csp_hash
from pvkg.records import (
    CaseReport,
    Concept,
    Concepts,
    ExtractorInfo,
    NormalizedTriple,
    Note,
    ParsedDose,
    ReportedDrug,
    ReportedEvent,
    Span,
)
from tests.conftest import Cli
from tests.integration.conftest import NO_CACHE

pytestmark = pytest.mark.integration

RULES = ExtractorInfo(name="rules", version="0.2")
LLM = ExtractorInfo(name="llm", version="qwen2.5-7b", prompt_version="v3")
AMOXICILLIN = Concept(cui="C0002645", name="amoxicillin", codes={"RXNORM_IN": ["723"]})
CISPLATIN = Concept(cui="C0008838", name="cisplatin", codes={"RXNORM_IN": ["2555"]})
RASH = Concept(cui="C0015230", name="Exanthema", codes={"SNOMEDCT_US": ["271807003"]})
NAUSEA = Concept(cui="C0027497", name="Nausea")
CONCEPTS = {"amoxicillin": AMOXICILLIN, "augmentin": AMOXICILLIN, "cisplatin": CISPLATIN,
            "rash": RASH, "urticarial rash": RASH, "nausea": NAUSEA}  # fmt: skip
INJECTED = "<script>document.title='pwned'</script>"
NOTES = {
    "n01": "Seen in clinic. Started amoxicillin 500 mg three times daily; rash on day 3.",
    "n02": "Rash appeared after Augmentin 875 mg twice daily.",
    "n03": f"History: asthma.\nTook <b>amoxicillin</b> & developed a rash {INJECTED}.",
    "n04": "Amoxicillin course complicated by widespread rash.",
    "n05": "Urticarial rash attributed to amoxicillin.",
    "n06": "No rash on amoxicillin. Nausea with cisplatin 75 mg/m2.",
    "n07": "Cisplatin 100 mg/m2 given; severe nausea followed.",
    "n08": "Nausea and vomiting after cisplatin.",
    "n09": "Possible rash from ibuprofen.",
    "n10": "Ibuprofen 400 mg for pain, headache persisted.",
    "n11": "Warfarin 5 mg daily; gum bleeding noted.",
    "n12": "Warfarin held after bleeding.",
}


def span(note: str, text: str) -> Span:
    start = NOTES[note].index(text)
    return Span(text=text, start=start, end=start + len(text))


def sentence(note: str, text: str) -> Span:
    """The sentence (or line) of the note holding `text`."""
    full = NOTES[note]
    at = full.index(text)
    bounds = [0, *(m.end() for m in re.finditer(r"\. |\n", full)), len(full)]
    start = max(b for b in bounds if b <= at)
    found = full[start : min(b for b in bounds if b > at)].rstrip()
    return Span(text=found, start=start, end=start + len(found))


def triple(
    note: str,
    drug: str,
    event: str,
    *,
    dose: str | None = None,
    assertion: str = "present",
    extractor: ExtractorInfo = RULES,
    with_sentence: bool = True,
) -> NormalizedTriple:
    return NormalizedTriple.model_validate(
        {
            "note_id": note,
            "drug": span(note, drug),
            "adverse_event": span(note, event),
            "dose": span(note, dose) if dose else None,
            "assertion": assertion,
            "evidence": sentence(note, drug) if with_sentence else None,
            "extractor": extractor,
            "confidence": 0.9,
            "concepts": Concepts(
                drug=CONCEPTS.get(drug.casefold()), adverse_event=CONCEPTS.get(event.casefold())
            ),
            "parsed_dose": ParsedDose(value=500, unit="mg", frequency="TID") if dose else None,
        },
        context={"note": Note(id=note, text=NOTES[note])},
    )


def triples() -> list[NormalizedTriple]:
    return [
        triple("n01", "amoxicillin", "rash", dose="500 mg"),
        triple("n02", "Augmentin", "Rash", dose="875 mg"),
        triple("n03", "amoxicillin", "rash"),
        triple("n04", "Amoxicillin", "rash", with_sentence=False),
        triple("n05", "amoxicillin", "Urticarial rash", extractor=LLM),
        triple("n06", "amoxicillin", "rash", assertion="negated"),
        triple("n06", "cisplatin", "Nausea", dose="75 mg/m2"),
        triple("n07", "Cisplatin", "nausea"),
        triple("n08", "cisplatin", "Nausea"),
        triple("n09", "ibuprofen", "rash", assertion="speculated"),
        triple("n10", "Ibuprofen", "headache"),
        triple("n11", "Warfarin", "gum bleeding"),
        triple("n12", "Warfarin", "bleeding"),
    ]


def case_reports(background: int = 150, seed: int = 5) -> list[CaseReport]:
    """PREVAGEN–CHOKING in 4 reports, a few named pairs, and random background reports
    enough for EBGM's prior to have something to fit."""
    rng = random.Random(seed)
    reports = [
        CaseReport(id=f"bg{i}", source="faers",
                   drugs=(ReportedDrug(name=f"bgdrug{rng.randrange(8)}"),),
                   events=tuple(ReportedEvent(name=f"bgevent{e}")
                                for e in rng.sample(range(10), rng.randint(1, 2))))
        for i in range(background)
    ]  # fmt: skip
    reports += [
        CaseReport(id=f"p{i}", source="faers", drugs=(ReportedDrug(name="PREVAGEN"),),
                   events=(ReportedEvent(name="CHOKING"),))
        for i in range(4)
    ]  # fmt: skip
    others = [("ASPIRIN", "DYSPEPSIA"), ("ASPIRIN", "HEADACHE"), ("METFORMIN", "DIARRHOEA")]
    reports += [
        CaseReport(id=f"o{i}", source="faers", drugs=(ReportedDrug(name=drug),),
                   events=(ReportedEvent(name=event),))
        for i, (drug, event) in enumerate(others)
    ]  # fmt: skip
    return reports


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "graph"
    graph = open_store(path)
    try:
        load(graph, [*triples(), *case_reports()])
    finally:
        graph.close()
    return path


def test_the_evidence_query_reads_the_same_from_both_stores(store: GraphStore) -> None:
    load(store, [*triples(), *case_reports(background=0)])
    pairs = [("amoxicillin", "Exanthema"), ("PREVAGEN", "CHOKING"), ("amoxicillin", "Nausea")]
    evidence = pair_evidence(store, pairs)
    amoxicillin = evidence[("amoxicillin", "Exanthema")]
    assert [(t.report_id, t.assertion) for t in amoxicillin.triples] == [
        ("n01", "present"), ("n02", "present"), ("n03", "present"), ("n04", "present"),
        ("n05", "present"), ("n06", "negated"),
    ]  # fmt: skip
    assert amoxicillin.reports_by_source == {"note": 5}
    for found in amoxicillin.triples:
        note = NOTES[found.report_id]
        assert note[found.drug.start : found.drug.end] == found.drug.text
        assert note[found.event.start : found.event.end] == found.event.text
        if found.sentence is not None:
            assert note[found.sentence.start : found.sentence.end] == found.sentence.text
    assert amoxicillin.triples[3].sentence is None
    assert amoxicillin.triples[4].extractor == "llm qwen2.5-7b, prompt v3"
    assert amoxicillin.triples[0].dose == Mention("500 mg", 36, 42)
    assert evidence[("PREVAGEN", "CHOKING")] == PairEvidence((), {"faers": 4})
    assert evidence[("amoxicillin", "Nausea")] == PairEvidence((), {"note": 1})
    everything = pair_evidence(store, pairs[:1], all_assertions=True)
    assert everything[pairs[0]].reports_by_source == {"note": 6}


# --- headless Chromium -------------------------------------------------------------------

BROWSER_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=5000",
)  # fmt: skip
_profiles = count()


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "headless Chromium is needed to check the report: `make test` installs it "
        "(scripts/install-chromium)",
        pytrace=False,
    )


def browse(page: str, workdir: Path, *args: str) -> str:
    """Run Chromium on a file URL (fresh profile each time) and return its stdout."""
    profile = workdir / f"chromium-profile-{next(_profiles)}"
    result = subprocess.run(
        [chromium(), *BROWSER_FLAGS, f"--user-data-dir={profile}", *args, page],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


VOID = {"meta", "input", "br", "hr", "img", "link", "col", "wbr"}


class Dom(HTMLParser):
    """What the tests read from a dumped DOM: the table's rows, marks, title, attributes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: list[dict[str, str | None]] = []
        self.cells: list[list[str]] = []
        self.marks: list[tuple[str, str]] = []
        self.table: dict[str, str | None] = {}
        self.root: dict[str, str | None] = {}
        self.title = ""
        self.tags: set[str] = set()
        self.scripts = 0
        self._in: list[str] = []
        self._mark: str | None = None
        self._cell: str | None = None
        self._in_body = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.root = values
        elif tag == "table" and values.get("id") == "signals":
            self.table = values
        elif tag == "tbody" and self.table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append(values)
            self.cells.append([])
        elif tag == "td" and self._in_body:
            self._cell = values.get("data-v")
            self.cells[-1].append(self._cell or "")
        elif tag == "mark":
            self._mark = values.get("class") or ""
            self.marks.append((self._mark, ""))
        elif tag == "script":
            self.scripts += 1
        self.tags.add(tag)
        if tag not in VOID:
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        if tag == "mark":
            self._mark = None
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in_body and "td" in self._in and self._cell is None:
            self.cells[-1][-1] += data  # a name cell: its text, not a data-v
        if self._in and self._in[-1] == "title" and "head" in self._in:
            self.title += data
        if self._mark is not None:
            cls, text = self.marks[-1]
            self.marks[-1] = (cls, text + data)

    def visible(self, column: int) -> list[str]:
        return [cells[column] for row, cells in zip(self.rows, self.cells, strict=True)
                if "hidden" not in row]  # fmt: skip


@pytest.fixture(scope="module")
def report(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("html") / "report.html"
    summary = write_report(built_store, output, ReportOptions(top=6))
    assert summary.reports == 12 + 7 + 150
    assert summary.signals == summary.evidence_sections == 3
    return output


# Column indexes in the default table (prr, ror, ic, ebgm).
DRUG, EVENT, A = 0, 1, 2


def test_the_page_renders_its_rows_marks_and_escaped_text(report: Path, tmp_path: Path) -> None:
    dom = Dom(browse(report.as_uri(), tmp_path, "--dump-dom"))
    assert dom.root.get("data-ready") == "1"  # the script ran to its end under the CSP
    assert dom.title.startswith("pvkg signal report")  # the note's <script> did not run
    assert dom.scripts == 1
    by_pair = {(cells[DRUG], cells[EVENT]): cells for cells in dom.cells}
    amoxicillin = by_pair[("amoxicillin", "Exanthema")]
    assert amoxicillin[A] == "5"  # n01-n05; the negated finding in n06 does not count
    assert by_pair[("cisplatin", "Nausea")][A] == "3"
    assert by_pair[("PREVAGEN", "CHOKING")][A] == "4"
    assert len(by_pair) == len(dom.rows) > 60
    signal_rows = [cells[DRUG] for row, cells in zip(dom.rows, dom.cells, strict=True)
                   if "signal" in (row.get("class") or "").split()]  # fmt: skip
    assert {"amoxicillin", "cisplatin", "PREVAGEN"} <= set(signal_rows)

    assert "b" not in dom.tags  # the note's <b> is text, not markup
    assert ("drug", "amoxicillin") in dom.marks
    assert ("event", "Urticarial rash") in dom.marks
    assert ("dose", "500 mg") in dom.marks
    assert ("drug", "Augmentin") in dom.marks
    html = report.read_text(encoding="utf-8")
    # The note's markup is shown as text, its marks placed by offsets inside it.
    assert '&lt;b&gt;<mark class="drug">amoxicillin</mark>&lt;/b&gt; &amp; developed a ' in html
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in html
    assert "structured reports only: 4 structured reports (faers 4)" in html
    assert "no evidence sentence stored" in html
    assert "extractor llm qwen2.5-7b, prompt v3" in html
    assert '<span class="assertion negated">negated</span>' in html
    assert re.search(r"<svg[^>]*aria-label=\"Forest plot", html)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_header_clicks_sort_and_the_hash_filters(report: Path, tmp_path: Path) -> None:
    # A copy that clicks the "a" header twice (descending, then ascending) after load,
    # its extra script allowed by adding its hash to the page's policy.
    clicks = "for (let i = 0; i < 2; i++) document.querySelector('th[data-col=a] button').click();"
    page = report.read_text(encoding="utf-8")
    policy = re.search(r"script-src ('sha256-[^']+')", page)
    assert policy is not None
    clicked = page.replace(policy.group(1), f"{policy.group(1)} {csp_hash(clicks)}").replace(
        "</body>", f"<script>{clicks}</script></body>"
    )
    copy = tmp_path / "clicked.html"
    copy.write_text(clicked, encoding="utf-8")
    dom = Dom(browse(copy.as_uri(), tmp_path, "--dump-dom"))
    assert (dom.table.get("data-sorted-by"), dom.table.get("data-sort-dir")) == ("a", "asc")
    as_written = [int(a) for a in Dom(page).visible(A)]  # by EB05, as the file has them
    assert as_written != sorted(as_written)
    assert [int(a) for a in dom.visible(A)] == sorted(as_written)

    dom = Dom(browse(report.as_uri() + "#sort=drug:desc&filter=o", tmp_path, "--dump-dom"))
    assert (dom.table.get("data-sorted-by"), dom.table.get("data-sort-dir")) == ("drug", "desc")
    drugs = dom.visible(DRUG)  # rows whose "drug event" holds an "o"
    assert drugs == sorted(drugs, key=str.casefold, reverse=True)
    assert set(drugs) == {"amoxicillin", "ibuprofen", "PREVAGEN", "METFORMIN"}
    assert dom.table.get("data-visible") == str(len(drugs)) == "5"


def test_screenshot_shows_the_report(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    browse(report.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1400,2000")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a blank page is a few kB
    shutil.copyfile(shot, Path("/tmp/pvkg-report.png"))


def test_cli_writes_the_report_and_logs_no_note_text(
    cli: Cli,
    built_store: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    output = tmp_path / "out" / "report.html"
    args = ("--method", "prr,ror,ic", "--min-count", "2", "--top", "1")
    result = cli("report", "--store", built_store, "-o", output, *args, env=NO_CACHE)
    assert result.exit_code == 0, result.stderr
    graph = open_store(built_store)
    try:
        pairs = sum(p.a >= 2 for p in pair_counts(graph))
    finally:
        graph.close()
    wrote = rf"wrote .*report\.html \(\d+ KiB\): {pairs} pairs, 3 signals, .* for 1 of them"
    assert re.search(wrote, result.stderr)
    assert "EBGM" not in output.read_text(encoding="utf-8").split("<footer>")[0]
    # All that a separate process would have written: the command's own output, what native
    # code wrote to the file descriptors, and log records (which pytest keeps to itself).
    logs = result.stdout + result.stderr + "".join(capfd.readouterr()) + caplog.text
    for text in NOTES.values():
        assert not any(part in logs for part in _phrases(text))


def _phrases(text: str) -> Iterator[str]:
    """Runs of four words from a note: enough to recognise its text in a log."""
    words = text.split()
    for i in range(max(len(words) - 3, 1)):
        yield " ".join(words[i : i + 4])
