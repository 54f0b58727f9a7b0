"""The ``policykg`` command line: extract, eval, build, query, serve, workload, export, plot.

Each command is a thin wrapper: the work happens in ``policykg.extract``,
``policykg.graph`` and ``policykg.api``.  Heavy imports are done inside the
commands so ``policykg --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

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
    from policykg.graph.store import is_store

    if not is_store(store):
        _fail(f"no policykg store at {store} (run `policykg build CORPUS --store {store}`)")


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
    from policykg.extract.model import ExtractionResult
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
    store: StoreOpt,
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
    """Extract, convert to RDF and load into an on-disk store (replacing it).

    Store counts go to stdout; the file report (processed, skipped with reason,
    warnings, facts per type) to stderr.  Exit code: 0 all files processed, 3 some
    skipped (the store holds the rest), 4 with --strict when any was skipped (the
    previous store is left untouched).
    """
    import logging

    from policykg.extract.corpus_report import EXIT_STRICT, CorpusReport, StrictModeError
    from policykg.extract.pipeline import extract_paths
    from policykg.graph.store import build_store

    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report = CorpusReport()
    # with --workers N the worker processes fork here, before the store is opened
    results = extract_paths(
        corpus, report=report, max_bytes=int(max_file_size * 1024 * 1024), workers=workers
    )
    try:
        counts = build_store(report.guard_strict(results) if strict else results, store)
    except StrictModeError as exc:
        typer.echo(report.format(), err=True)
        _fail(f"{exc}; the store at {store} was not changed", EXIT_STRICT)
        return
    for key, value in counts.items():
        typer.echo(f"{key:>18}  {value}")
    typer.echo(report.format(), err=True)
    raise typer.Exit(report.exit_code())


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL query (use - to read stdin).")],
    store: StoreOpt,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Run a SPARQL query against a store."""
    from policykg.graph.store import open_store, select_rows

    _require_store(store)
    text = sys.stdin.read() if sparql == "-" else sparql
    try:
        header, rows = select_rows(open_store(store), text)
    except ValueError as exc:  # SyntaxError from pyoxigraph is a ValueError subclass
        _fail(str(exc))
        return
    _print_rows(header, rows, fmt)


@app.command()
def serve(
    store: StoreOpt,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    update_token: Annotated[
        str | None, typer.Option(help="Bearer token that enables SPARQL Update and GSP writes.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Default query timeout in seconds.")] = 30.0,
) -> None:
    """Serve the SPARQL endpoint, REST API and web page."""
    import uvicorn

    from policykg.api.app import create_app
    from policykg.api.settings import Settings

    _require_store(store)
    settings = Settings(store=store, update_token=update_token, query_timeout=timeout)
    typer.echo(f"policykg: serving {store} on http://{host}:{port}/sparql", err=True)
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
