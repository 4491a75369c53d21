{#- Building blocks of the reconciliation checks (models/reconciliation/). Every check family model selects
    {{ recon_columns(...) }} so all families share one column list and one set of types, and
    marts.recon_breaks can union them. The checks' declaration (id, severity, owner, tolerance, window, logic,
    causes, fix) is the `meta.recon` block of each family model in
    models/reconciliation/checks/_checks__models.yml; docs/reconciliation.md is generated from it. -#}

{#- A JSON object as text, in the manifest's compact form ({"id":105641,"date":"2026-01-07"}), built with
    portable string functions so it is the same on every engine. `pairs` is a list of (name, expression,
    kind) with kind 'number' (written bare) or 'string' (quoted, with " and \ escaped); a null value is
    written as null. -#}
{% macro recon_json(pairs) -%}
    {%- set parts = [] -%}
    {%- for name, expr, kind in pairs -%}
        {%- if kind == 'number' -%}
            {%- set value = "coalesce(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "), 'null')" -%}
        {%- else -%}
            {#- chr(92) is the backslash: a literal '\' is an unterminated string to Spark's SQL lexer -#}
            {%- set escaped = "replace(replace(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "), chr(92), chr(92) || chr(92)), '\"', chr(92) || '\"')" -%}
            {%- set value = "coalesce('\"' || " ~ escaped ~ " || '\"', 'null')" -%}
        {%- endif -%}
        {%- do parts.append(("'," if not loop.first else "'") ~ '"' ~ name ~ "\":' || " ~ value) -%}
    {%- endfor -%}
    ('{' || {{ parts | join(' || ') }} || '}')
{%- endmacro %}

{#- The night a break is detected on: the newest extract date loaded for the source system. -#}
{% macro recon_detected_on(system) -%}
    {#- 'psa' and 'netsuite' name the PSA and ERP sides: the firm may run other systems (macro source_system). -#}
    {%- set system = throughline.source_system('psa') if system == 'psa' else system -%}
    {%- set system = throughline.source_system('erp') if system == 'netsuite' else system -%}
    (select max(extract_date) from {{ ref('stg_raw__extract_nights') }} where source_system = '{{ system }}')
{%- endmacro %}

{#- The shared column list of a check family model, with its types. Pass SQL expressions. -#}
{% macro recon_columns(
    check_id, source_system, source_object, record_key,
    related_keys="'{}'", client_key='null', project_key='null', legal_entity_key='null',
    currency_code='null', expected_amount='null', actual_amount='null', difference_amount='null',
    amount_at_risk='null', amount_at_risk_reporting='null', event_date='null', detected_on=none
) -%}
    cast({{ check_id }} as {{ dbt.type_string() }}) as check_id,
    cast({{ source_system }} as {{ dbt.type_string() }}) as source_system,
    cast({{ source_object }} as {{ dbt.type_string() }}) as source_object,
    cast({{ record_key }} as {{ dbt.type_string() }}) as record_key,
    cast({{ related_keys }} as {{ dbt.type_string() }}) as related_keys,
    cast({{ client_key }} as {{ dbt.type_string() }}) as client_key,
    cast({{ project_key }} as {{ dbt.type_string() }}) as project_key,
    cast({{ legal_entity_key }} as {{ dbt.type_string() }}) as legal_entity_key,
    cast({{ currency_code }} as {{ dbt.type_string() }}) as currency_code,
    cast({{ expected_amount }} as {{ throughline.amount_type() }}) as expected_amount,
    cast({{ actual_amount }} as {{ throughline.amount_type() }}) as actual_amount,
    cast({{ difference_amount }} as {{ throughline.amount_type() }}) as difference_amount,
    cast({{ amount_at_risk }} as {{ throughline.amount_type() }}) as amount_at_risk,
    cast({{ amount_at_risk_reporting }} as {{ throughline.amount_type() }}) as amount_at_risk_reporting,
    cast({{ event_date }} as date) as event_date,
    cast({{ detected_on if detected_on is not none else throughline.recon_detected_on(source_system | replace("'", "")) }} as date) as detected_on
{%- endmacro %}

{#- A family whose checks are not implemented yet: no rows, the shared columns. -#}
{% macro recon_no_breaks() -%}
    select {{ throughline.recon_columns("'none'", "'none'", "'none'", "'{}'", detected_on='null') }}
    where 1 = 0
{%- endmacro %}

{#- The declaration of every check, from the meta.recon blocks of the family models (execution time only). -#}
{% macro recon_declared_checks() -%}
    {%- set checks = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='name') -%}
            {%- set recon = node.config.meta.get('recon') if node.resource_type == 'model' else none -%}
            {%- if recon -%}
                {%- for check in recon.get('checks', []) -%}
                    {%- do checks.append({
                        'check_id': check['id'], 'check_family': recon['family'], 'section': recon.get('section'),
                        'model_name': node.name, 'title': check['title'], 'severity': check['severity'],
                        'owner': check['owner'], 'source_system': check.get('source_system'),
                        'source_object': check.get('source_object')}) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(checks) }}
{%- endmacro %}
