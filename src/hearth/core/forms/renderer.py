from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Placeholder; replaced by the GOV.UK renderer."""
