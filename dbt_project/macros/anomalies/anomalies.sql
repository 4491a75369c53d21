{#- The shared column list of an anomaly detector model (models/anomalies/detectors/), with its types.
    Pass SQL expressions. score is the detector's own statistic (higher = more unusual); threshold the value
    it had to reach; reason a sentence a reviewer can read without opening the model. -#}
{% macro anomaly_columns(
    detector_id, source_system, source_object, record_key, score, threshold, reason,
    related_keys="'{}'", client_key='null', project_key='null', resource_key='null', legal_entity_key='null',
    currency_code='null', amount_at_risk='null', amount_at_risk_reporting='null', event_date='null'
) -%}
    cast({{ detector_id }} as {{ dbt.type_string() }}) as detector_id,
    cast({{ source_system }} as {{ dbt.type_string() }}) as source_system,
    cast({{ source_object }} as {{ dbt.type_string() }}) as source_object,
    cast({{ record_key }} as {{ dbt.type_string() }}) as record_key,
    cast({{ related_keys }} as {{ dbt.type_string() }}) as related_keys,
    cast({{ client_key }} as {{ dbt.type_string() }}) as client_key,
    cast({{ project_key }} as {{ dbt.type_string() }}) as project_key,
    cast({{ resource_key }} as {{ dbt.type_string() }}) as resource_key,
    cast({{ legal_entity_key }} as {{ dbt.type_string() }}) as legal_entity_key,
    cast({{ currency_code }} as {{ dbt.type_string() }}) as currency_code,
    cast({{ score }} as {{ throughline.rate_type() }}) as score,
    cast({{ threshold }} as {{ throughline.rate_type() }}) as threshold,
    cast({{ amount_at_risk }} as {{ throughline.amount_type() }}) as amount_at_risk,
    cast({{ amount_at_risk_reporting }} as {{ throughline.amount_type() }}) as amount_at_risk_reporting,
    cast({{ event_date }} as date) as event_date,
    cast({{ throughline.recon_detected_on(source_system | replace("'", "")) }} as date) as detected_on,
    cast({{ reason }} as {{ dbt.type_string() }}) as reason
{%- endmacro %}

{#- A number as text with the given decimals, for readable reasons (portable: round then cast). -#}
{% macro anomaly_num(expr, decimals=1) -%}
    cast(round(cast({{ expr }} as {{ dbt.type_numeric() }}), {{ decimals }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Every anomaly detector, from the meta.anomaly blocks of the detector models (execution time only), plus
    the cash-risk model, which is a Dagster asset (orchestration/assets/anomalies.py), not a dbt model. -#}
{% macro anomaly_declared_detectors() -%}
    {%- set detectors = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='name') -%}
            {%- set a = node.config.meta.get('anomaly') if node.resource_type == 'model' else none -%}
            {%- if a -%}
                {%- do detectors.append({
                    'detector_id': a['id'], 'title': a['title'], 'owner': a['owner'],
                    'severity': a.get('severity', 'warn'), 'model_name': node.name}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do detectors.append({
            'detector_id': 'CASH_LATE_RISK', 'owner': 'accounts_receivable', 'severity': 'warn',
            'title': 'Open invoice likely to be paid late (cash-risk model)', 'model_name': 'cash_risk_scores'}) -%}
    {%- endif -%}
    {{ return(detectors) }}
{%- endmacro %}
