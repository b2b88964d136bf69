// The extracted triples behind drug–event pairs: every triple whose drug and event have the
// given keys, whatever its assertion, with its note, extractor and character offsets into
// the note (evidence_start locates the sentence, so drug_start - evidence_start is the
// drug's offset within evidence_text).
MATCH (r:Report)-[:HAS_TRIPLE]->(t:Triple)-[:OF_DRUG]->(drug:Drug),
      (t)-[:OF_EVENT]->(event:AdverseEvent)
WHERE drug.key IN $drug_keys AND event.key IN $event_keys
RETURN drug.key AS drug_key, event.key AS event_key, r.id AS report_id, t.key AS triple_key,
       t.assertion AS assertion, t.confidence AS confidence, t.extractor AS extractor,
       t.extractor_version AS extractor_version, t.prompt_version AS prompt_version,
       t.drug_text AS drug_text, t.drug_start AS drug_start,
       t.event_text AS event_text, t.event_start AS event_start,
       t.dose_text AS dose_text, t.dose_start AS dose_start,
       t.evidence_text AS evidence_text, t.evidence_start AS evidence_start,
       t.time_to_onset AS time_to_onset, t.dechallenge AS dechallenge,
       t.rechallenge AS rechallenge, t.outcome AS outcome, t.naranjo AS naranjo,
       t.who_umc AS who_umc;
