# Minimal JSON stdout callback for the benchmark (Debian's ansible-core ships no `json` callback; that one
# lives in the ansible.posix collection). Same shape as ansible.posix.json for the fields the bench reads:
# {"plays": [{"tasks": [{"task": {"name"}, "hosts": {host: {rc, stdout, failed, unreachable, msg}}}]}], "stats": {host: {...}}}
from __future__ import annotations

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: bench_json
    type: stdout
    short_description: JSON output for remedy's benchmark
    description: one JSON document on stdout at the end of the run
"""

KEEP = ("rc", "stdout", "failed", "unreachable", "msg", "changed")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "bench_json"

    def __init__(self):
        super().__init__()
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})

    def _record(self, result, **extra):
        r = {k: v for k, v in result._result.items() if k in KEEP}
        r.update(extra)
        task = self.plays[-1]["tasks"][-1] if self.plays and self.plays[-1]["tasks"] else None
        if task is not None:
            task["hosts"][result._host.get_name()] = r

    def v2_runner_on_ok(self, result, **kwargs):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._record(result, failed=True)

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._record(result, unreachable=True)

    def v2_runner_on_skipped(self, result, **kwargs):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        out = {"plays": self.plays, "stats": {h: stats.summarize(h) for h in hosts}}
        self._display.display(json.dumps(out))
