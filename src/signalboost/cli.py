"""The ``signalboost`` command: each command parses options, calls one library function, formats the result."""

from __future__ import annotations

import functools
import inspect
import sys
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


def _frame_or_fail(frame, fmt, output):
    try:
        write_frame(frame, fmt, output)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def seed_option(func):
    return click.option("--seed", default=0, show_default=True, type=int,
                        help="Seed for the randomised steps (Leiden), for reproducible runs.")(func)  # fmt: skip


@cli.command("catalysts")
@case_option()
@click.option("--top", type=click.IntRange(1), help="Only the N best-ranked accounts.")
@click.option("--role", "roles", multiple=True, type=click.Choice(["catalyst", "mainstream-influencer", "early-poster"]),
              help="Only these roles (repeatable).")  # fmt: skip
@click.option("--min-posts", default=5, show_default=True, type=click.IntRange(1),
              help="Content must be carried by at least this many tweets.")  # fmt: skip
@seed_option
@output_options()
def catalysts_command(case: Case, top, roles, min_posts, seed, fmt, output):
    """Rank the accounts that first carried content into Twitter and seeded its early cascades."""
    from .detect import rank_catalysts
    from .graph import account_edges
    from .investigate import retweet_pagerank

    ranking = rank_catalysts(case, min_posts=min_posts, pagerank=retweet_pagerank(account_edges(case)), seed=seed)
    if roles:
        ranking = ranking[ranking["role"].isin(roles)]
    if top:
        ranking = ranking.head(top)
    _frame_or_fail(ranking, fmt, output)


@cli.command("amplifiers")
@case_option()
@click.option("--window", "window_s", type=click.FloatRange(min=0, min_open=True),
              help="Co-action window in seconds (default: estimated from the data, CooRnet-style).")  # fmt: skip
@click.option("--min-coactions", default=3, show_default=True, type=click.IntRange(1),
              help="Distinct items a pair must co-share.")  # fmt: skip
@click.option("--members", is_flag=True, help="List cluster members (account_id, cluster_id) instead.")
@seed_option
@output_options()
def amplifiers_command(case: Case, window_s, min_coactions, members, seed, fmt, output):
    """Find clusters of accounts that share the same items within seconds, and say which look automated."""
    from .detect import find_amplifier_clusters

    result = find_amplifier_clusters(case, window_s=window_s, min_coactions=min_coactions, seed=seed)
    how = "estimated from the data" if result.window_estimated else "given"
    click.echo(f"co-action window: {result.window_s:g} s ({how})", err=True)
    _frame_or_fail(result.membership if members else result.clusters.drop(columns=["members"]), fmt, output)


@cli.command("crosslinks")
@case_option()
@click.option("--view", type=click.Choice(["pairs", "first-sightings", "bridges"]), default="pairs", show_default=True,
              help="Post pairs, first sighting of each URL per platform, or the accounts that bridged 4chan content.")
@output_options()
def crosslinks_command(case: Case, view, fmt, output):
    """Link 4chan posts and tweets that share URLs or link each other, with direction and lag."""
    from .detect import cross_platform_links

    links = cross_platform_links(case)
    frame = {"pairs": links.pairs, "first-sightings": links.first_sightings, "bridges": links.bridges}[view]
    _frame_or_fail(frame, fmt, output)


@cli.command("communities")
@case_option()
@click.option("--resolution", default=1.0, show_default=True, type=float, help="Leiden resolution.")
@click.option("--members", is_flag=True, help="List members (account_id, community) instead.")
@seed_option
@output_options()
def communities_command(case: Case, resolution, members, seed, fmt, output):
    """Leiden communities of the interaction network, with size, top accounts and languages."""
    from .detect import find_communities

    result = find_communities(case, resolution=resolution, seed=seed)
    click.echo(f"modularity: {result.modularity:.3f}", err=True)
    _frame_or_fail(result.membership if members else result.communities, fmt, output)


@cli.command("edges")
@case_option()
@click.option("--source", required=True, help="Account id or username of the source.")
@click.option("--target", required=True, help="Account id or username of the target.")
@output_options()
def edges_command(case: Case, source, target, fmt, output):
    """List the posts behind every interaction from one account to another (why is there an edge?)."""
    from .graph import edge_posts

    _frame_or_fail(edge_posts(case, source, target), fmt, output)


