{#- The firm's CRM (rendered as text; callers `| trim` it): var source_systems.crm given on the command line,
    else env THROUGHLINE_CRM, else salesforce (the rule of the enabled configs in dbt_project.yml).
    models/intermediate/crm/int_crm__* read the chosen system's staging through crm_input(entity), so every
    model above them is the same whichever CRM the firm runs. dbt_project.yml enables only the chosen
    system's staging and sources, with the same expression. -#}
{% macro crm_system() -%}
    {{- throughline.source_system('crm') -}}
{%- endmacro %}

{#- The canonical CRM input `entity` (accounts, opportunities, opportunity_history, products) as a select
    from the chosen CRM's staging, with the same columns in the same order for every CRM. -#}
{% macro crm_input(entity) -%}
    {%- set system = throughline.crm_system() | trim -%}
    {%- if system == 'hubspot' -%}
        {%- if entity == 'accounts' -%}{{ throughline.crm_hubspot_accounts() }}
        {%- elif entity == 'opportunities' -%}{{ throughline.crm_hubspot_opportunities() }}
        {%- elif entity == 'opportunity_history' -%}{{ throughline.crm_hubspot_opportunity_history() }}
        {%- elif entity == 'products' -%}{{ throughline.crm_hubspot_products() }}
        {%- else -%}{{ exceptions.raise_compiler_error("crm_input: unknown CRM entity '" ~ entity ~ "'") }}
        {%- endif -%}
    {%- else -%}
        {%- if entity == 'accounts' -%}{{ throughline.crm_salesforce_accounts() }}
        {%- elif entity == 'opportunities' -%}{{ throughline.crm_salesforce_opportunities() }}
        {%- elif entity == 'opportunity_history' -%}{{ throughline.crm_salesforce_opportunity_history() }}
        {%- elif entity == 'products' -%}{{ throughline.crm_salesforce_products() }}
        {%- else -%}{{ exceptions.raise_compiler_error("crm_input: unknown CRM entity '" ~ entity ~ "'") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The chosen CRM's own name of a canonical entity, for break rows (source_system / source_object say where
    to look): opportunities are HubSpot deals, accounts are HubSpot companies. -#}
{% macro crm_object(entity) -%}
    {%- set names = {
        'salesforce': {'opportunities': 'opportunity', 'accounts': 'account'},
        'hubspot': {'opportunities': 'deal', 'accounts': 'company'},
    } -%}
    {{- names[throughline.crm_system() | trim][entity] -}}
{%- endmacro %}
