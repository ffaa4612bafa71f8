"""The ``signalboost`` command: each command parses options, calls one library function, formats the result."""

from __future__ import annotations

import functools
import inspect
import sys
from importlib import resources
from pathlib import Path

import click

from . import __version__
from .case import Case, CaseError
from .ingest import SUPPORTED_FORMATS, FileReport, IngestReport, ingest
from .output import FORMATS, write_frame, write_json
from .schema import TABLES_BY_NAME


def case_option(must_exist: bool = True):
    def decorator(func):
        @click.option(
            "--case", "case_dir", required=True, envvar="SIGNALBOOST_CASE", show_envvar=True,
            type=click.Path(file_okay=False, path_type=Path), help="Case directory (Parquet tables + manifest).",
        )  # fmt: skip
        @functools.wraps(func)
        def wrapper(*args, case_dir: Path, **kwargs):
            if must_exist:
                try:
                    kwargs["case"] = Case.open(case_dir)
                except CaseError as exc:
                    raise click.ClickException(str(exc)) from exc
            else:
                kwargs["case_dir"] = case_dir
            return func(*args, **kwargs)

        return wrapper

    return decorator


def output_options(default_format: str = "table"):
    """``--format`` and ``--output`` (``-`` = stdout), shared by every command that writes a table."""

    def decorator(func):
        @click.option("--format", "fmt", type=click.Choice(FORMATS), default=default_format, show_default=True,
                      help="Output format.")  # fmt: skip
        @click.option("--output", "-o", default="-", show_default=True, help="Output file; - for stdout.")
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)

        return wrapper

    return decorator


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="signalboost")
def cli() -> None:
    """signalboost: investigate disinformation campaigns in Twitter and 4chan data.

    Start with `signalboost ingest FILES... --case DIR`, then `signalboost info --case DIR`.
    """


def _echo_file(report: FileReport, quiet: bool) -> None:
    if quiet:
        return
    if report.status == "read":
        rows = ", ".join(f"{count:,} {name}" for name, count in report.rows.items()) or "no rows"
        extra = f"; {report.quarantined:,} quarantined" if report.quarantined else ""
        click.echo(f"  {report.path}: {report.reader} — {report.records:,} records → {rows}{extra}", err=True)
        for note, count in sorted(report.notes.items()):
            click.echo(f"      {note}: {count:,}", err=True)
    else:
        click.echo(f"  {report.path}: {report.status.upper()} — {report.message}", err=True)


def _echo_summary(report: IngestReport) -> None:
    click.echo(f"case {report.case} ({report.seconds:.1f} s)", err=True)
    for name, merge in report.merges.items():
        if name == "quarantine":
            continue
        dup = f", {merge.duplicates_resolved:,} duplicates resolved" if merge.duplicates_resolved else ""
        rule = " (latest profile snapshot wins)" if name == "accounts" and merge.duplicates_resolved else ""
        click.echo(f"  {name:13} {merge.after:>10,} rows (+{merge.new_rows:,} new{dup}{rule})", err=True)
    if report.quarantined:
        click.echo(
            f"  quarantine    {report.quarantined:>10,} bad records or files kept with their reasons: "
            f"signalboost quarantine --case {report.case}",
            err=True,
        )
    if report.skipped_documentation:
        click.echo(f"  passed over {len(report.skipped_documentation)} documentation files in directories", err=True)


@cli.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@case_option(must_exist=False)
@click.option("--strict", is_flag=True, help="Exit non-zero if any record or file was quarantined.")
@click.option("--force", is_flag=True, help="Read files again even when their sha256 is already in the case.")
@click.option("--board", help="4chan board for thread files whose path does not name one (e.g. pol).")
@click.option("--encoding", help="Source text encoding when not UTF-8 (e.g. cp1252, latin-1).")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1), help="Records per batch.")
@click.option("--max-record-mb", default=64, show_default=True, type=click.IntRange(1),
              help="Longest line or document read; longer ones are quarantined.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or per-file lines.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Also write the report as JSON.")
