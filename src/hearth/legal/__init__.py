"""Legal planning and orders: emergency protection (police protection and emergency protection
orders), the legal gateway (planning) meeting, pre-proceedings under the Public Law Outline, and
care proceedings with their hearings, extensions and final order."""