@cli.command("simulate")
@click.option("--tweets", default=5000, show_default=True, type=click.IntRange(100), help="About how many tweets.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write.")
@click.option("--v1", is_flag=True, help="Also write the tweets as v1.1 statuses.")
@seed_option
def simulate_command(tweets, out_dir, v1, seed):
    """Write a simulated leak campaign (twarc2 v2 pages, a 4chan /pol/ thread, truth.json)."""
    from .simulate import simulate

    paths = simulate(out_dir, tweets, seed=seed, v1=v1)
    for name, path in paths.items():
        click.echo(f"{name:6} {path}")


def _report_investigation(result) -> None:
    counts = result.summary["counts"]
    click.echo(
        f"{counts['posts']:,} posts, {counts['accounts']:,} accounts → {counts['catalysts']} catalysts, "
        f"{counts['amplifier_clusters']} amplifier clusters ({counts['automated_clusters']} automated), "
        f"{counts['communities']} communities, {counts['crossplatform_links']:,} cross-platform links",
        err=True,
    )
    click.echo(f"coordination window: {result.summary['coordination_window_s']:g} s", err=True)
    top = result.catalysts[result.catalysts["role"] == "catalyst"].head(5)
    for row in top.itertuples():
        click.echo(f"  catalyst #{row.rank}: {row.username or row.account_id} (score {row.score:.3f}) "
                   f"first carried {row.content} at {row.first_seen}", err=True)  # fmt: skip
    click.echo(f"results in {result.out_dir}/ ({', '.join(p.name for p in result.files.values())})", err=True)


@cli.command("investigate")
@click.argument("inputs", nargs=-1)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the case and the result files.")  # fmt: skip
@click.option("--case", "case_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Analyse this existing case instead of ingesting INPUTS.")  # fmt: skip
@click.option("--window", "window_s", type=click.FloatRange(min=0, min_open=True),
              help="Co-action window in seconds (default: estimated).")  # fmt: skip
@click.option("--board", help="4chan board for thread files whose path does not name one.")
@click.option("--serial", is_flag=True,
              help="Run every stage in this process (default: amplifier clusters and bot evidence run in a second "
                   "process when there is more than one CPU and 100 MB of input or 100k posts; the results are the "
                   "same).")  # fmt: skip
@seed_option
@click.option("--quiet", "-q", is_flag=True)
def investigate_command(inputs, out_dir, case_dir, window_s, board, serial, seed, quiet):
    """Ingest INPUTS and run every detector: catalysts, amplifier clusters, cross-platform links, communities.

    Writes catalysts.csv, accounts.csv, amplifier_clusters.csv, crossplatform_links.csv and summary.json (plus
    communities.csv, amplifier_members.csv, url_first_sightings.csv, bridges.csv) into --out.
    """
    from .investigate import analyse, investigate

    if case_dir is not None:
        if inputs:
            raise click.BadParameter("give INPUTS or --case, not both", param_hint="--case")
        try:
            result = analyse(Case.open(case_dir), out_dir, seed=seed, window_s=window_s,
                             parallel=False if serial else None)  # fmt: skip
        except CaseError as exc:
            raise click.ClickException(str(exc)) from exc
    else:
        if not inputs:
            raise click.UsageError("give INPUT files or directories, or --case DIR")
        result = investigate(inputs, out_dir, seed=seed, window_s=window_s, quiet=quiet, board=board,
                             parallel=False if serial else None, on_file=lambda r: _echo_file(r, quiet))  # fmt: skip
        if not result.ingest_report.usable:
            raise click.ClickException("nothing usable was read from the inputs")
    if not quiet:
        _report_investigation(result)


