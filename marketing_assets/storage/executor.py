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

from collections.abc import Iterator

from dagster import ExecutorDefinition, multiprocess_executor
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode
from dagster._core.execution.step_dependency_config import StepDependencyConfig
from dagster._core.executor.base import Executor
from dagster._core.executor.init import InitExecutorContext

from marketing_assets.storage.lock import run_lock
from marketing_assets.storage.publish import publish_run


class RunLockedExecutor(Executor):
    """Runs ``inner.execute`` under the run lock, then publishes the serving copy."""

    def __init__(self, inner: Executor):
        self.inner = inner

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

        with run_lock(on_wait=waiting):
            yield from self.inner.execute(plan_context, execution_plan)
            manifest = publish_run(plan_context.instance, plan_context.run_id)
            yield DagsterEvent.engine_event(
                plan_context,
                f"Published the serving copy: {manifest.summary()}",
                EngineEventData(metadata=manifest.metadata()),
            )


def run_locked(inner: ExecutorDefinition) -> ExecutorDefinition:
    """``inner`` (configured or not) with the run lock held around its whole execution; the
    same name, config schema and requirements, so run config addressing it is unchanged."""
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


#: Runs started from the UI, schedules and sensors: one process per step, one step at a time.
#: A step's memory goes back to the system when it ends (a large day's ODS load ran out of
#: 24 GiB in one process: 39 steps of retained memory), and DuckDB takes one writer anyway.
#: The whole run holds the warehouse's run lock (a file lock the kernel frees if the run
#: worker dies), so a restatement, the schedule and a backfill never interleave their
#: writes; at its end the run publishes the serving copy of what it wrote.
EXECUTOR = run_locked(multiprocess_executor.configured({"max_concurrent": 1}))
