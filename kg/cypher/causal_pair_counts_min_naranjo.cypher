// a: as causal_pair_counts, counting only triples with a Naranjo score of at least
// $min_naranjo (kg/causality.py; `pvkg signals --mode causal --min-causality N`).
MATCH (r:Report)-[:HAS_TRIPLE]->(t:Triple)-[:OF_DRUG]->(drug:Drug),
      (t)-[:OF_EVENT]->(event:AdverseEvent)
WHERE t.assertion IN $assertions AND t.naranjo >= $min_naranjo
RETURN drug.key AS drug_key, event.key AS event_key, count(DISTINCT r) AS a;
