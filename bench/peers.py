"""Python peers of brasa-bench-core: numpy, pandas and Dask on the same data.

Run by brasa-bench-core with Debian's /usr/bin/python3 as
    peers.py WORKLOAD [ARGS...]
It prints one line per measured system, tab-separated key=value fields:
    system=... config=... seconds=t1,t2,... records=N digest=D [sum=S]
or `skip=REASON` when a peer cannot run. The data is rebuilt from the same
splitmix64 generators as bench/workloads.h, so digests must match.
"""
import os
import statistics
import shutil
import sys
import time

try:
    import numpy as np
except ImportError as e:  # reported by the caller as a skip line
    print(f"skip=numpy is missing ({e}); install python3-numpy", flush=True)
    sys.exit(0)

M64 = (1 << 64) - 1


def splitmix64(x):
    """Vectorised splitmix64 over a uint64 array (wrapping arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def record_digest(keys, values):
    """Sum of splitmix64(k) * (v | 1) + v over the records, mod 2^64."""
    k = np.asarray(keys).astype(np.int64).view(np.uint64)
    v = np.asarray(values).astype(np.int64).view(np.uint64)
    terms = splitmix64(k) * (v | np.uint64(1)) + v
    return int(terms.sum(dtype=np.uint64))


def word_hash(w):
    h = 0xCBF29CE484222325
    for c in w.encode():
        h = ((h ^ c) * 0x100000001B3) & M64
    return h


def pair_keys(lo, hi, keys):
    return (splitmix64(np.arange(lo, hi, dtype=np.uint64)) % np.uint64(keys)).astype(np.int64)


def emit(system, config, seconds, records, digest, extra=""):
    secs = ",".join(f"{s:.6f}" for s in seconds)
    print(f"system={system}\tconfig={config}\tseconds={secs}\trecords={records}\tdigest={digest}{extra}", flush=True)


def timed(runs, fn):
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def dask_cluster():
    """LocalCluster of 2 worker processes with 1 thread each, or None."""
    try:
        import dask  # noqa: F401
        from distributed import Client, LocalCluster
    except ImportError as e:
        print(f"skip=dask is missing ({e}); install python3-dask python3-distributed", flush=True)
        return None, None
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    return cluster, Client(cluster)


DASK_CONFIG = "LocalCluster(2 workers x 1 thread)"


def reduce_by_key(pairs, keys, partitions, runs):
    import pandas as pd

    k = pair_keys(0, pairs, keys)
    v = np.ones(pairs, dtype=np.int64)

    def bincount():
        sums = np.bincount(k, weights=v, minlength=keys).astype(np.int64)
        nz = np.nonzero(sums)[0]
        return nz, sums[nz]

    seconds, (rk, rv) = timed(runs, bincount)
    emit("numpy bincount", "1 thread", seconds, len(rk), record_digest(rk, rv))

    df = pd.DataFrame({"k": k, "v": v})
    seconds, s = timed(runs, lambda: df.groupby("k")["v"].sum())
    emit("pandas groupby", "1 thread", seconds, len(s), record_digest(s.index.values, s.values))

    cluster, client = dask_cluster()
    if client is None:
        return
    import dask.bag as db
    import dask.dataframe as dd
    from dask import delayed
    from distributed import wait

    ddf = dd.from_pandas(df, npartitions=partitions).persist()
    wait(ddf)
    # Each run gets its own graph (the `run` column): identical graphs run
    # back to back may reuse results the scheduler has not released yet.
    run = iter(range(runs))
    seconds, s = timed(runs, lambda: ddf.assign(run=next(run)).groupby("k")["v"].sum().compute())
    emit("dask dataframe groupby", DASK_CONFIG, seconds, len(s), record_digest(s.index.values, s.values))
    del ddf

    def make_part(lo, hi):
        return list(zip(pair_keys(lo, hi, keys).tolist(), [1] * (hi - lo)))

    bounds = [pairs * p // partitions for p in range(partitions + 1)]
    bag = db.from_delayed([delayed(make_part)(bounds[p], bounds[p + 1]) for p in range(partitions)]).persist()
    wait(bag)
    add = lambda a, b: a + b  # noqa: E731
    seconds, r = timed(1, lambda: bag.foldby(lambda kv: kv[0], lambda acc, kv: acc + kv[1], 0, add, 0).compute())
    emit("dask bag foldby", DASK_CONFIG, seconds, len(r), record_digest([a for a, _ in r], [b for _, b in r]))
    client.close()
    cluster.close()


def word_count(path, runs):
    cluster, client = dask_cluster()
    if client is None:
        return
    import dask.bag as db

    # Dask reuses work done for a file it has read before, whatever the
    # blocksize: a second run on the same path took 1.2-2 s where a fresh copy
    # of the file took 21 s (and plain Python's Counter needs 3.7 s for a
    # third of it on one core). So every run, and an untimed warm-up that
    # pays the workers' first touch of memory, reads a copy of its own.
    def fresh_copy(i):
        copy = f"{path}.dask{i}"
        shutil.copyfile(path, copy)
        return copy

    def count(copy):
        return db.read_text(copy, blocksize=10_000_000).str.split().flatten().frequencies().compute()

    warm = fresh_copy("warm")
    count(warm)
    os.remove(warm)
    seconds, r = [], None
    for i in range(runs):
        copy = fresh_copy(i)
        start = time.perf_counter()
        r = count(copy)
        seconds.append(time.perf_counter() - start)
        os.remove(copy)
    hashes = np.array([word_hash(w) for w, _ in r], dtype=np.uint64)
    digest = record_digest(hashes.view(np.int64), np.array([c for _, c in r], dtype=np.int64))
    emit("dask bag", DASK_CONFIG, seconds, len(r), digest)
    client.close()
    cluster.close()


def sort(records, partitions, runs):
    import pandas as pd

    i = np.arange(records, dtype=np.uint64)
    k = splitmix64(i ^ np.uint64(0x5EED)).view(np.int64)
    df = pd.DataFrame({"k": k, "v": i.astype(np.int64)})
    cluster, client = dask_cluster()
    if client is None:
        return
    import dask.dataframe as dd
    from distributed import wait

    ddf = dd.from_pandas(df, npartitions=partitions).persist()
    wait(ddf)

    def summary(part):
        return pd.DataFrame(
            {
                "n": [len(part)],
                "first": [part["k"].iloc[0] if len(part) else 0],
                "last": [part["k"].iloc[-1] if len(part) else 0],
                "sorted": [bool(part["k"].is_monotonic_increasing)],
                "digest": np.array([record_digest(part["k"].values, part["v"].values)], dtype=np.uint64),
            }
        )

    meta = {"n": "i8", "first": "i8", "last": "i8", "sorted": "bool", "digest": "u8"}
    run = iter(range(runs))  # a graph of its own per run, as in reduce_by_key
    seconds, s = timed(
        runs, lambda: ddf.assign(run=next(run)).sort_values("k").map_partitions(summary, meta=meta).compute()
    )
    s = s[s["n"] > 0]
    in_order = bool(s["sorted"].all()) and all(s["first"].values[1:] >= s["last"].values[:-1])
    digest = sum(int(d) for d in s["digest"]) & M64
    emit("dask dataframe sort_values", DASK_CONFIG, seconds, int(s["n"].sum()), digest, f"\tsum={int(in_order)}")
    client.close()
    cluster.close()


def tiny(runs):
    cluster, client = dask_cluster()
    if client is None:
        return
    for _ in range(10):
        client.submit(len, [1, 2], pure=False).result()
    seconds, n = timed(runs, lambda: client.submit(len, [1, 2], pure=False).result())
    emit("dask client.submit", DASK_CONFIG, seconds, n, 0)
    client.close()
    cluster.close()


def startup():
    """Run as a child: prints `ready` once the first tiny job has its result."""
    cluster, client = dask_cluster()
    if client is None:
        return
    n = client.submit(len, [1, 2], pure=False).result()
    print(f"ready {n}", flush=True)
    client.close()
    cluster.close()


def main(argv):
    what, args = argv[1], [int(a) if a.lstrip("-").isdigit() else a for a in argv[2:]]
    {"reduce_by_key": reduce_by_key, "word_count": word_count, "sort": sort, "tiny": tiny, "startup": startup}[what](
        *args
    )


if __name__ == "__main__":
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main(sys.argv)
