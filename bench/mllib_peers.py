"""scikit-learn peer of brasa-bench-mllib: per-iteration time of KMeans and
LogisticRegression on the very data the benchmark generated.

Run by brasa-bench-mllib with Debian's /usr/bin/python3 (python3-sklearn),
once per thread count, with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set in
its environment:
    mllib_peers.py kmeans PATH N D K ITERATIONS RUNS
    mllib_peers.py logreg PATH N D ITERATIONS RUNS
    mllib_peers.py tree PATH N D RUNS      (DecisionTreeClassifier, depth 5: whole fits)
    mllib_peers.py forest PATH N D RUNS    (RandomForestClassifier, 20 trees of depth 5)
PATH is a raw little-endian float64 file: N rows of D features, row-major,
then (logreg) N labels. KMeans starts from the file's first K rows.

It prints tab-separated key=value lines:
    info=...                 the BLAS/OpenMP pools (threadpoolctl) and versions
    checksum=S labels=L      sum of every feature, sum of the labels
    system=... config=... seconds=t1,t2,... fit_per_iter=... n_iter=...
or `skip=REASON` when the peer cannot run. Per-iteration seconds are taken
as Brasa's are: (fit with max_iter = 1 + M minus fit with max_iter = 1) / M,
so that input checks, copies and the final E-step do not count;
fit_per_iter is the plain (fit time) / n_iter_ of the longer fit.
"""
import os
import statistics
import sys
import time
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn.cluster import KMeans
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier
except ImportError as e:  # reported by the caller as a skip line
    print(f"skip=scikit-learn is missing ({e}); install python3-sklearn", flush=True)
    sys.exit(0)


def threads():
    return int(os.environ.get("OMP_NUM_THREADS", "0") or 0) or os.cpu_count()


def config():
    t = threads()
    return f"{t} thread{'s' if t != 1 else ''}"


def info():
    parts = [f"sklearn {sklearn.__version__}", f"numpy {np.__version__}"]
    try:
        from threadpoolctl import threadpool_info

        for p in threadpool_info():
            name = p.get("internal_api", "?")
            extra = f" {p['architecture']}" if p.get("architecture") else ""
            parts.append(f"{name}{extra} x{p.get('num_threads')}")
    except ImportError:
        parts.append("threadpoolctl missing")
    print("info=" + ", ".join(parts), flush=True)


def blas_is_right(x):
    """The BLAS kernel's X @ w and X.T @ r against numpy's own loops (einsum
    without optimize does not call BLAS): some OpenBLAS builds pick wrong
    kernels on newer processors."""
    a = np.ascontiguousarray(x[:2000])
    w = np.linspace(-1.0, 1.0, a.shape[1])
    r = np.linspace(1.0, -1.0, a.shape[0])
    got = np.concatenate([a @ w, a.T @ r, (a[:300] @ a[:50].T).ravel()])
    want = np.concatenate([np.einsum("ij,j->i", a, w), np.einsum("ij,i->j", a, r), np.einsum("ij,kj->ik", a[:300], a[:50]).ravel()])
    return np.allclose(got, want, rtol=1e-10, atol=1e-10)


def load(path, n, d, labels):
    x = np.fromfile(path, dtype="<f8", count=n * d).reshape(n, d)
    y = np.fromfile(path, dtype="<f8", count=n, offset=n * d * 8) if labels else None
    print(f"checksum={float(x.sum())!r}\tlabels={float(y.sum()) if labels else 0.0!r}", flush=True)
    if not blas_is_right(x):
        print("skip=blas_wrong: the BLAS kernel's products differ from numpy's loops", flush=True)
        sys.exit(0)
    return x, y


def emit(system, per_iteration, fit_per_iter, n_iter, note=""):
    secs = ",".join(f"{s:.6f}" for s in per_iteration)
    print(
        f"system={system}\tconfig={config()}\tseconds={secs}\tfit_per_iter={statistics.median(fit_per_iter):.6f}"
        f"\tn_iter={n_iter}\tnote={note}",
        flush=True,
    )


def per_iteration(make, x, y, iterations, runs, n_iter_of):
    """Times fit(max_iter=1) and fit(max_iter=1+iterations), `runs` times."""
    per, plain, n_iter, long = [], [], None, None
    for _ in range(runs):
        start = time.perf_counter()
        short = make(1).fit(x, y)
        middle = time.perf_counter()
        long = make(1 + iterations).fit(x, y)
        end = time.perf_counter()
        per.append(((end - middle) - (middle - start)) / iterations)
        n_iter = (n_iter_of(short), n_iter_of(long))
        plain.append((end - middle) / max(1, n_iter[1]))
    return per, plain, n_iter, long


def kmeans(path, n, d, k, iterations, runs):
    x, _ = load(path, n, d, labels=False)
    init = x[:k].copy()
    info()

    def make(max_iter):
        return KMeans(n_clusters=k, init=init, n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd")

    per, plain, n_iter, long = per_iteration(make, x, None, iterations, runs, lambda m: int(m.n_iter_))
    emit("scikit-learn KMeans", per, plain, f"{n_iter[0]},{n_iter[1]}", f"inertia {long.inertia_:.10g}")


def logreg(path, n, d, iterations, runs):
    x, y = load(path, n, d, labels=True)
    info()

    def make(max_iter):
        return LogisticRegression(solver="lbfgs", max_iter=max_iter, tol=0)

    per, plain, n_iter, _ = per_iteration(make, x, y, iterations, runs, lambda m: int(m.n_iter_[0]))
    emit("scikit-learn LogisticRegression", per, plain, f"{n_iter[0]},{n_iter[1]}")


def whole_fits(system, make, path, n, d, runs):
    """Times `runs` whole fits; the note gives the training accuracy."""
    x, y = load(path, n, d, labels=True)
    info()
    seconds, model = [], None
    for _ in range(runs):
        start = time.perf_counter()
        model = make().fit(x, y)
        seconds.append(time.perf_counter() - start)
    accuracy = float((model.predict(x) == y).mean())
    emit(system, seconds, seconds, "1", f"training accuracy {accuracy:.4f}")


def tree(path, n, d, runs):
    whole_fits("scikit-learn DecisionTreeClassifier", lambda: DecisionTreeClassifier(max_depth=5), path, n, d, runs)


def forest(path, n, d, runs):
    make = lambda: RandomForestClassifier(n_estimators=20, max_depth=5, n_jobs=threads(), random_state=1)
    whole_fits("scikit-learn RandomForestClassifier", make, path, n, d, runs)


def main(argv):
    what, args = argv[1], argv[2:]
    path, nums = args[0], [int(a) for a in args[1:]]
    {"kmeans": kmeans, "logreg": logreg, "tree": tree, "forest": forest}[what](path, *nums)


if __name__ == "__main__":
    warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter is the point here
    main(sys.argv)
