-- The firm's CRM products in the canonical shape, whichever CRM it runs (macro crm_input, var source_systems.crm).
{{ throughline.crm_input('products') }}
