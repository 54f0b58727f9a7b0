"""The ``policykg`` command line: extract, eval, build, query, serve, workload, export, plot.

Each command is a thin wrapper: the work happens in ``policykg.extract``,
``policykg.graph`` and ``policykg.api``.  Heavy imports are done inside the
commands so ``policykg --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from policykg.extract.corpus_report import CorpusReport
    from policykg.extract.model import ExtractionResult
    from policykg.graph.remote import SparqlLocation

app = typer.Typer(
    name="policykg",
    help="Knowledge graph of Chinese government policy documents.",
    no_args_is_help=True,
    add_completion=False,
)
export_app = typer.Typer(help="Export the graph for other tools (Gephi).", no_args_is_help=True)
app.add_typer(export_app, name="export")


class ExtractFormat(StrEnum):
    jsonl = "jsonl"
    ttl = "ttl"
    trig = "trig"


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


StoreOpt = Annotated[Path, typer.Option("--store", help="Store directory (pyoxigraph on disk).")]
StoreLocationOpt = Annotated[
    str,
    typer.Option(
        "--store",
        help="Store directory (pyoxigraph on disk), or a remote SPARQL store: "
        "sparql+http(s)://HOST:PORT/QUERY-PATH[?update=/PATH&gsp=/PATH].",
    ),
]


class Engine(StrEnum):
    local = "local"
    dask = "dask"


EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine", help="Where files are extracted: this process, or a Dask cluster."
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address (tcp://HOST:PORT); default: a local cluster on 127.0.0.1.",
    ),
]
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        "-j",
        min=0,
        help="Extraction processes (0: one per CPU core). Output is the same for any number.",
    ),
]
FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")]


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def _require_store(store: Path) -> None:
    import re

    from policykg.graph.store import is_store

    # a URL given as a Path lost its "//": never read it as a directory name
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:/", str(store)):
        _fail(f"{store}: remote stores are supported by `build`, `query` and `serve` only")
    if not is_store(store):
        _fail(f"no policykg store at {store} (run `policykg build CORPUS --store {store}`)")


def _store_location(store: str) -> Path | SparqlLocation:
    """``--store`` as a directory or a remote SPARQL store; a URL of another scheme fails."""
    from policykg.graph.remote import parse_store_location

    try:
        return parse_store_location(store)
    except ValueError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


@contextmanager
def _extractor(
    report: CorpusReport,
    max_bytes: int,
    engine: Engine = Engine.local,
    scheduler: str | None = None,
    workers: int = 1,
) -> Iterator[Callable[[Iterable[tuple[Path, str]]], Iterator[ExtractionResult]]]:
    """The chosen engine's extractor, for a full build and for ``--update`` alike.

    The extractor maps ``(path, identity)`` pairs (``pipeline.iter_sources``) to
    results, streamed.
    ``local`` extracts in this process in corpus order; ``dask`` on a Dask
    cluster (``scheduler``, or a local one started and stopped here), in
    completion order (the store does not depend on it).  Skips go to ``report``.
    ``workers`` > 1 forks local extraction processes when the extractor is first
    called (results in corpus order); the Dask engine has its own workers.
    """
    if engine is Engine.local:
        from policykg.extract.pipeline import extract_sources

        def local(sources: Iterable[tuple[Path, str]]) -> Iterator[ExtractionResult]:
            return extract_sources(sources, report=report, max_bytes=max_bytes, workers=workers)

        yield local
        return
    if scheduler is not None and not scheduler.strip():
        _fail("--scheduler needs an address (tcp://HOST:PORT)")
    from policykg.graph.distributed import (
        DaskUnavailableError,
        connect,
        extract_sources_distributed,
    )

    with ExitStack() as stack:
        try:
            client = stack.enter_context(connect(scheduler))
        except DaskUnavailableError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"cannot reach the Dask scheduler {scheduler}: {exc}")

        def distributed(sources: Iterable[tuple[Path, str]]) -> Iterator[ExtractionResult]:
            return extract_sources_distributed(
                sources, client, report=report, max_bytes=max_bytes
            )

        yield distributed


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to extract.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output file.")] = None,
    fmt: Annotated[ExtractFormat, typer.Option("--format", "-f")] = ExtractFormat.jsonl,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also report what was dropped and why (stderr).")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Any skipped file is fatal: exit 4 and write nothing (store untouched).",
        ),
    ] = False,
    max_file_size: Annotated[
        float,
        typer.Option(
            "--max-file-size", help="Files above this many MB are skipped unread.", min=0.001
        ),
    ] = 64.0,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log format and encoding decisions (stderr).")
    ] = False,
    workers: WorkersOpt = 1,
) -> None:
    """Extract documents, responsibilities, citations and targets with evidence.

    Text, HTML, PDF and .docx files (detected by content) in UTF-8, GB18030, Big5
    or UTF-16.  A file that cannot be read is skipped and reported on stderr with
    the reason.  Exit code: 0 all files processed, 3 some skipped (the output has
    the rest), 4 with --strict when any was skipped (nothing written).
    """
    import logging
    import shutil
    import tempfile

    from policykg.extract.corpus_report import EXIT_STRICT, CorpusReport
    from policykg.extract.pipeline import extract_paths

    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report = CorpusReport()
    stream = extract_paths(
        paths, report=report, max_bytes=int(max_file_size * 1024 * 1024), workers=workers
    )

    def explain_dropped(res: ExtractionResult) -> None:
        for d in res.dropped:
            typer.echo(f"{res.source}:{d.start}-{d.end}\t{d.reason}\t{d.text[:60]!r}", err=True)

    # the output is assembled in a spooled file (memory bounded) and written at the end,
    # so --strict can still refuse to write anything
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
        if fmt is ExtractFormat.jsonl:
            for res in stream:
                for r in res.records():
                    spool.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
                if explain:
                    explain_dropped(res)
        else:
            from policykg.graph.rdf import serialize_results

            results = list(stream)
            spool.write(serialize_results(results, fmt.value))
            for res in results if explain else []:
                explain_dropped(res)
        typer.echo(report.format(), err=True)
        if strict and report.skipped:
            _fail(f"{len(report.skipped)} file(s) skipped; --strict: nothing written", EXIT_STRICT)
        spool.seek(0)
        if output is None:
            shutil.copyfileobj(spool, sys.stdout.buffer)
            sys.stdout.flush()
        else:
            with output.open("wb") as fh:
                shutil.copyfileobj(spool, fh)
    raise typer.Exit(report.exit_code())


@app.command("eval")
def eval_(
    corpus: Annotated[Path, typer.Argument(help="Corpus directory.")] = Path("data/corpus"),
    gold: Annotated[Path, typer.Option("--gold", help="Gold annotation directory.")] = Path(
        "data/gold"
    ),
    errors: Annotated[
        bool, typer.Option("--errors", help="List every false positive and false negative.")
    ] = False,
    min_responsibilities: Annotated[float, typer.Option(help="F1 floor.")] = 0.0,
    min_citations: Annotated[float, typer.Option(help="F1 floor.")] = 0.0,
    min_targets: Annotated[float, typer.Option(help="F1 floor.")] = 0.0,
    min_documents: Annotated[float, typer.Option(help="F1 floor.")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Score extraction against gold annotations (precision, recall, F1)."""
    from policykg.extract.evaluate import evaluate_corpus, format_report

    report = evaluate_corpus(corpus, gold)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report, errors=errors))
    floors = {
        "documents": min_documents,
        "responsibilities": min_responsibilities,
        "citations": min_citations,
        "targets": min_targets,
    }
    failed = [f"{k} F1 {report.f1(k):.3f} < {v}" for k, v in floors.items() if report.f1(k) < v]
    if failed:
        _fail("; ".join(failed), code=1)


