"""Export the responsibility graph for Gephi (GEXF) and other graph tools (GraphML).

For: a researcher or journalist who wants to look at who does what as a network: lay
it out, size units by their workload, colour nodes by kind, in Gephi, Cytoscape or yEd.

Run it::

    python examples/gephi_export.py                 # writes into a new temp folder
    python examples/gephi_export.py plan.gexf       # writes plan.gexf and plan.graphml

It writes the graph as GEXF 1.2 (open it in Gephi with File > Open; each node's label is
its Chinese name and its ``kind`` attribute is measure, action, bureau or district) and
as GraphML beside it, then prints the node and edge counts, read back from the GEXF file.
The command-line equivalent::

    yantai-policy export gexf -o plan.gexf
    yantai-policy export graphml -o plan.graphml
"""

from __future__ import annotations

import collections
import pathlib
import sys
import tempfile

import networkx as nx

import yantai_policy as yp
from yantai_policy import export


def main(argv: list[str]) -> int:
    """Write the two files and print what they hold."""
    if len(argv) > 1:
        print("usage: python gephi_export.py [PLAN.gexf]", file=sys.stderr)
        return 2
    gexf = (
        pathlib.Path(argv[0])
        if argv
        else pathlib.Path(tempfile.mkdtemp(prefix="yantai-gephi-"), "plan.gexf")
    )
    graphml = gexf.with_suffix(".graphml")
    gexf.parent.mkdir(parents=True, exist_ok=True)
    policy = yp.load_policy()
    export.write(policy, "gexf", gexf)
    export.write(policy, "graphml", graphml)

    G = nx.read_gexf(gexf)  # read back what Gephi will open
    kinds = collections.Counter(kind for _, kind in G.nodes(data="kind"))
    relations = collections.Counter(str(data["relation"]) for _, _, data in G.edges(data=True))
    print(f"wrote {gexf} (GEXF, for Gephi) and {graphml} (GraphML)")
    print(f"nodes: {G.number_of_nodes()}")
    print(f"edges: {G.number_of_edges()}")
    for kind, count in sorted(kinds.items()):
        print(f"  {kind} nodes: {count}")
    for relation, count in sorted(relations.items()):
        print(f"  {relation} edges: {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
