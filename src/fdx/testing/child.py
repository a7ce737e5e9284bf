"""Running code that could kill the process (a crash inside RDKit) in a child Python, so that pytest lives."""

import json
import subprocess
import sys
import textwrap


def run_in_small_stack(body: str, tmp_path) -> dict:
    """Run ``body`` (code that fills the dict ``result``; ``sys.argv[1]`` is ``tmp_path``) in a child Python,
    in a thread of 256 KiB of stack as a web worker may have; ``result`` as JSON, with ``error`` set to the
    exception it raised. Fails the test when the child dies (SIGSEGV inside RDKit: status -11)."""
    script = tmp_path / "child.py"
    script.write_text(
        textwrap.dedent(
            """
            import json, sys, threading
            sys.setrecursionlimit(10000)
            result = {}
            def work():
                try:
            {body}
                except Exception as exc:
                    result["error"] = f"{type(exc).__name__}: {exc}"
            threading.stack_size(256 * 1024)
            thread = threading.Thread(target=work)
            thread.start()
            thread.join()
            print(json.dumps(result))
            """
        ).replace("{body}", textwrap.indent(textwrap.dedent(body), " " * 8)),
        encoding="utf-8",
    )
    completed = subprocess.run(  # noqa: S603 - the test's own script, run by this Python
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, f"the child died (status {completed.returncode}): {completed.stderr}"
    return json.loads(completed.stdout.strip().splitlines()[-1])
