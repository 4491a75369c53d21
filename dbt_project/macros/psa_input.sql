{#- Source systems (docs/sources/choosing-systems.md). The firm picks the system behind each side in one setting: the
    var source_systems ({crm: .., erp: .., psa: ..}) when given on the command line, else env THROUGHLINE_CRM /
    THROUGHLINE_ERP / THROUGHLINE_PSA, else salesforce / netsuite / psa. The enabled configs in dbt_project.yml
    apply the same rule. Every model that reads the PSA side goes through psa_input, so marts, KPIs and
    breaks run unchanged whichever PSA the firm runs. -#}

{#- The system behind one side ('crm', 'erp' or 'psa'); a name nobody implemented stops the parse. -#}
{% macro source_system(side) -%}
    {%- set supported = {'crm': ['salesforce', 'hubspot'], 'erp': ['netsuite', 'quickbooks', 'xero'], 'psa': ['psa', 'harvest']} -%}
    {%- set chosen = (var('source_systems', {}).get(side)
        or env_var('THROUGHLINE_' ~ side | upper, supported[side][0])) | trim | lower -%}
    {%- if chosen not in supported[side] -%}
        {{ exceptions.raise_compiler_error(
            "the " ~ side ~ " system is '" ~ chosen ~ "' (var source_systems or env THROUGHLINE_" ~ side | upper
            ~ "); use one of: " ~ supported[side] | join(', ')) }}
    {%- endif -%}
    {{ return(chosen) }}
{%- endmacro %}

{#- The canonical PSA input `name` (projects, time_entries, ...; the columns of stg_psa__<name>): the PSA
    export's staging model, or the model mapping the chosen PSA onto the same columns
    (models/intermediate/psa_inputs/<system>/int_<system>__psa_<name>). -#}
{% macro psa_input(name) -%}
    {%- set psa = throughline.source_system('psa') -%}
    {%- if psa == 'psa' -%}
        {{ return(ref('stg_psa__' ~ name)) }}
    {%- else -%}
        {{ return(ref('int_' ~ psa ~ '__psa_' ~ name)) }}
    {%- endif -%}
{%- endmacro %}

{#- Canonical approval status of a Harvest time entry or expense (table alias `alias`, '' for none): approved
    when Harvest closed (approved), billed or locked it, else submitted; every record is approved when the
    account runs no approval workflow (var harvest_uses_approval false). -#}
{% macro harvest_status(alias='') -%}
    {%- set a = alias ~ '.' if alias else '' -%}
    {%- if var('harvest_uses_approval', true) -%}
        case when {{ a }}is_closed or {{ a }}is_billed or {{ a }}is_locked then 'approved' else 'submitted' end
    {%- else -%}
        'approved'
    {%- endif -%}
{%- endmacro %}

{#- The canonical ERP input `name` (transactions, transaction_lines, customers, ...; the columns of
    stg_netsuite__<name>): NetSuite's staging model, or the model mapping the chosen ERP onto the same
    columns (models/intermediate/erp_inputs/<system>/int_<system>__erp_<name>). Until an ERP's mapping is
    complete it is not in `mapped`, and the canonical models keep reading NetSuite's staging (its own
    staging still builds, for its orphan report). -#}
{% macro erp_input(name) -%}
    {%- set mapped = ['netsuite', 'quickbooks', 'xero'] -%}
    {%- set erp = throughline.source_system('erp') -%}
    {%- if erp == 'netsuite' or erp not in mapped -%}
        {{ return(ref('stg_netsuite__' ~ name)) }}
    {%- else -%}
        {{ return(ref('int_' ~ erp ~ '__erp_' ~ name)) }}
    {%- endif -%}
{%- endmacro %}
