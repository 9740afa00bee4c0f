"""An executor that holds the warehouse's run lock for the whole run, then publishes.

``run_locked(inner)`` wraps any executor definition (``multiprocess_executor`` configured
with ``max_concurrent``, ``in_process_executor``, ...): the run worker process creates the
inner executor as usual and runs its ``execute`` inside ``run_lock()``, so the steps of two
runs never interleave, whichever executor runs them. The lock is an ``flock`` held by the run
worker (step processes only take the per-connection lock), so the kernel releases it when the
run worker dies. Before releasing it, the run publishes the serving copy of what it wrote
(``storage.publish``), so the serving manifest is only ever written by the one run holding
the lock.

``execute_in_process`` (and ``materialize``) replaces the job's executor, so in-process runs
take ``run_lock()`` themselves and call ``publish_run`` after their run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import nullcontext

from dagster import ExecutorDefinition, Field, Selector, multi_or_in_process_executor
from dagster._core.definitions.executor_definition import (
    IN_PROC_CONFIG,
    MULTI_PROC_CONFIG,
    multiple_process_executor_requirements,
)
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode
from dagster._core.execution.step_dependency_config import StepDependencyConfig
from dagster._core.executor.base import Executor
from dagster._core.executor.in_process import InProcessExecutor
from dagster._core.executor.init import InitExecutorContext

from marketing_assets.storage.connection import warehouse_session
from marketing_assets.storage.lock import run_lock
from marketing_assets.storage.publish import publish_run


class RunLockedExecutor(Executor):
    """Runs ``inner.execute`` under the run lock, then publishes the serving copy."""

    def __init__(self, inner: Executor):
        self.inner = inner
        #: steps run in this process: keep one warehouse connection open for the run
        self.session = isinstance(inner, InProcessExecutor)

    @property
    def retries(self) -> RetryMode:
        return self.inner.retries

    @property
    def step_dependency_config(self) -> StepDependencyConfig:
        return self.inner.step_dependency_config

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        def waiting(lock_path: str) -> None:
            plan_context.log.info(
                f"Waiting for the warehouse run lock {lock_path}: another run holds it"
            )

        with run_lock(on_wait=waiting), (warehouse_session() if self.session else nullcontext()):
            yield from self.inner.execute(plan_context, execution_plan)
            manifest = publish_run(plan_context.instance, plan_context.run_id)
            yield DagsterEvent.engine_event(
                plan_context,
                f"Published the serving copy: {manifest.summary()}",
                EngineEventData(metadata=manifest.metadata()),
            )


def run_locked(inner: ExecutorDefinition) -> ExecutorDefinition:
    """``inner`` (configured or not) with the run lock held around its whole execution; the
    same name, config schema and requirements, so run config addressing it is unchanged.
    When the executor it creates runs the steps in the run worker's own process (the
    in-process executor), the run holds one warehouse connection for its whole length
    (``warehouse_session``); a multiprocess executor's step processes open the file
    themselves."""
    create_inner = inner.executor_creation_fn
    if create_inner is None:
        raise ValueError(f"Executor {inner.name} has no creation function to wrap")

    def create(init_context: InitExecutorContext) -> Executor:
        return RunLockedExecutor(create_inner(init_context))

    return ExecutorDefinition(
        name=inner.name,
        config_schema=inner.config_schema,
        requirements=inner.get_requirements,
        executor_creation_fn=create,
        description=f"{inner.description or inner.name}, holding the warehouse run lock",
    )


EXECUTOR_ENV = "MARKETING_EXECUTOR"
EXECUTORS = ("in_process", "multiprocess")


def executor_kind() -> str:
    """``MARKETING_EXECUTOR``: ``in_process`` (default) or ``multiprocess``."""
    kind = os.environ.get(EXECUTOR_ENV, "in_process").strip() or "in_process"
    if kind not in EXECUTORS:
        raise ValueError(f"{EXECUTOR_ENV}={kind!r}: expected one of {', '.join(EXECUTORS)}")
    return kind


def build_executor(kind: str | None = None) -> ExecutorDefinition:
    """The executor of runs started from the UI, schedules, sensors and the CLI.

    ``in_process``: every step of the run in the run worker, one after the other, with one
    warehouse connection for the run. A process per step cost 2–10 s of start-up and
    definitions loading per step (135 steps a day: 528–730 s for one tiny day against 59 s
    in one process); a run's memory is bounded by its largest step because the derived
    layer processes a range in chunks of days sized by a memory budget, and outputs are
    written to the warehouse, not kept.
    ``multiprocess``: one process per step (``max_concurrent`` of them at a time), each
    opening the warehouse itself: a step's memory is returned to the system when it ends.
    Each run picks its mode in its run config (the launchpad's ``execution``)::

        execution:
          config:
            multiprocess:
              max_concurrent: 1

    and without it gets the default: ``kind``, else ``MARKETING_EXECUTOR`` (``in_process``;
    ``multiprocess`` means one step process at a time), read when the definitions load.
    Either way the whole run holds the warehouse's run lock (a file lock the kernel frees if
    the run worker dies), so a restatement, the schedule and a backfill never interleave
    their writes; at its end the run publishes the serving copy of what it wrote."""
    default = ({"multiprocess": {"max_concurrent": 1}} if (kind or executor_kind()) == "multiprocess"
               else {"in_process": {}})
    return run_locked(ExecutorDefinition(
        name="in_process_or_multiprocess",
        config_schema=Field(Selector({"in_process": IN_PROC_CONFIG, "multiprocess": MULTI_PROC_CONFIG}),
                            default_value=default),
        requirements=lambda config: multiple_process_executor_requirements() if "multiprocess" in config else [],
        executor_creation_fn=multi_or_in_process_executor.executor_creation_fn,
        description="The run's steps in the run worker (in_process) or one process per step (multiprocess)",
    ))


EXECUTOR = build_executor()
