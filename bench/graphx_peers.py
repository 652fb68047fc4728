"""Python peers of brasa-bench-graphx: SciPy, igraph and networkx on the very
graph the benchmark generated.

Run by brasa-bench-graphx with Debian's /usr/bin/python3:
    graphx_peers.py PATH N RUNS NETWORKX RANKS_OUT
PATH is a raw file of little-endian int32 pairs (source, destination): the
R-MAT edges with vertex ids compacted to 0..N-1 in ascending id order, so
that a vertex's index is its rank among the ids. NETWORKX is 1 to run
networkx too (slow: small graphs only). RANKS_OUT receives SciPy's ranks
after 10 iterations (float64, by index) for the benchmark to check against
its hand loop.

It prints tab-separated key=value lines:
    info=...                                        versions
    workload=G1 system=... config=... seconds=t1,t2,... note=...
    workload=G2 system=... config=... seconds=... components=K digest=D
    workload=G3 system=... config=... seconds=... l1=E
or `skip=REASON` for a peer that cannot run. G1 is one PageRank iteration
with GraphX's definition, timed as Brasa's is: (22 iterations - 2
iterations) / 20. G2 is weakly connected components end to end: K
components, D the sum over vertices of the smallest index in the vertex's
component. G3 is PageRank solved to convergence with networkx's definition
(dangling rank spread over all vertices, ranks summing to 1; tolerance
1e-10 on the L1 change): igraph's PRPACK, and SciPy's power iteration as
the reference; E is the L1 distance to it.
"""
import statistics
import sys
import time

try:
    import numpy as np
    import scipy
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components
except ImportError as e:
    print(f"skip=SciPy is missing ({e}); install python3-scipy", flush=True)
    sys.exit(0)


def emit(**fields):
    print("\t".join(f"{k}={v}" for k, v in fields.items()), flush=True)


def seconds_list(ts):
    return ",".join(f"{t:.9f}" for t in ts)


def smallest_in_component(labels, n):
    """Per vertex, the smallest index in its component; and the digest."""
    first = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n, dtype=np.int64))
    return int(first[labels].sum())


def main():
    path, n, runs, with_networkx, ranks_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
    pairs = np.fromfile(path, dtype="<i4").reshape(-1, 2)
    src, dst = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    m = len(src)
    emit(info=f"scipy {scipy.__version__}, numpy {np.__version__}")

    # G1: GraphX's PageRank, pulled through a CSR matrix of in-edges whose
    # entries are 1 / out-degree (parallel edges add up, as GraphX counts them).
    out_degree = np.bincount(src, minlength=n).astype(np.float64)
    inv_out = np.divide(1.0, out_degree, out=np.zeros(n), where=out_degree > 0)
    a = sp.csr_matrix((inv_out[src], (dst, src)), shape=(n, n))
    a.sum_duplicates()

    def graphx_pagerank(iterations):
        r = np.ones(n)
        for _ in range(iterations):
            r = 0.15 + 0.85 * (a @ r)
        return r

    per_iteration = []
    for _ in range(runs):
        t0 = time.perf_counter()
        graphx_pagerank(2)
        t1 = time.perf_counter()
        graphx_pagerank(22)
        t2 = time.perf_counter()
        per_iteration.append(((t2 - t1) - (t1 - t0)) / 20)
    r = graphx_pagerank(10)
    (r * (n / r.sum())).astype("<f8").tofile(ranks_out)
    emit(workload="G1", system="SciPy sparse power iteration", config="1 thread", seconds=seconds_list(per_iteration),
         note="ranks")

    # G2: weakly connected components.
    sym = sp.csr_matrix((np.ones(m, dtype=np.int8), (src, dst)), shape=(n, n))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        k, labels = connected_components(sym, directed=True, connection="weak")
        times.append(time.perf_counter() - t0)
    emit(workload="G2", system="SciPy csgraph connected_components", config="1 thread", seconds=seconds_list(times),
         components=k, digest=smallest_in_component(labels, n))

    # G3 reference: networkx's definition by power iteration to 1e-10.
    dangling = out_degree == 0
    p = np.full(n, 1.0 / n)

    def networkx_definition():
        x = p.copy()
        for iterations in range(1, 10001):
            last = x
            x = 0.85 * (a @ x + x[dangling].sum() * p) + 0.15 * p
            if np.abs(x - last).sum() < 1e-10:
                break
        return x / x.sum(), iterations

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        reference, iterations = networkx_definition()
        times.append(time.perf_counter() - t0)
    emit(workload="G3", system="SciPy sparse power iteration", config="1 thread", seconds=seconds_list(times),
         l1="0", note=f"the reference: {iterations} iterations")

    try:
        import igraph
    except ImportError as e:
        emit(skip=f"igraph is missing ({e}); install python3-igraph")
    else:
        g = igraph.Graph(n=n, edges=pairs.tolist(), directed=True)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            pr = np.array(g.pagerank(damping=0.85, directed=True, implementation="prpack"))
            times.append(time.perf_counter() - t0)
        emit(workload="G3", system=f"igraph {igraph.__version__} PRPACK", config="1 thread",
             seconds=seconds_list(times), l1=f"{np.abs(pr - reference).sum():.3g}")
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            membership = np.array(g.connected_components(mode="weak").membership)
            times.append(time.perf_counter() - t0)
        emit(workload="G2", system=f"igraph {igraph.__version__} connected_components", config="1 thread",
             seconds=seconds_list(times), components=membership.max() + 1,
             digest=smallest_in_component(membership, n))

    if not with_networkx:
        emit(skip="networkx: small graph only")
        return
    try:
        import networkx as nx
    except ImportError as e:
        emit(skip=f"networkx is missing ({e}); install python3-networkx")
        return
    # networkx keeps one edge per (source, destination) in a DiGraph: its
    # ranks differ from GraphX's where edges repeat, so only time is compared.
    dg = nx.DiGraph()
    dg.add_nodes_from(range(n))
    dg.add_edges_from(zip(src.tolist(), dst.tolist()))

    def networkx_pagerank(iterations):
        try:
            nx.pagerank(dg, alpha=0.85, max_iter=iterations, tol=0)
        except nx.PowerIterationFailedConvergence:
            pass  # tol 0 never converges: exactly `iterations` iterations ran

    per_iteration = []
    for _ in range(runs):
        t0 = time.perf_counter()
        networkx_pagerank(2)
        t1 = time.perf_counter()
        # Its set-up (a SciPy matrix of the graph) varies by more than 40
        # iterations take (a negative difference in one run): 400 outweigh it.
        networkx_pagerank(402)
        t2 = time.perf_counter()
        per_iteration.append(((t2 - t1) - (t1 - t0)) / 400)
    emit(workload="G1", system=f"networkx {nx.__version__} pagerank", config="1 thread",
         seconds=seconds_list(per_iteration), note="networkx's definition, one edge per pair: time only")
    ug = dg.to_undirected(as_view=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        components = list(nx.connected_components(ug))
        times.append(time.perf_counter() - t0)
    digest = sum(min(c) * len(c) for c in components)
    emit(workload="G2", system=f"networkx {nx.__version__} connected_components", config="1 thread",
         seconds=seconds_list(times), components=len(components), digest=digest)


if __name__ == "__main__":
    main()
