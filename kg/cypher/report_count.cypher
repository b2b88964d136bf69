// N: all reports in the graph.
MATCH (r:Report)
RETURN count(r) AS n;
