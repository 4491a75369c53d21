-- The firm's CRM opportunities in the canonical shape, whichever CRM it runs (macro crm_input, var source_systems.crm).
{{ throughline.crm_input('opportunities') }}
