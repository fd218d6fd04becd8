"""Throughput of the snowdm emulator against moto's server, through real boto3 clients over loopback HTTP.

    .venv/bin/python bench/emulator_throughput.py [--clients 8,32] [--requests 200] [--placement process|thread]

Both servers start in the same run. `--placement process` (default) runs each server in its own child process, so the
boto3 clients (threads in this process) do not share a GIL with the server under test; `thread` runs both servers as
threads of this process, as ThreadedMotoServer is usually used in tests. Each client thread makes `--requests` calls:
on the emulator DescribeExecution and ListExecutions alternately (tasks spread over a 1,000-device fleet), on moto
EKS DescribeCluster (a REST-JSON describe of similar size). Prints requests/s per server and the ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable

import boto3
from botocore.config import Config

REGION = "us-west-2"
EMULATOR_KEYS = {"aws_access_key_id": "snowdm-emulator", "aws_secret_access_key": "snowdm-emulator-secret"}
MOTO_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
FLEET = {"fleet": {"count": 1000, "prefix": "smd-fleet-"}, "default": {"queued_seconds": 5, "run_seconds": 30}}


def serve_emulator(urls, stop) -> None:
    from pulumi_snowdm.emulator import Emulator

    with Emulator(scenario=FLEET, time_scale=10) as emulator:
        urls.put(emulator.url)
        stop.wait()


def serve_moto(urls, stop) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    # werkzeug logs every request line to stderr; that would slow moto down and flood the table.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    urls.put(f"http://{host}:{port}")
    stop.wait()
    server.stop()


def start(serve, placement: str):
    """Start a server in a child process or a thread; return (url, stop function)."""
    if placement == "process":
        context = multiprocessing.get_context("spawn")
        urls, stop = context.Queue(), context.Event()
        worker = context.Process(target=serve, args=(urls, stop), daemon=True)
    else:
        import queue

        urls, stop = queue.Queue(), threading.Event()
        worker = threading.Thread(target=serve, args=(urls, stop), daemon=True)
    worker.start()
    url = urls.get(timeout=60)

    def finish() -> None:
        stop.set()
        worker.join(timeout=10)

    return url, finish


def client(service: str, url: str, keys: dict, pool: int):
    session = boto3.session.Session()
    config = Config(retries={"mode": "standard", "max_attempts": 1}, max_pool_connections=pool)
    return session.client(service, endpoint_url=url, region_name=REGION, config=config, **keys)


def seed_emulator(url: str) -> list[tuple[str, str]]:
    sdm = client("snow-device-management", url, EMULATOR_KEYS, 4)
    devices = [f"smd-fleet-{index:04d}" for index in range(1000)]
    pairs = []
    for start in range(0, 1000, 10):
        task = sdm.create_task(targets=devices[start : start + 10], command={"reboot": {}})
        pairs.append((task["taskId"], devices[start]))
    return pairs


def seed_moto(url: str) -> str:
    eks = client("eks", url, MOTO_KEYS, 4)
    eks.create_cluster(
        name="bench",
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    )
    return "bench"


def hammer(make_call: Callable[[int], Callable[[int], object]], clients: int, requests: int) -> float:
    """Run `clients` threads of `requests` calls each; return the requests per second over all of them."""
    barrier = threading.Barrier(clients + 1)
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        call = make_call(index)
        for warm in range(5):
            call(warm)
        barrier.wait()
        try:
            for number in range(requests):
                call(number)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} client threads failed, first: {failures[0]!r}")
    return clients * requests / elapsed


def emulator_calls(url: str, pairs: list[tuple[str, str]], pool: int):
    def make(index: int):
        sdm = client("snow-device-management", url, EMULATOR_KEYS, pool)

        def call(number: int):
            task_id, device_id = pairs[(index * 7 + number) % len(pairs)]
            if number % 2:
                return sdm.list_executions(taskId=task_id, maxResults=10)
            return sdm.describe_execution(taskId=task_id, managedDeviceId=device_id)

        return call

    return make


def moto_calls(url: str, cluster: str, pool: int):
    def make(index: int):
        eks = client("eks", url, MOTO_KEYS, pool)
        return lambda number: eks.describe_cluster(name=cluster)

    return make


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="8,32", help="comma-separated client thread counts (default 8,32)")
    parser.add_argument("--requests", type=int, default=200, help="requests per client thread (default 200)")
    parser.add_argument("--placement", choices=("process", "thread"), default="process")
    args = parser.parse_args()
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    counts = [int(count) for count in args.clients.split(",")]

    emulator_url, stop_emulator = start(serve_emulator, args.placement)
    moto_url, stop_moto = start(serve_moto, args.placement)
    try:
        pairs = seed_emulator(emulator_url)
        cluster = seed_moto(moto_url)
        rows = []
        for count in counts:
            ours = hammer(emulator_calls(emulator_url, pairs, count), count, args.requests)
            theirs = hammer(moto_calls(moto_url, cluster, count), count, args.requests)
            rows.append((count, ours, theirs))
    finally:
        stop_emulator()
        stop_moto()

    print(f"servers in: {args.placement}; {args.requests} requests per client; {os.cpu_count()} CPUs")
    print(f"{'clients':>7}  {'snowdm-emulator req/s':>22}  {'moto (EKS) req/s':>17}  {'ratio':>6}")
    for count, ours, theirs in rows:
        print(f"{count:>7}  {ours:>22.0f}  {theirs:>17.0f}  {ours / theirs:>5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
