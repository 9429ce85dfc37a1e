"""Case notes and documents on a child's record."""