@cli.command("demo")
@click.option("--out", "out_dir", default="demo-case", show_default=True, type=click.Path(file_okay=False))
@click.option("--tweets", default=5000, show_default=True, type=click.IntRange(100))
@seed_option
def demo_command(out_dir: str, tweets: int, seed: int):
    """Simulate a small #MacronLeaks-style campaign, investigate it, and say where the results are."""
    from .investigate import investigate
    from .simulate import simulate

    out = Path(out_dir)
    paths = simulate(out / "input", tweets, seed=seed)
    click.echo(f"simulated {tweets:,} tweets and a 4chan thread in {out / 'input'} (truth: {paths['truth']})", err=True)
    result = investigate([paths["v2"], paths["chan"]], out, seed=seed)
    _report_investigation(result)
    click.echo(f"\nOpen {out / 'report.html'} in a browser; then: signalboost catalysts --case {out / 'case'} --top 10,\n"
               f"signalboost viz --case {out / 'case'} --html {out / 'cascade.html'}, "
               f"signalboost query top_catalysts --case {out / 'case'}", err=True)  # fmt: skip


@cli.group("bots")
def bots_group() -> None:
    """Bot or human: score accounts with the shipped offline model, evaluate it, retrain it."""


def inputs_or_case(func):
    """INPUT... or --case DIR: the accounts to score come from files (ingested into a temporary case) or a case."""
    func = click.argument("inputs", nargs=-1)(func)
    func = click.option("--case", "case_dir", type=click.Path(file_okay=False, path_type=Path),
                        help="Score the accounts of this existing case instead of INPUTS.")(func)  # fmt: skip
    return func


def _scoring_case(inputs, case_dir):
    from .bots.evaluate import case_of

    if bool(inputs) == bool(case_dir):
        raise click.UsageError("give INPUT files or directories, or --case DIR (one of them)")
    if case_dir is not None:
        try:
            Case.open(case_dir)
        except CaseError as exc:
            raise click.ClickException(str(exc)) from exc
    return case_of(inputs, case_dir)


def threshold_option(func):
    from .bots import DEFAULT_THRESHOLD

    return click.option("--threshold", default=DEFAULT_THRESHOLD, show_default=True, type=click.FloatRange(0, 1),
                        help="bot_score at or above which an account is labelled bot.")(func)  # fmt: skip


@bots_group.command("score")
@inputs_or_case
@threshold_option
@click.option("--model", "model_dir", type=click.Path(file_okay=False, exists=True),
              help="A model directory from `bots train --out` (default: the shipped model).")  # fmt: skip
@output_options(default_format="csv")
@click.option("--out", "out_path", help="Same as --output (the file to write; - for stdout).")
def bots_score_command(inputs, case_dir, threshold, model_dir, fmt, output, out_path):
    """Score accounts: account_id, username, bot_score (calibrated 0-1), label, top contributing features.

    Reads v1.1 user objects or statuses, v2 users or tweets, cresci-style users.csv, or --case DIR.
    """
    from .bots import BotModel
    from .bots.evaluate import score_case

    model = BotModel.load(model_dir)
    with _scoring_case(inputs, case_dir) as case:
        scores = score_case(case, model=model, threshold=threshold)
    click.echo(f"{len(scores):,} accounts scored, {int((scores['label'] == 'bot').sum()):,} labelled bot "
               f"(threshold {threshold:g})", err=True)  # fmt: skip
    _frame_or_fail(scores, fmt, out_path or output)


@bots_group.command("evaluate")
@inputs_or_case
@click.option("--labels", "labels_path", required=True, type=click.Path(dir_okay=False, exists=True),
              help="CSV with account_id,label (bot|human or 1|0).")  # fmt: skip
@threshold_option
@click.option("--plots", "plots_dir", type=click.Path(file_okay=False), default="bot-evaluation", show_default=True,
              help="Directory for roc.png and calibration.png.")  # fmt: skip
