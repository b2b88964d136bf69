"""Phenotyping: criteria as data (`load_phenotype`), sentences judged per criterion
(`CriterionMatcher`: terms and concept synonyms, ConText assertion, values), and each
patient decided by the phenotype's logic with its evidence (`decide`)."""

from extract.phenotype.criteria import Criterion, Phenotype, ValueRule, load_phenotype
from extract.phenotype.decide import CriterionStatus, Evidence, PatientResult, decide
from extract.phenotype.logic import holds
from extract.phenotype.matching import CriterionMatcher, Find, qualifies
from extract.phenotype.options import DATE_FIELDS, PATIENT_FIELDS, PhenotypeOptions
from extract.phenotype.scoring import PHENOTYPE, score_cohort

__all__ = [
    "DATE_FIELDS",
    "PATIENT_FIELDS",
    "PHENOTYPE",
    "Criterion",
    "CriterionMatcher",
    "CriterionStatus",
    "Evidence",
    "Find",
    "PatientResult",
    "Phenotype",
    "PhenotypeOptions",
    "ValueRule",
    "decide",
    "holds",
    "load_phenotype",
    "qualifies",
    "score_cohort",
]
