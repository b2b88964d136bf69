"""The engine a stage runs on, and the Spark session for `--engine spark`.

`local` is this process, streaming; `spark` runs the same stage code on Apache Spark
(pyspark, an optional extra): `local[*]` by default, a cluster's master URL for real.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from pvkg.errors import ConfigError
from pvkg.options import option, ref

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Engine = Literal["local", "spark"]
ENGINES: tuple[Engine, ...] = get_args(Engine)
SPARK_HINT = "pip install 'pvkg[spark]' (pyspark; Java 17 or later)"


@dataclass(frozen=True)
class EngineOptions:
    """Where a stage runs: this process, or Spark at `spark_master`."""

    engine: Engine = option("local", "local: this process; spark: Apache Spark (pyspark).")
    spark_master: str = option(
        "local[*]",
        "Spark master URL (local[N], spark://host:7077, yarn, ...); with --engine spark.",
        envvar="PVKG_SPARK_MASTER",
    )
    spark_partitions: int | None = option(
        None, "Partitions of the notes (default: Spark's default parallelism)."
    )

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine {self.engine!r}", hint="choose local or spark")
        if self.spark_partitions is not None and self.spark_partitions < 1:
            raise ConfigError(f"{ref(EngineOptions, 'spark_partitions')} must be at least 1")


def spark_session(options: EngineOptions, app_name: str = "pvkg") -> SparkSession:
    """The session for `options.spark_master`; executors run this interpreter's Python."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError("--engine spark needs pyspark", hint=SPARK_HINT) from exc
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        raise ConfigError("Spark needs a Java runtime", hint="install Java 17+ or set JAVA_HOME")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if options.spark_master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(options.spark_master).appName(app_name)
    # No web UI: a port per session is what a test run or a laptop least needs.
    builder = builder.config("spark.ui.enabled", "false").config(
        "spark.ui.showConsoleProgress", "false"
    )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j and the JVM launcher raise several kinds
        raise ConfigError(
            f"could not start Spark at {options.spark_master}: {exc}".splitlines()[0],
            hint="check the master URL and JAVA_HOME",
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session