@app.command()
def build(
    corpus: Annotated[list[Path], typer.Argument(help="Files or directories.")],
    store: StoreLocationOpt,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Re-extract only new and changed files (SHA-256); drop removed ones.",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Any skipped file is fatal: exit 4 and write nothing (store untouched).",
        ),
    ] = False,
    max_file_size: Annotated[
        float,
        typer.Option(
            "--max-file-size",
            help="Files above this many MB are skipped unread, and texts above this/12 "
            "million characters (~200 bytes of memory per character).",
            min=0.001,
        ),
    ] = 64.0,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log format and encoding decisions (stderr).")
    ] = False,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = 1,
) -> None:
    """Extract, convert to RDF and load into an on-disk store (replacing it atomically).

    The store is built beside the old one and swapped in when complete: a build
    that fails or is killed leaves the previous store as it was.  A file's
    identity is its path relative to the directory given (or its name, for a
    file given).  With --update the published store is copied, only new and
    changed files are extracted, removed files lose their graphs, and the copy
    is swapped in; the files added, changed, removed and unchanged are reported.

    ``--store sparql+http://…`` loads a remote SPARQL store instead (its
    policykg graphs are replaced; not atomic for its readers).  ``--engine dask``
    extracts on a Dask cluster; the store is the same as with the local engine.

    Store counts go to stdout; the file report (processed, skipped with reason,
    warnings, facts per type) to stderr.  Exit code: 0 all files processed, 3 some
    skipped (the store holds the rest), 4 with --strict when any was skipped (the
    previous store is left untouched), 2 on a store or corpus error.
    """
    import logging

    from policykg.extract.corpus_report import EXIT_STRICT, CorpusReport, StrictModeError
    from policykg.extract.pipeline import DuplicateSourceError, iter_sources
    from policykg.extract.source_errors import SourceError
    from policykg.graph.remote import RemoteStoreError, SparqlStore, build_remote
    from policykg.graph.store import StoreError, build_store, update_store

    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    location = _store_location(store)
    if update and not isinstance(location, Path):
        _fail("--update needs a local store directory (a remote store is rebuilt whole)")
    report = CorpusReport()
    max_bytes = int(max_file_size * 1024 * 1024)

    def walk_error(error: SourceError) -> None:
        report.add_skip(error)

    try:
        with _extractor(report, max_bytes, engine, scheduler, workers) as extract:
            if update:
                assert isinstance(location, Path)

                def extract_changed(
                    pairs: Iterable[tuple[Path, str]],
                ) -> Iterable[ExtractionResult]:
                    results = extract(pairs)
                    return report.guard_strict(results) if strict else results

                summary = update_store(
                    location, iter_sources(corpus, on_error=walk_error), extract_changed
                )
                counts = summary.counts
                if strict and report.skipped:  # a walk error, with nothing to extract
                    raise StrictModeError(f"{len(report.skipped)} file(s) skipped in strict mode")
            else:
                results = extract(iter_sources(corpus, on_error=walk_error))
                if strict:
                    results = report.guard_strict(results)
                if isinstance(location, Path):
                    counts = build_store(results, location)
                else:  # strict: stage locally, so a skip leaves the remote store untouched
                    with SparqlStore(location) as remote:
                        counts = build_remote(results, remote, stage=strict)
    except RemoteStoreError as exc:
        _fail(str(exc))
        return
    except StrictModeError as exc:
        typer.echo(report.format(), err=True)
        _fail(f"{exc}; the store at {store} was not changed", EXIT_STRICT)
        return
    except (StoreError, DuplicateSourceError, SourceError) as exc:
        typer.echo(report.format(), err=True)
        _fail(f"{exc}; the store at {store} was not changed")
        return
    for key, value in counts.items():
        typer.echo(f"{key:>18}  {value}")
    if update:
        if summary.full_build:
            typer.echo(f"full build: {summary.full_build}", err=True)
        changes = {
            "added": summary.added,
            "changed": summary.changed,
            "removed": summary.removed,
            "unchanged": summary.unchanged,
            "relinked": summary.relinked,
        }
        typer.echo("files: " + ", ".join(f"{k} {len(v)}" for k, v in changes.items()), err=True)
        for kind in ("added", "changed", "removed", "relinked"):
            for source in changes[kind] if not summary.full_build else ():
                typer.echo(f"{kind:<9}{source}", err=True)
        if not summary.published:
            typer.echo(f"nothing changed: the store at {store} was left as it is", err=True)
    typer.echo(report.format(), err=True)
    raise typer.Exit(report.exit_code())