def ingest_command(inputs, case_dir, strict, force, board, encoding, batch_size, max_record_mb, quiet, report_path):
    """Read platform files into a case directory.

    INPUTS are files or directories (walked recursively); `-` reads stdin. Formats are detected per file from
    the content; gzip and zstd are decompressed transparently. Bad records go to the case's quarantine with
    file, line and reason; the exit status is non-zero only when nothing usable was read (or with --strict).
    """
    if encoding:
        try:
            "".encode(encoding)
        except LookupError as exc:
            raise click.BadParameter(f"unknown encoding {encoding!r}", param_hint="--encoding") from exc
    try:
        report = ingest(
            inputs, case_dir, force=force, board=board, encoding=encoding, batch_size=batch_size,
            max_record_bytes=max_record_mb * 1024 * 1024, quiet=quiet,
            on_file=lambda r: _echo_file(r, quiet),
        )  # fmt: skip
    except CaseError as exc:
        raise click.ClickException(str(exc)) from exc
    if report_path:
        write_json(report.to_dict(), report_path)
    if not quiet:
        _echo_summary(report)
    if not report.usable:
        raise click.ClickException(
            "nothing usable was read from the inputs; see the reasons above and `signalboost quarantine --case "
            f"{case_dir}`"
        )
    if strict and report.quarantined:
        raise click.ClickException(f"--strict: {report.quarantined:,} records or files were quarantined")


ingest_command.help = (
    inspect.cleandoc(ingest_command.help or "") + "\n\nSupported formats:\n\n\b\n" + "\n".join(f"- {line}" for line in SUPPORTED_FORMATS)
)


@cli.command("info")
@case_option()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def info_command(case: Case, fmt: str):
    """Summarise a case: rows per table, platforms, time span, languages, quarantine reasons."""
    summary = case.info()
    if fmt == "json":
        write_json(summary)
        return
    click.echo(f"case: {summary['case']}  ({summary['inputs']} inputs)")
    for name, count in summary["tables"].items():
        click.echo(f"  {name:14} {count:>12,}")
    for key, title in (("platforms", "posts by platform"), ("kinds", "posts by kind"),
                       ("accounts_by_platform", "accounts by platform"), ("languages", "top languages"),
                       ("quarantine_reasons", "quarantine reasons")):  # fmt: skip
        if summary.get(key):
            click.echo(f"{title}:")
            for label, count in summary[key].items():
                click.echo(f"  {count:>12,}  {label}")
    if summary.get("time_span"):
        span = summary["time_span"]
        click.echo(f"time span: {span['first']} → {span['last']}")


@cli.command("quarantine")
@case_option()
@output_options()
@click.option("--raw", is_flag=True, help="Include the raw bytes of each bad record.")
def quarantine_command(case: Case, fmt: str, output: str, raw: bool):
    """List the records and files that could not be read, with file, line/offset and reason."""
    frame = case.quarantine
    if not raw:
        frame = frame.drop(columns=["raw"])
    write_frame(frame, fmt, output)


@cli.command("export")
@case_option()
@click.argument("table", type=click.Choice(sorted(TABLES_BY_NAME)))
@output_options(default_format="csv")
@click.option("--limit", type=click.IntRange(1), help="Only the first N rows.")
def export_command(case: Case, table: str, fmt: str, output: str, limit: int | None):
    """Write one canonical table of a case (e.g. for Gephi or a spreadsheet)."""
    frame = case.table(table)
    if limit:
        frame = frame.head(limit)
    try:
        write_frame(frame, fmt, output)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def sample_inputs() -> list[Path]:
    """The small real-data sample shipped inside the package (a twarc2 page, a v1.1 timeline, a /pol/ thread)."""
    folder = resources.files("signalboost") / "sample_data"
    return sorted(Path(str(item)) for item in folder.iterdir() if item.name.endswith(".gz"))


@cli.command("demo")
@click.option("--out", "out_dir", default="demo-case", show_default=True, type=click.Path(file_okay=False))
def demo_command(out_dir: str):
    """Ingest the bundled sample (real Twitter v1.1 and v2 data and a 4chan /pol/ thread) and summarise it."""
    report = ingest(sample_inputs(), out_dir, quiet=True, on_file=lambda r: _echo_file(r, False))
    _echo_summary(report)
    if not report.usable:
        raise click.ClickException("the bundled sample could not be read; the installation is damaged")
    click.echo(f"\nNext: signalboost info --case {out_dir}    signalboost export posts --case {out_dir} --format table")


def main() -> None:
    try:
        cli(prog_name="signalboost")
    except BrokenPipeError:  # `signalboost export … | head`
        sys.stderr.close()


if __name__ == "__main__":
    main()
