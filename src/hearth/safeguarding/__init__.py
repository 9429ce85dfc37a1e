"""Exploitation and other risk assessments, and missing episodes."""