@app.command()
def dump(
    store: StoreOpt,
    output: Annotated[
        str, typer.Option("--output", "-o", help="N-Quads file to write, or - for stdout.")
    ] = "-",
) -> None:
    """Write the whole store (every named graph and the default graph) as N-Quads, streaming.

    A file is written under a temporary name and renamed when complete, so an
    interrupted dump never leaves a truncated backup.  Restore with `policykg load`.
    """
    import os

    from policykg.graph.store import dump_store, open_store

    _require_store(store)
    opened = open_store(store)
    if output == "-":
        dump_store(opened, "nquads", sys.stdout.buffer)
        sys.stdout.flush()
        return
    target = Path(output)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        dump_store(opened, "nquads", partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    typer.echo(f"wrote {target}: {len(opened)} quads", err=True)


@app.command()
def load(
    source: Annotated[str, typer.Argument(help="N-Quads file (from `policykg dump`), or -.")],
    store: StoreOpt,
) -> None:
    """Restore a store from N-Quads: built beside the old store and swapped in atomically."""
    from policykg.graph.store import StoreError, load_store

    if source != "-" and not Path(source).is_file():
        _fail(f"no such file: {source}")
    try:
        counts = load_store(sys.stdin.buffer if source == "-" else Path(source), store)
    except (StoreError, SyntaxError, OSError) as exc:
        _fail(f"{exc}; the store at {store} was not changed")
        return
    for key, value in counts.items():
        typer.echo(f"{key:>18}  {value}")


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL query (use - to read stdin).")],
    store: StoreLocationOpt,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Run a SPARQL query against a store (a directory or a sparql+http(s):// store)."""
    from typing import cast

    from pyoxigraph import Store

    from policykg.graph.remote import RemoteStoreError, SparqlStore
    from policykg.graph.store import open_store, select_rows

    location = _store_location(store)
    if isinstance(location, Path):
        _require_store(location)
    text = sys.stdin.read() if sparql == "-" else sparql
    try:
        if isinstance(location, Path):
            header, rows = select_rows(open_store(location), text)
        else:  # SparqlStore has the part of the Store API select_rows uses
            with SparqlStore(location) as remote:
                header, rows = select_rows(cast(Store, remote), text)
    except (ValueError, RemoteStoreError) as exc:  # QuerySyntaxError is a ValueError
        _fail(str(exc))
        return
    _print_rows(header, rows, fmt)


class Isolation(StrEnum):
    process = "process"
    thread = "thread"


class UnknownGraphs(StrEnum):
    empty = "empty"
    reject = "reject"


@app.command()
def serve(
    store: StoreLocationOpt,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    update_token: Annotated[
        str | None, typer.Option(help="Bearer token that enables SPARQL Update and GSP writes.")
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Default and maximum query time in seconds (HTTP 503 after).")
    ] = 30.0,
    max_rows: Annotated[
        int,
        typer.Option(help="Row cap of results (a cut result is always flagged).", min=1),
    ] = 100_000,
    max_body_bytes: Annotated[
        int, typer.Option(help="Largest query/update request body (HTTP 413 above).", min=1)
    ] = 1_000_000,
    max_upload_bytes: Annotated[
        int, typer.Option(help="Largest Graph Store upload (HTTP 413 above).", min=1)
    ] = 64_000_000,
    max_concurrency: Annotated[
        int, typer.Option(help="Queries evaluated at once (worker processes or threads).", min=1)
    ] = 8,
    queue_wait: Annotated[
        float,
        typer.Option(help="Seconds a request waits for a free worker before HTTP 503.", min=0),
    ] = 2.0,
    isolation: Annotated[
        Isolation,
        typer.Option(
            help="process: killable worker processes without network access (default); "
            "thread: threads of the server (a timed-out query runs on in the background)."
        ),
    ] = Isolation.process,
    unknown_graphs: Annotated[
        UnknownGraphs,
        typer.Option(
            help="A FROM / default-graph-uri / named-graph-uri IRI that is not a graph of the "
            "store: empty = an empty graph (default, SPARQL semantics, passes the W3C tests); "
            "reject = HTTP 400. Nothing is ever fetched either way."
        ),
    ] = UnknownGraphs.empty,
    reload_interval: Annotated[
        float,
        typer.Option(
            help="Seconds between two looks for a store that a build published (0: only on "
            "SIGHUP).",
            min=0,
        ),
    ] = 1.0,
) -> None:
    """Serve the SPARQL endpoint, REST API and web page.

    While a build runs the server keeps answering from the store it has; once
    the build publishes the new store the server switches to it without a
    restart (within --reload-interval, or at once on SIGHUP): requests that
    started before finish on the old store, new ones read the new one.

    With --update-token the server owns its store and does not follow a build
    run underneath it: it logs a warning and refuses writes (HTTP 409) until
    SIGHUP makes it switch to the new store.

    ``--store sparql+http://…`` serves a remote SPARQL store read-only (writes
    get HTTP 403; no --update-token); queries are screened here, then
    evaluated by that server.  SIGHUP drops the cached counts and analyses
    after the remote store was rebuilt.
    """
    import uvicorn

    from policykg.api.app import create_app
    from policykg.api.settings import Settings

    location = _store_location(store)
    if isinstance(location, Path):
        _require_store(location)
        target: Path | str = location
    else:
        if update_token is not None:
            _fail("a remote store is served read-only: drop --update-token")
        target = store
    settings = Settings(
        store=target,
        update_token=update_token,
        query_timeout=timeout,
        max_rows=max_rows,
        max_body_bytes=max_body_bytes,
        max_upload_bytes=max_upload_bytes,
        max_concurrency=max_concurrency,
        queue_wait=queue_wait,
        isolation=isolation.value,
        unknown_graphs=unknown_graphs.value,
        reload_interval=reload_interval,
    )
    shown = location if isinstance(location, Path) else location.display()
    typer.echo(f"policykg: serving {shown} on http://{host}:{port}/sparql", err=True)
    # The app installs its SIGHUP handler (reload) on uvicorn's loop at startup.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command()
def workload(
    store: StoreOpt,
    fmt: FormatOpt = TableFormat.table,
    limit: Annotated[int, typer.Option(help="Rows to show (0 = all).")] = 0,
) -> None:
    """Department workload: tasks, tasks led, share-weighted load, documents, regions."""
    from policykg.graph.analytics import department_workload, workload_graph
    from policykg.graph.store import open_store

    _require_store(store)
    records = department_workload(workload_graph(open_store(store)))
    if limit:
        records = records[:limit]
    header = list(records[0]) if records else ["department"]
    _print_rows(header, [[r[h] for h in header] for r in records], fmt)


class Analysis(StrEnum):
    workload = "workload"
    network = "network"
    citations = "citations"
    targets = "targets"


class WorkloadGroup(StrEnum):
    region = "region"
    document = "document"
    year = "year"
    topic = "topic"


class RoleName(StrEnum):
    lead = "lead"
    support = "support"
    responsible = "responsible"


_PARTS_HELP = (
    "Which records: network departments|communities|bridges|edges; citations "
    "documents|paths|cycles|self-citations|types|levels; targets table|pivot "
    "(default: the first)."
)


@app.command()
def analyze(
    what: Annotated[Analysis, typer.Argument(help="workload | network | citations | targets")],
    store: StoreOpt,
    fmt: FormatOpt = TableFormat.table,
    part: Annotated[str | None, typer.Option("--part", "-p", help=_PARTS_HELP)] = None,
    by: Annotated[
        WorkloadGroup | None,
        typer.Option(help="workload: figures per region, document, year or task topic."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="workload/network: only tasks of this region's documents; targets: area."
        ),
    ] = None,
    role: Annotated[
        RoleName | None,
        typer.Option(help="workload/network: only departments holding this role on some task."),
    ] = None,
    directed: Annotated[
        bool, typer.Option("--directed", help="network: the lead → support variant.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of Louvain and sampled betweenness.")] = 1,
    limit: Annotated[int, typer.Option(help="Rows to show (0 = all).", min=0)] = 0,
) -> None:
    """Workload, co-responsibility network, citation network or target comparison.

    The same records as ``policykg.graph.analytics.analyze`` and the REST routes
    under /api/analytics.  Table output prints full values when stdout is not a
    terminal (pipes, files), so Chinese names and IRIs are never cut.
    """
    from policykg.graph.analytics import ANALYSIS_PARTS
    from policykg.graph.analytics import analyze as run_analysis
    from policykg.graph.store import open_store

    parts = ANALYSIS_PARTS[what.value]
    if part is not None and part.replace("-", "_") not in parts:
        _fail(f"unknown part {part!r} of {what.value} (one of {', '.join(parts)})")
    if by is not None and what is not Analysis.workload:
        _fail("--by applies to workload only")
    if directed and what is not Analysis.network:
        _fail("--directed applies to network only")
    _require_store(store)
    records = run_analysis(
        open_store(store),
        what.value,
        seed=seed,
        part=part,
        by=None if by is None else by.value,
        region=region,
        role=None if role is None else role.value,
        directed=directed,
    )
    if limit:
        records = records[:limit]
    _print_records(records, fmt)


def _print_records(records: list[dict[str, object]], fmt: TableFormat) -> None:
    header = list(records[0]) if records else []
    if fmt is TableFormat.json:
        typer.echo(json.dumps(records, ensure_ascii=False))
        return
    _print_rows(header, [[r.get(h) for h in header] for r in records], fmt)


class NetworkName(StrEnum):
    workload = "workload"
    co_responsibility = "co-responsibility"
    citation = "citation"
    full = "full"


OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="File to write.")]


