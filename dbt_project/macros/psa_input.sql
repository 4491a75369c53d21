{#- Source systems (docs/sources/README.md). The firm picks the system behind each side in one var,
    source_systems (env THROUGHLINE_PSA sets its psa default). Every model that reads the PSA side goes
    through psa_input, so marts, KPIs and breaks run unchanged whichever PSA the firm runs. -#}

{#- The system behind one side ('crm', 'erp' or 'psa'); a name nobody implemented stops the parse. -#}
{% macro source_system(side) -%}
    {%- set supported = {'crm': ['salesforce'], 'erp': ['netsuite'], 'psa': ['psa', 'harvest']} -%}
    {%- set chosen = var('source_systems', {}).get(side, (supported[side] or [none])[0]) -%}
    {%- if chosen not in supported[side] -%}
        {{ exceptions.raise_compiler_error(
            "source_systems." ~ side ~ " is '" ~ chosen ~ "'; use one of: " ~ supported[side] | join(', ')) }}
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
