"""The console script `pulumi-resource-snowdm`: start the gRPC server, print its port, serve until the engine ends it.

The engine passes its own address as the last argument (flags such as `--logtostderr` may come before it; see
`arguments`). The server's thread pool is ours to size, so any number of gates wait side by side (each holds a
mostly sleeping thread) with no private hooks. A Ctrl-C (SIGINT, which reaches the plugin when the whole terminal
group is signalled) cancels every wait at once, like the engine's Cancel, then the server stops once the calls in
flight have answered. An engine that is gone without ending the plugin (a `pulumi up` killed with SIGKILL) is
noticed by the lifeline (`_core.lifeline`), which cancels the same way and exits.
"""

from __future__ import annotations

import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
from pulumi.runtime.proto import provider_pb2_grpc

from pulumi_snowdm._core.lifeline import end_with_engine
from pulumi_snowdm._core.wait.cancel import Cancel
from pulumi_snowdm.plugin.arguments import engine_address
from pulumi_snowdm.plugin.engine_log import EngineLog
from pulumi_snowdm.plugin.service import SnowdmProvider

# Each waiting gate holds one mostly sleeping thread; threads start only as calls arrive.
WORKERS = 1024
# Seconds the calls in flight get to answer (with the cancel error) once the plugin is interrupted.
STOP_GRACE = 5
MESSAGE_LIMIT = 400 * 1024 * 1024


def serve(address: str | None) -> tuple[grpc.Server, int, Cancel]:
    """Start the server on a free loopback port, its lines going to the engine at `address`; return the server,
    the port and the cancel token."""
    cancel = Cancel()
    server = grpc.server(ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="snowdm-call"),
                         options=[("grpc.max_receive_message_length", MESSAGE_LIMIT),
                                  ("grpc.max_send_message_length", MESSAGE_LIMIT)])
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(SnowdmProvider(EngineLog(address), cancel),
                                                             server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port, cancel


def main(argv: list[str] | None = None) -> None:
    address = engine_address(sys.argv[1:] if argv is None else argv)
    server, port, cancel = serve(address)

    def interrupted(_signum, _frame) -> None:
        cancel.set("interrupted (Ctrl-C)")
        threading.Thread(target=server.stop, args=(STOP_GRACE,), daemon=True).start()

    signal.signal(signal.SIGINT, interrupted)
    end_with_engine(address, cancel, host="plugin", stop=lambda: server.stop(0))
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