def _graph_export_command(fmt: str) -> Callable[..., None]:
    def command(
        store: StoreOpt,
        output: OutputOpt,
        network: Annotated[
            NetworkName, typer.Option("--network", "-n", help="Which network to write.")
        ] = NetworkName.full,
        directed: Annotated[
            bool,
            typer.Option("--directed", help="co-responsibility: the lead → support variant."),
        ] = False,
        seed: Annotated[int, typer.Option(help="Seed of Louvain (communities).")] = 1,
    ) -> None:
        from policykg.graph.analytics import annotated_network
        from policykg.graph.export import write_graph
        from policykg.graph.store import open_store

        _require_store(store)
        graph = annotated_network(open_store(store), network.value, seed=seed, directed=directed)
        written = write_graph(graph, output, fmt)
        typer.echo(
            f"wrote {', '.join(map(str, written))}: {graph.number_of_nodes()} nodes, "
            f"{graph.number_of_edges()} edges"
        )

    command.__doc__ = {
        "gexf": "GEXF 1.3 for Gephi: typed attributes, workload figures, communities, "
        "document dates as start (timeline), colours and sizes.",
        "graphml": "GraphML for tools without GEXF (no timeline).",
        "csv": "CSV node and edge tables (<stem>_nodes.csv, <stem>_edges.csv) for pandas "
        "and Gephi's spreadsheet import.",
    }[fmt]
    return command


