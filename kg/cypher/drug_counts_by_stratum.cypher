// n_drug per stratum. `STRATUM` is replaced by a Report property name from pvkg's fixed
// list (sex, age_group): a name, never a value. Unknown values form their own stratum.
MATCH (drug:Drug)<-[m:MENTIONS_DRUG]-(r:Report)
WHERE m.affirmed OR $all_assertions
RETURN drug.key AS key, coalesce(r.STRATUM, 'unknown') AS stratum, count(DISTINCT r) AS n;
