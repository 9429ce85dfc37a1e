"""Writes for child protection, one module per area: `strategy` (strategy discussions and section
47 enquiries) and `conferences` (conferences, child protection plans and core groups). Each
service is keyword-only, one transaction with one audit event, and tells the timescale engine."""
