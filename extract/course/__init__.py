"""The course of an adverse event as a case report tells it: severity, and the outcome of
dechallenge (the drug stopped) and rechallenge (the drug given again). Rules are data
(`course_rules.json`)."""

from extract.course.rules import CourseMatcher, CourseRules, load_course_rules

__all__ = ["CourseMatcher", "CourseRules", "load_course_rules"]
