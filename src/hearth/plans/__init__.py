"""Plans: one structure for child in need, child protection, care and pathway plans."""
