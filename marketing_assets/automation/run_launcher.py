"""The run launcher of the demo instance: Dagster's default one, plus a health check so
that run monitoring ends a run whose process is gone as failed (the default launcher
offers none, so the monitoring daemon could only time such a run out).

The code server already fails a run whose worker subprocess died while the server lives.
What stays STARTED without this check: a run launched by a code server that was killed
itself (``dagster dev`` killed), and a run executed in process (``make demo``) whose
process was killed. The check answers, for a STARTED run:
- launched through a code server (Dagster's ``dagster/grpc_info`` tag): running while
  that server still lists it among its runs; failed when the server answers without it
  or cannot be reached at all (UNAVAILABLE: nothing listens on its port any more);
- else, tagged with its process (``marketing/pid`` and ``marketing/host``, as ``make
  demo`` tags its run) on this host: running while that process exists;
- anything else (another in-process run, a slow server): running — it cannot tell.
"""

import os
import socket

import grpc
from dagster import DefaultRunLauncher
from dagster._core.errors import DagsterUserCodeUnreachableError
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
from dagster._grpc.types import GetCurrentRunsResult
from dagster._serdes import deserialize_value

PID_TAG, HOST_TAG = "marketing/pid", "marketing/host"


def process_tags() -> dict[str, str]:
    """The tags that let the health check find an in-process run's process."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _unavailable(exc: Exception) -> bool:
    cause = exc.__cause__
    return isinstance(cause, grpc.RpcError) and cause.code() == grpc.StatusCode.UNAVAILABLE


class MonitoredRunLauncher(DefaultRunLauncher):
    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        # the code server first: a run re-executed from the UI may carry its parent's
        # process tags, but its launch records its own code server
        client = self._get_grpc_client_for_termination(run.run_id)
        if client is not None:
            return _server_runs(client, run.run_id)
        tags = run.tags
        if PID_TAG in tags and tags.get(HOST_TAG) == socket.gethostname():
            pid = int(tags[PID_TAG])
            if _alive(pid):
                return CheckRunHealthResult(WorkerStatus.RUNNING, f"process {pid} runs it")
            return CheckRunHealthResult(WorkerStatus.FAILED, f"process {pid} that ran it in process is gone")
        return CheckRunHealthResult(WorkerStatus.RUNNING, "no process or code server recorded: cannot tell")


def _server_runs(client, run_id: str) -> CheckRunHealthResult:
    try:
        current = deserialize_value(client.get_current_runs(), GetCurrentRunsResult).current_runs
    except DagsterUserCodeUnreachableError as exc:
        if _unavailable(exc):
            return CheckRunHealthResult(WorkerStatus.FAILED, f"the code server that ran it is gone: {exc}")
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"the code server did not answer: {exc}")
    if run_id in current:
        return CheckRunHealthResult(WorkerStatus.RUNNING, "its code server runs it")
    return CheckRunHealthResult(WorkerStatus.FAILED, "its code server no longer runs it")
