"""Visits to children: who was seen, where, and what the child said."""
