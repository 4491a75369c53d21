{#- What a time entry takes from its project (p) and person (pe), and what fct_time_entries compares each night
    with what its rows hold (changed_lookups, macros/kept_lookups.sql): written once, for the fact's select,
    its incremental night's comparison and the post-hook that keeps the compared values.
      from_context  {fact column: its expression over p and pe};
      compared      the comparisons (lookup_set): the project and person context; the project's currency
                    of an entry without its own; the four spot rates of the day. -#}
{% macro time_entry_lookups() -%}
    {%- set from_context = {
        'resource_key': "coalesce(pe.resource_key, '-1')",
        'project_key': "coalesce(p.psa_project_id, '-1')",
        'client_key': "coalesce(p.client_key, '-1')",
        'contract_key': "coalesce(p.contract_key, '-1')",
        'psa_client_id': 'p.psa_client_id',
        'legal_entity_key': "coalesce(p.legal_entity_key, '-1')",
        'service_line_key': throughline.psa_service_line_key('p', 'pe'),
        'contract_type': 'p.contract_type',
        'entity_currency_code': "coalesce(p.entity_currency_code, '-1')",
    } -%}
    {%- set project_join -%}
        left join {{ ref('int_psa_project_context') }} as p on p.psa_project_id = t.psa_project_id
    {%- endset -%}
    {%- set context_joins -%}
        {{ project_join }}
        left join {{ ref('int_psa_resource_context') }} as pe on pe.psa_resource_id = t.psa_resource_id
    {%- endset -%}
    {%- set rate_joins -%}
        {{ throughline.join_spot_rate('fx_e', 't.transaction_currency_code', 't.entity_currency_code', 't.spent_date') }}
        {{ throughline.join_spot_rate_to_reporting('fx_r', 't.transaction_currency_code', 't.spent_date') }}
        {{ throughline.join_spot_rate_to_reporting('fx_cr', 't.cost_currency_code', 't.spent_date') }}
        {{ throughline.join_spot_rate('fx_ce', 't.cost_currency_code', 't.entity_currency_code', 't.spent_date') }}
    {%- endset -%}
    {{ return({
        'from_context': from_context,
        'compared': [
            throughline.lookup_set({'psa_project_id': 'te.project_id', 'psa_resource_id': 'te.resource_id'},
                from_context, context_joins),
            throughline.lookup_set({'psa_project_id': 'te.project_id'},
                {'transaction_currency_code': "coalesce(p.project_currency_code, '-1')"}, project_join,
                only_when='te.currency_code is null'),
            throughline.lookup_set({'spent_date': 'te.spent_date'}, {
                'fx_rate_to_entity': throughline.fx_rate('fx_e', 't.transaction_currency_code', 't.entity_currency_code'),
                'fx_rate_to_reporting': throughline.fx_rate_to_reporting('fx_r', 't.transaction_currency_code'),
                'cost_fx_rate_to_reporting': throughline.fx_rate_to_reporting('fx_cr', 't.cost_currency_code'),
                'cost_fx_rate_to_entity': throughline.fx_rate('fx_ce', 't.cost_currency_code', 't.entity_currency_code'),
            }, rate_joins, inputs=['transaction_currency_code', 'entity_currency_code', 'cost_currency_code']),
        ],
    }) }}
{%- endmacro %}
