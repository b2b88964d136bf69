// N per stratum (see drug_counts_by_stratum.cypher for STRATUM).
MATCH (r:Report)
RETURN coalesce(r.STRATUM, 'unknown') AS stratum, count(r) AS n;