@click.option("--model", "model_dir", type=click.Path(file_okay=False, exists=True), help="A model directory.")
def bots_evaluate_command(inputs, case_dir, labels_path, threshold, plots_dir, model_dir):
    """Score the inputs and compare with known labels: AUC, accuracy, precision, recall, F1, MCC, plots."""
    from .bots import BotModel
    from .bots.evaluate import evaluate, read_labels, score_case

    try:
        labels = read_labels(labels_path)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--labels") from exc
    with _scoring_case(inputs, case_dir) as case:
        scores = score_case(case, model=BotModel.load(model_dir), threshold=threshold)
    try:
        report = evaluate(scores, labels, threshold=threshold, plots_dir=plots_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    for key in ("n", "bots", "auc", "accuracy", "precision", "recall", "f1", "mcc", "brier"):
        click.echo(f"{key:10} {report[key]}")
    if report["labelled_not_found"]:
        click.echo(f"{report['labelled_not_found']:,} labelled accounts were not in the inputs", err=True)
    click.echo(f"plots: {report['plots']['roc']}, {report['plots']['calibration']}", err=True)


@bots_group.command("train")
@click.option("--data", "data_dir", default=str(Path(__file__).resolve().parents[3].parent / "shared" / "data"),
              show_default="../shared/data beside the checkout", type=click.Path(file_okay=False),
              help="Folder holding cresci-2015-e13-int/, gilani-2017-stweeler-features/ (and varol-2017-labels/).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Where to write the model (default: the package's shipped model directory).")  # fmt: skip
@seed_option
def bots_train_command(data_dir, out_dir, seed):
    """Train the bot model (LightGBM + Platt calibration) and print cross-dataset and cross-validation figures."""
    from .bots.train import train

    try:
        report = train(data_dir, out_dir, seed=seed)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("evaluation        held out / trained on                      auc    acc    f1     mcc")
    for name, row in report["cross_dataset"].items():
        click.echo(f"cross-dataset     {name:14} / {'+'.join(row['trained_on']):26} "
                   f"{row['auc']:.3f}  {row['accuracy']:.3f}  {row['f1']:.3f}  {row['mcc']:.3f}")  # fmt: skip
    for name, row in report["cross_validation"].items():
        click.echo(f"5-fold CV         {name:41} {row['auc']:.3f}  {row['accuracy']:.3f}  {row['f1']:.3f}  {row['mcc']:.3f}")
    click.echo(f"model written to {out_dir or 'the package model directory'}", err=True)


def neo4j_options(func):
    """--uri/--user/--password/--database, each from NEO4J_* when not given; the password is never shown."""
    func = click.option("--database", envvar="NEO4J_DATABASE", show_envvar=True,
                        help="Database name (default: the server's default database).")(func)  # fmt: skip
    func = click.option("--password", envvar="NEO4J_PASSWORD", show_envvar=True, show_default=False,
                        help="Password (prefer the environment variable: flags show up in shell history).")(func)  # fmt: skip
    func = click.option("--user", envvar="NEO4J_USER", show_envvar=True, default="neo4j", show_default=True)(func)
    func = click.option("--uri", envvar="NEO4J_URI", show_envvar=True,
                        help="Bolt URI of the Neo4j server, e.g. bolt://localhost:7687.")(func)  # fmt: skip
    return func


def _graph_error(exc: Exception, password: str | None = None) -> click.ClickException:
    from .graphdb.target import redact

    return click.ClickException(redact(str(exc), password))


@cli.command("load")
@case_option()
@neo4j_options
@click.option("--results", "results_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="investigate --out folder whose findings to write back (default: the case's own, else computed).")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1, 100_000), help="Rows per transaction.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load_command(case: Case, uri, user, password, database, results_dir, batch_size, quiet):
    """Load a case and its findings into Neo4j: batched UNWIND ... MERGE in managed transactions, idempotent.

    Loading twice, or again after a load was killed halfway, gives the same graph. Catalyst rank and score, role,
    bot_score and bot label, community and amplifier cluster are written onto the accounts.
    """
    from .graphdb import TargetError, analysis_for, bolt_target, load_case

    if not uri:
        raise click.UsageError("no Neo4j server: set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) or give --uri; "
                               "without a server, `signalboost query NAME --case DIR` uses the embedded graph")  # fmt: skip
    analysis = analysis_for(case, results_dir)
    try:
        with bolt_target(uri, user, password, database) as target:
            report = load_case(target.driver, case, analysis, database=database, batch_size=batch_size,
                               progress=not quiet and sys.stderr.isatty())  # fmt: skip
    except TargetError as exc:
        raise _graph_error(exc, password) from exc
    except Exception as exc:  # a server error mid-load: rerunning the load resumes it (MERGE is idempotent)
        raise click.ClickException(_graph_error(exc, password).message + "; rerun the same load to finish it") from exc
    for name, rows in report.rows.items():
        if rows:
            click.echo(f"  {name:38} {rows:>10,} rows  {report.rate(name):>10,.0f} rows/s", err=True)
    click.echo(f"loaded {sum(report.rows.values()):,} rows in {report.batches:,} transactions, {report.total_seconds:.1f} s",
               err=True)  # fmt: skip


@cli.command("export-neo4j-csv")
@case_option()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the CSV files and import.sh.")  # fmt: skip
@click.option("--results", "results_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="investigate --out folder whose findings to include (default: the case's own, else computed).")
@click.option("--database", default="neo4j", show_default=True, help="Database name written into import.sh.")
def export_neo4j_csv_command(case: Case, out_dir, results_dir, database):
    """Write neo4j-admin import CSV files (with typed headers) and import.sh, for very large cases."""
    from .graphdb import analysis_for, export_admin_csv, graph_rows

    rows = graph_rows(case, analysis_for(case, results_dir))
    paths = export_admin_csv(rows, out_dir, database=database)
    for name, path in paths.items():
        click.echo(f"  {path.name:48} {rows.counts()[name]:>10,} rows", err=True)
    click.echo(f"then: sh {out_dir / 'import.sh'}  (neo4j-admin database import full, Neo4j stopped)", err=True)


def _parse_params(values) -> dict[str, str]:
    params = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r}: write key=value", param_hint="--param")
        params[key.strip()] = value
    return params


@cli.command("query")
@click.argument("name", required=False)
@click.option("--list", "list_queries", is_flag=True, help="List the query library and each query's parameters.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable), typed by the query's header.")
@click.option("--cypher", "cypher_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Run this .cypher file instead of a library query (values still only as $parameters).")
@click.option("--case", "case_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Run on the case's embedded graph (CASE/graphdb, loaded on first use) instead of a server.")
@click.option("--reload", is_flag=True, help="With --case: rebuild the embedded graph from the case.")
@neo4j_options
@output_options()
def query_command(name, list_queries, params, cypher_file, case_dir, reload, uri, user, password, database, fmt, output):
    """Run a query of the Cypher library (or --cypher FILE) on Neo4j or on a case's embedded graph.

    \b
    signalboost query --list
    signalboost query top_catalysts --case results/case --param limit=10
    NEO4J_URI=bolt://localhost:7687 signalboost query catalyst_cascade --param account=someone
    """
    import pandas as pd

    from .graphdb import (
        QueryError,
        TargetError,
        bolt_target,
        embedded_target,
        library,
        load_query,
        read_query_file,
        run_query,
    )

    if list_queries:
        rows = [{"name": q.name, "purpose": q.purpose,
                 "parameters": ", ".join(f"{p.name}:{p.type}" + ("" if p.required else f"={p.default!r}") for p in q.params)}
                for q in library().values()]  # fmt: skip
        _frame_or_fail(pd.DataFrame(rows), fmt, output)
        return
    if bool(name) == bool(cypher_file):
        raise click.UsageError("give a query NAME (see --list) or --cypher FILE")
    try:
        query = read_query_file(cypher_file) if cypher_file else load_query(name)
        values = query.parameters(_parse_params(params))
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--param" if params else "NAME") from exc
    if case_dir is None and not uri:
        raise click.UsageError("nowhere to run it: give --case DIR (embedded graph) or NEO4J_URI / --uri (a server)")
    try:
        if case_dir is not None:
            try:
                case = Case.open(case_dir)
            except CaseError as exc:
                raise click.ClickException(str(exc)) from exc
            context = embedded_target(case, reload=reload, progress=sys.stderr.isatty())
        else:
            context = bolt_target(uri, user, password, database)
        with context as target:
            missing = [feature for feature in query.needs if not target.has(feature)]
            if missing:
                raise click.ClickException(f"query {query.name} needs {', '.join(missing)}, which this server lacks "
                                           "(Neo4j with the plugin installed; docker/ starts one)")  # fmt: skip
            result = run_query(target.driver, query, values, database=target.database)
    except (TargetError, QueryError) as exc:
        raise _graph_error(exc, password) from exc
    except click.ClickException:
        raise
    except Exception as exc:  # the server refused the statement: say which file and why
        raise click.ClickException(_graph_error(exc, password).message + f" (in {query.path or query.name})") from exc
    _frame_or_fail(result.frame(), fmt, output)


@cli.command("viz")
@case_option()
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the offline WebGL view here (one self-contained file).")  # fmt: skip
@click.option("--graphistry", "use_graphistry", is_flag=True,
              help="Upload to Graphistry (credentials from GRAPHISTRY_* variables); offline view when none are set.")
@click.option("--focus", type=click.Choice(["all", "catalyst", "cluster", "url"]), default="all", show_default=True,
              help="Whole network, one catalyst's cascade, one amplifier cluster, or one URL across platforms.")
@click.option("--value", help="The catalyst (id or username), cluster id or normalised URL to focus on.")
@click.option("--colour-by", type=click.Choice(["role", "bot_label"]), default="role", show_default=True,
              help="Graphistry node colour (the offline view has a switch).")  # fmt: skip
@click.option("--max-edges", default=200_000, show_default=True, type=click.IntRange(1),
              help="Keep the heaviest edges up to this many.")  # fmt: skip
@click.option("--results", "results_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="investigate --out folder with the findings (default: the case's own, else computed).")
@seed_option
def viz_command(case: Case, html_path, use_graphistry, focus, value, colour_by, max_edges, results_dir, seed):
    """Show the campaign: the cascade in Graphistry, or offline in a browser (--html FILE)."""
    from .graphdb import analysis_for
    from .viz.graph import cascade_frames
    from .viz.graphistry_view import HOW_TO, cascade_plotter, credentials, upload
    from .viz.html import write_html

    if focus != "all" and not value:
        raise click.BadParameter(f"--focus {focus} needs --value", param_hint="--value")
    if not html_path and not use_graphistry:
        raise click.UsageError("give --html FILE (offline view) and/or --graphistry")
    try:
        frames = cascade_frames(case, analysis_for(case, results_dir), focus=focus, value=value, max_edges=max_edges)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--value") from exc
    if use_graphistry:
        creds = credentials()
        if creds is None:
            click.echo(f"Graphistry: no credentials; {HOW_TO}. Writing the offline view instead.", err=True)
            html_path = html_path or Path(case.path).parent / "cascade.html"
        else:
            try:
                url = upload(cascade_plotter(frames, colour_by=colour_by), creds)
            except Exception as exc:  # the server's refusal, said without the credentials
                from .graphdb.target import redact

                raise click.ClickException(redact(f"Graphistry upload failed: {exc}", *creds.values())) from exc
            click.echo(url)
    if html_path:
        title = f"signalboost · {focus}" + (f" · {value}" if value else "")
        path = write_html(frames, html_path, title=title, seed=seed)
        note = f" (heaviest {len(frames.edges):,} of {frames.total_edges:,} edges)" if frames.truncated else ""
        click.echo(f"offline view: {path} — {len(frames.nodes):,} nodes, {len(frames.edges):,} edges{note}", err=True)


@cli.command("report")
@case_option()
@click.option("--results", "results_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="investigate --out folder (default: the folder the case sits in).")  # fmt: skip
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the report (default: report.html beside the results).")  # fmt: skip
def report_command(case: Case, results_dir, out_path):
    """Rebuild report.html: volume, bots vs humans, cascade growth, 4chan lags, clusters, catalysts, communities."""
    import tempfile

    from .graphdb import results_dir_for
    from .investigate import analyse
    from .viz.report import build_report

    results = results_dir or results_dir_for(case)
    if results is None:
        if out_path is None:
            raise click.UsageError("this case has no investigate results beside it; give --out FILE (and the "
                                   "detectors run now) or --results DIR")  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            analyse(case, tmp, report=False)
            path = build_report(case, tmp, out_path)
    else:
        path = build_report(case, results, out_path)
    click.echo(f"report: {path}", err=True)


def main() -> None:
    try:
        cli(prog_name="signalboost")
    except BrokenPipeError:  # `signalboost export … | head`
        sys.stderr.close()


if __name__ == "__main__":
    main()
