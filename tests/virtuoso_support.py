"""A throw-away OpenLink Virtuoso (Debian ``virtuoso-opensource``) on 127.0.0.1.

Used by the ``virtuoso`` fixture (``tests/conftest.py``) and by ``make virtuoso``:
a ``virtuoso.ini`` is generated in a directory of its own (database, logs,
``DirsAllowed``), both listeners (HTTP and the SQL/ISQL port) bind 127.0.0.1,
the server runs in the foreground as a child process, and once ``/sparql``
answers, ``SPARQL_UPDATE`` is granted to the anonymous ``SPARQL`` user with
``isql-vt`` so the unauthenticated endpoints accept updates.

    python tests/virtuoso_support.py --dir var/virtuoso --http-port 8890
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

VIRTUOSO = "virtuoso-t"
ISQL = ("isql-vt", "isql-v")
VSP_ROOT = Path("/var/lib/virtuoso-opensource-7/vsp")
START_TIMEOUT = 60.0

_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort             = 127.0.0.1:{isql_port}
DisableUnixSocket      = 1
DisableTcpSocket       = 0
MaxClientConnections   = 10
CheckpointInterval     = 60
CaseMode               = 2
DirsAllowed            = ., {dir}
NumberOfBuffers        = 10000
MaxDirtyBuffers        = 6000
ThreadsPerQuery        = 2
AsyncQueueMaxThreads   = 4

[HTTPServer]
ServerPort             = 127.0.0.1:{http_port}
{server_root}MaxClientConnections   = 10
ServerThreads          = 10
Charset                = UTF-8

[SPARQL]
ResultSetMaxRows       = 1000000
MaxQueryExecutionTime  = 120
MaxQueryCostEstimationTime = 400
"""


def find_executable() -> str | None:
    """Path of ``virtuoso-t``, or ``None``."""
    return shutil.which(VIRTUOSO)


def find_isql() -> str | None:
    """Path of Virtuoso's ``isql`` client (``isql-vt`` on Debian), or ``None``."""
    for name in ISQL:
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Virtuoso:
    """One Virtuoso server process in ``directory`` (a context manager: started, then stopped)."""

    def __init__(
        self, directory: Path, *, http_port: int | None = None, isql_port: int | None = None
    ) -> None:
        self.directory = Path(directory).absolute()
        self.http_port = http_port or free_port()
        self.isql_port = isql_port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def store_url(self) -> str:
        """The ``--store`` value: query and update on /sparql, Graph Store on /sparql-graph-crud."""
        return f"sparql+http://127.0.0.1:{self.http_port}/sparql?gsp=/sparql-graph-crud"

    @property
    def auth_store_url(self) -> str:
        """The same store through the digest-authenticated endpoints (user dba)."""
        return (
            f"sparql+http://dba:dba@127.0.0.1:{self.http_port}/sparql-auth"
            "?gsp=/sparql-graph-crud-auth&auth=digest"
        )

    def write_ini(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        root = f"ServerRoot             = {VSP_ROOT}\n" if VSP_ROOT.is_dir() else ""
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            _INI.format(
                dir=self.directory,
                http_port=self.http_port,
                isql_port=self.isql_port,
                server_root=root,
            ),
            encoding="utf-8",
        )
        return ini

    def log_tail(self, lines: int = 20) -> str:
        text = ""
        for name in ("stdout.log", "virtuoso.log"):
            path = self.directory / name
            if path.is_file():
                text += path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server, wait until ``/sparql`` answers, grant SPARQL_UPDATE."""
        executable = find_executable()
        if executable is None:
            raise FileNotFoundError("virtuoso-t is not installed (Debian: virtuoso-opensource)")
        ini = self.write_ini()
        with (self.directory / "stdout.log").open("wb") as log:
            self.process = subprocess.Popen(
                [executable, "-c", str(ini), "+foreground"],
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, not the server
            )
        try:
            self._wait(timeout)
            try:
                self.sql('GRANT SPARQL_UPDATE TO "SPARQL";')
            except RuntimeError as exc:
                if "already have role" not in str(exc):  # a database reused from last time
                    raise
        except BaseException:
            self.stop()
            raise

    def _wait(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while not self._ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso exited ({self.process.returncode}):\n"
                                   + self.log_tail())  # fmt: skip
            if time.monotonic() > deadline:
                raise TimeoutError(f"virtuoso did not answer within {timeout:.0f} s:\n"
                                   + self.log_tail())  # fmt: skip
            time.sleep(0.25)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.origin}/sparql?query=ASK%7B%7D", timeout=2) as r:
                return bool(r.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def sql(self, statement: str) -> str:
        """Run one SQL statement as dba through isql (the SQL port on 127.0.0.1)."""
        isql = find_isql()
        if isql is None:
            raise FileNotFoundError("isql-vt is not installed (Debian: virtuoso-opensource)")
        done = subprocess.run(
            [isql, f"127.0.0.1:{self.isql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql {statement!r} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def __enter__(self) -> Virtuoso:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a local Virtuoso on 127.0.0.1.")
    parser.add_argument("--dir", type=Path, default=Path("var/virtuoso"))
    parser.add_argument("--http-port", type=int, default=8890)
    parser.add_argument("--isql-port", type=int, default=1111)
    args = parser.parse_args(argv)
    server = Virtuoso(args.dir, http_port=args.http_port, isql_port=args.isql_port)
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        print(f"virtuoso: {exc}", file=sys.stderr)
        return 1
    print(f"virtuoso: serving on {server.origin} (data in {server.directory}); Ctrl-C stops it")
    print(f"  policykg build data/corpus --store '{server.store_url}'", flush=True)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # the server runs in a session of its own: stop it ourselves

    signal.signal(signal.SIGTERM, terminate)
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