def _rdf_export_command(fmt: str) -> Callable[..., None]:
    def command(store: StoreOpt, output: OutputOpt) -> None:
        from policykg.graph.store import dump_store, open_store

        _require_store(store)
        dump_store(open_store(store), fmt, output)
        typer.echo(f"wrote {output}")

    dataset = fmt in ("nquads", "trig", "jsonld")
    command.__doc__ = f"The whole store as {fmt}" + (
        " (named graph of each source file kept)." if dataset else " (union of graphs)."
    )
    return command


for _fmt in ("gexf", "graphml", "csv"):
    export_app.command(_fmt)(_graph_export_command(_fmt))
for _fmt in ("turtle", "ntriples", "nquads", "trig", "jsonld"):
    export_app.command(_fmt)(_rdf_export_command(_fmt))


class PlotKind(StrEnum):
    workload = "workload"
    network = "network"
    targets = "targets"


@app.command()
def plot(
    what: Annotated[PlotKind, typer.Argument(help="workload | network | targets")],
    store: StoreOpt,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Picture to write (.png, .svg or .pdf).")
    ],
    seed: Annotated[int, typer.Option(help="Seed of Louvain and the network layout.")] = 1,
    top: Annotated[
        int | None,
        typer.Option(help="Departments / labelled nodes / indicator panels (default per plot)."),
    ] = None,
    directed: Annotated[
        bool, typer.Option("--directed", help="network: the lead → support variant (arrows).")
    ] = False,
) -> None:
    """Draw workload bars, the co-responsibility network or the target comparison."""
    import warnings

    from policykg.graph.plots import CJKFontWarning
    from policykg.graph.plots import plot as draw
    from policykg.graph.store import open_store

    _require_store(store)
    if output.suffix.lower() not in (".png", ".svg", ".pdf"):
        _fail(f"unsupported picture type {output.suffix!r} (use .png, .svg or .pdf)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CJKFontWarning)
        written = draw(open_store(store), what.value, output, seed=seed, top=top, directed=directed)
    for w in caught:
        if issubclass(w.category, CJKFontWarning):
            typer.secho(f"warning: {w.message}", err=True, fg=typer.colors.YELLOW)
    typer.echo(f"wrote {written}")


def _print_rows(header: list[str], rows: list[list[object]], fmt: TableFormat) -> None:
    if fmt is TableFormat.json:
        typer.echo(
            json.dumps([dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False)
        )
    elif fmt is TableFormat.csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in r] for r in rows)
    elif not sys.stdout.isatty():
        _print_plain_table(header, rows)
    else:
        from rich.console import Console
        from rich.table import Table

        # fold, never ellipsise: a cut IRI or department name is a wrong value
        table = Table(*header)
        for column in table.columns:
            column.overflow = "fold"
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        Console().print(table)


def _width(text: str) -> int:
    # wide (CJK) characters take two terminal columns
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _print_plain_table(header: list[str], rows: list[list[object]]) -> None:
    """Aligned columns with every value in full (for pipes and files)."""
    cells = [["" if v is None else str(v).replace("\n", " ") for v in r] for r in rows]
    widths = [_width(h) for h in header]
    for r in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, r, strict=True)]

    def line(values: list[str]) -> str:
        padded = (v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))
        return "  ".join(padded).rstrip()

    typer.echo(line(header))
    typer.echo(line(["-" * w for w in widths]))
    for r in cells:
        typer.echo(line(r))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
