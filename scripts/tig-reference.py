#!/usr/bin/env python3
"""Reference values of the TIG metrics, computed by networkx, for the metric tests (test/fixtures/tig/*.json).

Run once after a change to the fabric generator or the metric definitions, and commit the output:
    npm run build && python3 scripts/tig-reference.py
Needs networkx (with scipy and numpy for algebraic_connectivity): Debian's python3-networkx python3-scipy, or pip.
Made with networkx 3.6.1, scipy 1.17.1, numpy 2.4.6. The tests do not need Python: they read the fixtures.

Zachary's karate club comes from networkx's own copy of the data set (unweighted here), and each of our fabrics from
scripts/tig-export.mjs, i.e. exactly what GET /api/v1/consciousness/tig/graph exports for that configuration.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import scipy

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test" / "fixtures" / "tig"


def reference(G):
    largest = G.subgraph(max(nx.connected_components(G), key=len))
    laplacian = nx.laplacian_matrix(G).toarray().astype(float)
    exact = float(np.sort(np.linalg.eigvalsh(laplacian))[1]) if nx.is_connected(G) else 0.0
    return {
        "node_count": G.number_of_nodes(),
        "edge_count": G.number_of_edges(),
        "density": nx.density(G),
        "avg_clustering_coefficient": nx.average_clustering(G),
        "avg_path_length": nx.average_shortest_path_length(largest),
        # networkx's own solver (TraceMIN-PCG) at a tolerance tight enough for a 1e-9 comparison, and LAPACK's dense
        # eigvalsh as a cross-check; the test compares with the networkx value.
        "algebraic_connectivity": nx.algebraic_connectivity(G, tol=1e-12, seed=1) if nx.is_connected(G) else 0.0,
        "algebraic_connectivity_eigvalsh": exact,
        "effective_connectivity_index": nx.global_efficiency(G),
        "bottleneck_locations": sorted(nx.articulation_points(G)),
        "min_path_redundancy": nx.edge_connectivity(G),
    }


def versions():
    return {"networkx": nx.__version__, "scipy": scipy.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}


def karate():
    G = nx.Graph()
    K = nx.karate_club_graph()
    G.add_nodes_from(K.nodes())
    G.add_edges_from(K.edges())
    return {"name": "Zachary's karate club", "made_with": versions(), "nodes": G.number_of_nodes(), "edges": sorted([min(u, v), max(u, v)] for u, v in G.edges()), "reference": reference(G)}


def fabric(n, m, p, seed, keep_export):
    raw = subprocess.run(["node", str(ROOT / "scripts" / "tig-export.mjs"), str(n), str(m), str(p), str(seed)], check=True, capture_output=True, text=True).stdout
    export = json.loads(raw)
    G = nx.Graph()
    G.add_nodes_from(node["id"] for node in export["nodes"])
    G.add_edges_from((e["source"], e["target"]) for e in export["edges"])
    edges = sorted([e["source"], e["target"]] for e in export["edges"])
    result = {
        "name": f"TIG fabric n={n} m={m} p={p} seed={seed}",
        "made_with": versions(),
        "params": {"n": n, "m": m, "triadic_p": p, "seed": seed},
        "edges_sha256": hashlib.sha256(json.dumps(edges, separators=(",", ":")).encode()).hexdigest(),
        "reference": reference(G),
    }
    if keep_export:
        result["export"] = export
    return result


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "karate.json").write_text(json.dumps(karate(), indent=1) + "\n")
    (OUT / "fabric-100.json").write_text(json.dumps(fabric(100, 3, 0.3, 42, True)) + "\n")
    (OUT / "fabric-1000.json").write_text(json.dumps(fabric(1000, 3, 0.3, 7, False), indent=1) + "\n")
    print("wrote", *sorted(p.name for p in OUT.glob("*.json")))


if __name__ == "__main__":
    main()
