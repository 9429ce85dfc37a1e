"""Child protection: strategy discussions, section 47 enquiries, child protection conferences,
the child protection detail of a plan (categories of abuse) and core groups.

The plan itself (danger statements, safety goals, actions) is `hearth.plans.Plan` of kind `cp`;
`ProtectionPlan` holds what only a child protection plan has. Emergency protection, the legal
gateway, pre-proceedings and care proceedings live in `hearth.legal`.
"""
